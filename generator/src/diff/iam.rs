//! IAM changes in plain words: "function `task` may now `sqs:SendMessage` to queue `audit`".

use std::collections::{BTreeMap, BTreeSet};

use super::IamChange;
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::synth::policies::{Grant, grants};

/// (action, resource in the user's terms) of every grant of every function.
fn permissions(pipeline: &Pipeline) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for function in pipeline.functions.values() {
        let log_group = logical_id(&function.name, "LogGroup");
        for grant in grants(pipeline, function, &log_group) {
            let target = describe(pipeline, &grant, &function.name);
            for action in grant.actions {
                out.insert((function.name.clone(), (*action).to_owned(), target.clone()));
            }
        }
    }
    out
}

/// "queue `audit`", "bucket `results` (`invoices/*`)", "its log group".
fn describe(pipeline: &Pipeline, grant: &Grant, function: &str) -> String {
    if let crate::synth::Expr::Sub(text) = &grant.resource {
        if let Some((_, identity)) = text.split_once(":identity/") {
            return format!("e-mail identity `{identity}`");
        }
        if let Some((_, set)) = text.split_once(":configuration-set/") {
            return format!("configuration set `{set}`");
        }
    }
    let referenced = grant.resource.references();
    let Some(id) = referenced.first() else {
        return "an unknown resource".to_owned();
    };
    if id == &logical_id(function, "LogGroup") {
        return "its log group".to_owned();
    }
    if let Some(queue) = pipeline
        .queues
        .keys()
        .find(|name| &logical_id(name, "Queue") == id)
    {
        return format!("queue `{queue}`");
    }
    if let Some(bucket) = pipeline
        .buckets
        .keys()
        .find(|name| &logical_id(name, "Bucket") == id)
    {
        let prefix = match &grant.resource {
            crate::synth::Expr::Sub(text) => text
                .split_once("}/")
                .map(|(_, path)| format!(" (`{path}`)"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        return format!("bucket `{bucket}`{prefix}");
    }
    if let Some(table) = pipeline
        .tables
        .keys()
        .find(|name| &logical_id(name, "Table") == id)
    {
        return format!("table `{table}`");
    }
    if let Some(bus) = pipeline
        .buses
        .keys()
        .find(|name| &logical_id(name, "Bus") == id)
    {
        return format!("bus `{bus}`");
    }
    format!("`{id}`")
}

/// Grants gained, then grants lost, with the actions on one resource in one sentence.
pub(super) fn changes(old: &Pipeline, new: &Pipeline) -> Vec<IamChange> {
    let (before, after) = (permissions(old), permissions(new));
    let mut changes = Vec::new();
    for (change, set, wording) in [
        ("granted", after.difference(&before), "may now"),
        ("revoked", before.difference(&after), "may no longer"),
    ] {
        let mut grouped: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (function, action, resource) in set {
            grouped
                .entry((function.clone(), resource.clone()))
                .or_default()
                .push(action.clone());
        }
        for ((function, resource), actions) in grouped {
            let verb = if actions.iter().all(|action| action.starts_with("sqs:Send")) {
                "to"
            } else {
                "on"
            };
            let list = actions
                .iter()
                .map(|action| format!("`{action}`"))
                .collect::<Vec<_>>()
                .join(", ");
            changes.push(IamChange {
                function: function.clone(),
                change,
                action: actions.join(","),
                resource: resource.clone(),
                description: format!("function `{function}` {wording} {list} {verb} {resource}"),
            });
        }
    }
    changes
}
