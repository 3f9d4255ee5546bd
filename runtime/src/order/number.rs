//! Exact numbers from JSON number text, without ever going through `f64`.
//!
//! `serde_json` (without `arbitrary_precision`) hands numbers to visitors as `f64`, so the order
//! parser keeps each number's raw text and reads it here. The result records the value as
//! `± digits × 10^exponent`, which lets callers check sign, decimal places and magnitude before
//! building a [`Decimal`], so no input can overflow it.

use rust_decimal::Decimal;

/// Exponents are saturated here: anything this far out is rejected by every caller anyway.
const EXPONENT_LIMIT: i64 = 1_000_000_000;

/// Most significant digits a [`Decimal`] mantissa takes without rounding.
const DECIMAL_DIGITS: usize = 28;

/// A number written in JSON grammar, kept exactly: `± digits × 10^exponent`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExactNumber {
    negative: bool,
    /// Significant digits without leading or trailing zeros; empty for zero.
    digits: String,
    exponent: i64,
}

impl ExactNumber {
    /// Reads `text` as a JSON number (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`).
    ///
    /// Returns `None` for anything else, including `NaN`, `Infinity`, `+1`, `.5` and `1.`.
    pub(crate) fn parse(text: &str) -> Option<ExactNumber> {
        let (negative, unsigned) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
            Some((mantissa, exponent)) => (mantissa, parse_exponent(exponent)?),
            None => (unsigned, 0),
        };
        let (integer, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let leading_zero = integer.len() > 1 && integer.starts_with('0');
        if !is_digits(integer) || leading_zero || (mantissa.contains('.') && !is_digits(fraction)) {
            return None;
        }

        let all_digits = format!("{integer}{fraction}");
        let significant = all_digits.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.is_empty() {
            return Some(ExactNumber {
                negative: false,
                digits: String::new(),
                exponent: 0,
            });
        }
        let trailing_zeros = to_i64(significant.len() - trimmed.len());
        let exponent = exponent
            .saturating_sub(to_i64(fraction.len()))
            .saturating_add(trailing_zeros);
        Some(ExactNumber {
            negative,
            digits: trimmed.to_owned(),
            exponent,
        })
    }

    /// Whether the value is zero (`0`, `-0`, `0.00`, `0e5` …).
    pub(crate) fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// Whether the value is below zero (`-0` is not).
    pub(crate) fn is_negative(&self) -> bool {
        self.negative
    }

    /// How many decimal places the value needs (`12.50` needs 1, `1e-3` needs 3).
    pub(crate) fn decimal_places(&self) -> u64 {
        self.exponent.min(0).unsigned_abs()
    }

    /// How many digits the integer part has (`0.5` has 0, `999.99` has 3, `1e12` has 13).
    pub(crate) fn integer_digits(&self) -> i64 {
        if self.is_zero() {
            return 0;
        }
        to_i64(self.digits.len())
            .saturating_add(self.exponent)
            .max(0)
    }

    /// The value as a [`Decimal`], when it fits one exactly (at most 28 significant digits,
    /// integer part and scale included).
    pub(crate) fn to_decimal(&self) -> Option<Decimal> {
        if self.is_zero() {
            return Some(Decimal::ZERO);
        }
        let places = self.decimal_places();
        let width =
            usize::try_from(self.integer_digits().max(0)).ok()? + usize::try_from(places).ok()?;
        if width > DECIMAL_DIGITS {
            return None;
        }
        let zeros = usize::try_from(self.exponent.max(0)).ok()?;
        let mantissa: i128 = format!("{}{}", self.digits, "0".repeat(zeros))
            .parse()
            .ok()?;
        let mantissa = if self.negative { -mantissa } else { mantissa };
        Decimal::try_from_i128_with_scale(mantissa, u32::try_from(places).ok()?).ok()
    }

    /// The value as an integer, when it is a whole number that fits a `u64`.
    pub(crate) fn to_u64(&self) -> Option<u64> {
        if self.is_zero() {
            return Some(0);
        }
        if self.negative || self.exponent < 0 || self.integer_digits() > 19 {
            return None;
        }
        let zeros = usize::try_from(self.exponent).ok()?;
        format!("{}{}", self.digits, "0".repeat(zeros)).parse().ok()
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

/// Reads `[+-]?[0-9]+`, saturating at ±[`EXPONENT_LIMIT`].
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !is_digits(digits) {
        return None;
    }
    let magnitude = digits.bytes().fold(0_i64, |value, digit| {
        value
            .saturating_mul(10)
            .saturating_add(i64::from(digit - b'0'))
            .min(EXPONENT_LIMIT)
    });
    Some(if negative { -magnitude } else { magnitude })
}

/// Lengths of in-memory strings always fit an `i64`; saturate rather than wrap regardless.
fn to_i64(length: usize) -> i64 {
    i64::try_from(length).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::ExactNumber;

    #[test]
    fn reads_json_numbers_exactly() {
        #[track_caller]
        fn case(text: &str, decimal: Option<&str>, places: u64, integer_digits: i64) {
            let number = ExactNumber::parse(text).expect("valid JSON number");
            assert_eq!(
                number.to_decimal().map(|d| d.to_string()).as_deref(),
                decimal,
                "{text}"
            );
            assert_eq!(number.decimal_places(), places, "{text}");
            assert_eq!(number.integer_digits(), integer_digits, "{text}");
        }
        case("0", Some("0"), 0, 0);
        case("-0", Some("0"), 0, 0);
        case("0.00", Some("0"), 0, 0);
        case("12.50", Some("12.5"), 1, 2);
        case("999.99", Some("999.99"), 2, 3);
        case("-1.25", Some("-1.25"), 2, 1);
        case("1e12", Some("1000000000000"), 0, 13);
        case("1E+2", Some("100"), 0, 3);
        case("1.5e1", Some("15"), 0, 2);
        case("125e-2", Some("1.25"), 2, 1);
        case("0.001", Some("0.001"), 3, 0);
        case("1e400", None, 0, 401);
        case("1e-400", None, 400, 0);
        case("1e99999999999999999999", None, 0, 1_000_000_001);
        case("0e99999999999999999999", Some("0"), 0, 0);
        case("12345678901234567890123456789", None, 0, 29);
        case(
            "1234567890123456789012345678",
            Some("1234567890123456789012345678"),
            0,
            28,
        );
    }

    #[test]
    fn rejects_what_json_rejects() {
        for text in [
            "",
            "-",
            "+1",
            ".5",
            "1.",
            "01",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "-Infinity",
            "1,5",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "١",
        ] {
            assert_eq!(ExactNumber::parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn whole_numbers_convert_to_integers() {
        let whole = |text: &str| ExactNumber::parse(text).and_then(|n| n.to_u64());
        assert_eq!(whole("3"), Some(3));
        assert_eq!(whole("3.0"), Some(3));
        assert_eq!(whole("1e6"), Some(1_000_000));
        assert_eq!(whole("1.5"), None);
        assert_eq!(whole("-1"), None);
        assert_eq!(whole("1e30"), None);
    }
}
