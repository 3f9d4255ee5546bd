//! EventBridge: one custom bus per `buses` entry and one rule per rule, each delivering to its
//! queues with the input, retry policy and dead-letter queue pipeline.yaml gives. The queues'
//! policies (`queues.rs`) let each rule, and only it, send to them.
//!
//! Queues are encrypted with SSE-SQS (`SqsManagedSseEnabled`), which EventBridge delivers to
//! without any key policy; a customer-managed KMS key would need `kms:GenerateDataKey` and
//! `kms:Decrypt` granted to `events.amazonaws.com`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::queues::queue_id;
use super::template::{Expr, Output, Resource};
use super::{outputs, tags};
use crate::config::Pipeline;
use crate::config::naming::{MAX_STAGE_LEN, logical_id, rule_logical_id};
use crate::config::pipeline::{Bus, Rule, Target, TargetInput};

/// EventBridge's limit on a rule's name.
pub const MAX_RULE_NAME: usize = 64;

/// The logical ID of a bus.
pub fn bus_id(name: &str) -> String {
    logical_id(name, "Bus")
}

/// The logical ID of rule `rule` of bus `bus`.
pub fn rule_id(bus: &str, rule: &str) -> String {
    rule_logical_id(bus, rule)
}

/// The deployed name of a bus: `${AWS::StackName}-orders`.
pub fn bus_name(bus: &str) -> Expr {
    Expr::sub(format!("${{AWS::StackName}}-{bus}"))
}

/// The part of a rule's deployed name after the stack's: `<bus>-<rule>`, shortened so that
/// the whole name fits EventBridge's 64 characters with the longest stage. A shortened part
/// keeps its start and ends with 8 hex digits of the full part's SHA-256, so two long names
/// stay distinct and the same pipeline always gives the same name.
pub fn rule_name_suffix(pipeline: &str, bus: &str, rule: &str) -> String {
    let full = format!("{bus}-{rule}");
    // `<pipeline>--<stage>-<suffix>`
    let budget = MAX_RULE_NAME.saturating_sub(pipeline.len() + 2 + MAX_STAGE_LEN + 1);
    if full.len() <= budget {
        return full;
    }
    let digest = Sha256::digest(full.as_bytes());
    let hash = format!(
        "{:02x}{:02x}{:02x}{:02x}",
        digest[0], digest[1], digest[2], digest[3]
    );
    let keep = budget.saturating_sub(hash.len() + 1);
    let start = full[..keep].trim_end_matches('-');
    format!("{start}-{hash}")
}

/// The deployed name of a rule: the stack's name (`<pipeline>--<stage>`), then its suffix.
fn rule_name(pipeline: &Pipeline, bus: &Bus, rule: &Rule) -> Expr {
    Expr::sub(format!(
        "{}--${{Stage}}-{}",
        pipeline.name,
        rule_name_suffix(&pipeline.name, &bus.name, &rule.name)
    ))
}

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    for bus in pipeline.buses.values() {
        let id = bus_id(&bus.name);
        resources.insert(
            id.clone(),
            Resource::new(
                "AWS::Events::EventBus",
                [("Name", bus_name(&bus.name)), ("Tags", tags(pipeline))],
            ),
        );
        outputs::add(
            out,
            logical_id(&bus.name, "BusName"),
            format!("Name of event bus `{}`", bus.name),
            Expr::reference(&id),
        );
        for rule in bus.rules.values() {
            resources.insert(
                rule_id(&bus.name, &rule.name),
                resource(pipeline, bus, rule),
            );
        }
    }
}

fn resource(pipeline: &Pipeline, bus: &Bus, rule: &Rule) -> Resource {
    let mut properties = vec![
        ("Name", rule_name(pipeline, bus, rule)),
        // The bus's `Name` attribute, which is also what its `Ref` gives; moto's CloudFormation
        // resolves only the attribute to the name (its `Ref` hands the rule a bus object).
        ("EventBusName", Expr::get_att(bus_id(&bus.name), "Name")),
        ("EventPattern", Expr::Json(rule.pattern.clone())),
        ("State", Expr::str("ENABLED")),
        ("Targets", Expr::list(rule.targets.iter().map(target))),
    ];
    if let Some(description) = &rule.description {
        properties.push(("Description", Expr::str(description.clone())));
    }
    Resource::new("AWS::Events::Rule", properties)
}

fn target(target: &Target) -> Expr {
    let mut entries = vec![
        ("Id", Expr::str(target.id())),
        ("Arn", Expr::get_att(queue_id(&target.queue), "Arn")),
        (
            "RetryPolicy",
            Expr::map([
                ("MaximumRetryAttempts", target.max_attempts.into()),
                ("MaximumEventAgeInSeconds", target.max_age.as_secs().into()),
            ]),
        ),
    ];
    match &target.input {
        TargetInput::Event => {}
        TargetInput::Path(path) => entries.push(("InputPath", Expr::str(path.clone()))),
        TargetInput::Transformer {
            input_paths,
            template,
        } => {
            let mut transformer = vec![("InputTemplate", Expr::str(template.clone()))];
            if !input_paths.is_empty() {
                transformer.push((
                    "InputPathsMap",
                    Expr::map(
                        input_paths
                            .iter()
                            .map(|(name, path)| (name.clone(), Expr::str(path.clone()))),
                    ),
                ));
            }
            entries.push(("InputTransformer", Expr::map(transformer)));
        }
    }
    if let Some(dead_letter) = &target.dead_letter {
        entries.push((
            "DeadLetterConfig",
            Expr::map([("Arn", Expr::get_att(queue_id(dead_letter), "Arn"))]),
        ));
    }
    Expr::map(entries)
}

/// The queue policy statement letting rule `rule` of bus `bus` send to the queue whose ARN is
/// `queue_arn`: `events.amazonaws.com`, `sqs:SendMessage`, only with that rule as source.
pub(super) fn delivery_statement(bus: &Bus, rule: &Rule, queue_arn: Expr) -> Expr {
    let id = rule_id(&bus.name, &rule.name);
    Expr::map([
        ("Sid", Expr::str(format!("EventBridge{id}"))),
        ("Effect", Expr::str("Allow")),
        (
            "Principal",
            Expr::map([("Service", Expr::str("events.amazonaws.com"))]),
        ),
        ("Action", Expr::str("sqs:SendMessage")),
        ("Resource", queue_arn),
        (
            "Condition",
            Expr::map([(
                "ArnEquals",
                Expr::map([("aws:SourceArn", Expr::get_att(id, "Arn"))]),
            )]),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_fit_eventbridge_with_the_longest_stage() {
        #[track_caller]
        fn case(pipeline: &str, bus: &str, rule: &str, expected: &str) {
            let suffix = rule_name_suffix(pipeline, bus, rule);
            assert_eq!(suffix, expected);
            let longest = format!("{pipeline}--{}-{suffix}", "s".repeat(MAX_STAGE_LEN));
            assert!(longest.len() <= MAX_RULE_NAME, "{longest}");
        }
        case("orders", "orders", "high-value", "orders-high-value");
        let long = rule_name_suffix(
            "a-pipeline-of-24-letters",
            "orders-and-returns",
            "high-value-orders",
        );
        assert_eq!(long.len(), 64 - 24 - 2 - 16 - 1, "{long}");
        assert!(long.starts_with("orders-and-"), "{long}");
        case(
            "a-pipeline-of-24-letters",
            "orders-and-returns",
            "high-value-orders",
            &long,
        );
        assert_ne!(
            rule_name_suffix(
                "a-pipeline-of-24-letters",
                "orders-and-returns",
                "high-value-order"
            ),
            long,
            "two long names stay distinct"
        );
    }
}
