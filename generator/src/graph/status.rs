//! What a change does to the graph: each node and edge of the pipeline after it, plus the ones
//! it removes, with a [`Status`]. The diff decides what counts as a rename or a replacement
//! (it knows what CloudFormation does); this module compares the two graphs.

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::Serialize;

use super::{Edge, Graph, Node};

/// What a change does to one node or edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// New in the pipeline.
    Added,
    /// Kept, with settings or connections changed in place.
    Changed,
    /// A new resource takes its place (a rename, a key change): what the old one held is lost
    /// or left behind.
    Replaced,
    /// Gone; drawn from the pipeline before the change.
    Removed,
    /// As it was.
    Unchanged,
}

impl Status {
    /// The lowercase name, as in JSON and mermaid class names.
    pub const fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Changed => "changed",
            Status::Replaced => "replaced",
            Status::Removed => "removed",
            Status::Unchanged => "unchanged",
        }
    }
}

/// A node with what the change does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NodeChange {
    #[serde(flatten)]
    pub node: Node,
    pub status: Status,
    /// For a replaced node that was renamed: the id it had before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub was: Option<String>,
}

/// An edge with what the change does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct EdgeChange {
    #[serde(flatten)]
    pub edge: Edge,
    pub status: Status,
}

/// The graph after a change, with the parts the change removes: every node and edge once,
/// nodes sorted by id, edges by (from, to, kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GraphChanges {
    pub nodes: Vec<NodeChange>,
    pub edges: Vec<EdgeChange>,
}

/// What only the diff knows: which nodes it changes without the graph showing it (a promo
/// code, an IAM policy), which it replaces in place, and which it renames (old id → new id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hints {
    pub changed: BTreeSet<String>,
    pub replaced: BTreeSet<String>,
    pub renamed: BTreeMap<String, String>,
}

impl GraphChanges {
    /// `before` → `after`, with what the diff knows.
    pub fn between(before: &Graph, after: &Graph, hints: &Hints) -> GraphChanges {
        let renamed_to: BTreeMap<&String, &String> =
            hints.renamed.iter().map(|(old, new)| (new, old)).collect();
        let mut nodes: Vec<NodeChange> = after
            .nodes
            .iter()
            .map(|node| {
                let was = renamed_to.get(&node.id).map(|old| (*old).clone());
                let status = match before.node(&node.id) {
                    _ if was.is_some() || hints.replaced.contains(&node.id) => Status::Replaced,
                    None => Status::Added,
                    Some(old) if old != node || hints.changed.contains(&node.id) => Status::Changed,
                    Some(_) => Status::Unchanged,
                };
                NodeChange {
                    node: node.clone(),
                    status,
                    was,
                }
            })
            .collect();
        nodes.extend(
            before
                .nodes
                .iter()
                .filter(|node| after.node(&node.id).is_none())
                .map(|node| NodeChange {
                    node: node.clone(),
                    status: Status::Removed,
                    was: None,
                }),
        );
        nodes.sort_by(|a, b| a.node.id.cmp(&b.node.id));
        let mut edges: Vec<EdgeChange> = after
            .edges
            .iter()
            .map(|edge| {
                let status = match before.edge(&edge.from, &edge.to, edge.kind) {
                    None => Status::Added,
                    Some(old) if old.label != edge.label => Status::Changed,
                    Some(_) => Status::Unchanged,
                };
                EdgeChange {
                    edge: edge.clone(),
                    status,
                }
            })
            .collect();
        edges.extend(
            before
                .edges
                .iter()
                .filter(|edge| after.edge(&edge.from, &edge.to, edge.kind).is_none())
                .map(|edge| EdgeChange {
                    edge: edge.clone(),
                    status: Status::Removed,
                }),
        );
        edges.sort_by(|a, b| {
            (&a.edge.from, &a.edge.to, a.edge.kind).cmp(&(&b.edge.from, &b.edge.to, b.edge.kind))
        });
        GraphChanges { nodes, edges }
    }

    /// Whether anything differs.
    pub fn is_empty(&self) -> bool {
        self.nodes
            .iter()
            .all(|node| node.status == Status::Unchanged)
            && self
                .edges
                .iter()
                .all(|edge| edge.status == Status::Unchanged)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeKind, NodeKind};

    fn node(id: &str, details: &[&str]) -> Node {
        Node {
            id: id.to_owned(),
            kind: NodeKind::Queue,
            label: id.to_owned(),
            details: details.iter().map(|d| (*d).to_owned()).collect(),
        }
    }

    fn edge(from: &str, to: &str, label: &str) -> Edge {
        Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            kind: EdgeKind::Write,
            label: Some(label.to_owned()),
        }
    }

    #[test]
    fn each_part_gets_its_status() {
        let before = Graph {
            nodes: vec![
                node("a", &[]),
                node("b", &["1"]),
                node("c", &[]),
                node("old", &[]),
            ],
            edges: vec![
                edge("a", "b", "x"),
                edge("a", "c", "y"),
                edge("a", "old", "z"),
            ],
        };
        let after = Graph {
            nodes: vec![
                node("a", &[]),
                node("b", &["2"]),
                node("c", &[]),
                node("new", &[]),
            ],
            edges: vec![
                edge("a", "b", "x"),
                edge("a", "c", "y2"),
                edge("a", "new", "z"),
            ],
        };
        let hints = Hints {
            renamed: BTreeMap::from([("old".to_owned(), "new".to_owned())]),
            ..Hints::default()
        };
        let changes = GraphChanges::between(&before, &after, &hints);
        let nodes: Vec<(&str, Status)> = changes
            .nodes
            .iter()
            .map(|n| (n.node.id.as_str(), n.status))
            .collect();
        assert_eq!(
            nodes,
            [
                ("a", Status::Unchanged),
                ("b", Status::Changed),
                ("c", Status::Unchanged),
                ("new", Status::Replaced),
                ("old", Status::Removed),
            ]
        );
        let edges: Vec<(&str, Status)> = changes
            .edges
            .iter()
            .map(|e| (e.edge.to.as_str(), e.status))
            .collect();
        assert_eq!(
            edges,
            [
                ("b", Status::Unchanged),
                ("c", Status::Changed),
                ("new", Status::Added),
                ("old", Status::Removed),
            ]
        );
        assert!(!changes.is_empty());
        assert!(GraphChanges::between(&after, &after, &Hints::default()).is_empty());
    }
}
