//! [`Money`] (non-negative, cents-exact) and [`Percent`], and how both appear in JSON: as strings,
//! so no reader goes through `f64`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::number::ExactNumber;

/// Decimal places a [`Percent`] may have.
const PERCENT_PLACES: u32 = 4;

/// A non-negative amount with at most two decimal places, up to [`Money::MAX`].
///
/// Values compare by amount (`12.5` equals `12.50`). Display and JSON always show exactly two
/// decimal places; in JSON the amount is a string:
///
/// ```
/// use runtime::order::Money;
///
/// let price: Money = "12.5".parse()?;
/// assert_eq!(price.to_string(), "12.50");
/// assert_eq!(serde_json::to_string(&price)?, r#""12.50""#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// The largest amount: 10^20, far above any order total (at most 10^18) and well inside the
    /// 28 digits of a [`Decimal`], so sums and percentages of money never overflow.
    pub const MAX: Money = Money(Decimal::from_parts(
        0x63_10_00_00,
        0x6B_C7_5E_2D,
        5,
        false,
        0,
    ));

    /// Checks that `amount` is money: not negative, at most two decimal places, at most
    /// [`Money::MAX`].
    pub fn new(amount: Decimal) -> Result<Money, ValueError> {
        let amount = amount.normalize();
        if amount.is_sign_negative() {
            Err(ValueError::Negative(amount.to_string()))
        } else if amount.scale() > 2 {
            Err(ValueError::TooPrecise {
                value: amount.to_string(),
                places: 2,
            })
        } else if amount > Money::MAX.0 {
            Err(ValueError::TooLarge(amount.to_string()))
        } else {
            Ok(Money(amount))
        }
    }

    /// The amount as a [`Decimal`].
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// Rounds `amount` half-even to cents, clamped to `0..=MAX` (callers pass in-range values).
    pub(crate) fn round_half_even(amount: Decimal) -> Money {
        let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        Money(rounded.clamp(Decimal::ZERO, Money::MAX.0).normalize())
    }

    /// `self − other`, or zero when `other` is larger.
    pub(crate) fn saturating_sub(self, other: Money) -> Money {
        Money((self.0 - other.0).max(Decimal::ZERO).normalize())
    }

    /// `self × quantity`; exact, and in range for any price ≤ 10^9 and quantity ≤ 10^6.
    pub(crate) fn times(self, quantity: u32) -> Money {
        Money::round_half_even(self.0 * Decimal::from(quantity))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut cents = self.0;
        cents.rescale(2);
        write!(formatter, "{cents}")
    }
}

impl FromStr for Money {
    type Err = ValueError;

    /// Reads a decimal in JSON number grammar (`12.50`, `5`, `1e3`), exactly.
    fn from_str(text: &str) -> Result<Money, ValueError> {
        Money::new(parse_decimal(text)?)
    }
}

impl TryFrom<Decimal> for Money {
    type Error = ValueError;

    fn try_from(amount: Decimal) -> Result<Money, ValueError> {
        Money::new(amount)
    }
}

/// A percentage from 0 to 100 with at most four decimal places, such as `10` or `12.5`.
///
/// In JSON it is a string: `"12.5"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent(Decimal);

impl Percent {
    /// Checks that `percent` lies in `0..=100` with at most four decimal places.
    pub fn new(percent: Decimal) -> Result<Percent, ValueError> {
        let percent = percent.normalize();
        if percent.is_sign_negative() || percent > Decimal::ONE_HUNDRED {
            Err(ValueError::PercentOutOfRange(percent.to_string()))
        } else if percent.scale() > PERCENT_PLACES {
            Err(ValueError::TooPrecise {
                value: percent.to_string(),
                places: PERCENT_PLACES,
            })
        } else {
            Ok(Percent(percent))
        }
    }

    /// The percentage as a [`Decimal`] (`12.5` for 12.5 %).
    pub fn as_decimal(self) -> Decimal {
        self.0
    }

    /// This percentage of `amount`, unrounded. Exact while the product fits 28 significant
    /// digits: always for amounts below 10^12; beyond that [`Decimal`] rounds far below a cent.
    pub(crate) fn of(self, amount: Decimal) -> Decimal {
        amount * self.0 / Decimal::ONE_HUNDRED
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

impl FromStr for Percent {
    type Err = ValueError;

    /// Reads a decimal in JSON number grammar (`10`, `12.5`), exactly.
    fn from_str(text: &str) -> Result<Percent, ValueError> {
        Percent::new(parse_decimal(text)?)
    }
}

impl TryFrom<Decimal> for Percent {
    type Error = ValueError;

    fn try_from(percent: Decimal) -> Result<Percent, ValueError> {
        Percent::new(percent)
    }
}

/// Why a decimal is not [`Money`] or a [`Percent`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// The text is not a plain decimal number.
    #[error("`{0}` is not a decimal number such as `12.50`")]
    NotDecimal(String),
    /// Money below zero.
    #[error("an amount must not be negative, got `{0}`")]
    Negative(String),
    /// More decimal places than allowed.
    #[error("`{value}` has more than {places} decimal places")]
    TooPrecise {
        /// The value as written.
        value: String,
        /// The most decimal places allowed.
        places: u32,
    },
    /// Money above [`Money::MAX`].
    #[error("an amount must be at most 100000000000000000000, got `{0}`")]
    TooLarge(String),
    /// A percentage outside `0..=100`.
    #[error("a percent must be between 0 and 100, got `{0}`")]
    PercentOutOfRange(String),
}

fn parse_decimal(text: &str) -> Result<Decimal, ValueError> {
    let number = ExactNumber::parse(text).ok_or_else(|| ValueError::NotDecimal(text.to_owned()))?;
    number.to_decimal().ok_or_else(|| {
        if number.decimal_places() > 2 {
            ValueError::TooPrecise {
                value: text.to_owned(),
                places: 2,
            }
        } else {
            ValueError::TooLarge(text.to_owned())
        }
    })
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        deserializer.deserialize_str(DecimalString::<Money>::new(
            "an amount as a string, such as \"12.50\"",
        ))
    }
}

impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Percent, D::Error> {
        deserializer.deserialize_str(DecimalString::<Percent>::new(
            "a percent as a string, such as \"10\"",
        ))
    }
}

/// Accepts strings only: a JSON number would already have been through `f64`.
struct DecimalString<T> {
    expecting: &'static str,
    target: std::marker::PhantomData<T>,
}

impl<T> DecimalString<T> {
    fn new(expecting: &'static str) -> Self {
        DecimalString {
            expecting,
            target: std::marker::PhantomData,
        }
    }
}

impl<T: FromStr<Err = ValueError>> Visitor<'_> for DecimalString<T> {
    type Value = T;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        text.parse().map_err(E::custom)
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use rust_decimal::Decimal;

    use super::{Money, Percent, ValueError};

    #[test]
    fn money_max_is_ten_to_the_twentieth() {
        assert_eq!(
            Money::MAX.as_decimal(),
            Decimal::from_str("100000000000000000000").unwrap()
        );
        assert_eq!(Money::MAX.to_string(), "100000000000000000000.00");
    }

    #[test]
    fn money_checks_its_invariants() {
        assert_eq!("12.5".parse::<Money>().unwrap().to_string(), "12.50");
        assert_eq!("-0".parse::<Money>().unwrap().to_string(), "0.00");
        assert_eq!("12.500".parse::<Money>().unwrap().to_string(), "12.50");
        assert!(matches!(
            "-1".parse::<Money>(),
            Err(ValueError::Negative(_))
        ));
        assert!(matches!(
            "1.005".parse::<Money>(),
            Err(ValueError::TooPrecise { .. })
        ));
        assert!(matches!(
            "1e21".parse::<Money>(),
            Err(ValueError::TooLarge(_))
        ));
        assert!(matches!(
            "1e-30".parse::<Money>(),
            Err(ValueError::TooPrecise { .. })
        ));
        assert!(matches!(
            "ten".parse::<Money>(),
            Err(ValueError::NotDecimal(_))
        ));
    }

    #[test]
    fn percent_checks_its_invariants() {
        assert_eq!("12.50".parse::<Percent>().unwrap().to_string(), "12.5");
        assert_eq!("100".parse::<Percent>().unwrap().to_string(), "100");
        assert!(matches!(
            "100.01".parse::<Percent>(),
            Err(ValueError::PercentOutOfRange(_))
        ));
        assert!(matches!(
            "-5".parse::<Percent>(),
            Err(ValueError::PercentOutOfRange(_))
        ));
        assert!(matches!(
            "1.23456".parse::<Percent>(),
            Err(ValueError::TooPrecise { .. })
        ));
    }

    #[test]
    fn json_form_is_a_string_and_numbers_are_refused() {
        let money: Money = serde_json::from_str(r#""999.99""#).unwrap();
        assert_eq!(serde_json::to_string(&money).unwrap(), r#""999.99""#);
        let error = serde_json::from_str::<Money>("999.99")
            .unwrap_err()
            .to_string();
        assert!(error.contains("an amount as a string"), "{error}");
        let error = serde_json::from_str::<Percent>(r#""150""#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("between 0 and 100"), "{error}");
    }
}
