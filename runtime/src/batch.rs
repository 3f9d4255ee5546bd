//! Partial batch failure: process the records of an SQS event concurrently (bounded) and
//! answer with exactly the ids of the records that failed.
//!
//! Standard queues: any order, at most `concurrency` records in flight. FIFO queues: records of
//! one message group run one after another, in order, and once one fails the rest of its group
//! fails without running — SQS redelivers them in order after the failed one. Groups run
//! concurrently with each other.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsMessage};
use futures_util::stream::{self, StreamExt};

use crate::problem::Problem;

/// Why one record (or API request) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// What kind of failure, for metrics.
    pub kind: FailureKind,
    /// A precise, human-readable reason, logged with the message id.
    pub reason: String,
    /// Invalid messages: each problem with its JSON pointer (an API answers `400` with them).
    pub problems: Vec<Problem>,
    /// Transient failures: a dependency throttled the call (an API answers `429`, not `503`).
    pub throttled: bool,
    /// Transient failures: when a retry may succeed, if known (an API's `Retry-After`).
    pub retry_after: Option<Duration>,
}

/// The kinds of failure a record can end in; logged as `invalid`, `transient` or `blocked`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The message itself is bad; retries will fail the same way (the DLQ processor decides).
    Invalid,
    /// A dependency failed; a retry may succeed.
    Transient,
    /// Skipped: an earlier record of the same FIFO group failed.
    Blocked,
}

impl RecordFailure {
    /// A failure of `kind` with `reason`.
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
            problems: Vec::new(),
            throttled: false,
            retry_after: None,
        }
    }

    /// A bad message.
    pub fn invalid(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::Invalid, reason)
    }

    /// A bad message, with each of its problems and where it is.
    pub fn invalid_with(reason: impl Into<String>, problems: Vec<Problem>) -> Self {
        Self {
            problems,
            ..Self::invalid(reason)
        }
    }

    /// A failed dependency.
    pub fn transient(reason: impl Into<String>) -> Self {
        Self::new(FailureKind::Transient, reason)
    }

    /// A dependency that throttled the call: transient; a retry may succeed after `retry_after`.
    pub fn throttled(reason: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            throttled: true,
            retry_after,
            ..Self::transient(reason)
        }
    }

    /// This failure, saying a retry may succeed after `retry_after`.
    #[must_use]
    pub fn retry_after(self, retry_after: Duration) -> Self {
        Self {
            retry_after: Some(retry_after),
            ..self
        }
    }
}

impl fmt::Display for RecordFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

/// How a batch is processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// Records (standard) or groups (FIFO) in flight at once; at least 1.
    pub concurrency: usize,
    /// Keep per-group order and stop a group at its first failure.
    pub fifo: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            concurrency: 10,
            fifo: false,
        }
    }
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordResult<T> {
    /// The SQS message id (empty if the event lacked one).
    pub message_id: String,
    /// The handler's outcome, or why the record failed.
    pub outcome: Result<T, RecordFailure>,
}

impl<T> RecordResult<T> {
    /// Whether the record failed as invalid: a retry cannot mend it.
    pub fn is_invalid(&self) -> bool {
        self.outcome
            .as_ref()
            .is_err_and(|failure| failure.kind == FailureKind::Invalid)
    }
}

/// The outcome of a whole batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchReport<T> {
    /// One entry per record, in the order of the event.
    pub results: Vec<RecordResult<T>>,
}

impl<T> BatchReport<T> {
    /// The response Lambda expects with `ReportBatchItemFailures`: the failed message ids.
    pub fn response(&self) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for result in &self.results {
            if result.outcome.is_err() {
                response.add_failure(result.message_id.clone());
            }
        }
        response
    }

    /// The records that failed as invalid: a retry cannot mend them (not transient failures,
    /// not FIFO records blocked behind an earlier failure of their group).
    pub fn invalid(&self) -> impl Iterator<Item = &RecordResult<T>> {
        self.results.iter().filter(|result| result.is_invalid())
    }

    /// How many records failed.
    pub fn failed(&self) -> usize {
        self.results
            .iter()
            .filter(|result| result.outcome.is_err())
            .count()
    }
}

/// Processes `records` with `handle`, concurrently within the bounds of `options`. `handle`
/// takes each record by value, so its future may hold it across awaits.
///
/// `handle` runs on the caller's task (no spawning), so it need not be `'static`; its futures
/// are polled together, which is what I/O-bound handlers want.
pub async fn process_batch<T, F, Fut>(
    records: Vec<SqsMessage>,
    options: BatchOptions,
    handle: F,
) -> BatchReport<T>
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<T, RecordFailure>>,
{
    process_batch_with(records, options, handle, |_| {}).await
}

/// [`process_batch`], calling `finished` with each record's result as soon as it ends (a FIFO
/// record blocked by an earlier failure of its group ends when that failure is known): what
/// logs one line per record while the batch is still running.
pub async fn process_batch_with<T, F, Fut, D>(
    records: Vec<SqsMessage>,
    options: BatchOptions,
    handle: F,
    finished: D,
) -> BatchReport<T>
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<T, RecordFailure>>,
    D: Fn(&RecordResult<T>),
{
    let concurrency = options.concurrency.max(1);
    let count = records.len();
    let mut slots: Vec<Option<RecordResult<T>>> = (0..count).map(|_| None).collect();
    let indexed: Vec<(usize, SqsMessage)> = records.into_iter().enumerate().collect();
    let run = Run {
        handle: &handle,
        finished: &finished,
    };
    if options.fifo {
        let groups = group_in_order(indexed);
        let finished: Vec<Vec<(usize, RecordResult<T>)>> = stream::iter(groups)
            .map(|(group, records)| run.group(group, records))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for (index, result) in finished.into_iter().flatten() {
            slots[index] = Some(result);
        }
    } else {
        let finished: Vec<(usize, RecordResult<T>)> = stream::iter(indexed)
            .map(|(index, record)| async move { (index, run.one(record).await) })
            .buffer_unordered(concurrency)
            .collect()
            .await;
        for (index, result) in finished {
            slots[index] = Some(result);
        }
    }
    BatchReport {
        results: slots.into_iter().flatten().collect(),
    }
}

/// The record handler and the callback told of each result.
struct Run<'a, F, D> {
    handle: &'a F,
    finished: &'a D,
}

impl<F, D> Clone for Run<'_, F, D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<F, D> Copy for Run<'_, F, D> {}

impl<F, D> Run<'_, F, D> {
    async fn one<T, Fut>(self, record: SqsMessage) -> RecordResult<T>
    where
        F: Fn(SqsMessage) -> Fut,
        Fut: Future<Output = Result<T, RecordFailure>>,
        D: Fn(&RecordResult<T>),
    {
        let message_id = record.message_id.clone().unwrap_or_default();
        let result = RecordResult {
            message_id,
            outcome: (self.handle)(record).await,
        };
        (self.finished)(&result);
        result
    }

    async fn group<T, Fut>(
        self,
        group: String,
        records: Vec<(usize, SqsMessage)>,
    ) -> Vec<(usize, RecordResult<T>)>
    where
        F: Fn(SqsMessage) -> Fut,
        Fut: Future<Output = Result<T, RecordFailure>>,
        D: Fn(&RecordResult<T>),
    {
        let mut results = Vec::with_capacity(records.len());
        let mut failed_at: Option<String> = None;
        for (index, record) in records {
            let result = match &failed_at {
                Some(first) => {
                    let blocked = RecordResult {
                        message_id: record.message_id.clone().unwrap_or_default(),
                        outcome: Err(RecordFailure::new(
                            FailureKind::Blocked,
                            format!(
                                "not processed: message {first} of group `{group}` failed before it"
                            ),
                        )),
                    };
                    (self.finished)(&blocked);
                    blocked
                }
                None => self.one(record).await,
            };
            if failed_at.is_none() && result.outcome.is_err() {
                failed_at = Some(result.message_id.clone());
            }
            results.push((index, result));
        }
        results
    }
}

/// Records by `MessageGroupId`, groups in order of first appearance, records in event order.
fn group_in_order(records: Vec<(usize, SqsMessage)>) -> Vec<(String, Vec<(usize, SqsMessage)>)> {
    let mut order: Vec<(String, Vec<(usize, SqsMessage)>)> = Vec::new();
    let mut position: HashMap<String, usize> = HashMap::new();
    for (index, record) in records {
        let group = record
            .attributes
            .get("MessageGroupId")
            .cloned()
            .unwrap_or_default();
        let slot = *position.entry(group.clone()).or_insert_with(|| {
            order.push((group, Vec::new()));
            order.len() - 1
        });
        order[slot].1.push((index, record));
    }
    order
}
