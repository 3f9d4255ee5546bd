//! The graph in graphviz's DOT language (`gen graph --format dot | dot -Tsvg`): shapes by kind
//! of part, line styles by kind of edge, every id and label quoted.

use std::fmt::Write;

use super::{EdgeKind, Graph, NodeKind};

/// The `digraph` of `graph`.
pub fn render(graph: &Graph) -> String {
    let mut out = String::from(concat!(
        "digraph pipeline {\n",
        "  rankdir=LR;\n",
        "  node [fontname=\"monospace\", fontsize=11];\n",
        "  edge [fontname=\"monospace\", fontsize=9];\n",
    ));
    for node in &graph.nodes {
        let mut label = quote(&node.label);
        for detail in &node.details {
            label.push_str("\\n");
            label.push_str(&quote(detail));
        }
        let _ = writeln!(
            out,
            "  \"{}\" [label=\"{label}\", {}];",
            quote(&node.id),
            shape(node.kind)
        );
    }
    for edge in &graph.edges {
        let mut attributes = vec![style(edge.kind).to_owned()];
        if let Some(label) = &edge.label {
            attributes.push(format!("label=\"{}\"", quote(label)));
        }
        let _ = writeln!(
            out,
            "  \"{}\" -> \"{}\" [{}];",
            quote(&edge.from),
            quote(&edge.to),
            attributes.join(", ")
        );
    }
    out.push_str("}\n");
    out
}

/// Text inside a DOT double-quoted string: `\` and `"` escaped, line breaks as spaces.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            _ => out.push(character),
        }
    }
    out
}

fn shape(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Api => "shape=hexagon",
        NodeKind::Route => "shape=cds",
        NodeKind::Queue => "shape=box, peripheries=1, style=\"diagonals\"",
        NodeKind::Function => "shape=box, style=\"rounded\"",
        NodeKind::Bucket => "shape=invtrapezium",
        NodeKind::Table => "shape=cylinder",
        NodeKind::Bus => "shape=box, peripheries=2",
        NodeKind::Rule => "shape=octagon",
        NodeKind::Email => "shape=tab",
    }
}

fn style(kind: EdgeKind) -> &'static str {
    match kind {
        EdgeKind::Trigger => "style=bold",
        EdgeKind::Write => "style=dashed",
        EdgeKind::DeadLetter => "style=dotted",
        EdgeKind::Route => "style=solid",
        EdgeKind::Deliver => "style=dashed, arrowhead=vee",
        EdgeKind::Publish => "style=\"bold,dashed\"",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(quote(r#"a "b" \c"#), r#"a \"b\" \\c"#);
    }
}
