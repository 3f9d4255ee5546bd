//! Least privilege: what each function may do, and on exactly which resources.
//!
//! Each action is one the function's code (or Lambda on its behalf) really calls: the event
//! source mapping receives, deletes and reads the attributes of its trigger queue; the handlers
//! write objects only through a conditional put (`If-None-Match: *`, runtime `S3Store`), under
//! the prefixes the runtime declares for each (`runtime::handlers::*_BUCKET`), reading back only
//! where it says so; they send to the queues their `writes:` name.

use super::buckets::bucket_id;
use super::buses::bus_id;
use super::queues::queue_id;
use super::tables::table_id;
use super::template::Expr;
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::pipeline::Function;
use runtime::handlers::{
    CUSTOM_BUCKET, DLQ_PROCESSOR_BUCKET, ORDER_PROCESSOR_BUCKET, PrefixAccess,
};

/// One permission of a function: actions on one resource, and why it needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub actions: &'static [&'static str],
    pub resource: Expr,
    /// An IAM condition block that must also hold.
    pub condition: Option<Expr>,
    pub why: &'static str,
}

const LOG_ACTIONS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];
/// What the event source mapping calls with the function's role (Lambda's SQS polling).
const CONSUME_ACTIONS: &[&str] = &[
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];
/// Handlers create objects only with a conditional put.
const OBJECT_ACTIONS: &[&str] = &["s3:PutObject"];
/// Reading an object back (the order processor's stored invoice, on a redelivery).
const READ_ACTIONS: &[&str] = &["s3:GetObject"];
const SEND_ACTIONS: &[&str] = &["sqs:SendMessage"];
/// What the runtime calls on a trigger queue with a dead-letter queue: records found invalid
/// are made visible again at once (`ChangeMessageVisibilityBatch` is authorised by this action).
const RELEASE_ACTIONS: &[&str] = &["sqs:ChangeMessageVisibility"];
/// What the runtime's table port calls (`runtime::aws::dynamodb`), for the order store and for
/// a custom handler's `runtime::resources::Table` alike: a conditional put, a read of one item
/// and a conditional update. No scans, queries, deletes, batch or table-wide calls.
pub const TABLE_ACTIONS: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];
/// What the runtime's event publisher calls (`runtime::resources::Bus`).
const PUBLISH_ACTIONS: &[&str] = &["events:PutEvents"];
/// SES v2 `SendEmail`, authorised on the identity and on the configuration set it names.
const EMAIL_ACTIONS: &[&str] = &["ses:SendEmail"];

/// The ARN of an SES identity (a domain or an address) in the stack's account and region.
pub fn email_identity_arn(identity: &str) -> Expr {
    Expr::sub(format!(
        "arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{identity}"
    ))
}

/// The ARN of an SES configuration set in the stack's account and region.
pub fn configuration_set_arn(name: &str) -> Expr {
    Expr::sub(format!(
        "arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:configuration-set/{name}"
    ))
}

/// The bucket prefixes a handler touches, as the runtime declares them.
pub fn bucket_access(kind: HandlerKind) -> &'static [PrefixAccess] {
    match kind {
        HandlerKind::OrderProcessor => ORDER_PROCESSOR_BUCKET,
        HandlerKind::DlqProcessor => DLQ_PROCESSOR_BUCKET,
        HandlerKind::NotificationLogger | HandlerKind::OrderIngest | HandlerKind::OrderStore => &[],
        HandlerKind::Custom => CUSTOM_BUCKET,
    }
}

/// The condition that makes a prefix write-once: the put must carry `If-None-Match: *`, so
/// S3 refuses (412) to replace an object that exists.
pub fn write_once() -> Expr {
    Expr::map([(
        "StringEquals",
        Expr::map([("s3:if-none-match", Expr::str("*"))]),
    )])
}

/// The object resource of a bucket prefix: `${ResultsBucket.Arn}/invoices/*`.
fn prefix_objects(bucket: &str, prefix: &str) -> Expr {
    Expr::sub(format!("${{{}.Arn}}/{prefix}*", bucket_id(bucket)))
}

/// Every grant of `function`; `log_group` is the logical ID of its log group.
pub fn grants(pipeline: &Pipeline, function: &Function, log_group: &str) -> Vec<Grant> {
    let mut grants = vec![Grant {
        actions: LOG_ACTIONS,
        resource: Expr::get_att(log_group, "Arn"),
        condition: None,
        why: "write its own logs",
    }];
    if let Some(queue) = function.trigger.queue_name() {
        grants.push(Grant {
            actions: CONSUME_ACTIONS,
            resource: Expr::get_att(queue_id(queue), "Arn"),
            condition: None,
            why: "take batches from its trigger queue",
        });
        if pipeline.queues[queue].redrive.is_some() {
            grants.push(Grant {
                actions: RELEASE_ACTIONS,
                resource: Expr::get_att(queue_id(queue), "Arn"),
                condition: None,
                why: "send invalid records on to the dead-letter queue at once",
            });
        }
    }
    if let Some(bucket) = &function.writes.bucket {
        for access in bucket_access(function.handler) {
            grants.push(Grant {
                actions: OBJECT_ACTIONS,
                resource: prefix_objects(bucket, access.prefix),
                condition: Some(write_once()),
                why: "create (never replace) objects under its own prefix",
            });
            if access.reads {
                grants.push(Grant {
                    actions: READ_ACTIONS,
                    resource: prefix_objects(bucket, access.prefix),
                    condition: None,
                    why: "read back what it wrote under its own prefix",
                });
            }
        }
    }
    for (target, why) in [
        (&function.writes.notify, "send notifications"),
        (&function.writes.requeue, "requeue dead letters"),
        (&function.writes.enqueue, "send accepted requests on"),
    ] {
        if let Some(queue) = target {
            grants.push(Grant {
                actions: SEND_ACTIONS,
                resource: Expr::get_att(queue_id(queue), "Arn"),
                condition: None,
                why,
            });
        }
    }
    if let Some(bus) = &function.writes.events {
        grants.push(Grant {
            actions: PUBLISH_ACTIONS,
            resource: Expr::get_att(bus_id(bus), "Arn"),
            condition: None,
            why: "publish events to its bus",
        });
    }
    if let Some(table) = &function.writes.table {
        grants.push(Grant {
            actions: TABLE_ACTIONS,
            resource: Expr::get_att(table_id(table), "Arn"),
            condition: None,
            why: "read and write items of its table",
        });
    }
    if function.writes.email
        && let Some(email) = &pipeline.email
    {
        grants.push(Grant {
            actions: EMAIL_ACTIONS,
            resource: email_identity_arn(&email.identity),
            condition: None,
            why: "send e-mail from its identity",
        });
        if let Some(set) = &email.configuration_set {
            grants.push(Grant {
                actions: EMAIL_ACTIONS,
                resource: configuration_set_arn(set),
                condition: None,
                why: "send e-mail with its configuration set",
            });
        }
    }
    grants
}

/// The wildcard resources of `function`'s grants with the evidence a reviewer needs
/// (cdk-nag's AwsSolutions-IAM5 reads it from the role's metadata): `(applies_to, reason)`.
pub fn wildcard_evidence(function: &Function) -> Vec<(String, String)> {
    let Some(bucket) = &function.writes.bucket else {
        return Vec::new();
    };
    bucket_access(function.handler)
        .iter()
        .map(|access| {
            let prefix = access.prefix;
            let reads = if access.reads {
                ", and s3:GetObject to read back what it wrote"
            } else {
                ""
            };
            (
                format!("Resource::<{}.Arn>/{prefix}*", bucket_id(bucket)),
                format!(
                    "Object keys are derived per message (`{prefix}<id>…`), so they are unknown \
                     at deploy time; the wildcard covers only the prefix `{prefix}` of bucket \
                     `{bucket}` that the runtime declares for this handler, and only s3:PutObject \
                     with `If-None-Match: *` (create, never replace){reads}."
                ),
            )
        })
        .collect()
}

/// The grants as an IAM policy document.
pub fn document(grants: &[Grant]) -> Expr {
    let statements = grants.iter().map(|grant| {
        let mut statement = vec![
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list(grant.actions.iter().map(|action| Expr::str(*action))),
            ),
            ("Resource", grant.resource.clone()),
        ];
        if let Some(condition) = &grant.condition {
            statement.push(("Condition", condition.clone()));
        }
        Expr::map(statement)
    });
    Expr::map([
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::list(statements)),
    ])
}
