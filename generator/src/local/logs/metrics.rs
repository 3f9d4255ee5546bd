//! EMF lines (`{"_aws": …}`) are for CloudWatch, not for people: `gen dev` folds them away and
//! keeps their figures, summed, to report once.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

/// The figures of one EMF line.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricLine {
    /// The function that wrote it.
    pub function: String,
    /// Each declared metric and its value, in declaration order.
    pub figures: Vec<(String, f64)>,
}

impl MetricLine {
    /// The metrics an EMF document declares (`_aws.CloudWatchMetrics[].Metrics[].Name`) with
    /// their values; a declared metric without a numeric value is skipped.
    pub fn from_emf(function: &str, document: &Map<String, Value>) -> Self {
        let names = document
            .get("_aws")
            .and_then(|aws| aws.get("CloudWatchMetrics"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|directive| directive.get("Metrics").and_then(Value::as_array))
            .flatten()
            .filter_map(|metric| metric.get("Name").and_then(Value::as_str));
        let figures = names
            .filter_map(|name| Some((name.to_owned(), document.get(name)?.as_f64()?)))
            .collect();
        Self {
            function: function.to_owned(),
            figures,
        }
    }
}

/// The folded EMF lines of a `gen dev` session, summed per metric.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MetricTally {
    /// EMF lines folded.
    pub lines: u64,
    /// Sum of each metric over those lines.
    pub totals: BTreeMap<String, f64>,
}

impl MetricTally {
    /// Adds one line's figures.
    pub fn add(&mut self, line: &MetricLine) {
        self.lines += 1;
        for (name, value) in &line.figures {
            *self.totals.entry(name.clone()).or_default() += value;
        }
    }
}

/// `["BatchSize 12", "OrdersReceived 12", …]`: each non-zero total, rounded to two decimals.
pub fn figures(totals: &BTreeMap<String, f64>) -> Vec<String> {
    totals
        .iter()
        .filter(|(_, total)| **total != 0.0)
        .map(|(name, total)| format!("{name} {}", (total * 100.0).round() / 100.0))
        .collect()
}

impl fmt::Display for MetricTally {
    /// `3 metric lines folded: BatchSize 12, OrdersReceived 12, …` (zeros left out).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} metric line{} folded",
            self.lines,
            if self.lines == 1 { "" } else { "s" }
        )?;
        let figures = figures(&self.totals);
        if !figures.is_empty() {
            write!(f, ": {}", figures.join(", "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn declared_metrics_are_summed_and_zeros_left_out() {
        let document = json!({
            "_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "N", "Dimensions": [["Function"]],
                "Metrics": [{"Name": "OrdersReceived"}, {"Name": "OrdersFailed"}, {"Name": "InvoiceTotal"}, {"Name": "Missing"}]}]},
            "Function": "task", "OrdersReceived": 3, "OrdersFailed": 0, "InvoiceTotal": 10.5,
        });
        let line = MetricLine::from_emf("task", document.as_object().unwrap());
        assert_eq!(line.figures.len(), 3, "{line:?}");
        let mut tally = MetricTally::default();
        tally.add(&line);
        tally.add(&line);
        assert_eq!(
            tally.to_string(),
            "2 metric lines folded: InvoiceTotal 21, OrdersReceived 6"
        );
    }
}
