//! Raw JSON: fields kept as their source text, so numbers stay exact and each field's type can be
//! reported precisely ("must be a number, got string \"12.50\"").

use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::error::OrderError;

/// Longest string quoted whole in an error message; longer ones are cut with `…`.
const QUOTE_LIMIT: usize = 40;

/// A field of a JSON object: absent, or present with its raw text (`null` included).
///
/// Use with `#[serde(default, borrow)]`; unlike `Option`, it tells `null` from a missing field.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Slot<'a>(pub(crate) Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Slot<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Slot<'a>, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| Slot(Some(raw)))
    }
}

/// One JSON value, classified by kind; numbers and containers keep their raw text.
#[derive(Debug)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    Number(&'a str),
    String(String),
    Array(&'a RawValue),
    Object(&'a RawValue),
}

impl<'a> Json<'a> {
    /// Classifies `raw`, which `serde_json` has already checked is one well-formed value.
    pub(crate) fn classify(raw: &'a RawValue, field: &str) -> Result<Json<'a>, OrderError> {
        let text = raw.get().trim();
        Ok(match text.as_bytes().first() {
            Some(b'"') => {
                Json::String(serde_json::from_str(text).map_err(|error| malformed(field, &error))?)
            }
            Some(b'{') => Json::Object(raw),
            Some(b'[') => Json::Array(raw),
            Some(b'n') => Json::Null,
            Some(b't') => Json::Bool(true),
            Some(b'f') => Json::Bool(false),
            _ => Json::Number(text),
        })
    }

    /// The value as a noun phrase for "got …": `null`, `number 12`, `string "12.50"`, `an array`.
    pub(crate) fn describe(&self) -> String {
        match self {
            Json::Null => "null".to_owned(),
            Json::Bool(value) => value.to_string(),
            Json::Number(text) => format!("number {}", shorten(text)),
            Json::String(text) => format!("string {}", quote(text)),
            Json::Array(_) => "an array".to_owned(),
            Json::Object(_) => "an object".to_owned(),
        }
    }
}

/// Deserializes a JSON object's fields, or says what `field` was instead of an object.
pub(crate) fn object<'a, T: Deserialize<'a>>(
    raw: &'a RawValue,
    field: &str,
) -> Result<T, OrderError> {
    match Json::classify(raw, field)? {
        Json::Object(raw) => {
            serde_json::from_str(raw.get()).map_err(|error| malformed(field, &error))
        }
        other => Err(OrderError::WrongType {
            field: field.to_owned(),
            expected: "an object",
            found: other.describe(),
        }),
    }
}

/// [`OrderError::Malformed`] for a part of the body. `serde_json`'s position would be relative to
/// that part, so it is left out: the field names the place.
pub(crate) fn malformed(field: &str, error: &serde_json::Error) -> OrderError {
    let message = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let detail = message
        .strip_suffix(&position)
        .unwrap_or(&message)
        .to_owned();
    OrderError::Malformed {
        field: field.to_owned(),
        detail,
    }
}

/// `text` in double quotes with Rust escapes, cut at [`QUOTE_LIMIT`] characters.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{:?}…", &text[..cut]),
        None => format!("{text:?}"),
    }
}

/// `text` cut at [`QUOTE_LIMIT`] characters (numbers can be long too: `1000…0`).
pub(crate) fn shorten(text: &str) -> String {
    match text.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
