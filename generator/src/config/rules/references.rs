//! Every queue, bucket and function referenced exists, and messages cannot circle forever.

use std::collections::{BTreeMap, BTreeSet};

use super::Checker;
use crate::config::suggest::did_you_mean;
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    let queue_names: Vec<&str> = checker.config.queues.keys().map(String::as_str).collect();
    let bucket_names: Vec<&str> = checker.config.buckets.keys().map(String::as_str).collect();
    let table_names: Vec<&str> = checker.config.tables.keys().map(String::as_str).collect();
    let api_names: Vec<&str> = checker.config.apis.keys().map(String::as_str).collect();
    let bus_names: Vec<&str> = checker.config.buses.keys().map(String::as_str).collect();
    let mut missing = rule_targets(checker.config, &queue_names);
    for (name, queue) in &checker.config.queues {
        if let Some(target) = &queue.dead_letter {
            missing.push((
                vec!["queues", name.as_str(), "dead_letter"],
                target.as_str(),
                &queue_names,
                "queue",
            ));
        }
    }
    for (name, function) in &checker.config.functions {
        let name = name.as_str();
        if let Some(queue) = &function.trigger.queue {
            missing.push((
                vec!["functions", name, "trigger", "queue"],
                queue.as_str(),
                &queue_names,
                "queue",
            ));
        }
        if let Some(api) = &function.trigger.api {
            missing.push((
                vec!["functions", name, "trigger", "api"],
                api.as_str(),
                &api_names,
                "API",
            ));
        }
        for (field, target, names, what) in [
            ("bucket", &function.writes.bucket, &bucket_names, "bucket"),
            ("notify", &function.writes.notify, &queue_names, "queue"),
            ("requeue", &function.writes.requeue, &queue_names, "queue"),
            ("table", &function.writes.table, &table_names, "table"),
            ("enqueue", &function.writes.enqueue, &queue_names, "queue"),
            ("events", &function.writes.events, &bus_names, "bus"),
        ] {
            if let Some(target) = target {
                missing.push((
                    vec!["functions", name, "writes", field],
                    target.as_str(),
                    names,
                    what,
                ));
            }
        }
    }
    for (path, target, names, what) in missing {
        if names.contains(&target) {
            continue;
        }
        let span = checker.value(&path);
        let plural = if what == "bus" {
            "buses".to_owned()
        } else {
            format!("{}s", what.to_lowercase())
        };
        checker.push(
            Diagnostic::error(
                match what {
                    "queue" => "unknown-queue",
                    "bucket" => "unknown-bucket",
                    "table" => "unknown-table",
                    "bus" => "unknown-bus",
                    _ => "unknown-api",
                },
                format!("no {what} is named `{target}`"),
            )
            .at(span, format!("not defined under `{plural}`"))
            .help(if names.is_empty() {
                format!("define it under `{plural}:`")
            } else {
                did_you_mean(target, names.iter().copied(), &format!("defined {plural}"))
            }),
        );
    }
    redrive_cycles(checker);
    message_loops(checker);
}

/// References to check: where, the name referenced, the names defined, what it names.
type References<'c, 'n> = Vec<(Vec<&'c str>, &'c str, &'n Vec<&'c str>, &'static str)>;

/// The queues the rules' targets and dead-letter queues name.
fn rule_targets<'c, 'n>(
    config: &'c crate::config::PipelineConfig,
    queue_names: &'n Vec<&'c str>,
) -> References<'c, 'n> {
    let mut missing = Vec::new();
    for (bus_name, bus) in &config.buses {
        for (rule_name, rule) in &bus.rules {
            for (target, index) in rule.targets.iter().zip(INDEXES) {
                let at = [
                    "buses",
                    bus_name.as_str(),
                    "rules",
                    rule_name.as_str(),
                    "targets",
                    index,
                ];
                missing.push((
                    [&at[..], &["queue"]].concat(),
                    target.queue.as_str(),
                    queue_names,
                    "queue",
                ));
                if let Some(dead_letter) = &target.dead_letter {
                    missing.push((
                        [&at[..], &["dead_letter"]].concat(),
                        dead_letter.as_str(),
                        queue_names,
                        "queue",
                    ));
                }
            }
        }
    }
    missing
}

/// Target positions as pointer segments (a rule has at most 5 targets).
const INDEXES: [&str; 5] = ["0", "1", "2", "3", "4"];

/// A queue whose dead-letter chain comes back to itself would bounce failures forever.
fn redrive_cycles(checker: &mut Checker<'_>) {
    let mut reported = BTreeSet::new();
    for start in checker.pipeline.queues.keys() {
        let mut chain = vec![start.as_str()];
        let mut current = start.as_str();
        while let Some(next) = checker
            .pipeline
            .queues
            .get(current)
            .and_then(|q| q.redrive.as_ref())
            .map(|r| r.dead_letter.as_str())
        {
            if let Some(position) = chain.iter().position(|queue| *queue == next) {
                let cycle = &chain[position..];
                let key: BTreeSet<&str> = cycle.iter().copied().collect();
                if reported.insert(key.into_iter().map(str::to_owned).collect::<Vec<_>>()) {
                    let first = cycle[0];
                    let span = checker.value(&["queues", cycle[cycle.len() - 1], "dead_letter"]);
                    let shown = cycle
                        .iter()
                        .chain(std::iter::once(&first))
                        .map(|q| format!("`{q}`"))
                        .collect::<Vec<_>>();
                    let message = if cycle.len() == 1 {
                        format!("queue `{first}` is its own dead-letter queue")
                    } else {
                        format!("dead-letter queues form a cycle: {}", shown.join(" → "))
                    };
                    checker.push(
                        Diagnostic::error("dlq-cycle", message)
                            .at(span, "closes the cycle")
                            .help("a dead-letter queue must not send its own failures back; remove `dead_letter` from the last queue"),
                    );
                }
                break;
            }
            if !checker.pipeline.queues.contains_key(next) {
                break;
            }
            chain.push(next);
            current = next;
        }
    }
}

/// Messages move between queues by redrive (failures) and by functions sending
/// (`writes.notify`). A cycle of such moves never ends. `writes.requeue` is excluded: the DLQ
/// processor bounds it with an attempt counter.
fn message_loops(checker: &mut Checker<'_>) {
    let mut edges: Edges<'_> = BTreeMap::new();
    for (name, queue) in &checker.pipeline.queues {
        if let Some(redrive) = &queue.redrive {
            edges.entry(name).or_default().push((
                redrive.dead_letter.as_str(),
                "redrive".to_owned(),
                vec!["queues", name.as_str(), "dead_letter"],
            ));
        }
    }
    for (name, function) in &checker.pipeline.functions {
        let Some(source) = function.trigger.queue_name() else {
            continue;
        };
        for (field, target, how) in [
            ("notify", &function.writes.notify, "notifies"),
            ("enqueue", &function.writes.enqueue, "enqueues"),
        ] {
            if let Some(target) = target {
                edges.entry(source).or_default().push((
                    target.as_str(),
                    format!("function `{name}` {how}"),
                    vec!["functions", name.as_str(), "writes", field],
                ));
            }
        }
    }
    for (name, function) in &checker.pipeline.functions {
        let (Some(source), Some(bus)) = (
            function.trigger.queue_name(),
            function
                .writes
                .events
                .as_ref()
                .and_then(|bus| checker.pipeline.buses.get(bus)),
        ) else {
            continue;
        };
        for rule in bus.rules.values() {
            for target in &rule.targets {
                edges.entry(source).or_default().push((
                    target.queue.as_str(),
                    format!("function `{name}` publishes, rule `{}` delivers", rule.name),
                    vec!["functions", name.as_str(), "writes", "events"],
                ));
            }
        }
    }
    // Only loops through at least one function matter here; pure redrive cycles are reported above.
    let mut reported = BTreeSet::new();
    for start in edges.keys().copied() {
        let mut path: Vec<Step<'_>> = Vec::new();
        find_loop(
            &edges,
            start,
            start,
            &mut path,
            &mut BTreeSet::new(),
            &mut |cycle| {
                if cycle.iter().all(|(_, how, _)| *how == "redrive") {
                    return;
                }
                let members: BTreeSet<&str> = cycle.iter().map(|(to, _, _)| *to).collect();
                if !reported.insert(members) {
                    return;
                }
                let steps = cycle
                    .iter()
                    .map(|(to, how, _)| format!("({how}) `{to}`"))
                    .collect::<Vec<_>>()
                    .join(" → ");
                let (_, _, at) = cycle
                    .iter()
                    .rev()
                    .find(|(_, how, _)| *how != "redrive")
                    .expect("a function edge exists");
                let span = checker.sources.value(&super::pointer(at));
                checker.out.push(
                Diagnostic::error("message-loop", format!("messages can circle forever: `{start}` → {steps}"))
                    .at(span, "closes the loop")
                    .help("send notifications to a queue outside this loop; DLQ processors should use `writes.requeue`, which is bounded"),
            );
            },
        );
    }
}

/// queue → (next queue, how the message gets there, pointer to the setting that sends it).
type Edges<'a> = BTreeMap<&'a str, Vec<(&'a str, String, Vec<&'a str>)>>;
/// One move of a loop: the queue reached, how, and the setting responsible.
type Step<'a> = (&'a str, &'a str, &'a Vec<&'a str>);

fn find_loop<'a>(
    edges: &'a Edges<'a>,
    start: &'a str,
    at: &'a str,
    path: &mut Vec<Step<'a>>,
    seen: &mut BTreeSet<&'a str>,
    found: &mut dyn FnMut(&[Step<'a>]),
) {
    for (to, how, pointer) in edges.get(at).into_iter().flatten() {
        path.push((to, how, pointer));
        if *to == start {
            found(path);
        } else if seen.insert(to) {
            find_loop(edges, start, to, path, seen, found);
        }
        path.pop();
    }
}
