//! The graph as a mermaid `flowchart LR`, valid for GitHub: every label quoted, its special
//! characters written as mermaid entity codes. Shapes differ by kind of part and arrows by
//! kind of edge, so it reads without colour; [`render_changes`] adds a class per status.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::status::{GraphChanges, Status};
use super::{Edge, EdgeKind, Graph, Node, NodeKind};

/// The flowchart of `graph`.
pub fn render(graph: &Graph) -> String {
    let nodes: Vec<(&Node, Option<Status>)> = graph.nodes.iter().map(|n| (n, None)).collect();
    let edges: Vec<(&Edge, Option<Status>)> = graph.edges.iter().map(|e| (e, None)).collect();
    flowchart(&nodes, &edges)
}

/// The flowchart of a change: each part classed `added`, `changed`, `replaced`, `removed` (or
/// left plain), with the status also written in its label for readers without colour.
pub fn render_changes(changes: &GraphChanges) -> String {
    // A renamed part says what it replaces.
    let renamed: Vec<Node> = changes
        .nodes
        .iter()
        .map(|change| {
            let mut node = change.node.clone();
            if let Some(was) = &change.was {
                let old_name = was.split_once(':').map_or(was.as_str(), |(_, name)| name);
                node.details.insert(0, format!("replaces {old_name}"));
            }
            node
        })
        .collect();
    let nodes: Vec<(&Node, Option<Status>)> = renamed
        .iter()
        .zip(&changes.nodes)
        .map(|(node, change)| (node, Some(change.status)))
        .collect();
    let edges: Vec<(&Edge, Option<Status>)> = changes
        .edges
        .iter()
        .map(|change| (&change.edge, Some(change.status)))
        .collect();
    flowchart(&nodes, &edges)
}

/// The class definitions of the statuses: colour for those who see it, a border width and
/// dash pattern for those who do not.
const CLASS_DEFS: [&str; 4] = [
    "classDef added fill:#e6ffec,stroke:#1a7f37,stroke-width:3px",
    "classDef changed fill:#fff8c5,stroke:#9a6700,stroke-width:3px",
    "classDef replaced fill:#ffebe9,stroke:#cf222e,stroke-width:4px",
    "classDef removed fill:#f6f8fa,stroke:#cf222e,stroke-width:2px,stroke-dasharray:6 4,color:#57606a",
];

fn flowchart(nodes: &[(&Node, Option<Status>)], edges: &[(&Edge, Option<Status>)]) -> String {
    let names = short_names(nodes.iter().map(|(node, _)| *node));
    let mut out = String::from("flowchart LR\n");
    for (node, status) in nodes {
        let mut lines = vec![node.label.clone()];
        lines.extend(node.details.iter().cloned());
        if let Some(tag) = status.and_then(tag) {
            lines[0] = format!("{} {tag}", lines[0]);
        }
        let label = lines
            .iter()
            .map(|line| escape(line))
            .collect::<Vec<_>>()
            .join("<br/>");
        let (open, close) = shape(node.kind);
        let _ = writeln!(out, "    {}{open}\"{label}\"{close}", names[&node.id]);
    }
    let mut styles = Vec::new();
    for (index, (edge, status)) in edges.iter().enumerate() {
        let arrow = arrow(edge.kind);
        let label = edge_label(edge, *status);
        let _ = match label {
            Some(label) => writeln!(
                out,
                "    {} {arrow}|\"{}\"| {}",
                names[&edge.from],
                escape(&label),
                names[&edge.to]
            ),
            None => writeln!(out, "    {} {arrow} {}", names[&edge.from], names[&edge.to]),
        };
        if let Some(style) = link_style(edge.kind, *status) {
            styles.push(format!("    linkStyle {index} {style}\n"));
        }
    }
    for style in styles {
        out.push_str(&style);
    }
    if nodes.iter().any(|(_, status)| status.is_some()) {
        for class in CLASS_DEFS {
            let _ = writeln!(out, "    {class}");
        }
        for status in [
            Status::Added,
            Status::Changed,
            Status::Replaced,
            Status::Removed,
        ] {
            let members: Vec<&str> = nodes
                .iter()
                .filter(|(_, s)| *s == Some(status))
                .map(|(node, _)| names[&node.id].as_str())
                .collect();
            if !members.is_empty() {
                let _ = writeln!(out, "    class {} {}", members.join(","), status.as_str());
            }
        }
    }
    out
}

/// The word a status adds to a label.
fn tag(status: Status) -> Option<&'static str> {
    match status {
        Status::Added => Some("[added]"),
        Status::Changed => Some("[changed]"),
        Status::Replaced => Some("[replaced]"),
        Status::Removed => Some("[removed]"),
        Status::Unchanged => None,
    }
}

fn edge_label(edge: &Edge, status: Option<Status>) -> Option<String> {
    let tag = status.and_then(tag);
    match (&edge.label, tag) {
        (Some(label), Some(tag)) => Some(format!("{label} {tag}")),
        (Some(label), None) => Some(label.clone()),
        (None, Some(tag)) => Some(tag.to_owned()),
        (None, None) => None,
    }
}

/// Mermaid identifiers: the id's letters and digits, `_` for the rest, made unique in id
/// order with a numeric suffix.
fn short_names<'a>(nodes: impl Iterator<Item = &'a Node>) -> BTreeMap<String, String> {
    let mut ids: Vec<&str> = nodes.map(|node| node.id.as_str()).collect();
    ids.sort_unstable();
    let mut taken = std::collections::BTreeSet::new();
    let mut names = BTreeMap::new();
    for id in ids {
        let base: String = id
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let mut name = base.clone();
        let mut suffix = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{suffix}");
            suffix += 1;
        }
        names.insert(id.to_owned(), name);
    }
    names
}

/// Opening and closing brackets of each kind's shape.
fn shape(kind: NodeKind) -> (&'static str, &'static str) {
    match kind {
        NodeKind::Api => ("{{", "}}"),
        NodeKind::Route => (">", "]"),
        NodeKind::Queue => ("[[", "]]"),
        NodeKind::Function => ("(", ")"),
        NodeKind::Bucket => ("[/", "\\]"),
        NodeKind::Table => ("[(", ")]"),
        NodeKind::Bus => ("([", "])"),
        NodeKind::Rule => ("[/", "/]"),
        NodeKind::Email => ("[\\", "/]"),
    }
}

fn arrow(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Trigger | EdgeKind::Publish => "==>",
        EdgeKind::Write | EdgeKind::DeadLetter => "-.->",
        EdgeKind::Route | EdgeKind::Deliver => "-->",
    }
}

/// Dashes for the kinds the arrow alone does not tell apart, colour and dashes by status.
fn link_style(kind: EdgeKind, status: Option<Status>) -> Option<String> {
    let dash = match kind {
        EdgeKind::DeadLetter => Some("stroke-dasharray:2 3"),
        EdgeKind::Deliver => Some("stroke-dasharray:8 3 2 3"),
        _ => None,
    };
    let colour = match status {
        Some(Status::Added) => Some("stroke:#1a7f37,stroke-width:3px"),
        Some(Status::Changed) => Some("stroke:#9a6700,stroke-width:3px"),
        Some(Status::Replaced) => Some("stroke:#cf222e,stroke-width:3px"),
        Some(Status::Removed) => Some("stroke:#cf222e,stroke-dasharray:6 4"),
        _ => None,
    };
    let parts: Vec<&str> = match (colour, status) {
        // A removed edge is always dashed, whatever its kind.
        (Some(colour), Some(Status::Removed)) => vec![colour],
        (colour, _) => dash.into_iter().chain(colour).collect(),
    };
    (!parts.is_empty()).then(|| parts.join(","))
}

/// A label line with the characters mermaid reads as syntax written as entity codes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            _ => out.push(character),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_their_quotes() {
        assert_eq!(
            escape(r#"a "b" <c> & d|e #f `g`"#),
            "a #quot;b#quot; #lt;c#gt; #amp; d#124;e #35;f #96;g#96;"
        );
    }

    #[test]
    fn identifiers_stay_unique() {
        let node = |id: &str| Node {
            id: id.to_owned(),
            kind: NodeKind::Queue,
            label: id.to_owned(),
            details: Vec::new(),
        };
        let nodes = [node("queue:a-b"), node("queue:a_b")];
        let names = short_names(nodes.iter());
        assert_eq!(names["queue:a-b"], "queue_a_b");
        assert_eq!(names["queue:a_b"], "queue_a_b_2");
    }
}
