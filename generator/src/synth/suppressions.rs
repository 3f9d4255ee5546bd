//! Every check the template suppresses, and why: the one place a reviewer reads.
//!
//! Each entry was written by a person and applies to every resource of its kind, whatever
//! pipeline.yaml says; nothing here is added because a check would otherwise fail. A new entry
//! is a reviewed change to this file.

/// A checkov check that does not apply, with the reason a reviewer reads in the template.
pub(super) type Skip = (&'static str, &'static str);

/// Pipeline queues.
pub(super) const QUEUE: &[Skip] = &[(
    "CKV_AWS_27",
    "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled); checkov only recognises a KMS key id.",
)];

/// Pipeline buckets.
pub(super) const BUCKET: &[Skip] = &[
    (
        "CKV_AWS_144",
        "Invoices are regional data; cross-region replication is a per-account decision.",
    ),
    (
        "CKV_AWS_145",
        "SSE-S3 (AES-256) encrypts every object; SSE-KMS would add per-request KMS cost.",
    ),
    (
        "CKV2_AWS_62",
        "Nothing consumes bucket events: handlers write, people read.",
    ),
];

/// The access log bucket of a stage.
pub(super) const LOG_BUCKET: &[Skip] = &[
    (
        "CKV_AWS_18",
        "This is the access log bucket: logging it into itself would log every delivery again.",
    ),
    (
        "CKV_AWS_144",
        "Access logs are regional operational data; cross-region replication is a per-account decision.",
    ),
    (
        "CKV_AWS_145",
        "S3 server access logging delivers only to buckets encrypted with SSE-S3, not SSE-KMS.",
    ),
    (
        "CKV2_AWS_62",
        "Nothing consumes log deliveries as events: people read the logs.",
    ),
];

/// Functions.
pub(super) const FUNCTION: &[Skip] = &[
    (
        "CKV_AWS_50",
        "X-Ray is not used: JSON logs carry order and message ids, EMF lines carry the metrics.",
    ),
    (
        "CKV_AWS_115",
        "Concurrency is bounded on the trigger: every event source mapping sets ScalingConfig.MaximumConcurrency (`trigger.max_concurrency`, default 10), which checkov does not read; a default reserved concurrency would take from the account's pool (set `reserved_concurrency` for that).",
    ),
    (
        "CKV_AWS_116",
        "SQS-triggered: failures are redriven to the queue's DLQ, not to a Lambda DLQ.",
    ),
    (
        "CKV_AWS_117",
        "Talks only to S3 and SQS public endpoints; a VPC would add NAT cost and cold-start time.",
    ),
    (
        "CKV_AWS_173",
        "The environment holds resource names and the discount table, no secrets.",
    ),
];

/// Function log groups.
pub(super) const LOG_GROUP: &[Skip] = &[
    (
        "CKV_AWS_158",
        "CloudWatch Logs encrypts at rest by default; no customer-managed key is required.",
    ),
    (
        "CKV_AWS_338",
        "Retention is set per function in pipeline.yaml (`log_retention_days`).",
    ),
];

/// Queue-triggered functions that also reach a table or SES: as [`FUNCTION`], with the
/// endpoints they talk to.
pub(super) const FUNCTION_WITH_DATA: &[Skip] = &[
    FUNCTION[0],
    FUNCTION[1],
    FUNCTION[2],
    (
        "CKV_AWS_117",
        "Talks only to the public endpoints of S3, SQS, DynamoDB and SES; a VPC would add NAT (or endpoint) cost and cold-start time.",
    ),
    FUNCTION[4],
];

/// Functions an API route invokes.
pub(super) const ROUTE_FUNCTION: &[Skip] = &[
    FUNCTION[0],
    (
        "CKV_AWS_115",
        "Concurrency is bounded at the API: the stage's default route throttling (`apis.<api>.throttling`, default burst 100, rate 50/s) answers 429 beyond it; a default reserved concurrency would take from the account's pool (set `reserved_concurrency` for that).",
    ),
    (
        "CKV_AWS_116",
        "Invoked synchronously by API Gateway: a failure is answered to the caller (400/429/503), and Lambda's dead-letter queue applies only to asynchronous invocations.",
    ),
    (
        "CKV_AWS_117",
        "Talks only to the public endpoints of SQS, DynamoDB and SES; a VPC would add NAT (or endpoint) cost and cold-start time.",
    ),
    FUNCTION[4],
];

/// Pipeline tables.
pub(super) const TABLE: &[Skip] = &[(
    "CKV_AWS_119",
    "Encrypted at rest with KMS under the AWS-managed key (aws/dynamodb); a customer-managed key adds a key policy to manage and a KMS request per read and write.",
)];

/// API access log groups.
pub(super) const API_LOG_GROUP: &[Skip] = &[
    (
        "CKV_AWS_158",
        "CloudWatch Logs encrypts at rest by default; no customer-managed key is required.",
    ),
    (
        "CKV_AWS_338",
        "Access logs are operational data kept as long as the functions' logs (`defaults.function.log_retention_days`).",
    ),
];
