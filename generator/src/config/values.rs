//! Value types of pipeline.yaml: durations and money, parsed exactly.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written as `30s`, `5m`, `2h`, `4d`, or a whole number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    seconds: u64,
}

impl Duration {
    pub const fn from_secs(seconds: u64) -> Self {
        Self { seconds }
    }

    pub const fn as_secs(self) -> u64 {
        self.seconds
    }
}

impl fmt::Display for Duration {
    /// The largest unit that divides the value: `4d`, `90s`, `5m`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, &str); 3] = [(86_400, "d"), (3_600, "h"), (60, "m")];
        for (size, unit) in UNITS {
            if self.seconds >= size && self.seconds.is_multiple_of(size) {
                return write!(f, "{}{unit}", self.seconds / size);
            }
        }
        write!(f, "{}s", self.seconds)
    }
}

/// Why a duration could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("`{0}` is not a duration; write a number followed by `s`, `m`, `h` or `d`, e.g. `30s`")]
pub struct DurationError(String);

impl FromStr for Duration {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || DurationError(text.to_owned());
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| invalid())?;
        let scale = match unit {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            _ => return Err(invalid()),
        };
        number
            .checked_mul(scale)
            .map(Self::from_secs)
            .ok_or_else(invalid)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;
        impl Visitor<'_> for DurationVisitor {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `30s` or a whole number of seconds")
            }
            fn visit_u64<E: de::Error>(self, seconds: u64) -> Result<Duration, E> {
                Ok(Duration::from_secs(seconds))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Duration, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(DurationVisitor)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "duration",
            "description": "A duration such as `30s`, `5m`, `2h` or `4d`, or a whole number of seconds.",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+[smhd]?$" }
            ]
        })
    }
}

/// An amount of money, written as a number or a decimal string (`999.99`, `"5.00"`).
///
/// Read from the source text, never through a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Amount(pub Decimal);

/// A percentage from 0 to 100, decimals allowed (`12.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Percent(pub Decimal);

fn exact_decimal<'de, D: Deserializer<'de>>(
    deserializer: D,
    what: &'static str,
) -> Result<Decimal, D::Error> {
    struct DecimalVisitor(&'static str);
    impl Visitor<'_> for DecimalVisitor {
        type Value = Decimal;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "{} written as a number or a decimal string", self.0)
        }
        fn visit_u64<E: de::Error>(self, value: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }
        fn visit_i64<E: de::Error>(self, value: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(value))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Decimal, E> {
            Decimal::from_str_exact(text)
                .or_else(|_| Decimal::from_scientific(text))
                .map_err(|_| E::custom(format_args!("`{text}` is not {}", self.0)))
        }
    }
    deserializer.deserialize_any(DecimalVisitor(what))
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        exact_decimal(deserializer, "an amount").map(Self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        exact_decimal(deserializer, "a percentage").map(Self)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0.normalize())
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> Cow<'static, str> {
        "Amount".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "amount",
            "description": "An amount of money with at most 2 decimal places, as a number (`999.99`) or a string (`\"5.00\"`).",
            "anyOf": [
                { "type": "number", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]{1,2})?$" }
            ]
        })
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "title": "percentage",
            "description": "A percentage from 0 to 100; decimals such as `12.5` are allowed.",
            "type": "number",
            "minimum": 0,
            "maximum": 100
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_units_and_print_the_largest_exact_one() {
        #[track_caller]
        fn case(text: &str, seconds: u64, shown: &str) {
            let duration: Duration = text.parse().unwrap();
            assert_eq!(duration.as_secs(), seconds);
            assert_eq!(duration.to_string(), shown);
        }
        case("30", 30, "30s");
        case("30s", 30, "30s");
        case("90s", 90, "90s");
        case("5m", 300, "5m");
        case("2h", 7_200, "2h");
        case("4d", 345_600, "4d");
        case("14d", 1_209_600, "14d");
        case("0s", 0, "0s");
    }

    #[test]
    fn durations_reject_other_units_and_overflow() {
        for text in ["", "s", "5w", "1.5h", "-3s", "99999999999999999999d", "3 s"] {
            assert!(
                text.parse::<Duration>().is_err(),
                "{text:?} should be rejected"
            );
        }
    }

    #[test]
    fn amounts_are_read_exactly() {
        let amount: Amount = serde_json::from_value(serde_json::json!("999.99")).unwrap();
        assert_eq!(amount.0, Decimal::new(99_999, 2));
        let amount: Amount = serde_json::from_value(serde_json::json!("0.10")).unwrap();
        assert_eq!(amount.to_string(), "0.10");
        let amount: Amount = serde_json::from_value(serde_json::json!(5)).unwrap();
        assert_eq!(amount.0, Decimal::from(5));
        let percent: Percent = serde_json::from_value(serde_json::json!("12.5")).unwrap();
        assert_eq!(percent.to_string(), "12.5%");
    }
}
