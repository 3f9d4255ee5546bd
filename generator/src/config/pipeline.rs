//! The resolved pipeline: defaults applied and derived values computed — what synth, diff,
//! deploy and the local engine work from.

use std::collections::BTreeMap;

use super::model::{Architecture, Discounts, HandlerKind};
use super::values::Duration;

/// A pipeline with every setting decided.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub name: String,
    pub region: String,
    pub queues: BTreeMap<String, Queue>,
    pub buckets: BTreeMap<String, Bucket>,
    pub discounts: Option<Discounts>,
    pub functions: BTreeMap<String, Function>,
    pub tags: BTreeMap<String, String>,
    /// `cost.orders_per_month`: the volume `gen cost` and `gen diff` price at.
    pub cost_orders_per_month: Option<u64>,
    /// Who the alarms notify (`alarms.email`); `None` when no one is subscribed.
    pub alarm_email: Option<String>,
}

/// An SQS queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    pub name: String,
    pub fifo: bool,
    pub content_based_deduplication: bool,
    pub retention: Duration,
    pub receive_wait: Duration,
    pub delay: Duration,
    pub visibility_timeout: Duration,
    /// Where `visibility_timeout` came from.
    pub visibility: Visibility,
    pub redrive: Option<Redrive>,
    pub alarm: Option<Alarm>,
}

/// How a queue's visibility timeout was decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Visibility {
    /// multiplier × the consuming function's timeout + its batching window.
    Derived {
        function: String,
        multiplier: u32,
        function_timeout: Duration,
        batching_window: Duration,
    },
    /// Written in pipeline.yaml.
    Explicit,
    /// No consumer and nothing written: the SQS default.
    Default,
}

/// Where a queue sends messages that keep failing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redrive {
    pub dead_letter: String,
    pub max_receive_count: u32,
}

/// A depth alarm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub above: u32,
    pub period: Duration,
    pub evaluation_periods: u32,
}

/// An S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    pub versioning: bool,
    pub expire_after: Option<Duration>,
}

/// A Lambda function.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    pub name: String,
    pub handler: HandlerKind,
    pub description: Option<String>,
    pub memory_mb: u32,
    pub timeout: Duration,
    pub architecture: Architecture,
    pub reserved_concurrency: Option<u32>,
    pub log_retention_days: u32,
    pub trigger: Trigger,
    pub writes: Writes,
    pub requeue: Option<Requeue>,
    /// Custom handlers: the handler crate's folder relative to pipeline.yaml, `/`-separated,
    /// without a trailing `/` (default `handlers/<function>`).
    pub code: Option<String>,
}

/// The queue that invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub queue: String,
    pub batch_size: u32,
    pub batching_window: Duration,
    /// The mapping's `ScalingConfig.MaximumConcurrency`: always set, so concurrency is bounded.
    pub max_concurrency: u32,
}

/// What a function writes to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writes {
    pub bucket: Option<String>,
    pub notify: Option<String>,
    pub requeue: Option<String>,
}

/// How a DLQ processor bounds requeues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requeue {
    pub max_attempts: u32,
    pub delay: Duration,
}

impl Pipeline {
    /// The function a queue triggers, if any.
    pub fn consumer_of(&self, queue: &str) -> Option<&Function> {
        self.functions
            .values()
            .find(|function| function.trigger.queue == queue)
    }

    /// The queues whose dead-letter queue is `queue`.
    pub fn sources_of<'a>(&'a self, queue: &'a str) -> impl Iterator<Item = &'a Queue> + 'a {
        self.queues.values().filter(move |source| {
            source
                .redrive
                .as_ref()
                .is_some_and(|redrive| redrive.dead_letter == queue)
        })
    }
}
