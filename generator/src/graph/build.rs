//! [`Graph::of`]: the parts and connections of a resolved pipeline.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Edge, EdgeKind, Graph, Node, NodeKind};
use crate::config::Pipeline;
use crate::config::pipeline::{Function, Queue, Rule, Target, TargetInput};

impl Graph {
    /// The graph of `pipeline`: every part as a node, every trigger, write, redrive, rule
    /// delivery and publish as an edge. Deterministic: nodes sorted by id, edges by
    /// (from, to, kind).
    pub fn of(pipeline: &Pipeline) -> Graph {
        let mut builder = Builder::default();
        for (name, api) in &pipeline.apis {
            let mut details = vec![format!(
                "HTTP API, {} burst, {}/s",
                api.throttling.burst, api.throttling.rate
            )];
            if api.cors.is_some() {
                details.push("CORS".to_owned());
            }
            builder.node(NodeKind::Api, name, name, details);
        }
        for (name, queue) in &pipeline.queues {
            builder.node(NodeKind::Queue, name, name, queue_details(queue));
            if let Some(redrive) = &queue.redrive {
                builder.edge(
                    id(NodeKind::Queue, name),
                    id(NodeKind::Queue, &redrive.dead_letter),
                    EdgeKind::DeadLetter,
                    Some(format!("max_receive_count {}", redrive.max_receive_count)),
                );
            }
        }
        for (name, bucket) in &pipeline.buckets {
            let mut details = Vec::new();
            if bucket.versioning {
                details.push("versioned".to_owned());
            }
            if let Some(expire) = bucket.expire_after {
                details.push(format!("expire after {expire}"));
            }
            builder.node(NodeKind::Bucket, name, name, details);
        }
        for (name, table) in &pipeline.tables {
            let mut key = format!("key {}", table.partition_key.name);
            if let Some(sort) = &table.sort_key {
                let _ = write!(key, ", sort {}", sort.name);
            }
            let mut details = vec![key];
            if let Some(ttl) = &table.ttl_attribute {
                details.push(format!("ttl {ttl}"));
            }
            builder.node(NodeKind::Table, name, name, details);
        }
        if let Some(email) = &pipeline.email {
            builder.node(
                NodeKind::Email,
                EMAIL,
                "email",
                vec![format!("from {}", email.sender)],
            );
        }
        for (name, bus) in &pipeline.buses {
            let count = bus.rules.len();
            let details = vec![format!("{count} rule{}", if count == 1 { "" } else { "s" })];
            builder.node(NodeKind::Bus, name, name, details);
            for (rule_name, rule) in &bus.rules {
                builder.rule(name, rule_name, rule);
            }
        }
        for (name, function) in &pipeline.functions {
            builder.function(name, function, pipeline);
        }
        builder.finish()
    }
}

/// The name of the one e-mail node (pipeline.yaml's key `email`).
pub(super) const EMAIL: &str = "email";

/// `<kind>:<name>`.
pub(super) fn id(kind: NodeKind, name: &str) -> String {
    format!("{}:{name}", kind.as_str())
}

fn queue_details(queue: &Queue) -> Vec<String> {
    let mut details = Vec::new();
    if queue.fifo {
        details.push("FIFO".to_owned());
    }
    details.push(format!("visibility {}", queue.visibility_timeout));
    details.push(format!("retention {}", queue.retention));
    if let Some(alarm) = &queue.alarm {
        details.push(format!("alarm above {}", alarm.above));
    }
    details
}

#[derive(Default)]
struct Builder {
    nodes: BTreeMap<String, Node>,
    edges: Vec<Edge>,
}

impl Builder {
    fn node(&mut self, kind: NodeKind, name: &str, label: &str, details: Vec<String>) {
        let id = id(kind, name);
        self.nodes.insert(
            id.clone(),
            Node {
                id,
                kind,
                label: label.to_owned(),
                details,
            },
        );
    }

    fn edge(&mut self, from: String, to: String, kind: EdgeKind, label: Option<String>) {
        self.edges.push(Edge {
            from,
            to,
            kind,
            label,
        });
    }

    fn rule(&mut self, bus: &str, name: &str, rule: &Rule) {
        let rule_name = format!("{bus}/{name}");
        self.node(NodeKind::Rule, &rule_name, name, pattern_summary(rule));
        let rule_id = id(NodeKind::Rule, &rule_name);
        self.edge(
            id(NodeKind::Bus, bus),
            rule_id.clone(),
            EdgeKind::Route,
            None,
        );
        for target in &rule.targets {
            self.edge(
                rule_id.clone(),
                id(NodeKind::Queue, &target.queue),
                EdgeKind::Deliver,
                input(target),
            );
            if let Some(dead_letter) = &target.dead_letter {
                self.edge(
                    rule_id.clone(),
                    id(NodeKind::Queue, dead_letter),
                    EdgeKind::DeadLetter,
                    Some(format!(
                        "after {} retries within {}",
                        target.max_attempts, target.max_age
                    )),
                );
            }
        }
    }

    fn function(&mut self, name: &str, function: &Function, pipeline: &Pipeline) {
        let handler = serde_json::to_value(function.handler)
            .ok()
            .and_then(|value| value.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut details = vec![
            handler,
            format!("{} MB, {}", function.memory_mb, function.timeout),
        ];
        if let Some(reserved) = function.reserved_concurrency {
            details.push(format!("reserved concurrency {reserved}"));
        }
        self.node(NodeKind::Function, name, name, details);
        let function_id = id(NodeKind::Function, name);
        if let Some(queue) = function.trigger.queue() {
            let mut label = format!("batch {}", queue.batch_size);
            if queue.batching_window.as_secs() > 0 {
                let _ = write!(label, ", window {}", queue.batching_window);
            }
            self.edge(
                id(NodeKind::Queue, &queue.queue),
                function_id.clone(),
                EdgeKind::Trigger,
                Some(label),
            );
        }
        if let Some(route) = function.trigger.route() {
            let route_name = format!("{}:{}", route.api, route.route_key());
            let mut details = Vec::new();
            if let Some(schema) = &route.request_schema {
                details.push(format!("schema {schema}"));
            }
            self.node(NodeKind::Route, &route_name, &route.route_key(), details);
            let route_id = id(NodeKind::Route, &route_name);
            self.edge(
                id(NodeKind::Api, &route.api),
                route_id.clone(),
                EdgeKind::Route,
                None,
            );
            self.edge(route_id, function_id.clone(), EdgeKind::Trigger, None);
        }
        let writes = &function.writes;
        let queue_writes = [
            (&writes.notify, "notify"),
            (&writes.requeue, "requeue"),
            (&writes.enqueue, "enqueue"),
        ];
        for (queue, purpose) in queue_writes {
            if let Some(queue) = queue {
                self.edge(
                    function_id.clone(),
                    id(NodeKind::Queue, queue),
                    EdgeKind::Write,
                    Some(purpose.to_owned()),
                );
            }
        }
        if let Some(bucket) = &writes.bucket {
            self.edge(
                function_id.clone(),
                id(NodeKind::Bucket, bucket),
                EdgeKind::Write,
                None,
            );
        }
        if let Some(table) = &writes.table {
            self.edge(
                function_id.clone(),
                id(NodeKind::Table, table),
                EdgeKind::Write,
                None,
            );
        }
        if writes.email && pipeline.email.is_some() {
            self.edge(
                function_id.clone(),
                id(NodeKind::Email, EMAIL),
                EdgeKind::Write,
                Some("send".to_owned()),
            );
        }
        if let Some(bus) = &writes.events {
            self.edge(function_id, id(NodeKind::Bus, bus), EdgeKind::Publish, None);
        }
    }

    fn finish(mut self) -> Graph {
        // A validated pipeline names only parts it has; drop an edge to anything else rather
        // than draw a node from nowhere.
        self.edges.retain(|edge| {
            self.nodes.contains_key(&edge.from) && self.nodes.contains_key(&edge.to)
        });
        self.edges.sort_by(|a, b| {
            (&a.from, &a.to, a.kind, &a.label).cmp(&(&b.from, &b.to, b.kind, &b.label))
        });
        self.edges
            .dedup_by(|a, b| a.from == b.from && a.to == b.to && a.kind == b.kind);
        Graph {
            nodes: self.nodes.into_values().collect(),
            edges: self.edges,
        }
    }
}

/// What a target receives, when not the whole event.
fn input(target: &Target) -> Option<String> {
    match &target.input {
        TargetInput::Event => None,
        TargetInput::Path(path) => Some(format!("input {path}")),
        TargetInput::Transformer { .. } => Some("input template".to_owned()),
    }
}

/// A rule's pattern as short lines, one per field: `detail.total ≥ 1000`; `every event` when
/// it states no condition.
pub(super) fn pattern_summary(rule: &Rule) -> Vec<String> {
    // A valid pipeline's patterns always parse; one that does not states no conditions.
    let stated = patterns::Pattern::parse(&rule.pattern)
        .map(|pattern| pattern.conditions())
        .unwrap_or_default();
    let mut by_field: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (field, condition) in stated {
        by_field.entry(field).or_default().push(condition);
    }
    if by_field.is_empty() {
        return vec!["every event".to_owned()];
    }
    by_field
        .into_iter()
        .map(|(field, conditions)| format!("{field} {}", conditions.join(" and ")))
        .collect()
}
