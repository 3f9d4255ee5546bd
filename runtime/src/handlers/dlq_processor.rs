//! DLQ processor: re-validate each dead letter and end it in exactly one state.
//!
//! - still valid (its failure was transient) → requeued with a delay, at most `max_attempts`
//!   times per order, then parked;
//! - repairable (numeric strings, promo casing, whitespace) → repaired and requeued once; a
//!   repairable message of an order that was repaired before is parked;
//! - anything else → parked under `dead-letters/` with its reason and original body.
//!
//! The count that bounds requeues is kept in the bucket, not in the message: each requeue of an
//! order claims `requeues/<order>/<n>.json` (a conditional put), and a repair claims
//! `requeues/<order>/repaired.json`. Whoever sends to the queue can set message attributes, but
//! not write the bucket, so no sender can reset the bound. (A requeue whose send fails after the
//! claim uses up that attempt: the bound errs towards parking, never towards looping.)

use serde::{Deserialize, Serialize};

use super::park::park;
use super::{
    ATTEMPTS_ATTRIBUTE, GuardedStore, REPAIRED_ATTRIBUTE, REQUEUE_PREFIX, bounded_key, key_segment,
};
use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::handler::{Done, Handler, RawBody, RecordContext};
use crate::order::{Order, Repaired, parse, repair};
use crate::ports::{ObjectStore, OutgoingMessage, PutOutcome, QueueSender, is_fifo_url};
use crate::resilience::{RetryPolicy, retry};
use crate::startup::{Ports, Startup};
use crate::telemetry::{BatchMetrics, Outcome};

/// How a dead letter ended; on its record line, `outcome` is `requeued`, `repaired` or `parked`
/// and the fields are the line's detail fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum DlqOutcome {
    /// Valid as it was: sent back for another try.
    Requeued {
        /// Requeues of this order so far, this one included.
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

impl Done for DlqOutcome {
    fn outcome(&self) -> Outcome {
        Outcome::DeadLetter(self.clone())
    }

    fn count(&self, metrics: &mut BatchMetrics) {
        metrics.written += 1;
        match self {
            DlqOutcome::Requeued { .. } => metrics.requeued += 1,
            DlqOutcome::Repaired { .. } => metrics.repaired += 1,
            DlqOutcome::Parked { .. } => metrics.parked += 1,
        }
    }
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

    /// Reads `BUCKET_NAME`, `REQUEUE_QUEUE_URL`, `REQUEUE_MAX_ATTEMPTS` (default 3) and
    /// `REQUEUE_DELAY_SECONDS` (default 60).
    pub fn build<P: Ports<Store = S, Queue = Q>>(
        startup: &Startup<P>,
    ) -> Result<Self, ConfigError> {
        let variables = startup.variables();
        let bucket = variables.require(
            vars::BUCKET_NAME,
            "the DLQ processor parks messages in this bucket",
        )?;
        let requeue_url = variables.require(
            vars::REQUEUE_QUEUE_URL,
            "the DLQ processor requeues repaired orders to this queue",
        )?;
        Ok(Self::new(
            startup.guarded_store(&bucket),
            startup.queue(),
            requeue_url,
            variables.number(vars::REQUEUE_MAX_ATTEMPTS, 3, 1..=10)?,
            variables.number(vars::REQUEUE_DELAY_SECONDS, 60, 0..=900)?,
        ))
    }

    /// Claims the next requeue of `order_id` in the bucket: `Some(n)` for the n-th, `None` when
    /// all `max_attempts` are used.
    async fn claim_attempt(
        &self,
        order_id: &str,
        record: &RecordContext<'_>,
    ) -> Result<Option<u32>, RecordFailure> {
        for attempt in 1..=self.max_attempts {
            let key = format!("{REQUEUE_PREFIX}{}/{attempt}.json", key_segment(order_id));
            if self.claim(&key, record).await? == PutOutcome::Created {
                return Ok(Some(attempt));
            }
        }
        Ok(None)
    }

    async fn claim(
        &self,
        key: &str,
        record: &RecordContext<'_>,
    ) -> Result<PutOutcome, RecordFailure> {
        let claim = serde_json::json!({ "message_id": record.message_id(), "at": record.now() });
        self.store
            .put_if_absent(key, claim.to_string().as_bytes(), "application/json")
            .await
            .map_err(|error| RecordFailure::transient(format!("requeue record: {error}")))
    }

    async fn requeue(
        &self,
        record: &RecordContext<'_>,
        order: &Order,
        attempt: u32,
        repaired: bool,
    ) -> Result<(), RecordFailure> {
        let body = serde_json::to_string(order)
            .map_err(|error| RecordFailure::transient(error.to_string()))?;
        let fifo = is_fifo_url(&self.requeue_url);
        let message_id = record.message_id().to_owned();
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
                    .attribute("MessageGroupId")
                    .map_or_else(|| message_id.clone(), str::to_owned)
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
        record: &RecordContext<'_>,
        reason: String,
    ) -> Result<DlqOutcome, RecordFailure> {
        let key = park(&self.store, record, reason.clone()).await?;
        Ok(DlqOutcome::Parked { key, reason })
    }
}

impl<S, Q> Handler for DlqProcessor<S, Q>
where
    S: ObjectStore + 'static,
    Q: QueueSender + 'static,
{
    const NAME: &'static str = "dlq_processor";
    type Message = RawBody;
    type Done = DlqOutcome;

    async fn handle(
        &self,
        RawBody(body): RawBody,
        record: &RecordContext<'_>,
    ) -> Result<DlqOutcome, RecordFailure> {
        let strict = parse(&body);
        if let Ok(order) = strict {
            if let Err(reason) = bounded_key(
                format!("{REQUEUE_PREFIX}{}/", key_segment(order.order_id())),
                order.order_id(),
            ) {
                return self.park(record, reason).await;
            }
            let Some(attempt) = self.claim_attempt(order.order_id(), record).await? else {
                let reason = format!(
                    "still failing after {} requeues although the order is valid; the cause is downstream (see the order processor's logs)",
                    self.max_attempts
                );
                return self.park(record, reason).await;
            };
            self.requeue(record, &order, attempt, false).await?;
            return Ok(DlqOutcome::Requeued { attempt });
        }
        let strict_error = strict
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        match repair(&body) {
            Ok(Repaired::Repaired { order, repairs }) => {
                let order_id = order.order_id();
                let marker = match bounded_key(
                    format!("{REQUEUE_PREFIX}{}/repaired.json", key_segment(order_id)),
                    order_id,
                ) {
                    Ok(marker) => marker,
                    Err(reason) => return self.park(record, reason).await,
                };
                if self.claim(&marker, record).await? == PutOutcome::AlreadyExists {
                    let reason = format!(
                        "invalid order ({strict_error}); repairable, but it was repaired or requeued before and failed again"
                    );
                    return self.park(record, reason).await;
                }
                self.requeue(record, &order, 1, true).await?;
                Ok(DlqOutcome::Repaired {
                    repairs: repairs.iter().map(ToString::to_string).collect(),
                })
            }
            Ok(Repaired::Valid(_)) => {
                // `parse` rejected it but `repair` found nothing to change: the two disagree.
                self.park(record, format!("invalid order: {strict_error}"))
                    .await
            }
            Err(error) => self.park(record, format!("invalid order: {error}")).await,
        }
    }
}
