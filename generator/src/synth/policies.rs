//! Least privilege: what each function may do, and on exactly which resources.

use super::buckets::bucket_id;
use super::queues::queue_id;
use super::template::Expr;
use crate::config::model::HandlerKind;
use crate::config::pipeline::Function;
use runtime::handlers::{DEAD_LETTER_PREFIX, INVOICE_PREFIX};

/// One permission of a function: actions on one resource, and why it needs them.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub actions: &'static [&'static str],
    pub resource: Expr,
    pub why: &'static str,
}

const LOG_ACTIONS: &[&str] = &["logs:CreateLogStream", "logs:PutLogEvents"];
const CONSUME_ACTIONS: &[&str] = &[
    "sqs:ChangeMessageVisibility",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
    "sqs:ReceiveMessage",
];
const OBJECT_ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject"];
const SEND_ACTIONS: &[&str] = &["sqs:SendMessage"];

/// The bucket prefix a handler writes under, if it writes to a bucket.
pub fn bucket_prefix(kind: HandlerKind) -> Option<&'static str> {
    match kind {
        HandlerKind::OrderProcessor => Some(INVOICE_PREFIX),
        HandlerKind::DlqProcessor => Some(DEAD_LETTER_PREFIX),
        HandlerKind::NotificationLogger => None,
    }
}

/// Every grant of `function`; `log_group` is the logical ID of its log group.
pub fn grants(function: &Function, log_group: &str) -> Vec<Grant> {
    let mut grants = vec![
        Grant {
            actions: LOG_ACTIONS,
            resource: Expr::get_att(log_group, "Arn"),
            why: "write its own logs",
        },
        Grant {
            actions: CONSUME_ACTIONS,
            resource: Expr::get_att(queue_id(&function.trigger.queue), "Arn"),
            why: "take batches from its trigger queue",
        },
    ];
    if let (Some(bucket), Some(prefix)) = (&function.writes.bucket, bucket_prefix(function.handler))
    {
        grants.push(Grant {
            actions: OBJECT_ACTIONS,
            resource: Expr::sub(format!("${{{}.Arn}}/{prefix}*", bucket_id(bucket))),
            why: "write and read its objects under its prefix",
        });
    }
    for (target, why) in [
        (&function.writes.notify, "send notifications"),
        (&function.writes.requeue, "requeue dead letters"),
    ] {
        if let Some(queue) = target {
            grants.push(Grant {
                actions: SEND_ACTIONS,
                resource: Expr::get_att(queue_id(queue), "Arn"),
                why,
            });
        }
    }
    grants
}

/// The grants as an IAM policy document.
pub fn document(grants: &[Grant]) -> Expr {
    let statements = grants.iter().map(|grant| {
        Expr::map([
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list(grant.actions.iter().map(|action| Expr::str(*action))),
            ),
            ("Resource", grant.resource.clone()),
        ])
    });
    Expr::map([
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::list(statements)),
    ])
}
