//! The optional CloudWatch dashboard of a stage (`dashboard: true`): where orders went (the
//! runtime's counters: received, validated, enqueued, written), how deep and how old each
//! queue's backlog is, what the functions failed or were throttled, and what the APIs answered.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::apis::api_id;
use super::environment::metrics_namespace;
use super::queues::queue_id;
use super::template::{Expr, Resource};
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::naming::logical_id;

/// The logical ID of the dashboard.
pub(super) const DASHBOARD: &str = "Dashboard";

/// The counters the order handlers emit, in the order an order passes them.
const ORDER_COUNTERS: &[(HandlerKind, &str)] = &[
    (HandlerKind::OrderIngest, "OrdersReceived"),
    (HandlerKind::OrderIngest, "OrdersValidated"),
    (HandlerKind::OrderIngest, "OrdersEnqueued"),
    (HandlerKind::OrderStore, "OrdersWritten"),
    (HandlerKind::OrderStore, "EmailsSent"),
];

pub(super) fn add(pipeline: &Pipeline, resources: &mut BTreeMap<String, Resource>) {
    if !pipeline.dashboard {
        return;
    }
    let mut widgets = Vec::new();
    let namespace = metrics_namespace(pipeline);
    let namespace = namespace.as_str();
    let counters: Vec<Value> = ORDER_COUNTERS
        .iter()
        .flat_map(|(kind, metric)| {
            pipeline
                .functions
                .values()
                .filter(move |function| function.handler == *kind)
                .map(move |function| {
                    json!([namespace, metric, "Function", physical(pipeline, &function.name), {
                        "label": format!("{metric} ({})", function.name)
                    }])
                })
        })
        .collect();
    if !counters.is_empty() {
        widgets.push(widget(
            "Orders: received, validated, enqueued, written",
            counters,
            "Sum",
        ));
    }
    if !pipeline.apis.is_empty() {
        let metrics = pipeline
            .apis
            .keys()
            .flat_map(|api| {
                ["Count", "4xx", "5xx"].map(|metric| {
                    json!(["AWS/ApiGateway", metric, "ApiId", format!("${{{}}}", api_id(api)), {
                        "label": format!("{api} {metric}")
                    }])
                })
            })
            .collect();
        widgets.push(widget("API requests and errors", metrics, "Sum"));
    }
    if !pipeline.queues.is_empty() {
        let queue_metric = |metric: &str| -> Vec<Value> {
            pipeline
                .queues
                .keys()
                .map(|queue| {
                    json!(["AWS/SQS", metric, "QueueName", format!("${{{}.QueueName}}", queue_id(queue)), {
                        "label": queue
                    }])
                })
                .collect()
        };
        widgets.push(widget(
            "Queue depth (visible messages)",
            queue_metric("ApproximateNumberOfMessagesVisible"),
            "Maximum",
        ));
        widgets.push(widget(
            "Age of the oldest message (seconds)",
            queue_metric("ApproximateAgeOfOldestMessage"),
            "Maximum",
        ));
    }
    let lambda_metric = |metric: &str| -> Vec<Value> {
        pipeline
            .functions
            .keys()
            .map(|function| {
                json!(["AWS/Lambda", metric, "FunctionName", format!("${{{}}}", logical_id(function, "Function")), {
                    "label": function
                }])
            })
            .collect()
    };
    widgets.push(widget("Function errors", lambda_metric("Errors"), "Sum"));
    widgets.push(widget(
        "Function throttles",
        lambda_metric("Throttles"),
        "Sum",
    ));
    // Two widgets a row, 12 columns each, 6 rows high.
    for (index, widget) in widgets.iter_mut().enumerate() {
        widget["x"] = json!((index % 2) * 12);
        widget["y"] = json!((index / 2) * 6);
    }
    let body = serde_json::to_string(&json!({ "widgets": widgets }))
        .expect("a dashboard body is plain JSON");
    resources.insert(
        DASHBOARD.to_owned(),
        Resource::new(
            "AWS::CloudWatch::Dashboard",
            [
                (
                    "DashboardName",
                    Expr::sub(format!("{}-${{Stage}}", pipeline.name)),
                ),
                ("DashboardBody", Expr::sub(body)),
            ],
        ),
    );
}

/// A function's physical name inside the dashboard's `Fn::Sub`.
fn physical(pipeline: &Pipeline, function: &str) -> String {
    format!("{}-{function}-${{Stage}}", pipeline.name)
}

fn widget(title: &str, metrics: Vec<Value>, stat: &str) -> Value {
    json!({
        "type": "metric",
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": "${AWS::Region}",
            "view": "timeSeries",
            "stacked": false,
            "period": 60,
            "stat": stat,
            "metrics": metrics,
        }
    })
}
