//! Numbers as EventBridge compares them: by value (`300` equals `3.0e2`), and in `numeric`
//! conditions within -5.0e9..=5.0e9 with six digits after the decimal point.

use std::fmt;

/// The bound of `numeric` values, both ways (AWS: "between -5.0e9 and +5.0e9 inclusive").
pub(crate) const LIMIT: f64 = 5.0e9;

/// A JSON number of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    value: serde_json::Number,
}

impl Number {
    pub(crate) fn new(value: &serde_json::Number) -> Self {
        Self {
            value: value.clone(),
        }
    }

    /// Whether an event's number is this one, by value.
    pub(crate) fn equals(&self, other: &serde_json::Number) -> bool {
        same(&self.value, other)
    }

    /// The value in millionths, when within the `numeric` limits.
    pub(crate) fn comparable(&self) -> Option<i64> {
        comparable(&self.value)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.value)
    }
}

/// Two JSON numbers by value: integers exactly, others as doubles.
pub(crate) fn same(left: &serde_json::Number, right: &serde_json::Number) -> bool {
    if let (Some(left), Some(right)) = (left.as_i64(), right.as_i64()) {
        return left == right;
    }
    if let (Some(left), Some(right)) = (left.as_u64(), right.as_u64()) {
        return left == right;
    }
    match (left.as_f64(), right.as_f64()) {
        (Some(left), Some(right)) => (left - right).abs() <= f64::EPSILON * left.abs().max(1.0),
        _ => false,
    }
}

/// A number in millionths (rounded half away from zero), when within ±5.0e9; `None` outside,
/// where `numeric` never matches.
pub(crate) fn comparable(number: &serde_json::Number) -> Option<i64> {
    let value = number.as_f64()?;
    if !value.is_finite() || value.abs() > LIMIT {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "|value| ≤ 5.0e9, so value × 1e6 ≤ 5.0e15 fits an i64 exactly"
    )]
    let millionths = (value * 1_000_000.0).round() as i64;
    Some(millionths)
}
