//! The event source mapping: polls a queue, gathers a batch (batch size, batching window),
//! invokes the function, and deletes exactly the records it did not report as failed. A failed
//! invocation (error, crash, timeout) deletes nothing: the batch comes back after its
//! visibility timeout, as on Lambda.
//!
//! It polls the engine's SQS in-process ([`engine::sqs::Poller`]): the same `ReceiveMessage` and
//! `DeleteMessageBatch` on the same queues, without HTTP or signing, and under SQS's faults as
//! Lambda's pollers are (a failed receive is retried after a pause; a failed delete leaves the
//! records to come back after their visibility timeout).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::sqs::Poller;
use engine::sqs::protocol::{
    DeleteBatchEntry, DeleteMessageBatchInput, OutputMessage as Message, ReceiveMessageInput,
};
use hyper::body::Bytes;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

use super::concurrency::AccountConcurrency;
use super::worker::Worker;
use runtime::handlers::IDEMPOTENCY_ATTRIBUTE;

/// Where a mapping reads and how it batches.
#[derive(Debug, Clone)]
pub struct MappingSpec {
    pub function: String,
    pub queue_url: String,
    pub queue_arn: String,
    pub batch_size: u32,
    pub batching_window: Duration,
}

/// Counters of one mapping, shared with `gen dev`'s summary.
#[derive(Debug, Default)]
pub struct MappingStats {
    pub invocations: AtomicU64,
    pub records: AtomicU64,
    pub succeeded: AtomicU64,
    pub failed: AtomicU64,
    pub invoke_failures: AtomicU64,
    /// Records delivered again (`ApproximateReceiveCount` above 1).
    pub redelivered: AtomicU64,
    /// Invocations Lambda refused for the account's concurrency (each retried after a back-off).
    pub throttled: AtomicU64,
    /// The distinct messages that ended successfully: by their `idempotency-key` attribute, else
    /// by body digest. `succeeded` minus their number is how many were repeats.
    distinct: Mutex<HashSet<String>>,
}

impl MappingStats {
    /// How many distinct messages ended successfully.
    pub fn distinct(&self) -> u64 {
        self.distinct
            .lock()
            .map_or(0, |distinct| distinct.len() as u64)
    }

    /// Successful ends of a message already ended before (same idempotency key or body).
    pub fn repeats(&self) -> u64 {
        self.succeeded
            .load(Ordering::Relaxed)
            .saturating_sub(self.distinct())
    }

    fn record(&self, batch: &[Message], done: &[&Message]) {
        let redelivered = batch
            .iter()
            .filter(|message| {
                message
                    .attributes
                    .get("ApproximateReceiveCount")
                    .and_then(|count| count.parse::<u64>().ok())
                    .is_some_and(|count| count > 1)
            })
            .count();
        self.redelivered
            .fetch_add(redelivered as u64, Ordering::Relaxed);
        self.failed
            .fetch_add((batch.len() - done.len()) as u64, Ordering::Relaxed);
        self.succeeded
            .fetch_add(done.len() as u64, Ordering::Relaxed);
        if let Ok(mut distinct) = self.distinct.lock() {
            distinct.extend(done.iter().map(|message| identity(message)));
        }
    }
}

/// What makes two messages the same: the idempotency key the runtime puts on notifications, else
/// the body's MD5.
fn identity(message: &Message) -> String {
    message
        .message_attributes
        .get(IDEMPOTENCY_ATTRIBUTE)
        .and_then(|value| value.string_value.as_deref())
        .map_or_else(
            || format!("md5:{}", message.md5_of_body),
            |key| format!("key:{key}"),
        )
}

/// The first pause after a throttled invocation, doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// The longest pause between retries of a throttled invocation.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// Runs until `stop` turns true.
///
/// `crash_rate` of the invocations have their process killed mid-batch (fault injection). Each
/// invocation takes a slot of `account`'s concurrency; while none is free the batch waits, retried
/// with a growing back-off as Lambda's pollers do after `TooManyRequestsException`, and is never
/// deleted unprocessed (if the mapping stops meanwhile, the batch comes back after its visibility
/// timeout).
pub async fn run(
    spec: MappingSpec,
    mut worker: Worker,
    sqs: Poller,
    stats: Arc<MappingStats>,
    mut stop: watch::Receiver<bool>,
    crash_rate: f64,
    account: AccountConcurrency,
) {
    let mut rng = fastrand::Rng::new();
    while !*stop.borrow() {
        let batch = tokio::select! {
            batch = gather(&spec, &sqs) => batch,
            _ = stop.changed() => break,
        };
        if batch.is_empty() {
            continue;
        }
        let mut backoff = FIRST_BACKOFF;
        let acquired = loop {
            if let Ok(slot) = account.try_acquire() {
                break Some(slot);
            }
            stats.throttled.fetch_add(1, Ordering::Relaxed);
            tokio::select! {
                () = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => break None,
            }
            backoff = (backoff * 2).min(MAX_BACKOFF);
        };
        // Held until the batch is done.
        let Some(_slot) = acquired else {
            break;
        };
        stats.invocations.fetch_add(1, Ordering::Relaxed);
        stats
            .records
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        let event = event(&spec, &batch);
        let failed: BTreeSet<String> = if let Ok(body) = worker
            .invoke(Bytes::from(event), rng.f64() < crash_rate)
            .await
        {
            // An unreadable response fails the whole batch, as Lambda does.
            failures(&body).unwrap_or_else(|| ids(&batch))
        } else {
            stats.invoke_failures.fetch_add(1, Ordering::Relaxed);
            ids(&batch)
        };
        let done: Vec<&Message> = batch
            .iter()
            .filter(|message| !failed.contains(&message.message_id))
            .collect();
        stats.record(&batch, &done);
        delete(&sqs, &spec.queue_url, &done).await;
    }
}

/// Up to `batch_size` messages: waits (long polling) for the first, then keeps gathering for the
/// batching window or until the batch is full.
async fn gather(spec: &MappingSpec, sqs: &Poller) -> Vec<Message> {
    let mut batch = Vec::new();
    let mut deadline: Option<Instant> = None;
    let limit = spec.batch_size.max(1) as usize;
    while batch.len() < limit {
        let remaining = deadline.map(|deadline| deadline.saturating_duration_since(Instant::now()));
        if remaining == Some(Duration::ZERO) {
            break;
        }
        let wait = remaining.map_or(2, |remaining| remaining.as_secs().min(20));
        let wanted = (limit - batch.len()).min(10);
        let received = sqs
            .receive(ReceiveMessageInput {
                queue_url: spec.queue_url.clone(),
                attribute_names: Vec::new(),
                message_system_attribute_names: vec!["All".to_owned()],
                message_attribute_names: vec!["All".to_owned()],
                max_number_of_messages: Some(i64::try_from(wanted).unwrap_or(10)),
                visibility_timeout: None,
                wait_time_seconds: Some(i64::try_from(wait).unwrap_or(0)),
            })
            .await;
        let Ok(output) = received else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            return batch;
        };
        let messages = output.messages;
        if messages.is_empty() {
            if batch.is_empty() {
                return batch;
            }
            if deadline.is_none() {
                break;
            }
            continue;
        }
        batch.extend(messages);
        if deadline.is_none() {
            if spec.batching_window.is_zero() {
                break;
            }
            deadline = Some(Instant::now() + spec.batching_window);
        }
    }
    batch
}

/// The `SqsEvent` Lambda would send, as JSON.
fn event(spec: &MappingSpec, batch: &[Message]) -> Vec<u8> {
    let event = SqsEvent {
        records: batch
            .iter()
            .map(|message| SqsRecord {
                message_id: &message.message_id,
                receipt_handle: &message.receipt_handle,
                body: &message.body,
                attributes: &message.attributes,
                message_attributes: message
                    .message_attributes
                    .iter()
                    .map(|(name, value)| {
                        (
                            name.as_str(),
                            RecordAttribute {
                                string_value: value.string_value.as_deref(),
                                binary_value: value.binary_value.as_deref(),
                                string_list_values: [],
                                binary_list_values: [],
                                data_type: &value.data_type,
                            },
                        )
                    })
                    .collect(),
                md5_of_body: &message.md5_of_body,
                md5_of_message_attributes: message.md5_of_message_attributes.as_deref(),
                event_source: "aws:sqs",
                event_source_arn: &spec.queue_arn,
                aws_region: "us-east-1",
            })
            .collect(),
    };
    serde_json::to_vec(&event).expect("plain data serialises")
}

/// Lambda's SQS event (the shape `aws_lambda_events::sqs::SqsEvent` reads).
#[derive(Serialize)]
struct SqsEvent<'a> {
    #[serde(rename = "Records")]
    records: Vec<SqsRecord<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SqsRecord<'a> {
    message_id: &'a str,
    receipt_handle: &'a str,
    body: &'a str,
    attributes: &'a BTreeMap<String, String>,
    message_attributes: BTreeMap<&'a str, RecordAttribute<'a>>,
    md5_of_body: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    md5_of_message_attributes: Option<&'a str>,
    event_source: &'static str,
    #[serde(rename = "eventSourceARN")]
    event_source_arn: &'a str,
    aws_region: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordAttribute<'a> {
    string_value: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    binary_value: Option<&'a str>,
    string_list_values: [&'a str; 0],
    binary_list_values: [&'a str; 0],
    data_type: &'a str,
}

/// The ids in `batchItemFailures`, or `None` if the response is not a batch response.
fn failures(body: &[u8]) -> Option<BTreeSet<String>> {
    let response: Value = serde_json::from_slice(body).ok()?;
    let failures = response.get("batchItemFailures")?.as_array()?;
    failures
        .iter()
        .map(|failure| failure.get("itemIdentifier")?.as_str().map(str::to_owned))
        .collect()
}

fn ids(batch: &[Message]) -> BTreeSet<String> {
    batch
        .iter()
        .map(|message| message.message_id.clone())
        .collect()
}

/// Deletes `done` in batches of ten; a failed delete leaves its records to come back after their
/// visibility timeout, as on Lambda.
async fn delete(sqs: &Poller, queue_url: &str, done: &[&Message]) {
    for chunk in done.chunks(10) {
        let input = DeleteMessageBatchInput {
            queue_url: queue_url.to_owned(),
            entries: chunk
                .iter()
                .enumerate()
                .map(|(index, message)| DeleteBatchEntry {
                    id: index.to_string(),
                    receipt_handle: message.receipt_handle.clone(),
                })
                .collect(),
        };
        if input.entries.is_empty() {
            continue;
        }
        let _ = sqs.delete_batch(&input).await;
    }
}
