//! [`Invoice`]: what pricing an order produces, stored as JSON keyed by `order_id`.
//!
//! ```json
//! {
//!   "schema_version": 1,
//!   "order_id": "ORD-12345",
//!   "idempotency_key": "invoice:ORD-12345",
//!   "currency": "USD",
//!   "lines": [
//!     { "name": "Laptop", "unit_price": "999.99", "quantity": 1, "line_total": "999.99" }
//!   ],
//!   "subtotal": "999.99",
//!   "promo_code": "SAVE10",
//!   "promo_code_status": "applied",
//!   "discounts": [
//!     { "source": "promo", "code": "SAVE10", "percent": "10", "amount": "100.00" },
//!     { "source": "bulk", "tier": "subtotal ≥ 500.00", "min_subtotal": "500.00", "percent": "5", "amount": "45.00" }
//!   ],
//!   "total": "854.99",
//!   "priced_at": "2026-11-22T21:00:00Z"
//! }
//! ```
//!
//! Money is a string with exactly two decimal places; percents are strings (`"12.5"`). `sku`,
//! `promo_code` and `promo_code_reason` are left out when absent; a promo discount has `percent`
//! or `fixed_amount`. See the [module docs](super) for which figures are rounded.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::money::{Money, Percent};

/// A priced order. Its figures always add up: Σ `lines[].line_total` = `subtotal`, and
/// `subtotal` − Σ `discounts[].amount` = `total`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// [`Invoice::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The order's identifier.
    pub order_id: String,
    /// Stable for the order, so consumers of at-least-once notifications can drop repeats:
    /// `invoice:{order_id}`.
    pub idempotency_key: String,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// One line per item, in order.
    pub lines: Vec<InvoiceLine>,
    /// Σ line totals; exact.
    pub subtotal: Money,
    /// The promo code sent with the order (canonical: trimmed, upper case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo_code: Option<String>,
    /// What became of the promo code.
    pub promo_code_status: PromoCodeStatus,
    /// Why the promo code gave nothing, when it was unknown or below its minimum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promo_code_reason: Option<String>,
    /// The discounts applied, promo first, then bulk.
    pub discounts: Vec<Discount>,
    /// What is owed.
    pub total: Money,
    /// When the order was priced (RFC 3339), as given to [`price`](super::price).
    pub priced_at: String,
}

impl Invoice {
    /// The version of this JSON shape.
    pub const SCHEMA_VERSION: u32 = 1;
}

/// One item on an [`Invoice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    /// The item's name, or its SKU when it has no name.
    pub name: String,
    /// The item's SKU, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// Price of one unit.
    pub unit_price: Money,
    /// Number of units.
    pub quantity: u32,
    /// `unit_price × quantity`; exact.
    pub line_total: Money,
}

/// A discount on an [`Invoice`]; `source` tells which kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum Discount {
    /// From the order's promo code.
    Promo {
        /// The code, canonical.
        code: String,
        /// The code's percent, for a percent promo.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        percent: Option<Percent>,
        /// The code's amount, for a fixed-amount promo (the discount is capped at the subtotal).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        fixed_amount: Option<Money>,
        /// The discount, in cents (see the module docs for its rounding).
        amount: Money,
    },
    /// From the bulk tier the subtotal reached.
    Bulk {
        /// The tier, for people: `subtotal ≥ 500.00`.
        tier: String,
        /// The tier's threshold.
        min_subtotal: Money,
        /// The tier's percent, taken off the subtotal after the promo discount.
        percent: Percent,
        /// The discount, in cents (see the module docs for its rounding).
        amount: Money,
    },
}

impl Discount {
    /// The amount taken off.
    pub fn amount(&self) -> Money {
        match self {
            Discount::Promo { amount, .. } | Discount::Bulk { amount, .. } => *amount,
        }
    }
}

/// What became of an order's promo code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PromoCodeStatus {
    /// The code is in the table and its minimum was met: there is a promo discount.
    Applied,
    /// The code is not in the table: no discount.
    Unknown,
    /// The subtotal is below the code's `min_subtotal`: no discount.
    BelowMinimum,
    /// The order has no promo code.
    None,
}

impl fmt::Display for Invoice {
    /// A plain-text rendering for people; the JSON form is the record.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            formatter,
            "invoice {} ({}), priced at {}",
            self.order_id, self.currency, self.priced_at
        )?;
        for line in &self.lines {
            let sku = line
                .sku
                .as_deref()
                .map(|sku| format!(" [{sku}]"))
                .unwrap_or_default();
            writeln!(
                formatter,
                "  {}{sku}: {} × {} = {}",
                line.name, line.quantity, line.unit_price, line.line_total
            )?;
        }
        writeln!(formatter, "  subtotal {}", self.subtotal)?;
        if let Some(reason) = &self.promo_code_reason {
            writeln!(formatter, "  promo code not applied: {reason}")?;
        }
        for discount in &self.discounts {
            match discount {
                Discount::Promo {
                    code,
                    percent: Some(percent),
                    amount,
                    ..
                } => {
                    writeln!(formatter, "  promo {code} ({percent}%) −{amount}")?;
                }
                Discount::Promo { code, amount, .. } => {
                    writeln!(formatter, "  promo {code} −{amount}")?;
                }
                Discount::Bulk {
                    tier,
                    percent,
                    amount,
                    ..
                } => {
                    writeln!(formatter, "  bulk {tier} ({percent}%) −{amount}")?;
                }
            }
        }
        write!(formatter, "  total {} {}", self.total, self.currency)
    }
}
