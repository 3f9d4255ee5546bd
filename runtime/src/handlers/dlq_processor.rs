//! DLQ processor: re-validate each dead letter and end it in exactly one state.
//!
//! - still valid (its failure was transient) → requeued with a delay, at most `max_attempts`
//!   times (counted in the `requeue-attempts` attribute), then parked;
//! - repairable (numeric strings, promo casing, whitespace) → repaired and requeued once,
//!   marked `repaired`; a repaired message that comes back is parked;
//! - anything else → parked under `dead-letters/` with its reason and original body.

use std::collections::BTreeMap;

use aws_lambda_events::event::sqs::SqsMessage;
use serde::{Deserialize, Serialize};

use super::{
    ATTEMPTS_ATTRIBUTE, DEAD_LETTER_PREFIX, GuardedStore, REPAIRED_ATTRIBUTE, key_segment,
};
use crate::batch::RecordFailure;
use crate::order::{Repaired, parse, repair};
use crate::ports::{ObjectStore, OutgoingMessage, QueueSender, is_fifo_url};
use crate::resilience::{RetryPolicy, retry};

/// How a dead letter ended; on its record line, `outcome` is `requeued`, `repaired` or `parked`
/// and the fields are the line's detail fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DlqOutcome {
    /// Valid as it was: sent back for another try.
    Requeued {
        /// Requeues of this message so far, this one included.
        attempt: u32,
    },
    /// Repaired and sent back, once.
    Repaired {
        /// What was changed, e.g. `items[0].price: string "12.50" → 12.50`.
        repairs: Vec<String>,
    },
    /// Written to the bucket with its reason; nothing more will happen to it.
    Parked {
        /// Where it is.
        key: String,
        /// Why it was parked.
        reason: String,
    },
}

/// What a parked message looks like in the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParkedMessage {
    /// The SQS message id.
    pub message_id: String,
    /// Why it could not be processed.
    pub reason: String,
    /// The body exactly as received.
    pub body: String,
    /// The queue it came from (ARN), if known.
    pub source: Option<String>,
    /// SQS attributes (receive count, sent timestamp, group id, …).
    pub attributes: BTreeMap<String, String>,
    /// String message attributes.
    pub message_attributes: BTreeMap<String, String>,
    /// When it was parked (RFC 3339).
    pub parked_at: String,
}

/// Re-validates, repairs, requeues or parks dead letters.
#[derive(Debug)]
pub struct DlqProcessor<S, Q> {
    store: GuardedStore<S>,
    queue: Q,
    requeue_url: String,
    max_attempts: u32,
    delay_seconds: u32,
    retry: RetryPolicy,
}

impl<S: ObjectStore, Q: QueueSender> DlqProcessor<S, Q> {
    /// A DLQ processor parking in `store` and requeuing to `requeue_url`.
    pub fn new(
        store: GuardedStore<S>,
        queue: Q,
        requeue_url: String,
        max_attempts: u32,
        delay_seconds: u32,
    ) -> Self {
        Self {
            store,
            queue,
            requeue_url,
            max_attempts,
            delay_seconds,
            retry: RetryPolicy::default(),
        }
    }

    /// Handles one dead letter; `now` stamps a parked message (RFC 3339).
    pub async fn handle(
        &self,
        record: &SqsMessage,
        now: &str,
    ) -> Result<DlqOutcome, RecordFailure> {
        let body = record.body.as_deref().unwrap_or_default();
        let attempts = string_attribute(record, ATTEMPTS_ATTRIBUTE)
            .and_then(|text| text.parse::<u32>().ok())
            .unwrap_or(0);
        let repaired_before = string_attribute(record, REPAIRED_ATTRIBUTE).is_some();
        let strict = parse(body);
        if let Ok(order) = strict {
            if attempts >= self.max_attempts {
                let reason = format!(
                    "still failing after {attempts} requeues although the order is valid; the cause is downstream (see the order processor's logs)"
                );
                return self.park(record, reason, now).await;
            }
            let body = serde_json::to_string(&order)
                .map_err(|error| RecordFailure::transient(error.to_string()))?;
            self.requeue(record, body, attempts + 1, repaired_before)
                .await?;
            return Ok(DlqOutcome::Requeued {
                attempt: attempts + 1,
            });
        }
        let strict_error = strict
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        match repair(body) {
            Ok(Repaired::Repaired { order, repairs })
                if !repaired_before && attempts < self.max_attempts =>
            {
                let body = serde_json::to_string(&order)
                    .map_err(|error| RecordFailure::transient(error.to_string()))?;
                self.requeue(record, body, attempts + 1, true).await?;
                Ok(DlqOutcome::Repaired {
                    repairs: repairs.iter().map(ToString::to_string).collect(),
                })
            }
            Ok(Repaired::Repaired { .. }) => {
                let reason = format!(
                    "invalid order ({strict_error}); repairable, but it was repaired or requeued before and failed again"
                );
                self.park(record, reason, now).await
            }
            Ok(Repaired::Valid(_)) => {
                // `parse` rejected it but `repair` found nothing to change: the two disagree.
                self.park(record, format!("invalid order: {strict_error}"), now)
                    .await
            }
            Err(error) => {
                self.park(record, format!("invalid order: {error}"), now)
                    .await
            }
        }
    }

    async fn requeue(
        &self,
        record: &SqsMessage,
        body: String,
        attempt: u32,
        repaired: bool,
    ) -> Result<(), RecordFailure> {
        let fifo = is_fifo_url(&self.requeue_url);
        let message_id = record.message_id.clone().unwrap_or_default();
        let mut attributes = vec![(ATTEMPTS_ATTRIBUTE.to_owned(), attempt.to_string())];
        if repaired {
            attributes.push((REPAIRED_ATTRIBUTE.to_owned(), "true".to_owned()));
        }
        let message = OutgoingMessage {
            body,
            attributes,
            // FIFO queues take no per-message delay.
            delay_seconds: if fifo { 0 } else { self.delay_seconds },
            group_id: fifo.then(|| {
                record
                    .attributes
                    .get("MessageGroupId")
                    .cloned()
                    .unwrap_or_else(|| message_id.clone())
            }),
            deduplication_id: fifo.then(|| format!("{message_id}-{attempt}")),
        };
        retry(&self.retry, || {
            self.queue.send(&self.requeue_url, message.clone())
        })
        .await
        .map(drop)
        .map_err(|error| RecordFailure::transient(format!("requeue failed: {error}")))
    }

    async fn park(
        &self,
        record: &SqsMessage,
        reason: String,
        now: &str,
    ) -> Result<DlqOutcome, RecordFailure> {
        let message_id = record.message_id.clone().unwrap_or_default();
        let key = format!("{DEAD_LETTER_PREFIX}{}.json", key_segment(&message_id));
        let parked = ParkedMessage {
            message_id,
            reason: reason.clone(),
            body: record.body.clone().unwrap_or_default(),
            source: record.event_source_arn.clone(),
            attributes: record
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            message_attributes: record
                .message_attributes
                .iter()
                .filter_map(|(name, value)| {
                    value.string_value.clone().map(|text| (name.clone(), text))
                })
                .collect(),
            parked_at: now.to_owned(),
        };
        let json = serde_json::to_vec_pretty(&parked)
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        // Already parked by an earlier delivery is as good as parked now.
        self.store
            .put_if_absent(&key, &json, "application/json")
            .await
            .map_err(|error| RecordFailure::transient(format!("could not park: {error}")))?;
        Ok(DlqOutcome::Parked { key, reason })
    }
}

fn string_attribute<'a>(record: &'a SqsMessage, name: &str) -> Option<&'a str> {
    record
        .message_attributes
        .get(name)
        .and_then(|value| value.string_value.as_deref())
}
