//! [`DiscountTable`]: the promo codes and bulk tiers a pipeline prices with.
//!
//! The generator writes it as JSON into the Lambda's environment; every decimal is a string:
//!
//! ```json
//! {
//!   "currency": "USD",
//!   "promo_codes": {
//!     "SAVE10": { "percent": "10" },
//!     "FIVEOFF": { "amount": "5.00", "min_subtotal": "20.00" }
//!   },
//!   "bulk_tiers": [
//!     { "min_subtotal": "500.00", "percent": "5" },
//!     { "min_subtotal": "1000.00", "percent": "10" }
//!   ]
//! }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::message::MAX_PROMO_CODE_CHARS;
use super::money::{Money, Percent};

/// The discounts one pipeline offers. Build it with [`DiscountTable::new`] or deserialize it;
/// both check it, so pricing never meets an invalid table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TableBody", into = "TableBody")]
pub struct DiscountTable {
    currency: String,
    promo_codes: BTreeMap<String, Promo>,
    bulk_tiers: Vec<BulkTier>,
}

/// A promo code's discount, and the subtotal it needs.
///
/// In JSON: `{"percent": "10"}` or `{"amount": "5.00"}`, with an optional `"min_subtotal"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PromoBody", into = "PromoBody")]
pub struct Promo {
    /// Percent off the subtotal, or a fixed amount off (capped at the subtotal).
    pub kind: PromoKind,
    /// The code gives nothing on a subtotal below this.
    pub min_subtotal: Option<Money>,
}

/// How a promo code discounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromoKind {
    /// This percent of the subtotal.
    Percent(Percent),
    /// This amount, or the whole subtotal when it is smaller.
    Amount(Money),
}

/// A bulk discount: `percent` off (subtotal − promo) once the subtotal reaches `min_subtotal`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkTier {
    /// The lowest subtotal this tier applies to.
    pub min_subtotal: Money,
    /// Percent off the subtotal after the promo discount.
    pub percent: Percent,
}

/// Why a discount table is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiscountTableError {
    /// The currency is not three upper-case letters.
    #[error("currency must be an ISO 4217 code such as `USD`, got `{0}`")]
    Currency(String),
    /// A promo code is empty or only whitespace.
    #[error("promo codes must not be empty")]
    EmptyPromoCode,
    /// A promo code is longer than the longest an order may carry.
    #[error("promo code `{code}` is longer than {MAX_PROMO_CODE_CHARS} characters")]
    PromoCodeTooLong {
        /// The code.
        code: String,
    },
    /// Two codes are the same once case and surrounding whitespace are ignored.
    #[error(
        "promo codes `{first}` and `{second}` are the same code (codes ignore case and surrounding whitespace)"
    )]
    DuplicatePromoCode {
        /// One spelling.
        first: String,
        /// The other.
        second: String,
    },
    /// A promo has both or neither of `percent` and `amount`.
    #[error("a promo must have exactly one of `percent` and `amount`")]
    PromoKind,
    /// Two bulk tiers start at the same subtotal.
    #[error("two bulk tiers start at the same subtotal `{0}`")]
    DuplicateBulkTier(Money),
}

impl DiscountTable {
    /// Checks and builds a table. Promo codes are stored canonical (trimmed, upper case) and must
    /// be unique in that form; bulk tiers are stored by ascending `min_subtotal`.
    pub fn new(
        currency: impl Into<String>,
        promo_codes: impl IntoIterator<Item = (String, Promo)>,
        bulk_tiers: impl IntoIterator<Item = BulkTier>,
    ) -> Result<DiscountTable, DiscountTableError> {
        let currency = currency.into();
        if currency.len() != 3 || !currency.bytes().all(|byte| byte.is_ascii_uppercase()) {
            return Err(DiscountTableError::Currency(currency));
        }

        let mut canonical = BTreeMap::new();
        let mut spellings = BTreeMap::new();
        for (code, promo) in promo_codes {
            let key = canonical_code(&code);
            if key.is_empty() {
                return Err(DiscountTableError::EmptyPromoCode);
            }
            if key.chars().count() > MAX_PROMO_CODE_CHARS {
                return Err(DiscountTableError::PromoCodeTooLong { code });
            }
            if let Some(first) = spellings.insert(key.clone(), code.clone()) {
                return Err(DiscountTableError::DuplicatePromoCode {
                    first,
                    second: code,
                });
            }
            canonical.insert(key, promo);
        }

        let mut bulk_tiers: Vec<BulkTier> = bulk_tiers.into_iter().collect();
        bulk_tiers.sort_by_key(|tier| tier.min_subtotal);
        if let Some(pair) = bulk_tiers
            .windows(2)
            .find(|pair| pair[0].min_subtotal == pair[1].min_subtotal)
        {
            return Err(DiscountTableError::DuplicateBulkTier(pair[0].min_subtotal));
        }

        Ok(DiscountTable {
            currency,
            promo_codes: canonical,
            bulk_tiers,
        })
    }

    /// The ISO 4217 currency code, such as `USD`.
    pub fn currency(&self) -> &str {
        &self.currency
    }

    /// The promo codes, keyed by canonical code.
    pub fn promo_codes(&self) -> &BTreeMap<String, Promo> {
        &self.promo_codes
    }

    /// The bulk tiers, by ascending `min_subtotal`.
    pub fn bulk_tiers(&self) -> &[BulkTier] {
        &self.bulk_tiers
    }

    /// Looks a code up ignoring case and surrounding whitespace; returns the canonical code too.
    ///
    /// ```
    /// # let table: runtime::order::DiscountTable =
    /// #     serde_json::from_str(r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "10"}}}"#)?;
    /// let (code, _promo) = table.promo(" save10 ").expect("known code");
    /// assert_eq!(code, "SAVE10");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn promo(&self, code: &str) -> Option<(&str, &Promo)> {
        self.promo_codes
            .get_key_value(&canonical_code(code))
            .map(|(code, promo)| (code.as_str(), promo))
    }

    /// The highest tier whose `min_subtotal` ≤ `subtotal`.
    pub fn bulk_tier(&self, subtotal: Money) -> Option<&BulkTier> {
        self.bulk_tiers
            .iter()
            .rev()
            .find(|tier| tier.min_subtotal <= subtotal)
    }
}

/// A promo code as compared and stored: trimmed, upper case.
pub(crate) fn canonical_code(code: &str) -> String {
    code.trim().to_uppercase()
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableBody {
    currency: String,
    #[serde(default)]
    promo_codes: BTreeMap<String, Promo>,
    #[serde(default)]
    bulk_tiers: Vec<BulkTier>,
}

impl TryFrom<TableBody> for DiscountTable {
    type Error = DiscountTableError;

    fn try_from(body: TableBody) -> Result<DiscountTable, DiscountTableError> {
        DiscountTable::new(body.currency, body.promo_codes, body.bulk_tiers)
    }
}

impl From<DiscountTable> for TableBody {
    fn from(table: DiscountTable) -> TableBody {
        TableBody {
            currency: table.currency,
            promo_codes: table.promo_codes,
            bulk_tiers: table.bulk_tiers,
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PromoBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent: Option<Percent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_subtotal: Option<Money>,
}

impl TryFrom<PromoBody> for Promo {
    type Error = DiscountTableError;

    fn try_from(body: PromoBody) -> Result<Promo, DiscountTableError> {
        let kind = match (body.percent, body.amount) {
            (Some(percent), None) => PromoKind::Percent(percent),
            (None, Some(amount)) => PromoKind::Amount(amount),
            _ => return Err(DiscountTableError::PromoKind),
        };
        Ok(Promo {
            kind,
            min_subtotal: body.min_subtotal,
        })
    }
}

impl From<Promo> for PromoBody {
    fn from(promo: Promo) -> PromoBody {
        let (percent, amount) = match promo.kind {
            PromoKind::Percent(percent) => (Some(percent), None),
            PromoKind::Amount(amount) => (None, Some(amount)),
        };
        PromoBody {
            percent,
            amount,
            min_subtotal: promo.min_subtotal,
        }
    }
}
