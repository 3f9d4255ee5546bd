//! The plan's graph: the pipeline after the change with the parts the change removes, each
//! node and edge with its status. The graphs of both sides are compared by
//! [`crate::graph::status`]; what only the plan knows — a rename, a replacement CloudFormation
//! will make, a change that does not show in the graph (an IAM policy, a promo code) — comes
//! from the plan's own changes.

use crate::config::Pipeline;
use crate::config::naming::{logical_id, rule_logical_id};
use crate::graph::status::Hints;
use crate::graph::{Graph, GraphChanges, NodeKind};

use super::{Action, IamChange, PipelineChange, ResourceChange};

/// The graph changes from `old` to `new`; `None` when the graph is the same.
pub(super) fn changes(
    old: &Pipeline,
    new: &Pipeline,
    pipeline_changes: &[PipelineChange],
    resource_changes: &[ResourceChange],
    iam_changes: &[IamChange],
) -> Option<GraphChanges> {
    let (before, after) = (Graph::of(old), Graph::of(new));
    let mut hints = Hints::default();
    for change in pipeline_changes {
        let Some(id) = node_id(change.kind, &change.name, old, new) else {
            continue;
        };
        if let Some(renamed) = renamed_to(&change.description) {
            if let Some(new_id) = node_id(change.kind, renamed, old, new) {
                hints.renamed.insert(id, new_id);
            }
        } else if change.description.contains("REPLACE") {
            hints.replaced.insert(id);
        } else if change.description != "added" && change.description != "removed" {
            hints.changed.insert(id);
        }
    }
    for change in iam_changes {
        hints
            .changed
            .insert(format!("function:{}", change.function));
    }
    // What CloudFormation replaces, by the logical id of each part's own resource.
    for node in &after.nodes {
        let name = node.id.split_once(':').map_or("", |(_, name)| name);
        let logical = match node.kind {
            NodeKind::Queue => logical_id(name, "Queue"),
            NodeKind::Bucket => logical_id(name, "Bucket"),
            NodeKind::Table => logical_id(name, "Table"),
            NodeKind::Api => logical_id(name, "Api"),
            NodeKind::Function => logical_id(name, "Function"),
            NodeKind::Bus => logical_id(name, "Bus"),
            NodeKind::Rule => {
                let (bus, rule) = name.split_once('/').unwrap_or_default();
                rule_logical_id(bus, rule)
            }
            NodeKind::Route | NodeKind::Email => continue,
        };
        if resource_changes
            .iter()
            .any(|change| change.action == Action::Replace && change.logical_id == logical)
        {
            hints.replaced.insert(node.id.clone());
        }
    }
    let changes = GraphChanges::between(&before, &after, &hints);
    (!changes.is_empty()).then_some(changes)
}

/// The new name in "renamed to `<new>`: …".
fn renamed_to(description: &str) -> Option<&str> {
    description
        .strip_prefix("renamed to `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
}

/// The graph node a change in the user's terms is about, if it is one.
fn node_id(kind: &str, name: &str, old: &Pipeline, new: &Pipeline) -> Option<String> {
    let kind = match kind {
        "queue" => NodeKind::Queue,
        "bucket" => NodeKind::Bucket,
        "function" => NodeKind::Function,
        "api" => NodeKind::Api,
        "table" => NodeKind::Table,
        "bus" => NodeKind::Bus,
        "email" => return Some("email:email".to_owned()),
        "rule" => {
            // `<bus>.<rule>` with several buses, the rule's name alone with one.
            let qualified = name.split_once('.').map_or_else(
                || {
                    new.rules()
                        .chain(old.rules())
                        .find(|(_, rule)| rule.name == name)
                        .map(|(bus, rule)| format!("{}/{}", bus.name, rule.name))
                },
                |(bus, rule)| Some(format!("{bus}/{rule}")),
            )?;
            return Some(format!("rule:{qualified}"));
        }
        _ => return None,
    };
    Some(format!("{}:{name}", kind.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_names_its_new_part() {
        assert_eq!(
            renamed_to("renamed to `alerts`: REPLACE — a new queue is created"),
            Some("alerts")
        );
        assert_eq!(renamed_to("max_receive_count 2 → 3"), None);
    }
}
