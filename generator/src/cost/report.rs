//! `gen cost`'s result: per service and per resource lines with their assumptions, the total;
//! one value that prints as text and as JSON (shape in docs/cost.md, versioned).

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::Serialize;

/// The version of the JSON shape; bumped when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

/// The monthly cost of a pipeline at a volume. Money and quantities are decimal strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[schemars(title = "gen cost report")]
pub struct CostReport {
    pub schema_version: u32,
    pub pipeline: String,
    pub region: String,
    pub orders_per_month: u64,
    #[schemars(with = "String")]
    pub total_usd: Decimal,
    pub services: Vec<ServiceCost>,
    pub assumptions: Vec<String>,
    pub prices_date: String,
    pub free_tier: bool,
}

/// One AWS service's share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ServiceCost {
    pub service: String,
    #[schemars(with = "String")]
    pub usd: Decimal,
    pub lines: Vec<CostLine>,
}

/// One billed quantity of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CostLine {
    /// The pipeline resource (`task`, `results`), or `pipeline` for shared ones.
    pub resource: String,
    /// What is billed (`requests`, `GB-seconds`, `idle polling`, …).
    pub item: String,
    /// Units a month, rounded to 4 decimals (`usd` is priced before rounding).
    #[schemars(with = "String")]
    pub quantity: Decimal,
    pub unit: String,
    /// Units the free tier covers (`0` without `--free-tier`).
    #[schemars(with = "String")]
    pub free_quantity: Decimal,
    #[schemars(with = "String")]
    pub unit_usd: Decimal,
    /// The price table's key for `unit_usd` (`sqs_request`, …).
    pub price: String,
    /// Dollars a month, rounded to 4 decimals.
    #[schemars(with = "String")]
    pub usd: Decimal,
    /// The same whatever the volume (alarms, keys, idle polling).
    pub fixed: bool,
    /// How the quantity was derived.
    pub assumption: String,
}

/// The JSON Schema of [`CostReport`], the shape of `gen cost --output json`; committed as
/// `docs/cost.schema.json`.
pub fn schema() -> String {
    let mut schema = schemars::schema_for!(CostReport);
    schema.insert(
        "$id".to_owned(),
        format!("gen-cost-report-v{SCHEMA_VERSION}").into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).expect("a schema is plain data");
    text.push('\n');
    text
}

impl CostReport {
    /// The dollars of `service`, zero when it has no lines.
    pub fn service_usd(&self, service: &str) -> Decimal {
        self.services
            .iter()
            .find(|cost| cost.service == service)
            .map_or(Decimal::ZERO, |cost| cost.usd)
    }
}

/// Dollars for people: 2 decimals, or 4 below a cent so small lines do not read as nothing.
pub fn dollars(usd: Decimal) -> String {
    let places = if !usd.is_zero() && usd.abs() < Decimal::new(1, 2) {
        4
    } else {
        2
    };
    let rounded = usd.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    format!("${rounded:.places$}", places = places as usize)
}

impl fmt::Display for CostReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "pipeline `{}` in {} at {} orders a month (prices of {}{})",
            self.pipeline,
            self.region,
            self.orders_per_month,
            self.prices_date,
            if self.free_tier {
                ", free tier subtracted"
            } else {
                ", no free tier"
            }
        )?;
        for service in &self.services {
            writeln!(f, "\n{:<44} {:>12}", service.service, dollars(service.usd))?;
            for line in &service.lines {
                let label = format!("{} {}", line.resource, line.item);
                let free = if line.free_quantity.is_zero() {
                    String::new()
                } else {
                    format!(" ({} free)", line.free_quantity.normalize())
                };
                writeln!(
                    f,
                    "  {label:<42} {:>12}  {} {}{free} × ${}{}",
                    dollars(line.usd),
                    line.quantity.normalize(),
                    line.unit,
                    line.unit_usd.normalize(),
                    if line.fixed { "  [fixed]" } else { "" }
                )?;
                writeln!(f, "      {}", line.assumption)?;
            }
        }
        writeln!(
            f,
            "\n{:<44} {:>12}",
            "total a month",
            dollars(self.total_usd)
        )?;
        writeln!(f, "\nassumptions:")?;
        for assumption in &self.assumptions {
            writeln!(f, "  - {assumption}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_round_half_away_from_zero() {
        #[track_caller]
        fn case(usd: Decimal, expected: &str) {
            assert_eq!(dollars(usd), expected);
        }
        case(Decimal::new(31_896, 4), "$3.19");
        case(Decimal::new(13_365, 3), "$13.37");
        case(Decimal::new(33, 4), "$0.0033");
        case(Decimal::ZERO, "$0.00");
    }
}
