//! The pipeline as a graph: its parts (APIs, routes, queues, functions, buckets, tables, buses,
//! rules, e-mail) and what connects them (triggers, writes, redrives, rule deliveries,
//! publishes). One model, built by [`Graph::of`] from the resolved pipeline, drawn by three
//! renderers — [`mermaid`], [`dot`] and [`svg`] (laid out by the kit itself, [`layout`]) — and
//! compared by [`status`] for `gen diff`. Pure: no I/O.

mod build;
pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod status;
pub mod svg;
mod text;

use schemars::JsonSchema;
use serde::Serialize;

pub use status::{GraphChanges, Status};

/// The parts of a pipeline and their connections, in a deterministic order: nodes by id, edges
/// by (from, to, kind).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

/// One part of the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Node {
    /// `<kind>:<name>` in pipeline.yaml's own names: `queue:task`, `route:orders:POST /orders`,
    /// `rule:orders/high-value`, `email:email`.
    pub id: String,
    pub kind: NodeKind,
    /// The name shown: the queue's name, `POST /orders`, the rule's name.
    pub label: String,
    /// Short lines under the label: handler kind, memory and timeout; a rule's conditions.
    pub details: Vec<String>,
}

/// What kind of part a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    Api,
    Route,
    Queue,
    Function,
    Bucket,
    Table,
    Bus,
    Rule,
    Email,
}

impl NodeKind {
    /// The lowercase name, as in ids, CSS classes and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            NodeKind::Api => "api",
            NodeKind::Route => "route",
            NodeKind::Queue => "queue",
            NodeKind::Function => "function",
            NodeKind::Bucket => "bucket",
            NodeKind::Table => "table",
            NodeKind::Bus => "bus",
            NodeKind::Rule => "rule",
            NodeKind::Email => "email",
        }
    }
}

/// A connection between two parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Edge {
    /// The id of the node the edge leaves.
    pub from: String,
    /// The id of the node the edge reaches.
    pub to: String,
    pub kind: EdgeKind,
    /// A trigger's batch size and window, a redrive's `max_receive_count`, a write's purpose.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// What an edge means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// A queue or route invokes a function.
    Trigger,
    /// A function writes to a queue, bucket, table or sends e-mail.
    Write,
    /// Messages that keep failing move to a dead-letter queue.
    #[serde(rename = "deadletter")]
    DeadLetter,
    /// An API serves a route; a bus hands its events to a rule.
    Route,
    /// A rule delivers matching events to a queue.
    Deliver,
    /// A function publishes events to a bus.
    Publish,
}

impl EdgeKind {
    /// The lowercase name, as in CSS classes and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            EdgeKind::Trigger => "trigger",
            EdgeKind::Write => "write",
            EdgeKind::DeadLetter => "deadletter",
            EdgeKind::Route => "route",
            EdgeKind::Deliver => "deliver",
            EdgeKind::Publish => "publish",
        }
    }
}

impl Graph {
    /// The node with `id`.
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes
            .binary_search_by(|node| node.id.as_str().cmp(id))
            .ok()
            .map(|index| &self.nodes[index])
    }

    /// The edge from `from` to `to` of `kind`.
    pub fn edge(&self, from: &str, to: &str, kind: EdgeKind) -> Option<&Edge> {
        self.edges
            .iter()
            .find(|edge| edge.from == from && edge.to == to && edge.kind == kind)
    }
}
