//! Matching with AWS's semantics.
//!
//! - A pattern object matches an event object when every field matches and, for every `$or`,
//!   one branch matches the same object.
//! - An event array where the pattern has an object: one element must match the whole object
//!   (AWS's array consistency: two fields never match from two elements of one array).
//! - A leaf matches when one of its matchers matches one of the event's values there; the
//!   values are the field's value, or every scalar of the arrays it holds (at any depth).
//! - An absent field, an object where a value is expected, and an empty array have no values:
//!   only `{"exists": false}` matches them (`null` is a value; `""` is a value).

use serde_json::Value;

use crate::cidr;
use crate::model::{AnythingBut, Field, Matcher, Object, Range};
use crate::number;

/// Whether `event` (absent when `None`) matches `pattern`.
pub(crate) fn object(pattern: &Object, event: Option<&Value>) -> bool {
    match event {
        Some(Value::Array(items)) if !items.is_empty() => {
            items.iter().any(|item| object(pattern, Some(item)))
        }
        Some(Value::Object(map)) => {
            pattern
                .fields
                .iter()
                .all(|(key, field)| field_matches(field, map.get(key)))
                && pattern
                    .ors
                    .iter()
                    .all(|branches| branches.iter().any(|branch| object(branch, event)))
        }
        // Absent, a scalar, or an empty array: every field below is absent.
        _ => {
            pattern
                .fields
                .iter()
                .all(|(_, field)| field_matches(field, None))
                && pattern
                    .ors
                    .iter()
                    .all(|branches| branches.iter().any(|branch| object(branch, None)))
        }
    }
}

fn field_matches(field: &Field, value: Option<&Value>) -> bool {
    match field {
        Field::Object(inner) => object(inner, value),
        Field::Leaf(matchers) => {
            let mut values = Vec::new();
            if let Some(value) = value {
                scalars(value, &mut values);
            }
            matchers
                .iter()
                .any(|matcher| leaf_matches(matcher, &values))
        }
    }
}

/// The scalar values of an event field: itself, or the scalars of its arrays.
fn scalars<'event>(value: &'event Value, into: &mut Vec<&'event Value>) {
    match value {
        Value::Array(items) => {
            for item in items {
                scalars(item, into);
            }
        }
        Value::Object(_) => {}
        scalar => into.push(scalar),
    }
}

fn leaf_matches(matcher: &Matcher, values: &[&Value]) -> bool {
    match matcher {
        Matcher::Exists(expected) => values.is_empty() != *expected,
        other => values.iter().any(|value| value_matches(other, value)),
    }
}

fn value_matches(matcher: &Matcher, value: &Value) -> bool {
    match matcher {
        Matcher::String(expected) => value
            .as_str()
            .is_some_and(|text| text == expected || cidr::same_address(text, expected)),
        Matcher::Number(expected) => {
            matches!(value, Value::Number(number) if expected.equals(number))
        }
        Matcher::Bool(expected) => value.as_bool() == Some(*expected),
        Matcher::Null => value.is_null(),
        Matcher::Prefix(prefix) => value
            .as_str()
            .is_some_and(|text| text.starts_with(prefix.as_str())),
        Matcher::PrefixIgnoreCase(prefix) => value
            .as_str()
            .is_some_and(|text| text.to_lowercase().starts_with(&prefix.to_lowercase())),
        Matcher::Suffix(suffix) => value
            .as_str()
            .is_some_and(|text| text.ends_with(suffix.as_str())),
        Matcher::SuffixIgnoreCase(suffix) => value
            .as_str()
            .is_some_and(|text| text.to_lowercase().ends_with(&suffix.to_lowercase())),
        Matcher::EqualsIgnoreCase(expected) => value
            .as_str()
            .is_some_and(|text| text.to_lowercase() == expected.to_lowercase()),
        Matcher::Wildcard(wildcard) => value.as_str().is_some_and(|text| wildcard.matches(text)),
        Matcher::AnythingBut(excluded) => anything_but(excluded, value),
        Matcher::Numeric(range) => match value {
            Value::Number(number) => in_range(range, number),
            _ => false,
        },
        Matcher::Cidr(block) => value.as_str().is_some_and(|text| block.contains(text)),
        Matcher::Exists(_) => false,
    }
}

/// `anything-but` matches a present value that is not one of the excluded; a value of
/// another kind (a number against strings, a string against numbers) is not excluded.
fn anything_but(excluded: &AnythingBut, value: &Value) -> bool {
    match (excluded, value) {
        (AnythingBut::Numbers(numbers), Value::Number(number)) => {
            !numbers.iter().any(|excluded| excluded.equals(number))
        }
        (AnythingBut::Strings(strings), Value::String(text)) => {
            !strings.iter().any(|excluded| excluded == text)
        }
        (AnythingBut::Prefixes(prefixes), Value::String(text)) => !prefixes
            .iter()
            .any(|prefix| text.starts_with(prefix.as_str())),
        (AnythingBut::Suffixes(suffixes), Value::String(text)) => !suffixes
            .iter()
            .any(|suffix| text.ends_with(suffix.as_str())),
        (AnythingBut::IgnoreCase(strings), Value::String(text)) => {
            let text = text.to_lowercase();
            !strings
                .iter()
                .any(|excluded| excluded.to_lowercase() == text)
        }
        (AnythingBut::Wildcards(wildcards), Value::String(text)) => {
            !wildcards.iter().any(|wildcard| wildcard.matches(text))
        }
        _ => true,
    }
}

fn in_range(range: &Range, number: &serde_json::Number) -> bool {
    let Some(value) = number::comparable(number) else {
        return false;
    };
    match range {
        Range::Equals(expected) => expected.comparable() == Some(value),
        Range::Bounds { lower, upper } => {
            let above = lower.as_ref().is_none_or(|(bound, inclusive)| {
                bound.comparable().is_some_and(|bound| {
                    if *inclusive {
                        value >= bound
                    } else {
                        value > bound
                    }
                })
            });
            let below = upper.as_ref().is_none_or(|(bound, inclusive)| {
                bound.comparable().is_some_and(|bound| {
                    if *inclusive {
                        value <= bound
                    } else {
                        value < bound
                    }
                })
            });
            above && below
        }
    }
}
