//! [`repair`]: the DLQ processor's lenient reading of a body that strict parsing refused.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::OrderError;
use super::fields::Parser;
use super::message::{Order, parse};

/// One fix made by [`repair`], such as `items[0].price: string "12.50" → 12.50`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// The field: `order_id`, `items[0].price`, …
    pub field: String,
    /// The value before, as found: `string "12.50"`, `" ORD-1 "`.
    pub from: String,
    /// The value after: `12.50`, `"ORD-1"`.
    pub to: String,
}

impl Repair {
    pub(crate) fn new(field: &str, from: String, to: String) -> Repair {
        Repair {
            field: field.to_owned(),
            from,
            to,
        }
    }
}

impl fmt::Display for Repair {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}: {} → {}", self.field, self.from, self.to)
    }
}

/// What [`repair`] made of a body: valid as it was, or valid after the listed repairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Repaired {
    /// Strict parsing accepts the body: nothing to repair (a failure was transient).
    Valid(Order),
    /// Strict parsing refuses the body; these repairs (never an empty list) make it valid.
    Repaired {
        /// The order after the repairs.
        order: Order,
        /// Each fix, in field order.
        repairs: Vec<Repair>,
    },
}

impl Repaired {
    /// The order, repaired or not.
    pub fn order(&self) -> &Order {
        match self {
            Repaired::Valid(order) | Repaired::Repaired { order, .. } => order,
        }
    }

    /// The order, repaired or not.
    pub fn into_order(self) -> Order {
        match self {
            Repaired::Valid(order) | Repaired::Repaired { order, .. } => order,
        }
    }

    /// The repairs made; empty when the body was already valid.
    pub fn repairs(&self) -> &[Repair] {
        match self {
            Repaired::Valid(_) => &[],
            Repaired::Repaired { repairs, .. } => repairs,
        }
    }
}

/// Reads a body the way the DLQ processor does: strictly first, then leniently.
///
/// The lenient reading accepts prices and quantities given as numeric strings (`"12.50"`,
/// `" 3 "`), trims whitespace around `order_id`, names and SKUs, and canonicalises the promo code
/// (trimmed, upper case). Nothing else is relaxed: a price with three decimal places, a missing
/// field or an empty `items` is still an error, reported as in [`parse`].
///
/// ```
/// use runtime::order::{Repaired, repair};
///
/// let body = r#"{"order_id": " ORD-7 ", "items": [{"sku": "A1", "price": "12.50", "quantity": " 3 "}]}"#;
/// let Repaired::Repaired { order, repairs } = repair(body)? else { panic!("needed repair") };
/// assert_eq!(order.order_id(), "ORD-7");
/// let repairs: Vec<String> = repairs.iter().map(ToString::to_string).collect();
/// assert_eq!(repairs, [
///     r#"order_id: " ORD-7 " → "ORD-7""#,
///     r#"items[0].price: string "12.50" → 12.50"#,
///     r#"items[0].quantity: string " 3 " → 3"#,
/// ]);
/// # Ok::<(), runtime::order::OrderError>(())
/// ```
pub fn repair(body: &str) -> Result<Repaired, OrderError> {
    let strict_error = match parse(body) {
        Ok(order) => return Ok(Repaired::Valid(order)),
        Err(error) => error,
    };
    let mut repairs = Vec::new();
    let order = Parser::lenient(&mut repairs).order(body)?;
    if repairs.is_empty() {
        // Every rule the lenient parser relaxes records a repair, so this cannot happen; keep the
        // strict reason rather than claim a repair that was not made.
        return Err(strict_error);
    }
    Ok(Repaired::Repaired { order, repairs })
}
