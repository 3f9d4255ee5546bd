//! Properties: no input makes parsing panic; every valid order prices to an invoice that adds
//! up, with the total rounded once from the exact figures.

use proptest::prelude::*;
use proptest::sample::Index;
use runtime::order::{
    BulkTier, Discount, DiscountTable, Invoice, Money, Percent, Promo, PromoKind, parse, price,
    repair,
};
use rust_decimal::{Decimal, RoundingStrategy};

/// An item as generated: name, price in cents, quantity, and how to write the numbers.
#[derive(Debug, Clone)]
struct Item {
    name: String,
    cents: u64,
    quantity: u32,
    style: usize,
}

impl Item {
    fn json(&self) -> String {
        let (whole, cents) = (self.cents / 100, self.cents % 100);
        let price = match self.style % 4 {
            0 => format!("{whole}.{cents:02}"),
            1 => Decimal::new(i64::try_from(self.cents).unwrap(), 2)
                .normalize()
                .to_string(),
            2 => format!("{}e-2", self.cents),
            _ => format!("{whole}.{cents:02}0"),
        };
        let quantity = match self.style % 3 {
            0 => self.quantity.to_string(),
            1 => format!("{}.0", self.quantity),
            _ => format!("{}e0", self.quantity),
        };
        let name = serde_json::to_string(&self.name).unwrap();
        format!(r#"{{"name": {name}, "price": {price}, "quantity": {quantity}}}"#)
    }

    fn line_total(&self) -> Decimal {
        Decimal::new(i64::try_from(self.cents).unwrap(), 2) * Decimal::from(self.quantity)
    }
}

fn item() -> impl Strategy<Value = Item> {
    let name = "[a-zA-Zé日0-9]([a-zA-Zé日0-9 _-]{0,10}[a-zA-Zé日0-9])?";
    let cents = prop_oneof![0..2_000_u64, 0..=100_000_000_000_u64];
    let quantity = prop_oneof![1..10_u32, 1..=1_000_000_u32];
    (name, cents, quantity, 0..12_usize).prop_map(|(name, cents, quantity, style)| Item {
        name,
        cents,
        quantity,
        style,
    })
}

/// A valid order body, with its items and promo code as generated.
fn order() -> impl Strategy<Value = (String, Vec<Item>, Option<String>)> {
    let promo = prop::option::of(prop_oneof![
        Just("A".to_owned()),
        Just(" b ".to_owned()),
        Just("c".to_owned()),
        Just("NOPE".to_owned()),
    ]);
    (prop::collection::vec(item(), 1..12), promo).prop_map(|(items, promo)| {
        let lines: Vec<String> = items.iter().map(Item::json).collect();
        let promo_json = promo
            .as_ref()
            .map(|code| format!(r#", "promo_code": {code:?}"#))
            .unwrap_or_default();
        let body = format!(
            r#"{{"order_id": "ORD-P", "items": [{}]{promo_json}}}"#,
            lines.join(", ")
        );
        (body, items, promo)
    })
}

fn percent() -> impl Strategy<Value = Percent> {
    prop_oneof![0..=100_u32 * 10_000, Just(0), Just(100 * 10_000)]
        .prop_map(|basis| Percent::new(Decimal::new(i64::from(basis), 4)).unwrap())
}

fn money(max_cents: i64) -> impl Strategy<Value = Money> {
    (0..=max_cents).prop_map(|cents| Money::new(Decimal::new(cents, 2)).unwrap())
}

fn promo() -> impl Strategy<Value = Promo> {
    let kind = prop_oneof![
        percent().prop_map(PromoKind::Percent),
        money(10_000_000_000).prop_map(PromoKind::Amount)
    ];
    (kind, prop::option::of(money(100_000_000)))
        .prop_map(|(kind, min_subtotal)| Promo { kind, min_subtotal })
}

fn table() -> impl Strategy<Value = DiscountTable> {
    let tiers = prop::collection::btree_map(
        prop_oneof![0..100_000_i64, 0..100_000_000_000_i64],
        percent(),
        0..4,
    );
    (promo(), promo(), promo(), tiers).prop_map(|(a, b, c, tiers)| {
        let codes = [
            ("A".to_owned(), a),
            ("B".to_owned(), b),
            ("C".to_owned(), c),
        ];
        let tiers = tiers.into_iter().map(|(cents, percent)| BulkTier {
            min_subtotal: Money::new(Decimal::new(cents, 2)).unwrap(),
            percent,
        });
        DiscountTable::new("USD", codes, tiers).unwrap()
    })
}

/// Splices JSON-ish fragments into valid bodies, to reach the deeper error paths.
fn damaged() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just(""),
        Just("\""),
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("null"),
        Just("-"),
        Just("1e999"),
        Just("1e-999"),
        Just("\"x\""),
        Just(" "),
        Just("\\"),
        Just("0.001"),
        Just("NaN"),
        Just("\"\\ud800\""),
        Just("99999999999999999999999999999999"),
    ];
    (order(), any::<Index>(), 0..6_usize, fragment).prop_map(
        |((body, _, _), at, length, fragment)| {
            let boundaries: Vec<usize> = body
                .char_indices()
                .map(|(index, _)| index)
                .chain([body.len()])
                .collect();
            let start = at.index(boundaries.len());
            let end = boundaries[(start + length).min(boundaries.len() - 1)];
            let start = boundaries[start];
            format!("{}{fragment}{}", &body[..start], &body[end..])
        },
    )
}

fn round(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven)
}

/// The promo and bulk discounts, unrounded, straight from the rules.
fn exact_discounts(
    items: &[Item],
    promo: Option<&str>,
    table: &DiscountTable,
) -> (Decimal, Decimal, Decimal) {
    let subtotal: Decimal = items.iter().map(Item::line_total).sum();
    let hundred = Decimal::ONE_HUNDRED;
    let promo = promo
        .and_then(|code| table.promo(code))
        .filter(|(_, promo)| {
            promo
                .min_subtotal
                .is_none_or(|min| min.as_decimal() <= subtotal)
        })
        .map_or(Decimal::ZERO, |(_, promo)| match promo.kind {
            PromoKind::Percent(percent) => subtotal * percent.as_decimal() / hundred,
            PromoKind::Amount(amount) => amount.as_decimal().min(subtotal),
        });
    let bulk = table
        .bulk_tier(Money::new(subtotal).unwrap())
        .map_or(Decimal::ZERO, |tier| {
            (subtotal - promo) * tier.percent.as_decimal() / hundred
        });
    (subtotal, promo, bulk)
}

proptest! {
    #[test]
    fn no_text_makes_parsing_panic(text in any::<String>()) {
        let _ = parse(&text);
        let _ = repair(&text);
    }

    #[test]
    fn no_bytes_make_parsing_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
        let _ = repair(&text);
    }

    #[test]
    fn no_damaged_body_makes_parsing_panic(body in damaged()) {
        if let Ok(order) = parse(&body) {
            prop_assert!(repair(&body).unwrap().repairs().is_empty());
            prop_assert!(!order.items().is_empty());
        } else {
            let _ = repair(&body);
        }
    }

    #[test]
    fn valid_orders_price_to_invoices_that_add_up((body, items, promo) in order(), table in table()) {
        let order = parse(&body).unwrap();
        prop_assert_eq!(order.items().len(), items.len());
        // The order round-trips through its message form exactly.
        prop_assert_eq!(parse(&serde_json::to_string(&order).unwrap()).unwrap(), order.clone());

        let invoice = price(&order, &table, "2026-11-22T21:00:00Z");
        let (subtotal, promo_exact, bulk_exact) = exact_discounts(&items, promo.as_deref(), &table);
        let (shown_subtotal, total) = (invoice.subtotal.as_decimal(), invoice.total.as_decimal());

        prop_assert_eq!(shown_subtotal, subtotal);
        prop_assert!(total >= Decimal::ZERO);
        prop_assert!(total <= shown_subtotal);
        prop_assert!(total.scale() <= 2);
        prop_assert_eq!(invoice.total.to_string().split('.').nth(1).map(str::len), Some(2));
        prop_assert_eq!(total, round((subtotal - promo_exact - bulk_exact).max(Decimal::ZERO)));

        let discounts: Decimal = invoice.discounts.iter().map(|discount| discount.amount().as_decimal()).sum();
        prop_assert_eq!(shown_subtotal - discounts, total);
        let cent = Decimal::new(1, 2);
        for discount in &invoice.discounts {
            let (shown, exact, tolerance) = match discount {
                Discount::Promo { amount, .. } => (amount.as_decimal(), promo_exact, cent / Decimal::TWO),
                Discount::Bulk { amount, .. } => (amount.as_decimal(), bulk_exact, cent),
            };
            prop_assert!((shown - exact).abs() <= tolerance, "{discount:?} vs {exact}");
        }
        let json = serde_json::to_string(&invoice).unwrap();
        prop_assert_eq!(serde_json::from_str::<Invoice>(&json).unwrap(), invoice);
    }
}
