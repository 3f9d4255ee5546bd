//! SQS queues (SSE, retention, long polling, derived visibility, redrive, a TLS-only queue
//! policy); their alarms are in `alarms.rs`.

use std::collections::BTreeMap;

use super::buses::delivery_statement;
use super::template::{Expr, Output, Resource};
use super::transport::{deny_insecure_transport_statement, policy_document as document};
use super::{outputs, suppressions, tags};
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::config::pipeline::Queue;

/// The logical ID of a queue.
pub(super) fn queue_id(name: &str) -> String {
    logical_id(name, "Queue")
}

/// `orders-task-${Stage}` (`.fifo` added for FIFO queues).
pub(super) fn queue_name(pipeline: &Pipeline, queue: &Queue) -> Expr {
    let suffix = if queue.fifo { ".fifo" } else { "" };
    Expr::sub(format!(
        "{}-{}-${{Stage}}{suffix}",
        pipeline.name, queue.name
    ))
}

/// The queue's one policy: TLS only, and a statement per rule that delivers to it (as a
/// target or a target's dead-letter queue). One policy per queue, since two
/// `AWS::SQS::QueuePolicy` resources on a queue overwrite each other.
fn policy_document(pipeline: &Pipeline, queue: &Queue, id: &str) -> Expr {
    let arn = || Expr::get_att(id, "Arn");
    let statements = std::iter::once(deny_insecure_transport_statement("sqs:*", vec![arn()]))
        .chain(
            pipeline
                .rules_delivering_to(&queue.name)
                .map(|(bus, rule)| delivery_statement(bus, rule, arn())),
        );
    document(statements)
}

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    for queue in pipeline.queues.values() {
        let id = queue_id(&queue.name);
        let mut properties = vec![
            ("QueueName", queue_name(pipeline, queue)),
            ("SqsManagedSseEnabled", Expr::Bool(true)),
            ("MessageRetentionPeriod", queue.retention.as_secs().into()),
            (
                "ReceiveMessageWaitTimeSeconds",
                queue.receive_wait.as_secs().into(),
            ),
            (
                "VisibilityTimeout",
                queue.visibility_timeout.as_secs().into(),
            ),
            ("Tags", tags(pipeline)),
        ];
        if queue.delay.as_secs() > 0 {
            properties.push(("DelaySeconds", queue.delay.as_secs().into()));
        }
        if queue.fifo {
            properties.push(("FifoQueue", Expr::Bool(true)));
            properties.push((
                "ContentBasedDeduplication",
                Expr::Bool(queue.content_based_deduplication),
            ));
        }
        if let Some(redrive) = &queue.redrive {
            properties.push((
                "RedrivePolicy",
                Expr::map([
                    (
                        "deadLetterTargetArn",
                        Expr::get_att(queue_id(&redrive.dead_letter), "Arn"),
                    ),
                    ("maxReceiveCount", redrive.max_receive_count.into()),
                ]),
            ));
        }
        let mut resource =
            Resource::new("AWS::SQS::Queue", properties).skip_checks(suppressions::QUEUE);
        if is_events_dead_letter(pipeline, &queue.name) {
            resource = resource.acknowledge_nag(&[(
                "AwsSolutions-SQS3",
                "The dead-letter queue of EventBridge rule targets (their DeadLetterConfig, which cdk-nag does not read): it holds the events EventBridge could not deliver, and a dead-letter queue of its own would only move them once more.",
            )]);
        }
        resources.insert(id.clone(), resource);
        resources.insert(
            logical_id(&queue.name, "QueuePolicy"),
            Resource::new(
                "AWS::SQS::QueuePolicy",
                [
                    ("Queues", Expr::list([Expr::reference(&id)])),
                    ("PolicyDocument", policy_document(pipeline, queue, &id)),
                ],
            ),
        );
        let is_dead_letter = pipeline.sources_of(&queue.name).next().is_some();
        let what = if is_dead_letter {
            "dead-letter queue"
        } else {
            "queue"
        };
        outputs::add(
            out,
            logical_id(&queue.name, "QueueUrl"),
            format!("URL of {what} `{}`", queue.name),
            Expr::reference(&id),
        );
    }
}

/// Whether `queue` is only a dead-letter queue of rule targets: no queue redrives into it, it
/// redrives nowhere, and some rule's target names it as its `dead_letter`.
fn is_events_dead_letter(pipeline: &Pipeline, queue: &str) -> bool {
    pipeline.sources_of(queue).next().is_none()
        && pipeline
            .queues
            .get(queue)
            .is_some_and(|config| config.redrive.is_none())
        && pipeline.rules().any(|(_, rule)| {
            rule.targets
                .iter()
                .any(|target| target.dead_letter.as_deref() == Some(queue))
        })
}
