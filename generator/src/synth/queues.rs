//! SQS queues (SSE, retention, long polling, derived visibility, redrive) and DLQ depth alarms.

use std::collections::BTreeMap;

use super::parameters::{ALARM_TOPIC, HAS_ALARM_TOPIC};
use super::template::{Expr, Output, Resource};
use super::{outputs, tags};
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::config::pipeline::{Alarm, Queue};

/// Checks that do not apply to a pipeline's queues, with the reason.
const QUEUE_SKIPS: &[(&str, &str)] = &[(
    "CKV_AWS_27",
    "Encrypted at rest with SSE-SQS (SqsManagedSseEnabled); checkov only recognises a KMS key id.",
)];

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
        resources.insert(
            id.clone(),
            Resource::new("AWS::SQS::Queue", properties).skip_checks(QUEUE_SKIPS),
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
        if let Some(alarm) = &queue.alarm {
            resources.insert(
                logical_id(&queue.name, "DepthAlarm"),
                depth_alarm(pipeline, queue, alarm, &id, what),
            );
        }
    }
}

fn depth_alarm(
    pipeline: &Pipeline,
    queue: &Queue,
    alarm: &Alarm,
    id: &str,
    what: &str,
) -> Resource {
    Resource::new(
        "AWS::CloudWatch::Alarm",
        [
            (
                "AlarmName",
                Expr::sub(format!("{}-{}-${{Stage}}-depth", pipeline.name, queue.name)),
            ),
            (
                "AlarmDescription",
                Expr::str(format!(
                    "More than {} messages wait in {what} `{}`.",
                    alarm.above, queue.name
                )),
            ),
            ("Namespace", Expr::str("AWS/SQS")),
            (
                "MetricName",
                Expr::str("ApproximateNumberOfMessagesVisible"),
            ),
            (
                "Dimensions",
                Expr::list([Expr::map([
                    ("Name", Expr::str("QueueName")),
                    ("Value", Expr::get_att(id, "QueueName")),
                ])]),
            ),
            ("Statistic", Expr::str("Maximum")),
            ("Period", alarm.period.as_secs().into()),
            ("EvaluationPeriods", alarm.evaluation_periods.into()),
            ("Threshold", alarm.above.into()),
            ("ComparisonOperator", Expr::str("GreaterThanThreshold")),
            ("TreatMissingData", Expr::str("notBreaching")),
            (
                "AlarmActions",
                Expr::If(
                    HAS_ALARM_TOPIC.to_owned(),
                    Box::new(Expr::list([Expr::reference(ALARM_TOPIC)])),
                    Box::new(Expr::no_value()),
                ),
            ),
        ],
    )
}
