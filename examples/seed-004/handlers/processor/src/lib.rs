//! The handler of function `processor` of pipeline `queue-processor` (seed 004): a background
//! job runner dispatching on each message's `type`.
//!
//! | `type` | does | fails as |
//! |---|---|---|
//! | `send_email` | logs the email (this pipeline has no email service yet) | invalid: no `@` in `to` |
//! | `process_order` | checks and logs the order | invalid: amount not above 0 |
//! | `generate_report` | writes `reports/<report_id>.json` to bucket `reports`, once | transient: store down |
//! | `webhook` | POSTs `payload` to `url` (plain HTTP) within 5 s | invalid: 4xx or not `http://`; transient: unreachable, timeout, 5xx |
//!
//! A message of any other `type` does not decode: the runtime fails it as a poison record with
//! the reason, and after 3 receives SQS moves it to `jobs-dlq`.

mod webhook;

use std::time::Duration;

use resources::Resources;
use runtime::batch::RecordFailure;
use runtime::telemetry::Outcome;
use runtime::{Done, RecordContext};

/// How long a webhook may take, connection included.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// One job, by its `type`.
#[derive(Debug, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Job {
    /// An email to send.
    SendEmail {
        /// The recipient.
        to: String,
        /// The subject line.
        subject: String,
    },
    /// An order to check.
    ProcessOrder {
        /// The order.
        order_id: String,
        /// Its amount, in cents.
        amount_cents: u64,
    },
    /// A report to write to the bucket.
    GenerateReport {
        /// Names the report's object: `reports/<report_id>.json`.
        report_id: String,
        /// The rows to summarise.
        rows: Vec<serde_json::Value>,
    },
    /// An HTTP call to make.
    Webhook {
        /// Where to POST, `http://host:port/path`.
        url: String,
        /// The JSON body.
        payload: serde_json::Value,
    },
}

/// What a job did: the record line's `detail`.
#[derive(Debug, PartialEq, Eq)]
pub struct Handled {
    /// What was done, in words.
    pub detail: String,
}

impl Done for Handled {
    fn outcome(&self) -> Outcome {
        Outcome::Handled {
            detail: self.detail.clone(),
        }
    }
}

/// Runs jobs with the function's resources (bucket `reports`).
#[derive(Debug)]
pub struct Handler {
    resources: Resources,
}

impl Handler {
    /// Called once per process by the generated glue.
    pub fn new(resources: Resources) -> Self {
        Self { resources }
    }
}

impl runtime::Handler for Handler {
    const NAME: &'static str = "processor";
    type Message = Job;
    type Done = Handled;

    async fn handle(&self, job: Job, record: &RecordContext<'_>) -> Result<Handled, RecordFailure> {
        match job {
            Job::SendEmail { to, subject } => {
                if !to.contains('@') {
                    return Err(RecordFailure::invalid(format!(
                        "send_email: `{to}` is not an email address"
                    )));
                }
                tracing::info!(to, subject, "email sent (logged: no email service yet)");
                record.count("EmailsSent", 1);
                Ok(done(format!("emailed {to}")))
            }
            Job::ProcessOrder {
                order_id,
                amount_cents,
            } => {
                if amount_cents == 0 {
                    return Err(RecordFailure::invalid(format!(
                        "process_order: order `{order_id}` has no amount"
                    )));
                }
                record.count("OrdersProcessed", 1);
                Ok(done(format!(
                    "processed order {order_id} ({amount_cents} cents)"
                )))
            }
            Job::GenerateReport { report_id, rows } => {
                let report = report(&report_id, &rows, record.now());
                let key = format!("reports/{report_id}.json");
                // Written once: a redelivered job finds the report there and writes nothing.
                self.resources
                    .reports
                    .put_if_absent(&key, report.to_string().as_bytes(), "application/json")
                    .await?;
                record.count("ReportsGenerated", 1);
                Ok(done(format!("report {key} ({} rows)", rows.len())))
            }
            Job::Webhook { url, payload } => {
                let status = webhook::post(&url, &payload, WEBHOOK_TIMEOUT).await?;
                record.count("WebhooksCalled", 1);
                Ok(done(format!("webhook {url} answered {status}")))
            }
        }
    }
}

fn done(detail: String) -> Handled {
    Handled { detail }
}

/// The report of `rows`: how many, and when it was made.
pub fn report(report_id: &str, rows: &[serde_json::Value], at: &str) -> serde_json::Value {
    serde_json::json!({ "report_id": report_id, "rows": rows.len(), "generated_at": at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_decode_by_type_and_unknown_types_do_not() {
        let job: Job =
            serde_json::from_str(r#"{"type": "send_email", "to": "a@b.c", "subject": "hi"}"#)
                .unwrap();
        assert!(matches!(job, Job::SendEmail { .. }));
        let error = serde_json::from_str::<Job>(r#"{"type": "teleport"}"#).unwrap_err();
        assert!(
            error.to_string().contains("unknown variant `teleport`"),
            "{error}"
        );
    }

    #[test]
    fn a_report_counts_its_rows() {
        let rows = [serde_json::json!({"a": 1}), serde_json::json!({"a": 2})];
        assert_eq!(report("r1", &rows, "now")["rows"], 2);
    }
}
