//! Buses and rules: targets EventBridge can deliver to, inputs it can build, retry policies
//! within its limits, patterns with AWS's own rules, and logical IDs that do not collide.

use std::collections::BTreeMap;

use super::Checker;
use crate::config::model::TargetConfig;
use crate::config::naming::rule_logical_id;
use crate::diagnostic::Diagnostic;

/// EventBridge's bounds on a target's `MaximumEventAgeInSeconds`.
const MAX_AGE_RANGE: std::ops::RangeInclusive<u64> = 60..=86_400;

pub(super) fn check(checker: &mut Checker<'_>) {
    let mut rule_ids: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (bus_name, bus) in &checker.config.buses {
        for (rule_name, rule) in &bus.rules {
            let id = rule_logical_id(bus_name, rule_name);
            if let Some((first_bus, first_rule)) = rule_ids.get(&id) {
                let span = checker.key(&["buses", bus_name, "rules", rule_name]);
                checker.push(
                    Diagnostic::error(
                        "logical-id-collision",
                        format!(
                            "rule `{rule_name}` of bus `{bus_name}` and rule `{first_rule}` of bus `{first_bus}` both become the CloudFormation resource `{id}`"
                        ),
                    )
                    .at(span, "same logical ID")
                    .help("rename one of the rules (or buses) so their names differ in more than their hyphens"),
                );
            } else {
                rule_ids.insert(id, (bus_name.clone(), rule_name.clone()));
            }
            super::patterns::check(checker, bus_name, rule_name, &rule.pattern);
            let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
            for (index, target) in rule.targets.iter().enumerate() {
                let index_text = index.to_string();
                let at = [
                    "buses",
                    bus_name,
                    "rules",
                    rule_name,
                    "targets",
                    &index_text,
                ];
                if let Some(first) = seen.insert(target.queue.as_str(), index) {
                    let span = checker.value(&[&at[..], &["queue"]].concat());
                    checker.push(
                        Diagnostic::error(
                            "event-target-duplicate",
                            format!(
                                "rule `{rule_name}` targets queue `{}` twice (targets {first} and {index})",
                                target.queue
                            ),
                        )
                        .at(span, "already a target of this rule")
                        .help("a queue receives each matching event once per target: remove the second target, or merge their settings"),
                    );
                }
                target_checks(checker, &at, rule_name, target);
            }
        }
    }
    unused_buses(checker);
}

fn target_checks(checker: &mut Checker<'_>, at: &[&str], rule: &str, target: &TargetConfig) {
    let field = |name: &'static str| [at, &[name]].concat();
    if target.input_path.is_some() && target.input_transformer.is_some() {
        let span = checker.key(&field("input_transformer"));
        checker.push(
            Diagnostic::error(
                "event-target-input",
                format!("a target of rule `{rule}` sets both `input_path` and `input_transformer`"),
            )
            .at(span, "second way to shape the input")
            .help("EventBridge takes one of them: keep `input_path` to send a part of the event, or `input_transformer` to build a body"),
        );
    }
    for (name, queue) in [
        ("queue", Some(&target.queue)),
        ("dead_letter", target.dead_letter.as_ref()),
    ] {
        let Some(queue) = queue else { continue };
        if checker.pipeline.queues.get(queue).is_some_and(|q| q.fifo) {
            let span = checker.value(&field(name));
            let what = if name == "queue" {
                "target"
            } else {
                "dead-letter queue"
            };
            checker.push(
                Diagnostic::error(
                    "event-target-fifo",
                    format!("rule `{rule}` would deliver to FIFO queue `{queue}` ({what})"),
                )
                .at(span, "a FIFO queue")
                .help("EventBridge must be given a message group id to send to a FIFO queue, and pipeline.yaml has no place for one: use a standard queue"),
            );
        }
    }
    if target.dead_letter.as_ref() == Some(&target.queue) {
        let span = checker.value(&field("dead_letter"));
        checker.push(
            Diagnostic::error(
                "event-target-dead-letter",
                format!(
                    "queue `{}` is both a target of rule `{rule}` and that target's dead-letter queue",
                    target.queue
                ),
            )
            .at(span, "the target itself")
            .help("events that cannot be delivered to a queue cannot be delivered to it either: name another queue, e.g. `events-dlq`"),
        );
    }
    if let Some(max_age) = target.retry.as_ref().and_then(|retry| retry.max_age)
        && !MAX_AGE_RANGE.contains(&max_age.as_secs())
    {
        let span = checker.value(&[at, &["retry", "max_age"]].concat());
        checker.push(
            Diagnostic::error(
                "out-of-range",
                format!(
                    "retry `max_age` `{max_age}` of a target of rule `{rule}` is outside 60s–24h"
                ),
            )
            .at(span, "outside 60s–24h")
            .help(
                "EventBridge keeps retrying an event for at least 60 seconds and at most 24 hours",
            ),
        );
    }
    super::patterns::check_input(checker, at, target);
}

/// A bus no function publishes to receives nothing.
fn unused_buses(checker: &mut Checker<'_>) {
    for name in checker.config.buses.keys() {
        let published = checker
            .config
            .functions
            .values()
            .any(|function| function.writes.events.as_ref() == Some(name));
        if !published {
            let span = checker.key(&["buses", name]);
            checker.push(
                Diagnostic::warning(
                    "bus-unused",
                    format!("no function publishes to bus `{name}`"),
                )
                .at(span, "nothing sends events here")
                .help(format!(
                    "add `writes: {{ events: {name} }}` to the function that publishes, or remove the bus"
                )),
            );
        }
    }
}
