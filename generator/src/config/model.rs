//! pipeline.yaml as written: the serde + schemars model.
//!
//! Doc comments here become the descriptions in `generated/pipeline.schema.json`, which editors
//! show on hover; keep them short and in the user's terms. Defaults are applied later, when the
//! model is resolved (`resolve.rs`), so that the schema and diagnostics see what was written.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::{Amount, Duration, Percent};

/// An event-driven order pipeline: SQS queues, S3 buckets, the Lambda functions they trigger and
/// the discount table those functions price orders with.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "pipeline.yaml")]
pub struct PipelineConfig {
    /// Name of the pipeline. Prefixes the stack and every physical resource name.
    #[schemars(regex(pattern = crate::config::naming::NAME_PATTERN), length(min = 1, max = 24))]
    pub pipeline: String,
    /// AWS region to deploy to, e.g. `us-east-1`.
    #[schemars(regex(pattern = r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$"))]
    pub region: String,
    /// Values used where a queue or function leaves a setting out.
    #[serde(default)]
    pub defaults: Defaults,
    /// SQS queues, by name (lowercase letters, digits and hyphens).
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }))]
    pub queues: BTreeMap<String, QueueConfig>,
    /// S3 buckets, by name (lowercase letters, digits and hyphens).
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }))]
    pub buckets: BTreeMap<String, BucketConfig>,
    /// Promo codes and bulk tiers the order processor prices with.
    #[serde(default)]
    pub discounts: Option<Discounts>,
    /// Lambda functions, by name (lowercase letters, digits and hyphens).
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }, "minProperties" = 1))]
    pub functions: BTreeMap<String, FunctionConfig>,
    /// Tags added to every resource, besides `pipeline`, `stage`, `branch` and `expires-at`.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The volume `gen cost` and `gen diff` price the pipeline at.
    #[serde(default)]
    pub cost: Option<CostConfig>,
    /// Who every stage's alarms notify. Without it the alarm topic has no subscriber.
    #[serde(default)]
    pub alarms: Option<AlarmsConfig>,
    /// HTTP APIs (API Gateway v2), by name; functions take requests with `trigger.route`.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }))]
    pub apis: BTreeMap<String, ApiConfig>,
    /// DynamoDB tables, by name; functions write to one with `writes.table`.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }))]
    pub tables: BTreeMap<String, TableConfig>,
    /// E-mail sending through SES, for functions with `writes.email: true`.
    #[serde(default)]
    pub email: Option<EmailConfig>,
    /// Custom EventBridge buses, by name; functions publish with `writes.events`, and each
    /// rule's pattern picks the events its target queues receive.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }))]
    pub buses: BTreeMap<String, BusConfig>,
    /// A CloudWatch dashboard of the stage: order counters, queue depth and age, function
    /// errors and throttles, API requests and errors. Default `false`.
    #[serde(default)]
    pub dashboard: bool,
}

/// An HTTP API: one endpoint whose routes invoke functions (`trigger.route`).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    /// Which browser origins may call the API. Without it no CORS headers are sent.
    pub cors: Option<CorsConfig>,
    /// Requests the API accepts before answering 429. Default burst 100, rate 50 per second.
    pub throttling: Option<ThrottlingConfig>,
}

/// Cross-origin requests from browsers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CorsConfig {
    /// Origins allowed to call the API, e.g. `https://shop.example.com`, or `*`.
    #[schemars(length(min = 1, max = 100), inner(length(min = 1, max = 256)))]
    pub allow_origins: Vec<String>,
    /// Methods allowed. Default: the methods of the API's routes.
    #[schemars(length(min = 1, max = 7))]
    pub allow_methods: Option<Vec<HttpMethod>>,
    /// Request headers allowed, e.g. `content-type`. Default none.
    #[serde(default)]
    #[schemars(
        length(max = 100),
        inner(regex(pattern = r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"))
    )]
    pub allow_headers: Vec<String>,
    /// How long browsers cache the preflight answer (0s–24h). Default `0s`.
    pub max_age: Option<Duration>,
}

/// An HTTP method a route or CORS rule names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
}

impl HttpMethod {
    /// The method as HTTP writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
        }
    }
}

/// The API's request rate limits, applied to every route.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThrottlingConfig {
    /// Requests allowed at once above the steady rate (0–5000). Default 100.
    #[schemars(range(min = 0, max = 5000))]
    pub burst: Option<u32>,
    /// Steady requests per second (0–10000). Default 50.
    #[schemars(range(min = 0, max = 10_000))]
    pub rate: Option<u32>,
}

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableConfig {
    /// The attribute every item is found by, e.g. `{ name: order_id, type: string }`.
    pub partition_key: KeyConfig,
    /// An optional second key that orders items with the same partition key.
    pub sort_key: Option<KeyConfig>,
    /// An attribute holding an expiry time (seconds since 1970); DynamoDB deletes expired items.
    #[schemars(length(min = 1, max = 255))]
    pub ttl_attribute: Option<String>,
    /// Continuous backups to restore the table to any second of the last 35 days. Default `true`.
    pub point_in_time_recovery: Option<bool>,
    /// Provisioned reads per second (with `write_capacity`); leave both out for on-demand.
    #[schemars(range(min = 1, max = 40_000))]
    pub read_capacity: Option<u32>,
    /// Provisioned writes per second (with `read_capacity`); leave both out for on-demand.
    #[schemars(range(min = 1, max = 40_000))]
    pub write_capacity: Option<u32>,
}

/// A key attribute of a table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyConfig {
    /// Name of the attribute, e.g. `order_id`.
    #[schemars(length(min = 1, max = 255))]
    pub name: String,
    /// Type of the attribute. Default `string`.
    #[serde(default, rename = "type")]
    pub kind: KeyType,
}

/// The type of a key attribute.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyType {
    /// Text (`S`).
    #[default]
    String,
    /// A number (`N`).
    Number,
    /// Bytes (`B`).
    Binary,
}

/// A custom EventBridge bus and the rules that route its events.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BusConfig {
    /// The bus's rules, by name (lowercase letters, digits and hyphens); at least one.
    #[schemars(extend("propertyNames" = { "pattern": crate::config::naming::NAME_PATTERN, "maxLength": 40 }, "minProperties" = 1))]
    pub rules: BTreeMap<String, RuleConfig>,
}

/// A rule: the events its pattern matches go to each of its targets.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleConfig {
    /// Free text shown in the console.
    #[schemars(length(max = 512))]
    pub description: Option<String>,
    /// The EventBridge event pattern events must match, written as YAML: a mapping from
    /// fields to lists of values or operators.
    #[schemars(with = "serde_json::Map<String, serde_json::Value>")]
    pub pattern: serde_json::Value,
    /// Where matching events go: 1 to 5 targets (EventBridge's limit per rule).
    #[schemars(length(min = 1, max = 5))]
    pub targets: Vec<TargetConfig>,
}

/// A target of a rule: a queue, what each event becomes, and how delivery is retried.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetConfig {
    /// The queue of `queues` that receives matching events (standard, not FIFO).
    pub queue: String,
    /// Send only this part of the event, a JSON path such as `$.detail` (or use
    /// `input_transformer`). Default: the whole event.
    #[schemars(length(min = 1, max = 256))]
    pub input_path: Option<String>,
    /// Send a body built from parts of the event (or use `input_path`).
    pub input_transformer: Option<InputTransformerConfig>,
    /// How EventBridge retries a delivery that fails. Default 185 attempts within 24h.
    pub retry: Option<RetryConfig>,
    /// A queue of `queues` (standard, not FIFO) that receives events whose delivery failed
    /// after every retry.
    pub dead_letter: Option<String>,
}

/// A body built from the event: values picked by JSON path, placed into a template.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputTransformerConfig {
    /// Names for parts of the event, each a JSON path, e.g. `{ id: $.detail.order_id }`; at
    /// most 100.
    #[serde(default)]
    #[schemars(extend("maxProperties" = 100))]
    pub input_paths: BTreeMap<String, String>,
    /// The body, with `<name>` where a value of `input_paths` goes, e.g.
    /// `'{"order": <id>}'`; JSON or plain text.
    #[schemars(length(min = 1, max = 8192))]
    pub template: String,
}

/// How EventBridge retries a delivery to a target.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryConfig {
    /// Retries after the first attempt (0–185). Default 185.
    #[schemars(range(min = 0, max = 185))]
    pub max_attempts: Option<u32>,
    /// How long an event is retried for (60s–24h). Default `24h`.
    pub max_age: Option<Duration>,
}

/// E-mail sending through SES v2.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfig {
    /// The From address, e.g. `orders@example.com`.
    #[schemars(title = "e-mail address", regex(pattern = crate::config::naming::EMAIL_PATTERN), length(max = 254))]
    pub sender: String,
    /// The verified SES identity (a domain or an address) sending is allowed through. Default
    /// the sender address.
    #[schemars(
        regex(
            pattern = r"^([^@\s]+@)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$"
        ),
        length(max = 254)
    )]
    pub identity: Option<String>,
    /// An SES configuration set to send with (event publishing, suppression, IP pools).
    #[schemars(regex(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub configuration_set: Option<String>,
}

/// The volume the pipeline is priced at.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CostConfig {
    /// Orders sent to the pipeline a month, e.g. `1000000`.
    #[schemars(range(min = 1))]
    pub orders_per_month: u64,
}

/// Who every stage's alarms notify.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmsConfig {
    /// E-mail address subscribed to each stage's alarm topic, e.g. `ops@example.com`; SNS asks it to confirm once per stage.
    #[schemars(title = "e-mail address", regex(pattern = crate::config::naming::EMAIL_PATTERN), length(max = 254))]
    pub email: String,
}

/// Values used where a queue or function leaves a setting out.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Defaults for every function.
    #[serde(default)]
    pub function: FunctionDefaults,
    /// Defaults for every queue.
    #[serde(default)]
    pub queue: QueueDefaults,
}

/// Defaults for every function.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionDefaults {
    /// Memory in MB (128–10240). Default 256.
    #[schemars(range(min = 128, max = 10_240))]
    pub memory_mb: Option<u32>,
    /// Timeout, at most 15 minutes. Default `30s`.
    pub timeout: Option<Duration>,
    /// CPU architecture. Default `arm64`.
    pub architecture: Option<Architecture>,
    /// Days to keep the function's logs. Default 14.
    #[schemars(extend("enum" = crate::config::naming::LOG_RETENTION_DAYS))]
    pub log_retention_days: Option<u32>,
}

/// Defaults for every queue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueDefaults {
    /// How long SQS keeps a message (60s–14d). Default `4d`.
    pub retention: Option<Duration>,
    /// Long-polling wait of receives (0–20s). Default `20s`.
    pub receive_wait: Option<Duration>,
    /// Visibility timeout as a multiple of the consuming function's timeout. Default 6.
    #[schemars(range(min = 1, max = 12))]
    pub visibility_multiplier: Option<u32>,
}

/// An SQS queue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// A FIFO queue: ordered per message group, deduplicated. The `.fifo` suffix is added.
    #[serde(default)]
    pub fifo: bool,
    /// FIFO only: deduplicate by a hash of the body instead of a deduplication id.
    #[serde(default)]
    pub content_based_deduplication: bool,
    /// How long SQS keeps a message (60s–14d).
    pub retention: Option<Duration>,
    /// Long-polling wait of receives (0–20s).
    pub receive_wait: Option<Duration>,
    /// Delay before a new message becomes visible (0–15m).
    pub delay: Option<Duration>,
    /// Receives before a message moves to `dead_letter` (1–1000).
    #[schemars(range(min = 1, max = 1000))]
    pub max_receive_count: Option<u32>,
    /// The queue that receives messages after `max_receive_count` failed receives.
    pub dead_letter: Option<String>,
    /// Visibility timeout as a multiple of the consuming function's timeout, plus its batching
    /// window. Leave out both this and `visibility_timeout` to use the default multiplier.
    #[schemars(range(min = 1, max = 12))]
    pub visibility_multiplier: Option<u32>,
    /// An explicit visibility timeout (0s–12h), instead of deriving it.
    pub visibility_timeout: Option<Duration>,
    /// Alarm when the queue holds more than this many visible messages (meant for DLQs).
    pub alarm: Option<AlarmConfig>,
}

/// A CloudWatch alarm on the queue's depth.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlarmConfig {
    /// Alarm when more than this many messages are visible.
    #[schemars(range(min = 0))]
    pub above: u32,
    /// Length of each evaluation period (multiple of 60s). Default `5m`.
    pub period: Option<Duration>,
    /// Consecutive periods above the threshold before alarming. Default 1.
    #[schemars(range(min = 1, max = 100))]
    pub evaluation_periods: Option<u32>,
}

/// An S3 bucket.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketConfig {
    /// Keep every version of every object.
    #[serde(default)]
    pub versioning: bool,
    /// Delete objects (and old versions) after this long, in whole days, e.g. `90d`.
    pub expire_after: Option<Duration>,
}

/// Promo codes and bulk tiers.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Discounts {
    /// ISO 4217 currency code of every amount, e.g. `USD`.
    #[schemars(regex(pattern = r"^[A-Z]{3}$"))]
    pub currency: String,
    /// Promo codes by code; lookup ignores case.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9_-]{1,32}$" }))]
    pub promo_codes: BTreeMap<String, PromoConfig>,
    /// Bulk discounts: the highest tier whose `min_subtotal` the subtotal reaches applies.
    #[serde(default)]
    pub bulk_tiers: Vec<BulkTierConfig>,
}

/// One promo code: `percent` off the subtotal, or a fixed `amount` off (capped at the subtotal).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromoConfig {
    /// Percent off the subtotal.
    pub percent: Option<Percent>,
    /// Fixed amount off, capped at the subtotal.
    pub amount: Option<Amount>,
    /// The code applies only from this subtotal on.
    pub min_subtotal: Option<Amount>,
}

/// One bulk tier.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkTierConfig {
    /// The tier applies from this subtotal on.
    pub min_subtotal: Amount,
    /// Percent off the subtotal after the promo discount.
    pub percent: Percent,
}

/// A Lambda function, triggered by an SQS queue or an API route.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionConfig {
    /// What the function does.
    pub handler: HandlerKind,
    /// Free text shown in the console.
    #[schemars(length(max = 256))]
    pub description: Option<String>,
    /// Memory in MB (128–10240).
    #[schemars(range(min = 128, max = 10_240))]
    pub memory_mb: Option<u32>,
    /// Timeout, at most 15 minutes (`900s`).
    pub timeout: Option<Duration>,
    /// CPU architecture.
    pub architecture: Option<Architecture>,
    /// Concurrent executions reserved for (and capping) this function.
    #[schemars(range(min = 0, max = 1000))]
    pub reserved_concurrency: Option<u32>,
    /// Days to keep the function's logs.
    #[schemars(extend("enum" = crate::config::naming::LOG_RETENTION_DAYS))]
    pub log_retention_days: Option<u32>,
    /// What invokes the function: a queue (`queue`, with batching) or an API route (`route`).
    pub trigger: TriggerConfig,
    /// What the function writes to.
    #[serde(default)]
    pub writes: WritesConfig,
    /// DLQ processors only: how requeues of still-valid orders are bounded.
    pub requeue: Option<RequeueConfig>,
    /// Custom handlers only: the folder of the handler's crate, relative to this file. Default
    /// `handlers/<function>/`. `gen synth` creates it once when it is missing and never writes
    /// there again.
    #[schemars(length(min = 1, max = 200))]
    pub code: Option<String>,
}

/// What a function does; each kind is a handler of the shared `runtime` crate.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HandlerKind {
    /// Validates and prices orders, writes invoices to `writes.bucket`, notifies `writes.notify`.
    OrderProcessor,
    /// Logs the notifications it receives.
    NotificationLogger,
    /// Re-validates dead letters: requeues to `writes.requeue`, repairs, or parks them in
    /// `writes.bucket`.
    DlqProcessor,
    /// Your own code, in a crate of yours (`code:`, default `handlers/<function>/`); it reaches
    /// exactly the bucket, queues, table and e-mail its `writes` name, as typed fields.
    Custom,
    /// Takes orders over an API route: checks them, mints an order id, sends them to
    /// `writes.enqueue` (or publishes an `OrderPlaced` event to `writes.events`) and answers
    /// `202`; `400` with every problem otherwise.
    OrderIngest,
    /// Writes each order once to `writes.table` (keyed by its order id) and, with
    /// `writes.email`, sends its confirmation once.
    OrderStore,
}

/// CPU architecture of a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// AWS Graviton (cheaper per GB-second).
    Arm64,
    /// Intel/AMD.
    X86_64,
}

/// What invokes a function: a queue and how its records are batched, or an API route.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriggerConfig {
    /// Name of the queue (or use `route`).
    pub queue: Option<String>,
    /// The API route that invokes the function, `<METHOD> <path>`, e.g. `POST /orders` (or use
    /// `queue`). Methods: GET, POST, PUT, PATCH, DELETE, ANY; path segments may be `{name}`.
    #[schemars(length(min = 3, max = 256))]
    pub route: Option<String>,
    /// Route triggers: the API of `apis` serving the route; optional with a single API.
    pub api: Option<String>,
    /// Route triggers: a JSON Schema file (relative to this file) each request body must
    /// satisfy; violations are answered `400` with every problem.
    #[schemars(length(min = 1, max = 200))]
    pub request_schema: Option<String>,
    /// Records per invocation: 1–10 for FIFO queues, 1–10000 otherwise. Default 10.
    #[schemars(range(min = 1, max = 10_000))]
    pub batch_size: Option<u32>,
    /// How long to gather records before invoking (0–5m); required for batches above 10.
    pub batching_window: Option<Duration>,
    /// Most concurrent invocations this trigger makes (2–1000). Default 10, or
    /// `reserved_concurrency` when that is lower (but at least 2, Lambda's minimum).
    #[schemars(range(min = 2, max = 1000))]
    pub max_concurrency: Option<u32>,
}

/// What a function writes to.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WritesConfig {
    /// Bucket for invoices (order processor) or parked messages (DLQ processor).
    pub bucket: Option<String>,
    /// Queue that receives a notification per invoiced order.
    pub notify: Option<String>,
    /// Queue that repaired or still-valid dead letters go back to.
    pub requeue: Option<String>,
    /// Table the function writes items to (order store, or a custom handler).
    pub table: Option<String>,
    /// Sends e-mail through the pipeline's `email` settings.
    #[serde(default)]
    pub email: bool,
    /// Queue that accepted requests are sent to (order ingest, or a custom handler).
    pub enqueue: Option<String>,
    /// Bus of `buses` the function publishes events to (order ingest, or a custom handler).
    pub events: Option<String>,
}

/// How a DLQ processor bounds requeues.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequeueConfig {
    /// Requeues of one message before it is parked. Default 3.
    #[schemars(range(min = 1, max = 10))]
    pub max_attempts: Option<u32>,
    /// Delay of each requeued message (0–15m). Default `1m`.
    pub delay: Option<Duration>,
}
