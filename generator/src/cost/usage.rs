//! Requests and quantities a month, derived from the resolved pipeline: API requests per route,
//! messages along every edge (sends, batched receives and deletes, redrives, requeues),
//! invocations and GB-seconds, S3 writes and storage, DynamoDB writes and storage, events, emails,
//! log bytes. Pure: no prices here.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::assumptions::{Assumptions, SECONDS_PER_MONTH};
use super::log_lines::{LineSizes, access_log_line_bytes, runtime_line_sizes};
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::pipeline::Function;

/// Monthly usage of every resource of a pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub queues: BTreeMap<String, QueueUsage>,
    pub functions: BTreeMap<String, FunctionUsage>,
    pub buckets: BTreeMap<String, BucketUsage>,
    pub apis: BTreeMap<String, ApiUsage>,
    pub tables: BTreeMap<String, TableUsage>,
    pub buses: BTreeMap<String, BusUsage>,
    /// Emails sent through SES.
    pub emails: Decimal,
}

/// One HTTP API's requests a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiUsage {
    /// Requests, one per order on each route, by route key (`POST /orders`).
    pub routes: BTreeMap<String, Decimal>,
    /// Billed requests: each request is metered in 512 KB increments.
    pub metered: Decimal,
    /// Access log bytes ingested (one line per request).
    pub log_bytes: Decimal,
    /// Access log bytes held on average under the log group's retention.
    pub log_bytes_stored: Decimal,
    /// Bytes of one access log line.
    pub log_line_bytes: u64,
}

impl ApiUsage {
    /// Every request the API serves.
    pub fn requests(&self) -> Decimal {
        self.routes.values().copied().sum()
    }
}

/// One EventBridge bus's events a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BusUsage {
    /// Events published to it (`PutEvents` entries).
    pub events: Decimal,
    /// Billed events: each entry is metered in 64 KB chunks.
    pub metered: Decimal,
}

/// One DynamoDB table's requests and storage a month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableUsage {
    /// Items created.
    pub items: Decimal,
    /// Write requests (puts and updates, conditional ones included).
    pub writes: Decimal,
    /// Write request units: each write of an item up to 1 KB is one.
    pub write_units: Decimal,
    /// Bytes held (with DynamoDB's 100 bytes of overhead per item) after 12 months of growth.
    pub bytes_stored: Decimal,
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

/// The months a bucket without `expire_after`, or a table, is assumed to grow for.
pub const MONTHS_WITHOUT_EXPIRY: u64 = 12;

/// Bytes DynamoDB adds to each item's size for its indexing, in storage (not in request units).
pub const DYNAMODB_ITEM_OVERHEAD_BYTES: u64 = 100;

/// The increment API Gateway meters an HTTP API request in: 512 KB.
pub const API_METERING_BYTES: u64 = 512 * 1024;

/// The chunk EventBridge meters a published event in: 64 KB.
pub const EVENTBRIDGE_METERING_BYTES: u64 = 64 * 1024;

/// Derives the monthly usage of `pipeline` under `assumptions`.
pub fn derive(pipeline: &Pipeline, assumptions: &Assumptions) -> Usage {
    let mut usage = Usage::default();
    let orders = Decimal::from(assumptions.orders_per_month);
    routes(pipeline, assumptions, &mut usage, orders);
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
                    assumptions.batch_duration_ms,
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
    for (name, table) in &mut usage.tables {
        if !pipeline.tables.contains_key(name) {
            continue;
        }
        table.bytes_stored = table.items
            * Decimal::from(assumptions.item_bytes + DYNAMODB_ITEM_OVERHEAD_BYTES)
            * Decimal::from(MONTHS_WITHOUT_EXPIRY);
    }
    for name in pipeline.tables.keys() {
        usage.tables.entry(name.clone()).or_default();
    }
    for name in pipeline.buses.keys() {
        usage.buses.entry(name.clone()).or_default();
    }
    usage
}

/// Orders entering over API routes: one request per order on every route, one invocation per
/// request of the route's function, whose writes carry the orders on.
fn routes(pipeline: &Pipeline, assumptions: &Assumptions, usage: &mut Usage, orders: Decimal) {
    let metered_per_request = Decimal::from(
        assumptions
            .request_bytes
            .div_ceil(API_METERING_BYTES)
            .max(1),
    );
    for api in pipeline.apis.values() {
        let retention_days = pipeline
            .routes_of(&api.name)
            .map(|(function, _)| function.log_retention_days)
            .max()
            .unwrap_or(crate::config::resolve::DEFAULT_LOG_RETENTION_DAYS);
        let mut api_usage = ApiUsage::default();
        for (function, route) in pipeline.routes_of(&api.name) {
            let line_bytes = access_log_line_bytes(&route.route_key());
            api_usage.log_line_bytes = api_usage.log_line_bytes.max(line_bytes);
            api_usage.log_bytes += orders * Decimal::from(line_bytes);
            api_usage.routes.insert(route.route_key(), orders);
            usage.functions.insert(
                function.name.clone(),
                compute(
                    &pipeline.name,
                    function,
                    orders,
                    orders,
                    assumptions.request_duration_ms,
                    assumptions,
                ),
            );
            let mut flow = Flow {
                pipeline,
                assumptions,
                usage,
            };
            flow.handled(function, orders, 0);
        }
        let requests = api_usage.requests();
        api_usage.metered = requests * metered_per_request;
        api_usage.log_bytes_stored = api_usage.log_bytes * retention_months(retention_days);
        usage.apis.insert(api.name.clone(), api_usage);
    }
}

/// The share of a month's logs held on average under a retention of `days`.
fn retention_months(days: u32) -> Decimal {
    Decimal::from(days) * Decimal::from(86_400) / Decimal::from(SECONDS_PER_MONTH)
}

/// Queues orders enter: neither a dead-letter queue, a function's `notify` or `enqueue`, nor a
/// rule's target or its dead-letter queue (an API pipeline's orders enter at its routes).
fn entry_queues(pipeline: &Pipeline) -> Vec<String> {
    let delivered_to = |name: &str| {
        pipeline
            .buses
            .values()
            .flat_map(|bus| bus.rules.values())
            .flat_map(|rule| &rule.targets)
            .any(|target| target.queue == name || target.dead_letter.as_deref() == Some(name))
    };
    pipeline
        .queues
        .keys()
        .filter(|name| pipeline.sources_of(name).next().is_none())
        .filter(|name| {
            !pipeline.functions.values().any(|function| {
                function.writes.notify.as_deref() == Some(name.as_str())
                    || function.writes.enqueue.as_deref() == Some(name.as_str())
            })
        })
        .filter(|name| !delivered_to(name))
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
        if let Some(enqueue) = &writes.enqueue {
            self.arrive(enqueue, successes, Decimal::ZERO, true, depth + 1);
        }
        if let Some(table) = &writes.table {
            let writes_per_record = match function.handler {
                // The conditional put, then with email the claim and the `sent` record.
                HandlerKind::OrderStore if writes.email => 3,
                _ => 1,
            };
            let writes = successes * Decimal::from(writes_per_record);
            let units_per_write = Decimal::from(self.assumptions.item_bytes.div_ceil(1024).max(1));
            let entry = self.usage.tables.entry(table.clone()).or_default();
            entry.items += successes;
            entry.writes += writes;
            entry.write_units += writes * units_per_write;
        }
        if writes.email {
            self.usage.emails += successes;
        }
        if let Some(bus) = &writes.events {
            self.publish(bus, successes, depth);
        }
    }

    /// `events` published to `bus`. Every rule is taken to match each of them (an upper bound:
    /// a narrower pattern's queue and consumer cost less), and every delivery succeeds, so each
    /// target queue receives them all by `SendMessage` and the targets' dead-letter queues none.
    fn publish(&mut self, bus: &str, events: Decimal, depth: usize) {
        let pipeline = self.pipeline;
        let Some(config) = pipeline.buses.get(bus) else {
            return;
        };
        let chunks = self
            .assumptions
            .event_bytes
            .div_ceil(EVENTBRIDGE_METERING_BYTES)
            .max(1);
        let entry = self.usage.buses.entry(bus.to_owned()).or_default();
        entry.events += events;
        entry.metered += events * Decimal::from(chunks);
        for target in config.rules.values().flat_map(|rule| &rule.targets) {
            self.arrive(&target.queue, events, Decimal::ZERO, true, depth + 1);
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

/// A function's compute and logs for `records` delivered in `invocations` batches, each billed
/// `default_ms` unless `gen dev` measured the function.
fn compute(
    pipeline: &str,
    function: &Function,
    records: Decimal,
    invocations: Decimal,
    default_ms: u64,
    assumptions: &Assumptions,
) -> FunctionUsage {
    let measured = assumptions
        .measured
        .as_ref()
        .and_then(|measured| measured.functions.get(&function.name));
    let batch_ms = measured.map_or(default_ms, |m| m.p50_ms);
    let log_sizes = match (assumptions.log_line_sizes, measured) {
        (Some(sizes), _) => sizes,
        (None, Some(measured)) => measured.log,
        (None, None) => runtime_line_sizes(pipeline, &function.name),
    };
    let seconds = Decimal::from(batch_ms) / Decimal::from(1000);
    let gigabytes = Decimal::from(function.memory_mb) / Decimal::from(1024);
    let log_bytes = records * Decimal::from(log_sizes.per_record)
        + invocations * Decimal::from(log_sizes.per_invocation);
    let retention_months = retention_months(function.log_retention_days);
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
