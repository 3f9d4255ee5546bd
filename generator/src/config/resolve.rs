//! Applies defaults and derives values: the written model becomes a [`Pipeline`].

use super::model::{Architecture, PipelineConfig, QueueConfig};
use super::pipeline::{
    Alarm, Bucket, Function, Pipeline, Queue, Redrive, Requeue, Trigger, Visibility, Writes,
};
use super::values::Duration;

pub const DEFAULT_MEMORY_MB: u32 = 256;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_ARCHITECTURE: Architecture = Architecture::Arm64;
pub const DEFAULT_LOG_RETENTION_DAYS: u32 = 14;
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(4 * 86_400);
pub const DEFAULT_RECEIVE_WAIT: Duration = Duration::from_secs(20);
pub const DEFAULT_VISIBILITY_MULTIPLIER: u32 = 6;
/// What SQS uses when nothing is set and no function consumes the queue.
pub const SQS_DEFAULT_VISIBILITY: Duration = Duration::from_secs(30);
pub const DEFAULT_BATCH_SIZE: u32 = 10;
/// Concurrent invocations of a trigger when pipeline.yaml sets none.
pub const DEFAULT_MAX_CONCURRENCY: u32 = 10;
/// Lambda's lowest `ScalingConfig.MaximumConcurrency`.
pub const MIN_MAX_CONCURRENCY: u32 = 2;
pub const DEFAULT_ALARM_PERIOD: Duration = Duration::from_secs(300);
pub const DEFAULT_REQUEUE_ATTEMPTS: u32 = 3;
pub const DEFAULT_REQUEUE_DELAY: Duration = Duration::from_secs(60);

/// Resolves a schema-valid config. References are not checked here; the semantic rules do that.
pub fn resolve(config: &PipelineConfig) -> Pipeline {
    let function_defaults = &config.defaults.function;
    let functions: std::collections::BTreeMap<String, Function> = config
        .functions
        .iter()
        .map(|(name, function)| {
            let trigger = &function.trigger;
            let resolved = Function {
                name: name.clone(),
                handler: function.handler,
                description: function.description.clone(),
                memory_mb: function
                    .memory_mb
                    .or(function_defaults.memory_mb)
                    .unwrap_or(DEFAULT_MEMORY_MB),
                timeout: function
                    .timeout
                    .or(function_defaults.timeout)
                    .unwrap_or(DEFAULT_TIMEOUT),
                architecture: function
                    .architecture
                    .or(function_defaults.architecture)
                    .unwrap_or(DEFAULT_ARCHITECTURE),
                reserved_concurrency: function.reserved_concurrency,
                log_retention_days: function
                    .log_retention_days
                    .or(function_defaults.log_retention_days)
                    .unwrap_or(DEFAULT_LOG_RETENTION_DAYS),
                trigger: Trigger {
                    queue: trigger.queue.clone(),
                    batch_size: trigger.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
                    batching_window: trigger.batching_window.unwrap_or(Duration::from_secs(0)),
                    max_concurrency: trigger.max_concurrency.unwrap_or_else(|| {
                        function
                            .reserved_concurrency
                            .map_or(DEFAULT_MAX_CONCURRENCY, |reserved| {
                                reserved.clamp(MIN_MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY)
                            })
                    }),
                },
                writes: Writes {
                    bucket: function.writes.bucket.clone(),
                    notify: function.writes.notify.clone(),
                    requeue: function.writes.requeue.clone(),
                },
                code: (function.handler == super::model::HandlerKind::Custom).then(|| {
                    function.code.as_deref().map_or_else(
                        || format!("handlers/{name}"),
                        |code| code.trim_end_matches('/').to_owned(),
                    )
                }),
                requeue: (function.handler == super::model::HandlerKind::DlqProcessor).then(|| {
                    let requeue = function.requeue.as_ref();
                    Requeue {
                        max_attempts: requeue
                            .and_then(|r| r.max_attempts)
                            .unwrap_or(DEFAULT_REQUEUE_ATTEMPTS),
                        delay: requeue
                            .and_then(|r| r.delay)
                            .unwrap_or(DEFAULT_REQUEUE_DELAY),
                    }
                }),
            };
            (name.clone(), resolved)
        })
        .collect();

    let queues = config
        .queues
        .iter()
        .map(|(name, queue)| (name.clone(), resolve_queue(config, name, queue, &functions)))
        .collect();

    let buckets = config
        .buckets
        .iter()
        .map(|(name, bucket)| {
            (
                name.clone(),
                Bucket {
                    name: name.clone(),
                    versioning: bucket.versioning,
                    expire_after: bucket.expire_after,
                },
            )
        })
        .collect();

    Pipeline {
        name: config.pipeline.clone(),
        region: config.region.clone(),
        queues,
        buckets,
        discounts: config.discounts.clone(),
        functions,
        tags: config.tags.clone(),
        cost_orders_per_month: config.cost.as_ref().map(|cost| cost.orders_per_month),
        alarm_email: config.alarms.as_ref().map(|alarms| alarms.email.clone()),
    }
}

fn resolve_queue(
    config: &PipelineConfig,
    name: &str,
    queue: &QueueConfig,
    functions: &std::collections::BTreeMap<String, Function>,
) -> Queue {
    let defaults = &config.defaults.queue;
    let consumer = functions
        .values()
        .find(|function| function.trigger.queue == name);
    let (visibility_timeout, visibility) = match (queue.visibility_timeout, consumer) {
        (Some(explicit), _) => (explicit, Visibility::Explicit),
        (None, Some(function)) => {
            let multiplier = queue
                .visibility_multiplier
                .or(defaults.visibility_multiplier)
                .unwrap_or(DEFAULT_VISIBILITY_MULTIPLIER);
            let seconds = u64::from(multiplier) * function.timeout.as_secs()
                + function.trigger.batching_window.as_secs();
            (
                Duration::from_secs(seconds),
                Visibility::Derived {
                    function: function.name.clone(),
                    multiplier,
                    function_timeout: function.timeout,
                    batching_window: function.trigger.batching_window,
                },
            )
        }
        (None, None) => (SQS_DEFAULT_VISIBILITY, Visibility::Default),
    };
    Queue {
        name: name.to_owned(),
        fifo: queue.fifo,
        content_based_deduplication: queue.content_based_deduplication,
        retention: queue
            .retention
            .or(defaults.retention)
            .unwrap_or(DEFAULT_RETENTION),
        receive_wait: queue
            .receive_wait
            .or(defaults.receive_wait)
            .unwrap_or(DEFAULT_RECEIVE_WAIT),
        delay: queue.delay.unwrap_or(Duration::from_secs(0)),
        visibility_timeout,
        visibility,
        redrive: queue.dead_letter.as_ref().map(|dead_letter| Redrive {
            dead_letter: dead_letter.clone(),
            max_receive_count: queue.max_receive_count.unwrap_or(1),
        }),
        alarm: queue.alarm.as_ref().map(|alarm| Alarm {
            above: alarm.above,
            period: alarm.period.unwrap_or(DEFAULT_ALARM_PERIOD),
            evaluation_periods: alarm.evaluation_periods.unwrap_or(1),
        }),
    }
}
