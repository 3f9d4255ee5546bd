//! What the usage model cannot read from pipeline.yaml: each figure has a stated default, and
//! the report prints every one beside the lines it shapes.

use rust_decimal::Decimal;

pub use super::log_lines::LineSizes;
pub use super::measured::Measured;

/// Seconds in the 30-day month every monthly figure uses.
pub const SECONDS_PER_MONTH: u64 = 30 * 24 * 60 * 60;

/// Bytes in the GB that CloudWatch Logs and S3 bill (GiB).
pub const BYTES_PER_GB: u64 = 1 << 30;

/// The inputs of the usage model that are not in the pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assumptions {
    /// Orders sent to each entry queue a month.
    pub orders_per_month: u64,
    /// Share of fresh messages on a queue with a dead-letter queue that fail every receive and
    /// end in the dead-letter queue.
    pub failure_rate: Decimal,
    /// Share of dead letters a DLQ processor repairs and requeues (they then succeed); the rest
    /// are parked in its bucket.
    pub repairable_share: Decimal,
    /// Billed duration of one invocation (one batch), in milliseconds, for functions without a
    /// measured one.
    pub batch_duration_ms: u64,
    /// Log line sizes for every function; `None` (the default) takes each function's from the
    /// runtime's own logger (see [`super::log_lines`]) or from `measured`.
    pub log_line_sizes: Option<LineSizes>,
    /// Durations and log line sizes a `gen dev` run measured (`gen cost --measured`).
    pub measured: Option<Measured>,
    /// The region whose prices apply, when not the pipeline's (`--region`).
    pub region: Option<String>,
    /// Bytes of one invoice or parked dead letter in S3.
    pub object_bytes: u64,
    /// Concurrent long polls an event source mapping keeps on a queue, busy or idle.
    pub pollers_per_mapping: u64,
    /// Seconds one empty long poll waits.
    pub long_poll_seconds: u64,
    /// Whether the always-free tier is subtracted.
    pub free_tier: bool,
    /// Billed duration of one invocation by an API request, in milliseconds, for functions
    /// without a measured one.
    pub request_duration_ms: u64,
    /// Bytes of one API request (metered in 512 KB increments).
    pub request_bytes: u64,
    /// Bytes of one order item in a DynamoDB table (attribute names and values).
    pub item_bytes: u64,
    /// Bytes of one event published to a bus, envelope included (metered in 64 KB chunks).
    pub event_bytes: u64,
}

impl Assumptions {
    /// The defaults at a volume.
    pub fn at(orders_per_month: u64) -> Self {
        Self {
            orders_per_month,
            failure_rate: Decimal::new(1, 2),
            repairable_share: Decimal::new(5, 1),
            batch_duration_ms: 200,
            log_line_sizes: None,
            measured: None,
            region: None,
            object_bytes: 2048,
            pollers_per_mapping: 5,
            long_poll_seconds: 20,
            free_tier: false,
            request_duration_ms: 50,
            request_bytes: 1024,
            item_bytes: 700,
            event_bytes: 1536,
        }
    }

    /// Each assumption as a sentence, for the report.
    pub fn statements(&self) -> Vec<String> {
        vec![
            format!(
                "{} orders a month, each sent once to every entry queue (a queue that is neither a dead-letter queue, a function's `notify` or `enqueue`, nor a rule's target), one SendMessage per message; functions send one SendMessage per message too (at most: the sends a batch's records make together go out as one SendMessageBatch, billed as one request)",
                self.orders_per_month
            ),
            format!(
                "API routes: each order is one request of {} bytes on every route (metered in 512 KB increments, so one billed request each up to 512 KB), every request accepted; one invocation per request, billed {} ms unless measured; its function's writes (`enqueue`) carry the order on; one access log line per request; HTTP API first-tier price (the first 300 million requests a month)",
                self.request_bytes, self.request_duration_ms
            ),
            format!(
                "DynamoDB: order items of {} bytes, so ceil({} / 1024) write request units per write; the order store makes one conditional put per order, and with `email` two updates more (claiming the send, recording it); a redelivery's failed conditional writes and the reads of the rare contended claim are not counted; items are kept (the order store sets no TTL): storage is 12 months of items with 100 bytes of overhead each, point-in-time recovery billed on that size; provisioned tables pay their capacity all month (720 h) instead of request units; the table's encryption uses the AWS-managed key (no key fee)",
                self.item_bytes, self.item_bytes
            ),
            format!(
                "EventBridge: a function with `writes.events` publishes one event of {} bytes (envelope included, metered in 64 KB chunks) per order it handles; every rule is taken to match every event of its bus (an upper bound: a narrower pattern's queue and consumer cost less) and every delivery to a queue succeeds, one SendMessage each, so the targets' dead-letter queues receive none; matching and same-account delivery are not billed",
                self.event_bytes
            ),
            "SES: one email per order a function with `writes.email` handles (the order store's confirmation), outbound price; attachments' data is not counted".to_owned(),
            format!(
                "month = 30 days = {SECONDS_PER_MONTH} s; GB = 2^30 bytes"
            ),
            format!(
                "failure rate {}: that share of fresh messages on a queue with a dead-letter queue fails every receive, is received `max_receive_count` times and moved to the dead-letter queue by SQS (the move is not a billed request)",
                self.failure_rate.normalize()
            ),
            format!(
                "a DLQ processor repairs and requeues {} of its dead letters (they then succeed) and parks the rest in its bucket; dead-letter queues without a consumer keep their messages until retention (no requests)",
                self.repairable_share.normalize()
            ),
            "effective batch size: the messages that arrive in the batching window (at least 1 s) at an even monthly rate, between 1 and `batch_size`; one ReceiveMessage, one invocation and one DeleteMessageBatch per batch".to_owned(),
            match &self.measured {
                None => format!(
                    "{} ms billed per invocation (one batch), whatever its size; GB-seconds = memory × duration; arm64 and x86_64 at their own price",
                    self.batch_duration_ms
                ),
                Some(measured) => format!(
                    "billed duration per invocation (one batch): the median (p50) a `gen dev` run measured for each function ({}), {} ms for functions it did not invoke; GB-seconds = memory × duration; arm64 and x86_64 at their own price",
                    measured.describe(),
                    self.batch_duration_ms
                ),
            },
            match (&self.log_line_sizes, &self.measured) {
                (Some(sizes), _) => format!(
                    "logs: {} bytes per record line plus {} bytes per invocation (batch summary, EMF line, START/END/REPORT), stored for the function's `log_retention_days` (uncompressed size)",
                    sizes.per_record, sizes.per_invocation
                ),
                (None, None) => "logs: each function's record line and its lines per invocation (batch summary, EMF line, START/END/REPORT) at the sizes the runtime's logger writes them for an invoiced order (each log line below says its figures), stored for the function's `log_retention_days` (uncompressed size)".to_owned(),
                (None, Some(_)) => "logs: each function's mean record line and lines per invocation as the `gen dev` run wrote them (functions it did not invoke: the sizes the runtime's logger writes for an invoiced order), stored for the function's `log_retention_days` (uncompressed size)".to_owned(),
            },
            format!(
                "S3: one PUT and {} bytes per invoice or parked dead letter, write-once (versioning adds no versions); storage is the steady state `expire_after` keeps, or 12 months of growth without expiry; access-log objects are not counted",
                self.object_bytes
            ),
            format!(
                "idle polling: each event source mapping keeps {} long polls of {} s open on its queue all month (Lambda's SQS poller starts with five concurrent polls and long-polls up to 20 s; AWS Lambda developer guide, \"Using Lambda with Amazon SQS\"), so its empty receives are a fixed line; busy receives are counted on top",
                self.pollers_per_mapping, self.long_poll_seconds
            ),
            "alarms, dashboards and KMS keys are counted from the synthesized template; the SNS alarm topic has no monthly fee and its rare notifications are not counted".to_owned(),
            if self.free_tier {
                "free tier on: the always-free monthly allowances of the price table are subtracted, once per account".to_owned()
            } else {
                "free tier off (the default; pass `--free-tier` to subtract the always-free allowances, which an account shares with everything else it runs)".to_owned()
            },
        ]
    }
}
