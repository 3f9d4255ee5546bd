//! The YAML tree → JSON values, and a map from JSON pointers back to source spans.
//!
//! Plain scalars are resolved with the YAML 1.2 core schema, strictly: only `true`/`false`
//! are booleans (`yes`, `on` stay strings, so the schema rejects them instead of guessing).
//! Two renderings exist because JSON numbers are floats: the schema checks ranges on
//! [`Numbers::Float`], and the typed model is read from [`Numbers::Exact`], where every
//! non-integer number is kept as its written text so amounts are parsed as decimals, never
//! through `f64`.

use std::collections::HashMap;

use serde_json::{Map, Number, Value};

use super::span::Span;
use super::yaml::{Node, NodeValue};

/// How non-integer numbers are rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbers {
    /// As JSON floats, for schema validation.
    Float,
    /// As their source text, for exact decimal parsing.
    Exact,
}

/// Where a value (and, for mapping entries, its key) sits in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub key: Option<Span>,
    pub value: Span,
}

/// JSON pointer (`/queues/task/batch_size`) → source location.
#[derive(Debug, Default)]
pub struct SourceMap {
    locations: HashMap<String, Location>,
}

impl SourceMap {
    /// Builds the map for every node of the tree. Problems with the document as a whole point
    /// at its first line, not at every line of it.
    pub fn new(root: &Node, text: &str) -> Self {
        let mut map = Self::default();
        map.visit(root, &mut String::new(), None);
        let start = root.span.offset.min(text.len());
        let first_line = text[start..]
            .find(['\r', '\n'])
            .unwrap_or(text.len() - start);
        let root_span = Span {
            len: first_line,
            ..root.span
        };
        map.locations.insert(
            String::new(),
            Location {
                key: None,
                value: root_span,
            },
        );
        map
    }

    /// The location of the value at `pointer`, or of its closest ancestor that exists.
    pub fn locate(&self, pointer: &str) -> Location {
        let mut pointer = pointer;
        loop {
            if let Some(location) = self.locations.get(pointer) {
                return *location;
            }
            match pointer.rfind('/') {
                Some(index) => pointer = &pointer[..index],
                None => {
                    return Location {
                        key: None,
                        value: Span::point(0, 1, 1),
                    };
                }
            }
        }
    }

    /// The span to underline for the value at `pointer`.
    pub fn value(&self, pointer: &str) -> Span {
        self.locate(pointer).value
    }

    /// The span of the key of the entry at `pointer` (falls back to the value).
    pub fn key(&self, pointer: &str) -> Span {
        let location = self.locate(pointer);
        location.key.unwrap_or(location.value)
    }

    fn visit(&mut self, node: &Node, pointer: &mut String, key: Option<Span>) {
        self.locations.insert(
            pointer.clone(),
            Location {
                key,
                value: node.span,
            },
        );
        let len = pointer.len();
        match &node.value {
            NodeValue::Scalar { .. } => {}
            NodeValue::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    pointer.push('/');
                    pointer.push_str(&index.to_string());
                    self.visit(item, pointer, None);
                    pointer.truncate(len);
                }
            }
            NodeValue::Mapping(entries) => {
                for entry in entries {
                    pointer.push('/');
                    push_escaped(pointer, &entry.key);
                    self.visit(&entry.value, pointer, Some(entry.key_span));
                    pointer.truncate(len);
                }
            }
        }
    }
}

/// Appends one JSON-pointer segment, escaped per RFC 6901.
pub fn push_escaped(pointer: &mut String, segment: &str) {
    for character in segment.chars() {
        match character {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            other => pointer.push(other),
        }
    }
}

/// Converts the tree to a JSON value.
pub fn to_json(node: &Node, numbers: Numbers) -> Value {
    match &node.value {
        NodeValue::Scalar { text, plain: false } => Value::String(text.clone()),
        NodeValue::Scalar { text, plain: true } => resolve_plain(text, numbers),
        NodeValue::Sequence(items) => {
            Value::Array(items.iter().map(|item| to_json(item, numbers)).collect())
        }
        NodeValue::Mapping(entries) => Value::Object(
            entries
                .iter()
                .map(|entry| (entry.key.clone(), to_json(&entry.value, numbers)))
                .collect::<Map<_, _>>(),
        ),
    }
}

/// A plain scalar resolved by the YAML 1.2 core schema (strict booleans).
pub fn resolve_plain(text: &str, numbers: Numbers) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(integer) = parse_integer(text) {
        return integer;
    }
    if is_float(text) {
        return match numbers {
            Numbers::Exact => Value::String(text.to_owned()),
            Numbers::Float => text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map_or_else(|| Value::String(text.to_owned()), Value::Number),
        };
    }
    Value::String(text.to_owned())
}

fn parse_integer(text: &str) -> Option<Value> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (radix, digits) = if let Some(hex) = digits
        .strip_prefix("0x")
        .filter(|_| !negative && text == digits)
    {
        (16, hex)
    } else if let Some(octal) = digits
        .strip_prefix("0o")
        .filter(|_| !negative && text == digits)
    {
        (8, octal)
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        let value = i64::try_from(magnitude).ok()?;
        Some(Value::Number((-value).into()))
    } else {
        Some(Value::Number(magnitude.into()))
    }
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|exponent| {
        let exponent = exponent.strip_prefix(['-', '+']).unwrap_or(exponent);
        !exponent.is_empty() && digits(exponent)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    #[expect(
        clippy::needless_pass_by_value,
        reason = "table rows read best with `json!` values"
    )]
    fn case(text: &str, float: Value, exact: Value) {
        assert_eq!(
            resolve_plain(text, Numbers::Float),
            float,
            "float rendering of {text:?}"
        );
        assert_eq!(
            resolve_plain(text, Numbers::Exact),
            exact,
            "exact rendering of {text:?}"
        );
    }

    #[test]
    fn resolves_plain_scalars_by_the_core_schema() {
        use serde_json::json;
        case("", json!(null), json!(null));
        case("~", json!(null), json!(null));
        case("true", json!(true), json!(true));
        case("FALSE", json!(false), json!(false));
        case("yes", json!("yes"), json!("yes"));
        case("off", json!("off"), json!("off"));
        case("10", json!(10), json!(10));
        case("-3", json!(-3), json!(-3));
        case("+7", json!(7), json!(7));
        case("0x1F", json!(31), json!(31));
        case("0o17", json!(15), json!(15));
        case("999.99", json!(999.99), json!("999.99"));
        case(".5", json!(0.5), json!(".5"));
        case("1e3", json!(1000.0), json!("1e3"));
        case("1.", json!(1.0), json!("1."));
        case(".", json!("."), json!("."));
        case("1e", json!("1e"), json!("1e"));
        case(".nan", json!(".nan"), json!(".nan"));
        case(
            "99999999999999999999",
            json!(1e20),
            json!("99999999999999999999"),
        );
        case("12abc", json!("12abc"), json!("12abc"));
        case("-", json!("-"), json!("-"));
    }
}
