//! The monthly cost before and after a change, per service, when either side's pipeline.yaml
//! states `cost.orders_per_month`: both sides priced at that volume, with `gen cost`'s default
//! assumptions and the embedded price table.

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::Serialize;

use crate::config::Pipeline;
use crate::cost::{Assumptions, CostReport, PriceTable, estimate};

/// The cost of the pipeline a month before and after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CostChange {
    /// The volume both sides are priced at: the new `cost.orders_per_month`, else the old one.
    pub orders_per_month: u64,
    /// Dollars a month before, as a decimal string.
    pub before_usd: String,
    /// Dollars a month after, as a decimal string.
    pub after_usd: String,
    /// `after_usd − before_usd`, as a decimal string.
    pub delta_usd: String,
    /// Per AWS service, in name order.
    pub services: Vec<ServiceCostChange>,
    /// The date of the price table (`YYYY-MM-DD`).
    pub prices_date: String,
}

/// One service's cost before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ServiceCostChange {
    pub service: String,
    pub before_usd: String,
    pub after_usd: String,
    pub delta_usd: String,
}

/// The cost change from `old` to `new`; `None` when neither states a volume, or a side cannot be
/// priced (no prices for its region).
pub(super) fn change(old: &Pipeline, new: &Pipeline) -> Option<CostChange> {
    let orders = new.cost_orders_per_month.or(old.cost_orders_per_month)?;
    let table = PriceTable::embedded();
    let assumptions = Assumptions::at(orders);
    let before = estimate(old, &assumptions, &table).ok()?;
    let after = estimate(new, &assumptions, &table).ok()?;
    let names: BTreeSet<&str> = before
        .services
        .iter()
        .chain(&after.services)
        .map(|service| service.service.as_str())
        .collect();
    let services = names
        .into_iter()
        .map(|name| {
            let (was, is) = (before.service_usd(name), after.service_usd(name));
            ServiceCostChange {
                service: name.to_owned(),
                before_usd: was.to_string(),
                after_usd: is.to_string(),
                delta_usd: (is - was).to_string(),
            }
        })
        .collect();
    Some(CostChange {
        orders_per_month: orders,
        before_usd: before.total_usd.to_string(),
        after_usd: after.total_usd.to_string(),
        delta_usd: delta(&before, &after).to_string(),
        services,
        prices_date: after.prices_date,
    })
}

fn delta(before: &CostReport, after: &CostReport) -> Decimal {
    after.total_usd - before.total_usd
}

/// Signed dollars for people: `+$1.20`, `−$0.69`, `$0.00`.
pub(super) fn signed_dollars(usd: &str) -> String {
    let value: Decimal = usd.parse().unwrap_or_default();
    let magnitude = crate::cost::report::dollars(value.abs());
    match value.cmp(&Decimal::ZERO) {
        std::cmp::Ordering::Greater => format!("+{magnitude}"),
        std::cmp::Ordering::Less => format!("−{magnitude}"),
        std::cmp::Ordering::Equal => magnitude,
    }
}

/// Dollars for people from a decimal string.
pub(super) fn dollars(usd: &str) -> String {
    crate::cost::report::dollars(usd.parse().unwrap_or_default())
}

impl CostChange {
    /// The Markdown section of a PR comment.
    pub(super) fn markdown(&self) -> String {
        use std::fmt::Write as _;
        let mut out = format!(
            "#### Monthly cost at {} orders\n\n| service | before | after | change |\n|---|---:|---:|---:|\n",
            self.orders_per_month
        );
        for service in &self.services {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                service.service,
                dollars(&service.before_usd),
                dollars(&service.after_usd),
                signed_dollars(&service.delta_usd)
            );
        }
        let _ = writeln!(
            out,
            "| **total** | **{}** | **{}** | **{}** |\n\nList prices of {} for the pipeline's region, `gen cost`'s default assumptions (run `gen cost` for each line and assumption).\n",
            dollars(&self.before_usd),
            dollars(&self.after_usd),
            signed_dollars(&self.delta_usd),
            self.prices_date
        );
        out
    }

    /// The plain-text section for a terminal: one aligned row per service, then the total.
    pub(super) fn text(&self) -> String {
        use std::fmt::Write as _;
        let rows: Vec<(&str, String, String, String)> = self
            .services
            .iter()
            .map(|service| {
                (
                    service.service.as_str(),
                    dollars(&service.before_usd),
                    dollars(&service.after_usd),
                    signed_dollars(&service.delta_usd),
                )
            })
            .chain(std::iter::once((
                "total",
                dollars(&self.before_usd),
                dollars(&self.after_usd),
                signed_dollars(&self.delta_usd),
            )))
            .collect();
        let width = |column: fn(&(&str, String, String, String)) -> usize| {
            rows.iter().map(column).max().unwrap_or(0)
        };
        let name = width(|row| row.0.chars().count());
        let before = width(|row| row.1.chars().count());
        let after = width(|row| row.2.chars().count());
        let mut out = format!(
            "Monthly cost at {} orders (list prices of {}, `gen cost`'s default assumptions):\n",
            self.orders_per_month, self.prices_date
        );
        for (service, was, is, change) in &rows {
            let _ = writeln!(
                out,
                "  {service:<name$}  {was:>before$} → {is:>after$}  {change}"
            );
        }
        out
    }
}
