//! The dated price table (`prices.json`, embedded) or a `--prices FILE` that overrides it: one
//! figure per billed unit, each with its source.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;

/// The table shipped with `gen`, dated and sourced.
pub const EMBEDDED: &str = include_str!("prices.json");

/// A price table: per region, per billed unit.
#[derive(Debug, Clone, Deserialize)]
pub struct PriceTable {
    /// When the figures were read (`YYYY-MM-DD`).
    pub date: String,
    pub currency: String,
    pub regions: BTreeMap<String, RegionPrices>,
}

/// The prices of one region, by unit key (`sqs_request`, `lambda_gb_second_arm64`, …).
pub type RegionPrices = BTreeMap<String, Price>;

/// One billed unit.
#[derive(Debug, Clone, Deserialize)]
pub struct Price {
    /// US dollars per unit.
    pub usd: Decimal,
    /// What one unit is (`request`, `GB-second`, …).
    pub unit: String,
    /// Units a month the always-free tier covers (applied only with `--free-tier`).
    #[serde(default)]
    pub free_per_month: Decimal,
    /// Where the figure comes from.
    pub source: String,
}

/// Why no price could be had.
#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    #[error(
        "the price table is not valid: {0}\nhelp: it must look like `generator/src/cost/prices.json`"
    )]
    Parse(#[from] serde_json::Error),
    #[error(
        "no prices for region `{region}` (the table has {known})\nhelp: pass `--prices FILE` with a `regions.{region}` section; `gen` ships only the figures it could source"
    )]
    Region { region: String, known: String },
    #[error(
        "the price table has no `{key}` for region `{region}`\nhelp: add it to the `--prices` file (see `generator/src/cost/prices.json` for the keys)"
    )]
    Missing { region: String, key: String },
}

impl PriceTable {
    /// The embedded table.
    ///
    /// # Panics
    /// Never: a unit test parses the embedded table.
    pub fn embedded() -> Self {
        Self::parse(EMBEDDED).expect("the embedded price table parses")
    }

    /// A table from JSON text.
    pub fn parse(text: &str) -> Result<Self, PriceError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The prices of `region`.
    pub fn region(&self, region: &str) -> Result<&RegionPrices, PriceError> {
        self.regions.get(region).ok_or_else(|| PriceError::Region {
            region: region.to_owned(),
            known: self
                .regions
                .keys()
                .map(|known| format!("`{known}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// The price of `key` in `prices`.
pub fn lookup<'a>(
    prices: &'a RegionPrices,
    region: &str,
    key: &str,
) -> Result<&'a Price, PriceError> {
    prices.get(key).ok_or_else(|| PriceError::Missing {
        region: region.to_owned(),
        key: key.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_is_dated_and_sourced() {
        let table = PriceTable::embedded();
        assert_eq!(table.currency, "USD");
        assert_eq!(table.date.len(), 10, "dates are YYYY-MM-DD");
        let east = table.region("us-east-1").expect("us-east-1 is listed");
        for (key, price) in east {
            assert!(
                price.source.starts_with("https://aws.amazon.com/"),
                "{key} has an AWS source"
            );
            assert!(price.usd > Decimal::ZERO, "{key} has a price");
        }
    }

    #[test]
    fn every_region_prices_every_unit_with_a_source() {
        let table = PriceTable::embedded();
        let east = table.region("us-east-1").expect("us-east-1 is listed");
        for name in ["us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"] {
            let region = table.region(name).expect("listed");
            assert_eq!(
                region.keys().collect::<Vec<_>>(),
                east.keys().collect::<Vec<_>>(),
                "{name} prices the same units"
            );
            for (key, price) in region {
                assert!(
                    price.source.starts_with("https://aws.amazon.com/"),
                    "{name} {key} has an AWS source"
                );
                assert!(price.usd > Decimal::ZERO, "{name} {key} has a price");
                assert_eq!(price.unit, east[key].unit);
            }
        }
    }

    #[test]
    fn unknown_region_names_the_known_ones() {
        let error = PriceTable::embedded().region("sa-east-1").unwrap_err();
        assert!(
            error.to_string().contains(
                "(the table has `ap-southeast-2`, `eu-central-1`, `eu-west-1`, `us-east-1`, `us-west-2`)"
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains("help: pass `--prices FILE`"),
            "{error}"
        );
    }
}
