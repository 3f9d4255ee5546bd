//! The record line: how each SQS record ended, one JSON line per record with stable keys.
//!
//! ```json
//! {"timestamp":"2026-11-30T10:02:03.456Z","level":"WARN","function":"dlq-processor",
//!  "message":"parked with its reason","request_id":"8c1d…","message_id":"5e0b…",
//!  "order_id":"ORD-7","outcome":"parked","key":"dead-letters/5e0b….json",
//!  "reason":"invalid order: items must have 1 to 1000 entries, got 0"}
//! ```
//!
//! `outcome` is one word; its details are fields of their own (see [`Outcome`]). `order_id` is
//! `null` when the body names none (a poison record that is not JSON, say).

use serde::{Deserialize, Serialize};
use tracing::Level;

use crate::batch::{FailureKind, RecordFailure};
use crate::handlers::DlqOutcome;

/// How a record ended, tagged by the word in `outcome`; the variant's fields are the line's
/// detail fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The order processor wrote the invoice.
    Invoiced {
        /// The invoice's object key.
        key: String,
        /// The invoice total, two decimals (a string, so it stays exact).
        total: String,
        /// ISO 4217 currency of the total.
        currency: String,
    },
    /// An earlier delivery wrote the invoice; the notification was sent again.
    Duplicate {
        /// The invoice's object key.
        key: String,
    },
    /// The notification logger received an invoice notification.
    Notified {
        /// The invoice's object key.
        key: String,
        /// The invoice total, two decimals.
        total: String,
        /// ISO 4217 currency of the total.
        currency: String,
        /// Same for every delivery of the same order.
        idempotency_key: String,
    },
    /// The order ingest accepted an order and enqueued it.
    Accepted {
        /// The id of the message sent to the queue.
        enqueued: String,
    },
    /// The order store ended a record: the item is in the table (written now, or by an earlier
    /// delivery) and its email in the state `email` says.
    Stored {
        /// The table.
        table: String,
        /// Whether this delivery wrote the item (`false`: an earlier one had).
        written: bool,
        /// `sent` (now), `already_sent` (by an earlier delivery), `unknown` (an earlier attempt
        /// may have sent it; never sent again) or `none` (the function sends no email).
        email: String,
    },
    /// A handler of the pipeline's own (`handler: custom`) ended the record.
    Handled {
        /// What it did, in the handler's words.
        detail: String,
    },
    /// The record failed; SQS delivers it again (and, after `maxReceiveCount`, to the DLQ).
    Failed {
        /// `invalid` (the message is bad), `transient` (a dependency failed) or `blocked` (an
        /// earlier record of its FIFO group failed).
        kind: FailureKind,
        /// Why.
        reason: String,
    },
    /// The DLQ processor's outcome: `requeued` (with `attempt`), `repaired` (with `repairs`, a
    /// list of what was changed) or `parked` (with `key` and `reason`).
    #[serde(untagged)]
    DeadLetter(DlqOutcome),
}

impl Outcome {
    /// The outcome of a failed record.
    pub fn failed(failure: &RecordFailure) -> Self {
        Outcome::Failed {
            kind: failure.kind,
            reason: failure.reason.clone(),
        }
    }

    /// `WARN` for records that failed or were parked, or whose email's fate is unknown, `INFO`
    /// otherwise.
    pub fn level(&self) -> Level {
        match self {
            Outcome::DeadLetter(DlqOutcome::Parked { .. }) | Outcome::Failed { .. } => Level::WARN,
            Outcome::Stored { email, .. } if email == "unknown" => Level::WARN,
            _ => Level::INFO,
        }
    }

    /// The line's `message`, for people.
    pub fn message(&self) -> &'static str {
        match self {
            Outcome::Invoiced { .. } => "invoice written",
            Outcome::Duplicate { .. } => "already invoiced; notification sent again",
            Outcome::Notified { .. } => "invoice notification received",
            Outcome::Accepted { .. } => "order accepted and enqueued",
            Outcome::Stored { email, .. } if email == "unknown" => {
                "order stored; an earlier attempt may have sent its email, which is not sent again"
            }
            Outcome::Stored { .. } => "order stored",
            Outcome::Handled { .. } => "record handled",
            Outcome::DeadLetter(DlqOutcome::Requeued { .. }) => {
                "dead letter requeued for another try"
            }
            Outcome::DeadLetter(DlqOutcome::Repaired { .. }) => "dead letter repaired and requeued",
            Outcome::DeadLetter(DlqOutcome::Parked { .. }) => "dead letter parked with its reason",
            Outcome::Failed { .. } => "record failed; SQS will deliver it again",
        }
    }
}

/// One record line: the correlation ids and the [`Outcome`], flattened into one JSON object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordLine {
    /// The Lambda request id of the invocation.
    pub request_id: String,
    /// The SQS message id.
    pub message_id: String,
    /// The order the record is about; `null` when its body names none.
    pub order_id: Option<String>,
    /// How it ended: `outcome` and its detail fields.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl RecordLine {
    /// Writes the line through the JSON logger, at the outcome's level.
    pub fn log(&self) {
        super::emit(self.outcome.level(), self.outcome.message(), self);
    }
}

/// One request line: how an API request ended (see [`crate::serve_api`]), with the status it was
/// answered with. `message_id` is API Gateway's request id; `outcome` and its fields are a
/// record's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    /// The Lambda request id of the invocation.
    pub request_id: String,
    /// API Gateway's id of the HTTP request.
    pub message_id: String,
    /// The route, e.g. `POST /orders`.
    pub route: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The order the request is about, if any.
    pub order_id: Option<String>,
    /// How it ended: `outcome` and its detail fields.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl RequestLine {
    /// Writes the line through the JSON logger, at the outcome's level (`WARN` for any 4xx or
    /// 5xx answer).
    pub fn log(&self) {
        let level = if self.status >= 400 {
            Level::WARN
        } else {
            self.outcome.level()
        };
        let message = if self.status >= 400 {
            "request refused"
        } else {
            self.outcome.message()
        };
        super::emit(level, message, self);
    }
}

/// The order id a message body names, if it is a JSON object with an `order_id` string (trimmed)
/// or number; best effort, for correlation only.
pub fn order_id_of(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Named {
        order_id: Option<serde_json::Value>,
    }
    match serde_json::from_str::<Named>(body).ok()?.order_id? {
        serde_json::Value::String(id) => Some(id.trim().to_owned()),
        serde_json::Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn outcomes_are_words_with_their_details_beside_them() {
        let line = RecordLine {
            request_id: "req-1".to_owned(),
            message_id: "m-1".to_owned(),
            order_id: None,
            outcome: Outcome::Failed {
                kind: FailureKind::Invalid,
                reason: "invalid order: no items".to_owned(),
            },
        };
        assert_eq!(
            serde_json::to_value(&line).unwrap(),
            json!({
                "request_id": "req-1",
                "message_id": "m-1",
                "order_id": null,
                "outcome": "failed",
                "kind": "invalid",
                "reason": "invalid order: no items",
            })
        );
        let read_back: RecordLine =
            serde_json::from_value(serde_json::to_value(&line).unwrap()).unwrap();
        assert_eq!(read_back, line);
        let parked = RecordLine {
            order_id: Some("ORD-P".to_owned()),
            outcome: Outcome::DeadLetter(DlqOutcome::Parked {
                key: "dead-letters/m-1.json".to_owned(),
                reason: "invalid order: no items".to_owned(),
            }),
            ..line
        };
        let value = serde_json::to_value(&parked).unwrap();
        assert_eq!(
            (&value["outcome"], &value["key"], &value["order_id"]),
            (
                &json!("parked"),
                &json!("dead-letters/m-1.json"),
                &json!("ORD-P")
            )
        );
        assert_eq!(serde_json::from_value::<RecordLine>(value).unwrap(), parked);
    }

    #[test]
    fn order_ids_are_read_from_bodies_when_they_name_one() {
        #[track_caller]
        fn case(body: &str, expected: Option<&str>) {
            assert_eq!(order_id_of(body).as_deref(), expected, "{body}");
        }
        case(r#"{"order_id": "ORD-1", "items": []}"#, Some("ORD-1"));
        case(r#"{"order_id": " ORD-R "}"#, Some("ORD-R"));
        case(r#"{"order_id": 42}"#, Some("42"));
        case(r#"{"items": []}"#, None);
        case(r#"{"order_id": null}"#, None);
        case("not json at all", None);
        case("[1, 2]", None);
    }
}
