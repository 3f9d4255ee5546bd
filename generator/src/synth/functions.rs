//! Per function: its log group, its least-privilege role, the function and its event source
//! mapping (always with `ReportBatchItemFailures`: every generated handler answers with a batch
//! response).

use std::collections::BTreeMap;

use super::parameters::{CODE_BUCKET, EVENT_SOURCES_ON, code_key, code_version, has_code_version};
use super::policies::{document, grants, wildcard_evidence};
use super::queues::queue_id;
use super::template::{Expr, Output, Resource};
use super::{SynthError, environment, outputs, suppressions, tags};
use crate::config::Pipeline;
use crate::config::model::Architecture;
use crate::config::naming::logical_id;
use crate::config::pipeline::{Function, QueueTrigger};

/// The partial-failure reporting every mapping sets.
pub const REPORT_BATCH_ITEM_FAILURES: &str = "ReportBatchItemFailures";

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) -> Result<(), SynthError> {
    for function in pipeline.functions.values() {
        let function_id = logical_id(&function.name, "Function");
        let role_id = logical_id(&function.name, "Role");
        let log_group_id = logical_id(&function.name, "LogGroup");
        let physical = format!("{}-{}-${{Stage}}", pipeline.name, function.name);

        resources.insert(
            log_group_id.clone(),
            Resource::new(
                "AWS::Logs::LogGroup",
                [
                    ("LogGroupName", Expr::sub(format!("/aws/lambda/{physical}"))),
                    ("RetentionInDays", function.log_retention_days.into()),
                ],
            )
            .skip_checks(suppressions::LOG_GROUP),
        );
        resources.insert(role_id.clone(), role(pipeline, function, &log_group_id));
        resources.insert(
            function_id.clone(),
            lambda(pipeline, function, &physical, &role_id, &log_group_id)?,
        );
        if let Some(trigger) = function.trigger.queue() {
            resources.insert(
                logical_id(&function.name, "EventSourceMapping"),
                event_source_mapping(trigger, &function_id),
            );
        }
        outputs::add(
            out,
            logical_id(&function.name, "FunctionName"),
            format!("Name of function `{}`", function.name),
            Expr::reference(&function_id),
        );
    }
    Ok(())
}

fn role(pipeline: &Pipeline, function: &Function, log_group_id: &str) -> Resource {
    let role = Resource::new(
        "AWS::IAM::Role",
        [
            (
                "Description",
                Expr::str(format!(
                    "Least privilege for function `{}` of pipeline `{}`.",
                    function.name, pipeline.name
                )),
            ),
            (
                "AssumeRolePolicyDocument",
                Expr::map([
                    ("Version", Expr::str("2012-10-17")),
                    (
                        "Statement",
                        Expr::list([Expr::map([
                            ("Effect", Expr::str("Allow")),
                            (
                                "Principal",
                                Expr::map([("Service", Expr::str("lambda.amazonaws.com"))]),
                            ),
                            ("Action", Expr::str("sts:AssumeRole")),
                        ])]),
                    ),
                ]),
            ),
            (
                "Policies",
                Expr::list([Expr::map([
                    ("PolicyName", Expr::str(format!("{}-access", function.name))),
                    (
                        "PolicyDocument",
                        document(&grants(pipeline, function, log_group_id)),
                    ),
                ])]),
            ),
            ("Tags", tags(pipeline)),
        ],
    );
    role.wildcard_evidence(&wildcard_evidence(function))
}

fn lambda(
    pipeline: &Pipeline,
    function: &Function,
    physical: &str,
    role_id: &str,
    log_group_id: &str,
) -> Result<Resource, SynthError> {
    let variables = environment::variables(pipeline, function)?;
    let mut properties = vec![
        ("FunctionName", Expr::sub(physical)),
        ("Runtime", Expr::str("provided.al2023")),
        ("Handler", Expr::str("bootstrap")),
        (
            "Architectures",
            Expr::list([Expr::str(match function.architecture {
                Architecture::Arm64 => "arm64",
                Architecture::X86_64 => "x86_64",
            })]),
        ),
        ("MemorySize", function.memory_mb.into()),
        ("Timeout", function.timeout.as_secs().into()),
        ("Role", Expr::get_att(role_id, "Arn")),
        (
            "Code",
            Expr::map([
                ("S3Bucket", Expr::reference(CODE_BUCKET)),
                ("S3Key", Expr::reference(code_key(&function.name))),
                (
                    "S3ObjectVersion",
                    Expr::If(
                        has_code_version(&function.name),
                        Box::new(Expr::reference(code_version(&function.name))),
                        Box::new(Expr::no_value()),
                    ),
                ),
            ]),
        ),
        (
            "Environment",
            Expr::map([("Variables", Expr::Map(variables))]),
        ),
        (
            "LoggingConfig",
            Expr::map([("LogGroup", Expr::reference(log_group_id))]),
        ),
        ("Tags", tags(pipeline)),
    ];
    if let Some(description) = &function.description {
        properties.push(("Description", Expr::str(description.clone())));
    }
    if let Some(reserved) = function.reserved_concurrency {
        properties.push(("ReservedConcurrentExecutions", reserved.into()));
    }
    let skips = if function.trigger.route().is_some() {
        suppressions::ROUTE_FUNCTION
    } else if function.writes.table.is_some() || function.writes.email {
        suppressions::FUNCTION_WITH_DATA
    } else {
        suppressions::FUNCTION
    };
    Ok(Resource::new("AWS::Lambda::Function", properties).skip_checks(skips))
}

fn event_source_mapping(trigger: &QueueTrigger, function_id: &str) -> Resource {
    let mut properties = vec![
        (
            "EventSourceArn",
            Expr::get_att(queue_id(&trigger.queue), "Arn"),
        ),
        ("FunctionName", Expr::reference(function_id)),
        ("BatchSize", trigger.batch_size.into()),
        (
            "FunctionResponseTypes",
            Expr::list([Expr::str(REPORT_BATCH_ITEM_FAILURES)]),
        ),
        (
            "Enabled",
            Expr::If(
                EVENT_SOURCES_ON.to_owned(),
                Box::new(Expr::Bool(true)),
                Box::new(Expr::Bool(false)),
            ),
        ),
    ];
    if trigger.batching_window.as_secs() > 0 {
        properties.push((
            "MaximumBatchingWindowInSeconds",
            trigger.batching_window.as_secs().into(),
        ));
    }
    properties.push((
        "ScalingConfig",
        Expr::map([("MaximumConcurrency", trigger.max_concurrency.into())]),
    ));
    Resource::new("AWS::Lambda::EventSourceMapping", properties)
}
