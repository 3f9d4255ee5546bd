//! Applies defaults and derives values: the written model becomes a [`Pipeline`].

use super::model::{Architecture, FunctionConfig, HandlerKind, PipelineConfig, QueueConfig};
use super::pipeline::{
    Alarm, Api, Bucket, Bus, Capacity, Cors, Email, Function, Key, Pipeline, Queue, QueueTrigger,
    Redrive, Requeue, RouteMethod, RouteTrigger, Rule, Table, Target, TargetInput, Throttling,
    Trigger, Visibility, Writes,
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
/// An API's burst limit when pipeline.yaml sets none.
pub const DEFAULT_THROTTLING_BURST: u32 = 100;
/// An API's steady rate (requests per second) when pipeline.yaml sets none.
pub const DEFAULT_THROTTLING_RATE: u32 = 50;

/// Resolves a schema-valid config. References are not checked here; the semantic rules do that.
#[expect(
    clippy::too_many_lines,
    reason = "one section of the pipeline after another, each resolved in place"
)]
pub fn resolve(config: &PipelineConfig) -> Pipeline {
    let function_defaults = &config.defaults.function;
    let functions: std::collections::BTreeMap<String, Function> = config
        .functions
        .iter()
        .map(|(name, function)| {
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
                trigger: resolve_trigger(config, function),
                writes: Writes {
                    bucket: function.writes.bucket.clone(),
                    notify: function.writes.notify.clone(),
                    requeue: function.writes.requeue.clone(),
                    table: function.writes.table.clone(),
                    email: function.writes.email,
                    enqueue: function.writes.enqueue.clone(),
                    events: function.writes.events.clone(),
                },
                code: (function.handler == HandlerKind::Custom).then(|| {
                    function.code.as_deref().map_or_else(
                        || format!("handlers/{name}"),
                        |code| code.trim_end_matches('/').to_owned(),
                    )
                }),
                requeue: (function.handler == HandlerKind::DlqProcessor).then(|| {
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

    let apis = resolve_apis(config, &functions);
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
        apis,
        tables: config
            .tables
            .iter()
            .map(|(name, table)| {
                let key = |key: &super::model::KeyConfig| Key {
                    name: key.name.clone(),
                    kind: key.kind,
                };
                (
                    name.clone(),
                    Table {
                        name: name.clone(),
                        partition_key: key(&table.partition_key),
                        sort_key: table.sort_key.as_ref().map(key),
                        ttl_attribute: table.ttl_attribute.clone(),
                        point_in_time_recovery: table.point_in_time_recovery.unwrap_or(true),
                        capacity: table
                            .read_capacity
                            .zip(table.write_capacity)
                            .map(|(read, write)| Capacity { read, write }),
                    },
                )
            })
            .collect(),
        email: config.email.as_ref().map(|email| Email {
            sender: email.sender.clone(),
            identity: email
                .identity
                .clone()
                .unwrap_or_else(|| email.sender.clone()),
            configuration_set: email.configuration_set.clone(),
        }),
        buses: resolve_buses(config),
        dashboard: config.dashboard,
        request_schemas: std::collections::BTreeMap::new(),
    }
}

/// EventBridge's retry attempts when a target sets none.
pub const DEFAULT_EVENT_RETRY_ATTEMPTS: u32 = 185;
/// EventBridge's maximum event age when a target sets none.
pub const DEFAULT_EVENT_MAX_AGE: Duration = Duration::from_secs(86_400);

fn resolve_buses(config: &PipelineConfig) -> std::collections::BTreeMap<String, Bus> {
    config
        .buses
        .iter()
        .map(|(name, bus)| {
            let rules = bus
                .rules
                .iter()
                .map(|(rule_name, rule)| {
                    let targets = rule
                        .targets
                        .iter()
                        .map(|target| Target {
                            queue: target.queue.clone(),
                            input: match (&target.input_path, &target.input_transformer) {
                                (Some(path), _) => TargetInput::Path(path.clone()),
                                (None, Some(transformer)) => TargetInput::Transformer {
                                    input_paths: transformer.input_paths.clone(),
                                    template: transformer.template.clone(),
                                },
                                (None, None) => TargetInput::Event,
                            },
                            max_attempts: target
                                .retry
                                .as_ref()
                                .and_then(|retry| retry.max_attempts)
                                .unwrap_or(DEFAULT_EVENT_RETRY_ATTEMPTS),
                            max_age: target
                                .retry
                                .as_ref()
                                .and_then(|retry| retry.max_age)
                                .unwrap_or(DEFAULT_EVENT_MAX_AGE),
                            dead_letter: target.dead_letter.clone(),
                        })
                        .collect();
                    (
                        rule_name.clone(),
                        Rule {
                            name: rule_name.clone(),
                            description: rule.description.clone(),
                            pattern: rule.pattern.clone(),
                            targets,
                        },
                    )
                })
                .collect();
            (
                name.clone(),
                Bus {
                    name: name.clone(),
                    rules,
                },
            )
        })
        .collect()
}

/// A route trigger when `route` is written, else a queue trigger. A trigger with neither, or
/// a route that does not parse, still resolves (to an empty queue, or an empty path): the rules
/// report it, and an invalid pipeline is never handed on.
fn resolve_trigger(config: &PipelineConfig, function: &FunctionConfig) -> Trigger {
    let trigger = &function.trigger;
    if let Some(route) = &trigger.route {
        let (method, path) = parse_route(route).unwrap_or((RouteMethod::Any, String::new()));
        let api = trigger.api.clone().unwrap_or_else(|| {
            let mut names = config.apis.keys();
            match (names.next(), names.next()) {
                (Some(only), None) => only.clone(),
                _ => String::new(),
            }
        });
        return Trigger::Route(RouteTrigger {
            api,
            method,
            path,
            request_schema: trigger.request_schema.clone(),
        });
    }
    Trigger::Queue(QueueTrigger {
        queue: trigger.queue.clone().unwrap_or_default(),
        batch_size: trigger.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
        batching_window: trigger.batching_window.unwrap_or(Duration::from_secs(0)),
        max_concurrency: trigger.max_concurrency.unwrap_or_else(|| {
            function
                .reserved_concurrency
                .map_or(DEFAULT_MAX_CONCURRENCY, |reserved| {
                    reserved.clamp(MIN_MAX_CONCURRENCY, DEFAULT_MAX_CONCURRENCY)
                })
        }),
    })
}

/// `POST /orders` → (`POST`, `/orders`): one method, one space, a path of `/`-separated
/// segments, each plain (letters, digits, `-._~`) or a `{parameter}` (the last one may be
/// `{parameter+}`). `None` when it is not such a route; the rule says why.
pub fn parse_route(route: &str) -> Option<(RouteMethod, String)> {
    let (method, path) = route.split_once(' ')?;
    let method = RouteMethod::parse(method)?;
    valid_route_path(path).then(|| (method, path.to_owned()))
}

/// Whether `path` is a route path API Gateway accepts and the local front door can match.
pub fn valid_route_path(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    let segments: Vec<&str> = rest.split('/').collect();
    segments.iter().enumerate().all(|(index, segment)| {
        if let Some(inner) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let inner = if index + 1 == segments.len() {
                inner.strip_suffix('+').unwrap_or(inner)
            } else {
                inner
            };
            !inner.is_empty()
                && inner
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        } else {
            !segment.is_empty()
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-._~".contains(c))
        }
    })
}

fn resolve_apis(
    config: &PipelineConfig,
    functions: &std::collections::BTreeMap<String, Function>,
) -> std::collections::BTreeMap<String, Api> {
    config
        .apis
        .iter()
        .map(|(name, api)| {
            let cors = api.cors.as_ref().map(|cors| {
                let allow_methods = cors.allow_methods.as_ref().map_or_else(
                    || {
                        let methods: std::collections::BTreeSet<&str> = functions
                            .values()
                            .filter_map(|function| function.trigger.route())
                            .filter(|route| route.api == *name)
                            .map(|route| route.method.as_str())
                            .collect();
                        if methods.contains("ANY") {
                            vec!["*".to_owned()]
                        } else {
                            methods.into_iter().map(str::to_owned).collect()
                        }
                    },
                    |methods| {
                        let methods: std::collections::BTreeSet<&str> =
                            methods.iter().map(|method| method.as_str()).collect();
                        methods.into_iter().map(str::to_owned).collect()
                    },
                );
                Cors {
                    allow_origins: cors.allow_origins.clone(),
                    allow_methods,
                    allow_headers: cors.allow_headers.clone(),
                    max_age: cors.max_age.unwrap_or(Duration::from_secs(0)),
                }
            });
            let throttling = api.throttling.as_ref();
            (
                name.clone(),
                Api {
                    name: name.clone(),
                    cors,
                    throttling: Throttling {
                        burst: throttling
                            .and_then(|t| t.burst)
                            .unwrap_or(DEFAULT_THROTTLING_BURST),
                        rate: throttling
                            .and_then(|t| t.rate)
                            .unwrap_or(DEFAULT_THROTTLING_RATE),
                    },
                },
            )
        })
        .collect()
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
        .find(|function| function.trigger.queue_name() == Some(name));
    let (visibility_timeout, visibility) = match (queue.visibility_timeout, consumer) {
        (Some(explicit), _) => (explicit, Visibility::Explicit),
        (None, Some(function)) => {
            let batching_window = function
                .trigger
                .queue()
                .map_or(Duration::from_secs(0), |trigger| trigger.batching_window);
            let multiplier = queue
                .visibility_multiplier
                .or(defaults.visibility_multiplier)
                .unwrap_or(DEFAULT_VISIBILITY_MULTIPLIER);
            let seconds =
                u64::from(multiplier) * function.timeout.as_secs() + batching_window.as_secs();
            (
                Duration::from_secs(seconds),
                Visibility::Derived {
                    function: function.name.clone(),
                    multiplier,
                    function_timeout: function.timeout,
                    batching_window,
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
