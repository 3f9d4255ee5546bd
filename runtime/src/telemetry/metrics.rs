//! Metrics: one CloudWatch Embedded Metric Format line per batch.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Value, json};

/// The EMF metric counting dead letters parked in the bucket (the template alarms on it).
pub const PARKED_METRIC: &str = "OrdersParked";

/// Counters of one batch. The seed-001 trio — received, validated, written — is among them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchMetrics {
    /// Records in the batch.
    pub received: u64,
    /// Records whose order (or notification) parsed.
    pub validated: u64,
    /// Invoices written (order processor) or messages parked/requeued (DLQ processor).
    pub written: u64,
    /// Orders already invoiced by an earlier delivery.
    pub duplicates: u64,
    /// Records reported back as failed.
    pub failed: u64,
    /// Dead letters parked in the bucket.
    pub parked: u64,
    /// Dead letters requeued unchanged.
    pub requeued: u64,
    /// Dead letters repaired and requeued.
    pub repaired: u64,
    /// Sum of invoice totals written, in the table's currency.
    pub invoice_total: Decimal,
    /// Counters the handler added ([`crate::RecordContext::count`]), by metric name.
    pub counters: BTreeMap<String, u64>,
}

impl BatchMetrics {
    /// The EMF document for this batch: CloudWatch turns it into metrics under `namespace`,
    /// dimensioned by function.
    pub fn emf(&self, namespace: &str, function: &str) -> Value {
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis());
        let counts: BTreeMap<&str, u64> = BTreeMap::from([
            ("OrdersReceived", self.received),
            ("OrdersValidated", self.validated),
            ("OrdersWritten", self.written),
            ("OrdersDuplicate", self.duplicates),
            ("OrdersFailed", self.failed),
            (PARKED_METRIC, self.parked),
            ("OrdersRequeued", self.requeued),
            ("OrdersRepaired", self.repaired),
        ]);
        let mut definitions: Vec<Value> = counts
            .keys()
            .copied()
            .chain(
                self.counters
                    .keys()
                    .map(String::as_str)
                    .filter(|name| !counts.contains_key(name)),
            )
            .map(|name| json!({ "Name": name, "Unit": "Count" }))
            .collect();
        definitions.push(json!({ "Name": "BatchSize", "Unit": "Count" }));
        definitions.push(json!({ "Name": "InvoiceTotal", "Unit": "None" }));
        let mut document = json!({
            "_aws": {
                "Timestamp": timestamp,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [["Function"]],
                    "Metrics": definitions,
                }],
            },
            "Function": function,
            "BatchSize": self.received,
            "InvoiceTotal": self.invoice_total.to_f64().unwrap_or_default(),
        });
        for (name, value) in &self.counters {
            if !counts.contains_key(name.as_str()) {
                document[name.as_str()] = json!(value);
            }
        }
        for (name, value) in counts {
            document[name] = json!(value);
        }
        document
    }

    /// Writes the EMF line to stdout, where Lambda's log agent picks it up.
    pub fn emit(&self, namespace: &str, function: &str) {
        println!("{}", self.emf(namespace, function));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emf_declares_every_metric_it_carries() {
        let metrics = BatchMetrics {
            received: 10,
            validated: 7,
            written: 6,
            duplicates: 1,
            failed: 3,
            invoice_total: Decimal::new(12_345, 2),
            counters: BTreeMap::from([("EmailsSent".to_owned(), 2)]),
            ..BatchMetrics::default()
        };
        let document = metrics.emf("OrderPipeline", "orders-task-dev");
        let directive = &document["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(directive["Namespace"], "OrderPipeline");
        assert_eq!(directive["Dimensions"], json!([["Function"]]));
        assert_eq!(document["Function"], "orders-task-dev");
        for definition in directive["Metrics"].as_array().unwrap() {
            let name = definition["Name"].as_str().unwrap();
            assert!(document[name].is_number(), "{name} is declared but not set");
        }
        assert_eq!(
            (
                document["OrdersReceived"].as_u64(),
                document["OrdersWritten"].as_u64()
            ),
            (Some(10), Some(6))
        );
        assert_eq!(document["InvoiceTotal"].as_f64(), Some(123.45));
        assert_eq!(
            document["EmailsSent"].as_u64(),
            Some(2),
            "a handler's own counter"
        );
        assert!(document["_aws"]["Timestamp"].as_u64().unwrap() > 1_700_000_000_000);
    }
}
