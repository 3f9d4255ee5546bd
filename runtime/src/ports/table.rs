//! [`TableStore`]: the items of one table (DynamoDB, or the local engine's), with the three calls
//! the handlers need — a conditional put, a consistent get, a conditional update.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde_json::value::RawValue;

use super::{PortError, PutOutcome};

/// An item: attribute names and their values.
pub type Item = BTreeMap<String, Attribute>;

/// A value of an item's attribute, typed as DynamoDB types them. Numbers keep their text, so
/// prices and quantities stay exact (they never pass through `f64`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attribute {
    /// A string.
    S(String),
    /// A number, as its decimal text.
    N(String),
    /// A boolean.
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A list.
    L(Vec<Attribute>),
    /// A map.
    M(BTreeMap<String, Attribute>),
}

impl Attribute {
    /// A string attribute.
    pub fn string(text: impl Into<String>) -> Self {
        Self::S(text.into())
    }

    /// A number attribute.
    pub fn number(value: &impl ToString) -> Self {
        Self::N(value.to_string())
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::S(text) => Some(text),
            _ => None,
        }
    }

    /// The map, when this is one.
    pub fn as_map(&self) -> Option<&BTreeMap<String, Attribute>> {
        match self {
            Self::M(map) => Some(map),
            _ => None,
        }
    }

    /// A JSON text as an attribute: objects become maps, arrays lists, numbers keep their text.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let raw: &RawValue = serde_json::from_str(text)?;
        Self::from_raw(raw)
    }

    fn from_raw(raw: &RawValue) -> Result<Self, serde_json::Error> {
        let text = raw.get();
        Ok(match text.as_bytes().first() {
            Some(b'{') => {
                let members: BTreeMap<String, &RawValue> = serde_json::from_str(text)?;
                Self::M(
                    members
                        .into_iter()
                        .map(|(name, value)| Ok((name, Self::from_raw(value)?)))
                        .collect::<Result<_, serde_json::Error>>()?,
                )
            }
            Some(b'[') => {
                let values: Vec<&RawValue> = serde_json::from_str(text)?;
                Self::L(
                    values
                        .into_iter()
                        .map(Self::from_raw)
                        .collect::<Result<_, _>>()?,
                )
            }
            Some(b'"') => Self::S(serde_json::from_str(text)?),
            Some(b't' | b'f') => Self::Bool(serde_json::from_str(text)?),
            Some(b'n') => Self::Null,
            _ => Self::N(text.to_owned()),
        })
    }

    /// The attribute as JSON text (numbers written as they are kept).
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Self::S(text) => out.push_str(&serde_json::Value::from(text.as_str()).to_string()),
            Self::N(number) => out.push_str(number),
            Self::Bool(value) => {
                let _ = write!(out, "{value}");
            }
            Self::Null => out.push_str("null"),
            Self::L(values) => {
                out.push('[');
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    value.write_json(out);
                }
                out.push(']');
            }
            Self::M(members) => {
                out.push('{');
                for (index, (name, value)) in members.iter().enumerate() {
                    if index > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::Value::from(name.as_str()).to_string());
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// A condition on an item, as the handlers need them (rendered as a DynamoDB condition
/// expression by the adapter, with every name and value a placeholder, so reserved words are
/// safe).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The item has this attribute (so: the item exists).
    Exists(String),
    /// The item lacks this attribute (for the key attribute: no such item).
    NotExists(String),
    /// The attribute equals the value.
    Equals(String, Attribute),
    /// The attribute is less than the value (numbers by value, strings by their bytes).
    LessThan(String, Attribute),
    /// Every condition holds.
    And(Vec<Condition>),
    /// At least one condition holds.
    Or(Vec<Condition>),
}

impl Condition {
    /// Whether the condition holds for `item` (`None`: there is no item), as DynamoDB decides.
    pub fn holds(&self, item: Option<&Item>) -> bool {
        let value = |name: &str| item.and_then(|item| item.get(name));
        match self {
            Self::Exists(name) => value(name).is_some(),
            Self::NotExists(name) => value(name).is_none(),
            Self::Equals(name, expected) => value(name) == Some(expected),
            Self::LessThan(name, bound) => match (value(name), bound) {
                (Some(Attribute::N(left)), Attribute::N(right)) => {
                    match (Decimal::from_str(left), Decimal::from_str(right)) {
                        (Ok(left), Ok(right)) => left < right,
                        _ => false,
                    }
                }
                (Some(Attribute::S(left)), Attribute::S(right)) => left < right,
                _ => false,
            },
            Self::And(conditions) => conditions.iter().all(|condition| condition.holds(item)),
            Self::Or(conditions) => conditions.iter().any(|condition| condition.holds(item)),
        }
    }
}

/// What a conditional update did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The condition held; the attributes are set.
    Updated,
    /// The condition did not hold (DynamoDB's `ConditionalCheckFailedException`: an answer, not
    /// a failure); nothing was written.
    ConditionFailed,
}

/// The items of one table. A condition that does not hold is an answer
/// ([`PutOutcome::AlreadyExists`], [`UpdateOutcome::ConditionFailed`]), never a [`PortError`].
pub trait TableStore: Send + Sync {
    /// Writes `item` unless an item with its key exists (`attribute_not_exists(<key_attribute>)`).
    fn put_if_absent(
        &self,
        key_attribute: &str,
        item: Item,
    ) -> impl Future<Output = Result<PutOutcome, PortError>> + Send;

    /// Reads the item with `key` (strongly consistent), `None` if there is none.
    fn get(&self, key: Item) -> impl Future<Output = Result<Option<Item>, PortError>> + Send;

    /// Sets the attributes of `set` on the item with `key` if `condition` holds.
    fn update_if(
        &self,
        key: Item,
        set: Item,
        condition: Condition,
    ) -> impl Future<Output = Result<UpdateOutcome, PortError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trips_with_exact_numbers() {
        let text = r#"{"email":"a@example.com","items":[{"qty":2,"price":12345678901234567.891}],"gift":true,"note":null}"#;
        let attribute = Attribute::from_json(text).unwrap();
        let items = &attribute.as_map().unwrap()["items"];
        assert_eq!(
            items,
            &Attribute::L(vec![Attribute::M(BTreeMap::from([
                (
                    "price".to_owned(),
                    Attribute::N("12345678901234567.891".to_owned())
                ),
                ("qty".to_owned(), Attribute::N("2".to_owned())),
            ]))])
        );
        let back: serde_json::Value = serde_json::from_str(&attribute.to_json()).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(back, original);
        assert!(attribute.to_json().contains("12345678901234567.891"));
    }

    #[test]
    fn conditions_hold_as_dynamodb_decides() {
        #[track_caller]
        fn case(condition: &Condition, item: Option<&Item>, expected: bool) {
            assert_eq!(condition.holds(item), expected, "{condition:?}");
        }
        let item = Item::from([
            ("state".to_owned(), Attribute::string("sending")),
            ("claimed_at".to_owned(), Attribute::number(&100)),
        ]);
        case(&Condition::NotExists("order_id".to_owned()), None, true);
        case(&Condition::Exists("state".to_owned()), Some(&item), true);
        case(
            &Condition::Equals("state".to_owned(), Attribute::string("pending")),
            Some(&item),
            false,
        );
        case(
            &Condition::LessThan("claimed_at".to_owned(), Attribute::number(&99)),
            Some(&item),
            false,
        );
        case(
            &Condition::Or(vec![
                Condition::Equals("state".to_owned(), Attribute::string("pending")),
                Condition::And(vec![
                    Condition::Equals("state".to_owned(), Attribute::string("sending")),
                    Condition::LessThan("claimed_at".to_owned(), Attribute::number(&1000)),
                ]),
            ]),
            Some(&item),
            true,
        );
        case(
            &Condition::LessThan("claimed_at".to_owned(), Attribute::number(&1000)),
            None,
            false,
        );
    }
}
