//! Alarms that fire on what matters, named and described in the pipeline's terms: a function's
//! errors and throttles, the age of the oldest message on every triggered queue, the depth of
//! dead-letter queues that ask for it, and orders parked by a DLQ processor. Every alarm
//! notifies the stage's alarm topic.

use std::collections::BTreeMap;

use super::alarm_topic::TOPIC;
use super::apis::api_id;
use super::environment::metrics_namespace;
use super::queues::queue_id;
use super::template::{Expr, Resource};
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::naming::logical_id;
use crate::config::pipeline::{Function, Queue, Trigger};
use crate::config::values::Duration;
use runtime::telemetry::PARKED_METRIC;

/// The period of the alarms the pipeline does not configure.
const FUNCTION_PERIOD: Duration = Duration::from_secs(300);
/// The least age of the oldest message that alarms, whatever the visibility timeout.
const MIN_AGE: Duration = Duration::from_secs(900);

/// One CloudWatch alarm on one metric.
struct Alarm {
    name: Expr,
    description: String,
    namespace: String,
    metric: &'static str,
    dimension: (&'static str, Expr),
    statistic: &'static str,
    period: Duration,
    evaluation_periods: u32,
    above: u64,
}

impl Alarm {
    fn resource(self) -> Resource {
        let (dimension, value) = self.dimension;
        Resource::new(
            "AWS::CloudWatch::Alarm",
            [
                ("AlarmName", self.name),
                ("AlarmDescription", Expr::str(self.description)),
                ("Namespace", Expr::str(self.namespace)),
                ("MetricName", Expr::str(self.metric)),
                (
                    "Dimensions",
                    Expr::list([Expr::map([
                        ("Name", Expr::str(dimension)),
                        ("Value", value),
                    ])]),
                ),
                ("Statistic", Expr::str(self.statistic)),
                ("Period", self.period.as_secs().into()),
                ("EvaluationPeriods", self.evaluation_periods.into()),
                ("Threshold", self.above.into()),
                ("ComparisonOperator", Expr::str("GreaterThanThreshold")),
                ("TreatMissingData", Expr::str("notBreaching")),
                ("AlarmActions", Expr::list([Expr::reference(TOPIC)])),
            ],
        )
    }
}

/// `orders-task-${Stage}-errors`.
fn alarm_name(pipeline: &Pipeline, name: &str, what: &str) -> Expr {
    Expr::sub(format!("{}-{name}-${{Stage}}-{what}", pipeline.name))
}

pub(super) fn add(pipeline: &Pipeline, resources: &mut BTreeMap<String, Resource>) {
    for function in pipeline.functions.values() {
        for (id, alarm) in function_alarms(pipeline, function) {
            resources.insert(id, alarm.resource());
        }
    }
    for api in pipeline.apis.keys() {
        let routes: Vec<String> = pipeline
            .routes_of(api)
            .map(|(function, route)| {
                format!("`{}` (function `{}`)", route.route_key(), function.name)
            })
            .collect();
        let alarm = Alarm {
            name: alarm_name(pipeline, api, "5xx"),
            description: format!(
                "API `{api}` answered requests with a 5xx status in the last {FUNCTION_PERIOD}: its function failed, timed out or was throttled, or a dependency was down (503). Routes: {}.",
                routes.join(", ")
            ),
            namespace: "AWS/ApiGateway".to_owned(),
            metric: "5xx",
            dimension: ("ApiId", Expr::reference(api_id(api))),
            statistic: "Sum",
            period: FUNCTION_PERIOD,
            evaluation_periods: 1,
            above: 0,
        };
        resources.insert(logical_id(api, "Api5xxAlarm"), alarm.resource());
    }
    for queue in pipeline.queues.values() {
        if let Some(consumer) = pipeline.consumer_of(&queue.name) {
            resources.insert(
                logical_id(&queue.name, "AgeAlarm"),
                age_alarm(pipeline, queue, consumer).resource(),
            );
        }
        if let Some(depth) = depth_alarm(pipeline, queue) {
            resources.insert(logical_id(&queue.name, "DepthAlarm"), depth.resource());
        }
    }
}

fn function_alarms(pipeline: &Pipeline, function: &Function) -> Vec<(String, Alarm)> {
    let name = &function.name;
    let lambda = |what: &str, metric: &'static str, description: String| Alarm {
        name: alarm_name(pipeline, name, what),
        description,
        namespace: "AWS/Lambda".to_owned(),
        metric,
        dimension: (
            "FunctionName",
            Expr::reference(logical_id(name, "Function")),
        ),
        statistic: "Sum",
        period: FUNCTION_PERIOD,
        evaluation_periods: 1,
        above: 0,
    };
    let (errors, throttles) = match &function.trigger {
        Trigger::Queue(trigger) => {
            let queue = &trigger.queue;
            (
                format!(
                    "Function `{name}` failed whole invocations (crash, timeout or out of memory) in the last {FUNCTION_PERIOD}: their messages from `{queue}` become visible again; {}.",
                    fate(pipeline, queue)
                ),
                format!(
                    "Function `{name}` was throttled in the last {FUNCTION_PERIOD}: messages from `{queue}` wait longer, and each throttled receive counts as a receive; {}.",
                    fate(pipeline, queue)
                ),
            )
        }
        Trigger::Route(route) => (
            format!(
                "Function `{name}` failed whole invocations (crash, timeout or out of memory) in the last {FUNCTION_PERIOD}: API `{}` answered those requests to `{}` with an error and the callers must retry.",
                route.api,
                route.route_key()
            ),
            format!(
                "Function `{name}` was throttled in the last {FUNCTION_PERIOD}: API `{}` answered those requests to `{}` with an error; raise the account's concurrency or `reserved_concurrency`, or lower the API's throttling.",
                route.api,
                route.route_key()
            ),
        ),
    };
    let mut alarms = vec![
        (
            logical_id(name, "ErrorsAlarm"),
            lambda("errors", "Errors", errors),
        ),
        (
            logical_id(name, "ThrottlesAlarm"),
            lambda("throttles", "Throttles", throttles),
        ),
    ];
    if function.handler == HandlerKind::DlqProcessor {
        let bucket = function.writes.bucket.as_deref().unwrap_or_default();
        alarms.push((
            logical_id(name, "ParkedAlarm"),
            Alarm {
                name: alarm_name(pipeline, name, "parked"),
                description: format!(
                    "Function `{name}` parked orders in bucket `{bucket}` in the last {FUNCTION_PERIOD}: they could not be repaired and wait for a person."
                ),
                namespace: metrics_namespace(pipeline),
                metric: PARKED_METRIC,
                dimension: (
                    "Function",
                    Expr::reference(logical_id(name, "Function")),
                ),
                ..lambda("parked", PARKED_METRIC, String::new())
            },
        ));
    }
    alarms
}

/// What becomes of a message of `queue` that keeps failing, in the pipeline's terms.
fn fate(pipeline: &Pipeline, queue: &str) -> String {
    match pipeline.queues.get(queue) {
        Some(Queue {
            redrive: Some(redrive),
            ..
        }) => format!(
            "after {} receives a message moves to `{}`",
            redrive.max_receive_count, redrive.dead_letter
        ),
        Some(queue) => format!(
            "`{}` has no dead-letter queue, so a failing message is retried until its retention ({}) ends and is then dropped",
            queue.name, queue.retention
        ),
        None => String::new(),
    }
}

/// The oldest message has waited longer than any healthy run takes: twice the visibility
/// timeout (one failed receive and its retry), and at least 15 minutes.
fn age_alarm(pipeline: &Pipeline, queue: &Queue, consumer: &Function) -> Alarm {
    let above = Duration::from_secs(
        (2 * queue.visibility_timeout.as_secs())
            .max(MIN_AGE.as_secs())
            .min(queue.retention.as_secs() / 2),
    );
    Alarm {
        name: alarm_name(pipeline, &queue.name, "oldest-message"),
        description: format!(
            "The oldest message in queue `{}` has waited more than {above}: function `{}` is not keeping up, or keeps failing. Messages are deleted after {}.",
            queue.name, consumer.name, queue.retention
        ),
        namespace: "AWS/SQS".to_owned(),
        metric: "ApproximateAgeOfOldestMessage",
        dimension: (
            "QueueName",
            Expr::get_att(queue_id(&queue.name), "QueueName"),
        ),
        statistic: "Maximum",
        period: FUNCTION_PERIOD,
        evaluation_periods: 1,
        above: above.as_secs(),
    }
}

/// The depth alarm a queue asks for with `alarm:`.
fn depth_alarm(pipeline: &Pipeline, queue: &Queue) -> Option<Alarm> {
    let alarm = queue.alarm.as_ref()?;
    let what = if pipeline.sources_of(&queue.name).next().is_some() {
        "dead-letter queue"
    } else {
        "queue"
    };
    Some(Alarm {
        name: alarm_name(pipeline, &queue.name, "depth"),
        description: format!(
            "More than {} messages wait in {what} `{}`.",
            alarm.above, queue.name
        ),
        namespace: "AWS/SQS".to_owned(),
        metric: "ApproximateNumberOfMessagesVisible",
        dimension: (
            "QueueName",
            Expr::get_att(queue_id(&queue.name), "QueueName"),
        ),
        statistic: "Maximum",
        period: alarm.period,
        evaluation_periods: alarm.evaluation_periods,
        above: alarm.above.into(),
    })
}
