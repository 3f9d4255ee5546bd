//! The resolved pipeline: defaults applied and derived values computed — what synth, diff,
//! deploy and the local engine work from.

use std::collections::BTreeMap;

use super::model::{Architecture, Discounts, HandlerKind, HttpMethod, KeyType};
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
    /// HTTP APIs by name.
    pub apis: BTreeMap<String, Api>,
    /// DynamoDB tables by name.
    pub tables: BTreeMap<String, Table>,
    /// E-mail sending, when configured.
    pub email: Option<Email>,
    /// Custom EventBridge buses by name.
    pub buses: BTreeMap<String, Bus>,
    /// Whether the stage gets a CloudWatch dashboard.
    pub dashboard: bool,
    /// The request schemas of route triggers, by function name: the JSON text of the file
    /// `request_schema` names. Loading pipeline.yaml does no I/O, so this is empty after
    /// [`super::resolve`]; the commands fill it after reading and checking each file
    /// (`config::request_schema`).
    pub request_schemas: BTreeMap<String, String>,
}

/// An HTTP API (API Gateway v2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    pub name: String,
    pub cors: Option<Cors>,
    pub throttling: Throttling,
}

/// The CORS rules of an API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    pub allow_origins: Vec<String>,
    /// Written, or the methods of the API's routes (`*` when a route is `ANY`).
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub max_age: Duration,
}

/// An API's request rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttling {
    pub burst: u32,
    /// Requests per second.
    pub rate: u32,
}

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub partition_key: Key,
    pub sort_key: Option<Key>,
    pub ttl_attribute: Option<String>,
    pub point_in_time_recovery: bool,
    /// Provisioned capacity; `None` is on-demand.
    pub capacity: Option<Capacity>,
}

/// A key attribute of a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub kind: KeyType,
}

/// Provisioned throughput of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capacity {
    pub read: u32,
    pub write: u32,
}

/// A custom EventBridge bus.
#[derive(Debug, Clone, PartialEq)]
pub struct Bus {
    pub name: String,
    /// Its rules by name.
    pub rules: BTreeMap<String, Rule>,
}

/// A rule of a bus.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub description: Option<String>,
    /// The event pattern as JSON, numbers as written (floats as floats).
    pub pattern: serde_json::Value,
    pub targets: Vec<Target>,
}

/// A target of a rule: always a queue for now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub queue: String,
    pub input: TargetInput,
    /// Retries after the first attempt (EventBridge's default 185).
    pub max_attempts: u32,
    /// How long an event is retried for (EventBridge's default 24h).
    pub max_age: Duration,
    pub dead_letter: Option<String>,
}

/// What a target receives of each event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetInput {
    /// The whole event.
    Event,
    /// The part at a JSON path.
    Path(String),
    /// A body built from JSON paths and a template.
    Transformer {
        input_paths: BTreeMap<String, String>,
        template: String,
    },
}

impl Target {
    /// The target's id within its rule: the queue's name (unique within a rule).
    pub fn id(&self) -> &str {
        &self.queue
    }
}

/// E-mail sending through SES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub sender: String,
    /// The identity the send permission is scoped to: `identity`, else the sender address.
    pub identity: String,
    pub configuration_set: Option<String>,
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

/// What invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    Queue(QueueTrigger),
    Route(RouteTrigger),
}

impl Trigger {
    /// The queue trigger, if the function is triggered by a queue.
    pub fn queue(&self) -> Option<&QueueTrigger> {
        match self {
            Trigger::Queue(queue) => Some(queue),
            Trigger::Route(_) => None,
        }
    }

    /// The route trigger, if the function is triggered by an API route.
    pub fn route(&self) -> Option<&RouteTrigger> {
        match self {
            Trigger::Route(route) => Some(route),
            Trigger::Queue(_) => None,
        }
    }

    /// The name of the triggering queue, if any.
    pub fn queue_name(&self) -> Option<&str> {
        self.queue().map(|queue| queue.queue.as_str())
    }
}

/// An API route that invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteTrigger {
    /// The API of `apis` serving the route.
    pub api: String,
    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE` or `ANY`.
    pub method: RouteMethod,
    /// `/orders`, `/orders/{id}`.
    pub path: String,
    /// The JSON Schema file, relative to pipeline.yaml, as written.
    pub request_schema: Option<String>,
}

impl RouteTrigger {
    /// API Gateway's route key: `POST /orders`.
    pub fn route_key(&self) -> String {
        format!("{} {}", self.method.as_str(), self.path)
    }
}

/// The method of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteMethod {
    Method(HttpMethod),
    /// Every method.
    Any,
}

impl RouteMethod {
    /// Parses `POST`, `any`, …; `None` for what routes do not take.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_uppercase().as_str() {
            "GET" => RouteMethod::Method(HttpMethod::Get),
            "POST" => RouteMethod::Method(HttpMethod::Post),
            "PUT" => RouteMethod::Method(HttpMethod::Put),
            "PATCH" => RouteMethod::Method(HttpMethod::Patch),
            "DELETE" => RouteMethod::Method(HttpMethod::Delete),
            "ANY" => RouteMethod::Any,
            _ => return None,
        })
    }

    /// The method as API Gateway writes it in a route key.
    pub const fn as_str(self) -> &'static str {
        match self {
            RouteMethod::Method(method) => method.as_str(),
            RouteMethod::Any => "ANY",
        }
    }
}

/// The queue that invokes a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueTrigger {
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
    /// The table items are written to.
    pub table: Option<String>,
    /// Sends e-mail through the pipeline's `email`.
    pub email: bool,
    /// The queue accepted requests are sent to.
    pub enqueue: Option<String>,
    /// The bus events are published to.
    pub events: Option<String>,
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
            .find(|function| function.trigger.queue_name() == Some(queue))
    }

    /// The functions an API's routes invoke, with their routes, in function-name order.
    pub fn routes_of<'a>(
        &'a self,
        api: &'a str,
    ) -> impl Iterator<Item = (&'a Function, &'a RouteTrigger)> + 'a {
        self.functions.values().filter_map(move |function| {
            function
                .trigger
                .route()
                .filter(|route| route.api == api)
                .map(|route| (function, route))
        })
    }

    /// Every rule, with its bus, in bus then rule order.
    pub fn rules(&self) -> impl Iterator<Item = (&Bus, &Rule)> + '_ {
        self.buses
            .values()
            .flat_map(|bus| bus.rules.values().map(move |rule| (bus, rule)))
    }

    /// The rules that deliver to `queue`, as a target or as a target's dead-letter queue.
    pub fn rules_delivering_to<'a>(
        &'a self,
        queue: &'a str,
    ) -> impl Iterator<Item = (&'a Bus, &'a Rule)> + 'a {
        self.rules().filter(move |(_, rule)| {
            rule.targets
                .iter()
                .any(|target| target.queue == queue || target.dead_letter.as_deref() == Some(queue))
        })
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
