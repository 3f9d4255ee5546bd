//! Buses and rules in the user's terms: a changed pattern shown as the conditions it states
//! ("rule `high-value`: `detail.total` ≥ 1000 → ≥ 500"), targets added, removed or changed.

use std::collections::{BTreeMap, BTreeSet};

use super::PipelineChange;
use crate::config::Pipeline;
use crate::config::pipeline::{Rule, Target, TargetInput};

pub(super) fn changes(old: &Pipeline, new: &Pipeline) -> Vec<PipelineChange> {
    let mut out = Vec::new();
    let mut push = |kind: &'static str, name: String, description: String| {
        out.push(PipelineChange {
            kind,
            name,
            description,
        });
    };
    let buses: BTreeSet<&String> = old.buses.keys().chain(new.buses.keys()).collect();
    // With one bus a rule's name says enough; with several, `<bus>.<rule>`.
    let qualify = buses.len() > 1;
    for bus in buses {
        let (old_rules, new_rules) = match (old.buses.get(bus), new.buses.get(bus)) {
            (None, Some(added)) => {
                push(
                    "bus",
                    bus.clone(),
                    format!("added with {}", rule_list(&added.rules)),
                );
                continue;
            }
            (Some(_), None) => {
                push("bus", bus.clone(), "removed, with its rules".to_owned());
                continue;
            }
            (Some(old), Some(new)) => (&old.rules, &new.rules),
            (None, None) => continue,
        };
        let names: BTreeSet<&String> = old_rules.keys().chain(new_rules.keys()).collect();
        for name in names {
            let shown = if qualify {
                format!("{bus}.{name}")
            } else {
                name.clone()
            };
            match (old_rules.get(name), new_rules.get(name)) {
                (None, Some(rule)) => push(
                    "rule",
                    shown,
                    format!("added: {} → {}", describe_pattern(rule), targets(rule)),
                ),
                (Some(_), None) => push("rule", shown, "removed".to_owned()),
                (Some(old), Some(new)) => {
                    for description in rule_changes(old, new) {
                        push("rule", shown.clone(), description);
                    }
                }
                (None, None) => {}
            }
        }
    }
    out
}

/// `` rules `a`, `b` ``.
fn rule_list(rules: &BTreeMap<String, Rule>) -> String {
    let names: Vec<String> = rules.keys().map(|name| format!("`{name}`")).collect();
    format!("rules {}", names.join(", "))
}

/// `` queues `a`, `b` ``.
fn targets(rule: &Rule) -> String {
    let names: Vec<String> = rule
        .targets
        .iter()
        .map(|target| format!("`{}`", target.queue))
        .collect();
    if names.len() == 1 {
        format!("queue {}", names[0])
    } else {
        format!("queues {}", names.join(", "))
    }
}

/// The pattern's conditions on one line: `` `detail-type` is OrderPlaced, `detail.total` ≥ 1000 ``.
fn describe_pattern(rule: &Rule) -> String {
    let conditions = conditions(&rule.pattern);
    if conditions.is_empty() {
        return "every event".to_owned();
    }
    conditions
        .iter()
        .map(|(field, condition)| format!("`{field}` {condition}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The conditions of a pattern by field, several of one field joined with "and".
fn conditions(pattern: &serde_json::Value) -> BTreeMap<String, String> {
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    // A valid pipeline's patterns always parse; one that does not states no conditions.
    let stated = patterns::Pattern::parse(pattern)
        .map(|pattern| pattern.conditions())
        .unwrap_or_default();
    for (field, condition) in stated {
        by_field.entry(field).or_default().push(condition);
    }
    by_field
        .into_iter()
        .map(|(field, conditions)| (field, conditions.join(" and ")))
        .collect()
}

/// What changed in a rule, one sentence each.
fn rule_changes(old: &Rule, new: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    if old.pattern != new.pattern {
        let (before, after) = (conditions(&old.pattern), conditions(&new.pattern));
        let fields: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        for field in fields {
            match (before.get(field), after.get(field)) {
                (Some(was), Some(now)) if was != now => {
                    out.push(format!("`{field}` {was} → {now}"));
                }
                (None, Some(now)) => out.push(format!("`{field}` added: {now}")),
                (Some(was), None) => out.push(format!("`{field}` removed (was {was})")),
                _ => {}
            }
        }
        if out.is_empty() {
            // Written differently, the same conditions (key order, a repeated value).
            out.push("pattern rewritten, same conditions".to_owned());
        }
    }
    if old.description != new.description {
        out.push("description changed".to_owned());
    }
    let queues: BTreeSet<&String> = old
        .targets
        .iter()
        .chain(&new.targets)
        .map(|target| &target.queue)
        .collect();
    for queue in queues {
        let find = |rule: &'_ Rule| -> Option<Target> {
            rule.targets
                .iter()
                .find(|target| &target.queue == queue)
                .cloned()
        };
        match (find(old), find(new)) {
            (None, Some(_)) => out.push(format!("target queue `{queue}` added")),
            (Some(_), None) => out.push(format!("target queue `{queue}` removed")),
            (Some(was), Some(now)) => {
                if was.input != now.input {
                    out.push(format!(
                        "target `{queue}`: input {} → {}",
                        input(&was.input),
                        input(&now.input)
                    ));
                }
                if (was.max_attempts, was.max_age) != (now.max_attempts, now.max_age) {
                    out.push(format!(
                        "target `{queue}`: retry {} attempts within {} → {} attempts within {}",
                        was.max_attempts, was.max_age, now.max_attempts, now.max_age
                    ));
                }
                if was.dead_letter != now.dead_letter {
                    let show = |queue: &Option<String>| {
                        queue
                            .as_ref()
                            .map_or_else(|| "none".to_owned(), |queue| format!("`{queue}`"))
                    };
                    out.push(format!(
                        "target `{queue}`: dead_letter {} → {}",
                        show(&was.dead_letter),
                        show(&now.dead_letter)
                    ));
                }
            }
            (None, None) => {}
        }
    }
    out
}

fn input(input: &TargetInput) -> String {
    match input {
        TargetInput::Event => "the whole event".to_owned(),
        TargetInput::Path(path) => format!("`{path}`"),
        TargetInput::Transformer { template, .. } => format!("template `{template}`"),
    }
}
