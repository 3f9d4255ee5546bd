//! [`price`]: an [`Order`] and a [`DiscountTable`] make an [`Invoice`], following the rounding
//! rule in the [module docs](super).

use rust_decimal::Decimal;

use super::discount::{DiscountTable, Promo, PromoKind};
use super::invoice::{Discount, Invoice, InvoiceLine, PromoCodeStatus};
use super::message::Order;
use super::money::Money;

/// Prices `order` with `table`; `priced_at` (RFC 3339) is recorded as given, which keeps this
/// function pure.
///
/// ```
/// use runtime::order::{DiscountTable, parse, price};
///
/// let table: DiscountTable = serde_json::from_str(r#"{
///     "currency": "USD",
///     "promo_codes": {"SAVE10": {"percent": "10"}},
///     "bulk_tiers": [{"min_subtotal": "500.00", "percent": "5"}]
/// }"#)?;
/// let order = parse(r#"{"order_id": "ORD-12345",
///     "items": [{"name": "Laptop", "price": 999.99, "quantity": 1}], "promo_code": "SAVE10"}"#)?;
/// let invoice = price(&order, &table, "2026-11-22T21:00:00Z");
/// // 999.99 − 99.999 (10 %) = 899.991; − 44.99955 (5 % of that) = 854.99145 → 854.99
/// assert_eq!(invoice.total.to_string(), "854.99");
/// assert_eq!(invoice.discounts[0].amount().to_string(), "100.00"); // 999.99 − round(899.991)
/// assert_eq!(invoice.discounts[1].amount().to_string(), "45.00"); // 899.99 − 854.99
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn price(order: &Order, table: &DiscountTable, priced_at: &str) -> Invoice {
    let lines: Vec<InvoiceLine> = order
        .items()
        .iter()
        .map(|item| InvoiceLine {
            name: item.label().to_owned(),
            sku: item.sku().map(str::to_owned),
            unit_price: item.unit_price(),
            quantity: item.quantity(),
            line_total: item.line_total(),
        })
        .collect();
    // Every line total has at most two decimal places, so this "rounding" changes nothing.
    let subtotal =
        Money::round_half_even(lines.iter().map(|line| line.line_total.as_decimal()).sum());

    let promo = PromoOutcome::evaluate(order.promo_code(), table, subtotal);
    let after_promo = subtotal.as_decimal() - promo.exact;
    let tier = table.bulk_tier(subtotal);
    let bulk = tier.map_or(Decimal::ZERO, |tier| tier.percent.of(after_promo));
    let total = Money::round_half_even((after_promo - bulk).max(Decimal::ZERO));

    // Each shown discount is the drop in the running balance, every balance rounded half-even
    // once: subtotal (exact) → after promo → total. So they add up to subtotal − total, exactly.
    let after_promo_shown = Money::round_half_even(after_promo);
    let mut discounts = Vec::new();
    if let Some((code, rule)) = promo.applied {
        let (percent, fixed_amount) = match rule.kind {
            PromoKind::Percent(percent) => (Some(percent), None),
            PromoKind::Amount(amount) => (None, Some(amount)),
        };
        let amount = subtotal.saturating_sub(after_promo_shown);
        discounts.push(Discount::Promo {
            code: code.to_owned(),
            percent,
            fixed_amount,
            amount,
        });
    }
    if let Some(tier) = tier {
        discounts.push(Discount::Bulk {
            tier: format!("subtotal ≥ {}", tier.min_subtotal),
            min_subtotal: tier.min_subtotal,
            percent: tier.percent,
            amount: after_promo_shown.saturating_sub(total),
        });
    }

    Invoice {
        schema_version: Invoice::SCHEMA_VERSION,
        order_id: order.order_id().to_owned(),
        idempotency_key: format!("invoice:{}", order.order_id()),
        currency: table.currency().to_owned(),
        lines,
        subtotal,
        promo_code: order.promo_code().map(str::to_owned),
        promo_code_status: promo.status,
        promo_code_reason: promo.reason,
        discounts,
        total,
        priced_at: priced_at.to_owned(),
    }
}

/// What the order's promo code is worth, before any rounding.
struct PromoOutcome<'t> {
    status: PromoCodeStatus,
    reason: Option<String>,
    applied: Option<(&'t str, &'t Promo)>,
    /// The discount, unrounded; zero unless applied. Never more than the subtotal.
    exact: Decimal,
}

impl<'t> PromoOutcome<'t> {
    fn evaluate(code: Option<&str>, table: &'t DiscountTable, subtotal: Money) -> PromoOutcome<'t> {
        let nothing = |status, reason| PromoOutcome {
            status,
            reason,
            applied: None,
            exact: Decimal::ZERO,
        };
        let Some(code) = code else {
            return nothing(PromoCodeStatus::None, None);
        };
        let Some((code, promo)) = table.promo(code) else {
            return nothing(
                PromoCodeStatus::Unknown,
                Some(format!("`{code}` is not a known promo code")),
            );
        };
        if let Some(minimum) = promo.min_subtotal
            && subtotal < minimum
        {
            let reason = format!(
                "`{code}` needs a subtotal of at least {minimum}; the subtotal is {subtotal}"
            );
            return nothing(PromoCodeStatus::BelowMinimum, Some(reason));
        }
        let exact = match promo.kind {
            PromoKind::Percent(percent) => percent.of(subtotal.as_decimal()),
            PromoKind::Amount(amount) => amount.min(subtotal).as_decimal(),
        };
        PromoOutcome {
            status: PromoCodeStatus::Applied,
            reason: None,
            applied: Some((code, promo)),
            exact,
        }
    }
}
