//! Requests and quantities a month, derived from the resolved pipeline: messages along every
//! edge (sends, batched receives and deletes, redrives, requeues), invocations and GB-seconds,
//! S3 writes and storage, log bytes. Pure: no prices here.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::assumptions::{Assumptions, SECONDS_PER_MONTH};
use super::log_lines::{LineSizes, runtime_line_sizes};
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::pipeline::Function;

/// Monthly usage of every resource of a pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub queues: BTreeMap<String, QueueUsage>,
    pub functions: BTreeMap<String, FunctionUsage>,
    pub buckets: BTreeMap<String, BucketUsage>,
}

/// One queue's messages and SQS requests a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueUsage {
    /// Messages that arrive (sent, requeued or redriven).
    pub arrivals: Decimal,
    /// Messages its consumer handles in the end.
    pub successes: Decimal,
    /// Messages that fail every receive and move to the dead-letter queue.
    pub failures: Decimal,
    /// `SendMessage` requests (redrives are not requests).
    pub sends: Decimal,
    /// Messages per batch the consumer receives.
    pub effective_batch: Decimal,
    /// `ReceiveMessage` requests that return messages.
    pub receives: Decimal,
    /// `DeleteMessageBatch` requests.
    pub deletes: Decimal,
    /// Empty long polls of the event source mapping.
    pub idle_receives: Decimal,
}

impl QueueUsage {
    /// Every billed SQS request.
    pub fn requests(&self) -> Decimal {
        self.sends + self.receives + self.deletes + self.idle_receives
    }
}

/// One function's invocations and compute a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionUsage {
    /// Records delivered (a failing record counts once per receive).
    pub records: Decimal,
    pub invocations: Decimal,
    pub gb_seconds: Decimal,
    /// Log bytes ingested.
    pub log_bytes: Decimal,
    /// Log bytes held on average under the log group's retention.
    pub log_bytes_stored: Decimal,
    /// Billed milliseconds per invocation.
    pub batch_ms: u64,
    /// Whether `batch_ms` and `log_sizes` were measured by `gen dev`.
    pub measured: bool,
    /// Bytes per record line and per invocation.
    pub log_sizes: LineSizes,
}

/// One bucket's writes and storage a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BucketUsage {
    pub puts: Decimal,
    /// Bytes held once expiry balances writes (or after 12 months without expiry).
    pub bytes_stored: Decimal,
}

/// The months a bucket without `expire_after` is assumed to grow for.
const MONTHS_WITHOUT_EXPIRY: u64 = 12;

/// Derives the monthly usage of `pipeline` under `assumptions`.
pub fn derive(pipeline: &Pipeline, assumptions: &Assumptions) -> Usage {
    let mut usage = Usage::default();
    let orders = Decimal::from(assumptions.orders_per_month);
    for queue in entry_queues(pipeline) {
        let mut flow = Flow {
            pipeline,
            assumptions,
            usage: &mut usage,
        };
        flow.arrive(&queue, orders, Decimal::ZERO, true, 0);
    }
    for (name, queue) in &mut usage.queues {
        if let Some(function) = pipeline.consumer_of(name) {
            let max_receives = pipeline.queues[name]
                .redrive
                .as_ref()
                .map_or(1, |redrive| redrive.max_receive_count);
            batch(queue, function, max_receives, assumptions);
            let records = queue.successes + queue.failures * Decimal::from(max_receives);
            usage.functions.insert(
                function.name.clone(),
                compute(
                    &pipeline.name,
                    function,
                    records,
                    queue.receives,
                    assumptions,
                ),
            );
        }
    }
    for function in pipeline.functions.values() {
        usage.functions.entry(function.name.clone()).or_default();
    }
    for (name, bucket) in &pipeline.buckets {
        let entry = usage.buckets.entry(name.clone()).or_default();
        let months = bucket
            .expire_after
            .map_or(Decimal::from(MONTHS_WITHOUT_EXPIRY), |expiry| {
                Decimal::from(expiry.as_secs()) / Decimal::from(SECONDS_PER_MONTH)
            });
        entry.bytes_stored = entry.puts * Decimal::from(assumptions.object_bytes) * months;
    }
    usage
}

/// Queues orders enter: neither a dead-letter queue nor a function's `notify`.
fn entry_queues(pipeline: &Pipeline) -> Vec<String> {
    pipeline
        .queues
        .keys()
        .filter(|name| pipeline.sources_of(name).next().is_none())
        .filter(|name| {
            !pipeline
                .functions
                .values()
                .any(|function| function.writes.notify.as_deref() == Some(name.as_str()))
        })
        .cloned()
        .collect()
}

/// Messages travelling through the pipeline, accumulated into `usage`.
struct Flow<'a> {
    pipeline: &'a Pipeline,
    assumptions: &'a Assumptions,
    usage: &'a mut Usage,
}

impl Flow<'_> {
    /// `fresh` messages (which may fail) and `repaired` ones (which do not) arrive at `queue`;
    /// `sent` when they come by `SendMessage` rather than by redrive.
    fn arrive(&mut self, queue: &str, fresh: Decimal, repaired: Decimal, sent: bool, depth: usize) {
        let Some(config) = self.pipeline.queues.get(queue) else {
            return;
        };
        // A notify cycle would never end; no pipeline has more hops than twice its queues.
        if depth > 2 * self.pipeline.queues.len() {
            return;
        }
        let consumer = self.pipeline.consumer_of(queue);
        let failures = match (&config.redrive, consumer) {
            (Some(_), Some(_)) => fresh * self.assumptions.failure_rate,
            _ => Decimal::ZERO,
        };
        let successes = if consumer.is_some() {
            fresh + repaired - failures
        } else {
            Decimal::ZERO
        };
        let entry = self.usage.queues.entry(queue.to_owned()).or_default();
        entry.arrivals += fresh + repaired;
        if sent {
            entry.sends += fresh + repaired;
        }
        entry.failures += failures;
        entry.successes += successes;
        if let (Some(redrive), true) = (&config.redrive, failures > Decimal::ZERO) {
            self.arrive(
                &redrive.dead_letter,
                failures,
                Decimal::ZERO,
                false,
                depth + 1,
            );
        }
        if let Some(function) = consumer {
            self.handled(function, successes, depth);
        }
    }

    /// What `function` writes for the `successes` it handled.
    fn handled(&mut self, function: &Function, successes: Decimal, depth: usize) {
        let writes = &function.writes;
        let requeued = match (&function.handler, &writes.requeue) {
            (HandlerKind::DlqProcessor, Some(target)) => {
                let requeued = successes * self.assumptions.repairable_share;
                self.arrive(target, Decimal::ZERO, requeued, true, depth + 1);
                requeued
            }
            _ => Decimal::ZERO,
        };
        if let Some(bucket) = &writes.bucket {
            self.usage.buckets.entry(bucket.clone()).or_default().puts += successes - requeued;
        }
        if let Some(notify) = &writes.notify {
            self.arrive(notify, successes, Decimal::ZERO, true, depth + 1);
        }
    }
}

/// Fills in the batches of a consumed queue: effective batch size, receives, deletes, idle polls.
fn batch(
    queue: &mut QueueUsage,
    function: &Function,
    max_receives: u32,
    assumptions: &Assumptions,
) {
    let Some(trigger) = function.trigger.queue() else {
        return;
    };
    let window = Decimal::from(trigger.batching_window.as_secs().max(1));
    let per_window = (queue.arrivals * window / Decimal::from(SECONDS_PER_MONTH)).floor();
    queue.effective_batch = per_window.clamp(Decimal::ONE, Decimal::from(trigger.batch_size));
    let deliveries = queue.successes + queue.failures * Decimal::from(max_receives);
    queue.receives = deliveries / queue.effective_batch;
    queue.deletes = queue.successes / queue.effective_batch;
    queue.idle_receives = Decimal::from(
        assumptions.pollers_per_mapping
            * (SECONDS_PER_MONTH / assumptions.long_poll_seconds.max(1)),
    );
}

/// A function's compute and logs for `records` delivered in `invocations` batches.
fn compute(
    pipeline: &str,
    function: &Function,
    records: Decimal,
    invocations: Decimal,
    assumptions: &Assumptions,
) -> FunctionUsage {
    let measured = assumptions
        .measured
        .as_ref()
        .and_then(|measured| measured.functions.get(&function.name));
    let batch_ms = measured.map_or(assumptions.batch_duration_ms, |m| m.p50_ms);
    let log_sizes = match (assumptions.log_line_sizes, measured) {
        (Some(sizes), _) => sizes,
        (None, Some(measured)) => measured.log,
        (None, None) => runtime_line_sizes(pipeline, &function.name),
    };
    let seconds = Decimal::from(batch_ms) / Decimal::from(1000);
    let gigabytes = Decimal::from(function.memory_mb) / Decimal::from(1024);
    let log_bytes = records * Decimal::from(log_sizes.per_record)
        + invocations * Decimal::from(log_sizes.per_invocation);
    let retention_months = Decimal::from(function.log_retention_days) * Decimal::from(86_400)
        / Decimal::from(SECONDS_PER_MONTH);
    FunctionUsage {
        records,
        invocations,
        gb_seconds: invocations * seconds * gigabytes,
        log_bytes,
        log_bytes_stored: log_bytes * retention_months,
        batch_ms,
        measured: measured.is_some(),
        log_sizes,
    }
}
