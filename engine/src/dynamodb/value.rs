//! Attribute values as the wire carries them (`{"S": "a"}`, `{"N": "1"}`, ...), kept as JSON;
//! here are their comparisons, sizes and the ordered form key attributes take.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

/// An item: attribute names to typed values.
pub type Item = BTreeMap<String, Value>;

/// A key attribute's value, ordered as DynamoDB orders sort keys (numbers numerically, binary
/// bytewise, strings by UTF-8 bytes).
#[derive(Debug, Clone)]
pub enum KeyValue {
    /// No sort key.
    Absent,
    /// `N`, with its text kept for the answer.
    Number(f64),
    /// `S`.
    String(String),
    /// `B`, decoded.
    Binary(Vec<u8>),
}

impl PartialEq for KeyValue {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for KeyValue {}
impl PartialOrd for KeyValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for KeyValue {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Number(a), Self::Number(b)) => a.total_cmp(b),
            (Self::String(a), Self::String(b)) => a.cmp(b),
            (Self::Binary(a), Self::Binary(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl KeyValue {
    fn rank(&self) -> u8 {
        match self {
            Self::Absent => 0,
            Self::Number(_) => 1,
            Self::String(_) => 2,
            Self::Binary(_) => 3,
        }
    }

    /// The key form of a scalar `S`, `N` or `B` value of type `kind`; `None` for another type.
    pub fn of(value: &Value, kind: &str) -> Option<Self> {
        let (tag, inner) = single(value)?;
        if tag != kind {
            return None;
        }
        match tag {
            "S" => inner.as_str().map(|text| Self::String(text.to_owned())),
            "N" => inner.as_str().and_then(number).map(Self::Number),
            "B" => inner.as_str().and_then(decode).map(Self::Binary),
            _ => None,
        }
    }
}

/// The one `(type, value)` pair of an attribute value.
pub fn single(value: &Value) -> Option<(&str, &Value)> {
    let object = value.as_object()?;
    if object.len() != 1 {
        return None;
    }
    object
        .iter()
        .next()
        .map(|(tag, inner)| (tag.as_str(), inner))
}

/// The type tag of an attribute value (`"S"`, `"N"`, ...).
pub fn type_of(value: &Value) -> Option<&str> {
    single(value).map(|(tag, _)| tag)
}

/// A number's value.
pub fn number(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|number| number.is_finite())
}

fn decode(text: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// How two values compare, when they are comparable scalars of one type (`S`, `N`, `B`).
pub fn compare(left: &Value, right: &Value) -> Option<Ordering> {
    let kind = type_of(left)?;
    if type_of(right)? != kind || !matches!(kind, "S" | "N" | "B") {
        return None;
    }
    Some(KeyValue::of(left, kind)?.cmp(&KeyValue::of(right, kind)?))
}

/// Equality as DynamoDB's `=`: same type and value (numbers numerically, sets unordered).
pub fn equal(left: &Value, right: &Value) -> bool {
    if let Some(ordering) = compare(left, right) {
        return ordering == Ordering::Equal;
    }
    match (single(left), single(right)) {
        (Some((a, Value::Array(x))), Some((b, Value::Array(y))))
            if a == b && matches!(a, "SS" | "NS" | "BS") =>
        {
            x.len() == y.len() && x.iter().all(|member| y.contains(member))
        }
        _ => left == right,
    }
}

/// The size DynamoDB counts toward the 400 KB item limit: names' UTF-8 bytes plus values'.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(name, value)| name.len() + value_size(value))
        .sum()
}

fn value_size(value: &Value) -> usize {
    let Some((tag, inner)) = single(value) else {
        return value.to_string().len();
    };
    match (tag, inner) {
        ("S" | "N", Value::String(text)) => text.len(),
        ("B", Value::String(text)) => decode(text).map_or(text.len(), |bytes| bytes.len()),
        ("SS" | "NS" | "BS", Value::Array(members)) => members
            .iter()
            .map(|member| member.as_str().map_or(0, str::len))
            .sum(),
        ("L", Value::Array(members)) => {
            3 + members.iter().map(|m| 1 + value_size(m)).sum::<usize>()
        }
        ("M", Value::Object(fields)) => {
            3 + fields
                .iter()
                .map(|(name, member)| 1 + name.len() + value_size(member))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// The number text of `a + b` (or `a - b`), integers kept exact.
pub fn add_numbers(a: &str, b: &str, subtract: bool) -> Option<String> {
    if let (Ok(x), Ok(y)) = (a.trim().parse::<i128>(), b.trim().parse::<i128>()) {
        let sum = if subtract {
            x.checked_sub(y)
        } else {
            x.checked_add(y)
        };
        return sum.map(|sum| sum.to_string());
    }
    let (x, y) = (number(a)?, number(b)?);
    Some((if subtract { x - y } else { x + y }).to_string())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn numbers_compare_numerically_and_types_do_not_mix() {
        assert_eq!(
            compare(&json!({"N": "10"}), &json!({"N": "9"})),
            Some(Ordering::Greater)
        );
        assert_eq!(compare(&json!({"N": "1"}), &json!({"S": "1"})), None);
        assert!(equal(&json!({"N": "1.0"}), &json!({"N": "1"})));
        assert!(equal(
            &json!({"SS": ["a", "b"]}),
            &json!({"SS": ["b", "a"]})
        ));
        assert_eq!(add_numbers("5", "-7", false).as_deref(), Some("-2"));
        assert_eq!(add_numbers("1.5", "1", true).as_deref(), Some("0.5"));
    }
}
