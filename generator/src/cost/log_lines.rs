//! The bytes a function's log group ingests, measured from the runtime's own lines rather than
//! guessed: one record line per record, and per invocation (one batch) the runtime's batch
//! summary, its EMF metrics line and Lambda's `START`/`END`/`REPORT` lines.
//!
//! The lines are written by the runtime's logger ([`runtime::telemetry`]) for a typical record —
//! an order invoiced, as most records end — with the function's deployed name; timestamps are
//! set to the 24 characters of a millisecond one, so the sizes do not depend on the clock.

use std::time::Duration;

use runtime::telemetry::{BatchMetrics, LogCapture, Outcome, RecordLine, subscriber};
use serde_json::{Value, json};

use crate::config::naming::{Service, physical_name};
use crate::local::logs::platform;

/// A request id as Lambda gives them (a UUID).
const REQUEST_ID: &str = "8f5a0c1e-3b7d-4e21-9c4a-6d2f0e8b1a57";
/// An SQS message id (a UUID too).
const MESSAGE_ID: &str = "5e0b9d2c-7a41-4f3e-8b6d-1c9e2a7f4d03";
/// A timestamp of the width the runtime writes when its milliseconds have no trailing zero.
const TIMESTAMP: &str = "2026-11-30T10:02:03.456Z";

/// Bytes of log lines, without line ends.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineSizes {
    /// The record line of one record.
    pub per_record: u64,
    /// The lines of one invocation besides its record lines.
    pub per_invocation: u64,
}

/// The sizes of the runtime's lines for function `function` of pipeline `pipeline` deployed as
/// stage `prod` (the name is in every line).
pub fn runtime_line_sizes(pipeline: &str, function: &str) -> LineSizes {
    let name = physical_name(pipeline, function, "prod", Service::Function, "");
    let capture = LogCapture::default();
    tracing::subscriber::with_default(subscriber(&name, "info", capture.clone()), || {
        RecordLine {
            request_id: REQUEST_ID.to_owned(),
            message_id: MESSAGE_ID.to_owned(),
            order_id: Some("ORD-1001".to_owned()),
            outcome: Outcome::Invoiced {
                key: runtime::handlers::invoice_key("ORD-1001"),
                total: "1169.98".to_owned(),
                currency: "USD".to_owned(),
            },
        }
        .log();
        // The batch summary `runtime::service` logs after each batch, with its fields.
        runtime::telemetry::emit(
            tracing::Level::INFO,
            "batch done",
            &json!({
                "request_id": REQUEST_ID, "received": 1, "validated": 1, "written": 1,
                "duplicates": 0, "failed": 0, "parked": 0, "requeued": 0, "repaired": 0,
            }),
        );
    });
    // The record line carries the record's `message_id`; the summary is the batch's.
    let (mut record, mut summary) = (0, 0);
    for mut line in capture.lines() {
        if let Some(timestamp) = line.get_mut("timestamp") {
            *timestamp = Value::String(TIMESTAMP.to_owned());
        }
        let bytes = line.to_string().len();
        if line.get("message_id").is_some() {
            record += bytes;
        } else {
            summary += bytes;
        }
    }
    let mut emf = BatchMetrics {
        received: 1,
        validated: 1,
        written: 1,
        invoice_total: rust_decimal::Decimal::new(116_998, 2),
        ..BatchMetrics::default()
    }
    .emf(&format!("OrderPipeline/{pipeline}"), &name);
    emf["_aws"]["Timestamp"] = json!(1_796_032_923_456_u64);
    let platform = platform::start(REQUEST_ID).len()
        + platform::end(REQUEST_ID).len()
        + platform::report(REQUEST_ID, Duration::from_micros(25_430), 256).len();
    LineSizes {
        per_record: record as u64,
        per_invocation: (summary + emf.to_string().len() + platform) as u64,
    }
}

/// What API Gateway writes for each `$context` variable of the access log format, for a `202`
/// answered in 12 ms: a request id of its 16 characters, a documentation address, its
/// `requestTime` format, and `-` for the error fields it leaves empty.
const ACCESS_LOG_CONTEXT: [(&str, &str); 11] = [
    ("$context.requestId", "Kq3bXhY8oAMEb2w="),
    ("$context.identity.sourceIp", "203.0.113.17"),
    ("$context.requestTime", "30/Nov/2026:10:02:03 +0000"),
    ("$context.status", "202"),
    ("$context.responseLength", "44"),
    ("$context.responseLatency", "12"),
    ("$context.integrationLatency", "9"),
    ("$context.integrationStatus", "200"),
    ("$context.integrationErrorMessage", "-"),
    ("$context.error.message", "-"),
    ("$context.routeKey", ""),
];

/// Bytes of one access log line (the stage's format, [`crate::synth::ACCESS_LOG_FORMAT`]) for
/// a request to `route_key`.
pub fn access_log_line_bytes(route_key: &str) -> u64 {
    let mut line = crate::synth::ACCESS_LOG_FORMAT.to_owned();
    for (variable, value) in ACCESS_LOG_CONTEXT {
        let value = if variable == "$context.routeKey" {
            route_key
        } else {
            value
        };
        line = line.replace(variable, value);
    }
    line.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{"requestId":"Kq3bXhY8oAMEb2w=","ip":"203.0.113.17","requestTime":"30/Nov/2026:10:02:03
    /// +0000","routeKey":"POST /orders","status":"202","responseLength":"44","latencyMs":"12",
    /// "integrationLatencyMs":"9","integrationStatus":"200","integrationError":"-","error":"-"}`:
    /// 263 bytes; every variable is replaced.
    #[test]
    fn access_log_line() {
        let bytes = access_log_line_bytes("POST /orders");
        assert_eq!(bytes, 263);
        assert_eq!(
            access_log_line_bytes("POST /order"),
            bytes - 1,
            "the route key is in the line"
        );
        let mut line = crate::synth::ACCESS_LOG_FORMAT.to_owned();
        for (variable, _) in ACCESS_LOG_CONTEXT {
            line = line.replace(variable, "");
        }
        assert!(!line.contains("$context"), "an unreplaced variable: {line}");
    }

    /// The seed's `task` function, deployed as `orders-task-prod`:
    /// - record line, 326 bytes: `{"timestamp":"2026-11-30T10:02:03.456Z","level":"INFO",
    ///   "function":"orders-task-prod","message":"invoice written","request_id":"<36>",
    ///   "message_id":"<36>","order_id":"ORD-1001","outcome":"invoiced",
    ///   "key":"invoices/ORD-1001.json","total":"1169.98","currency":"USD"}`.
    /// - per invocation, 1,249 bytes: the `batch done` summary (the same first five keys, then
    ///   eight counts) 262; the EMF line (ten metric definitions, `Function`, `BatchSize`,
    ///   `InvoiceTotal` and the eight counts) 750; `START RequestId: <36> Version: $LATEST` 70;
    ///   `END RequestId: <36>` 51; `REPORT RequestId: <36>` with `Duration: 25.43 ms`,
    ///   `Billed Duration: 26 ms` and `Memory Size: 256 MB`, tab-separated, 116.
    ///   262 + 750 + 70 + 51 + 116 = 1,249.
    ///
    /// A field the runtime adds moves these figures, and the cost follows without anyone
    /// editing a constant (this test then says by how much).
    #[test]
    fn seed_task_lines() {
        let sizes = runtime_line_sizes("orders", "task");
        assert_eq!(
            sizes,
            LineSizes {
                per_record: 326,
                per_invocation: 1_249
            }
        );
        assert_eq!(
            sizes,
            runtime_line_sizes("orders", "task"),
            "independent of the clock"
        );
        let longer = runtime_line_sizes("orders", "task-with-a-longer-name");
        assert_eq!(
            longer.per_record - sizes.per_record,
            "-with-a-longer-name".len() as u64,
            "the function's name is in every line"
        );
    }
}
