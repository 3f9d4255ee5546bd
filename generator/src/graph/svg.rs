//! The graph as a self-contained SVG, laid out by [`super::layout`]: no fonts, styles,
//! scripts or images fetched, readable without colour — each kind of part has its own shape,
//! each kind of edge its own dash pattern.
//!
//! Conventions other code relies on (the `gen dev` dashboard overlays live figures):
//! - each node is `<g class="node kind-<kind>" data-id="<node id>">` holding its shape, a
//!   `<text class="label">`, one `<text class="detail">` per detail line, and an empty
//!   `<text class="figure">` on a line kept free under the details, for live figures;
//! - each edge is `<g class="edge kind-<edge kind>" data-from="<id>" data-to="<id>">` holding
//!   its `<path>` and, when it has one, its label (`<rect>` + `<text class="edge-label">`).

use std::fmt::Write;

use super::layout::{self, Input};
use super::text::{width, xml_escape};
use super::{EdgeKind, Graph, Node, NodeKind};

const LABEL_SIZE: f64 = 13.0;
const DETAIL_SIZE: f64 = 11.0;
const EDGE_LABEL_SIZE: f64 = 10.0;
const LABEL_LINE: f64 = 18.0;
const DETAIL_LINE: f64 = 14.0;
const FIGURE_LINE: f64 = 16.0;
const PADDING: f64 = 10.0;

/// Where [`render`] puts each node and edge of `graph`.
pub fn layout(graph: &Graph) -> layout::Layout {
    let index_of = |id: &str| {
        graph
            .nodes
            .iter()
            .position(|node| node.id == id)
            .expect("a graph's edges join its own nodes")
    };
    let input = Input {
        sizes: graph.nodes.iter().map(size).collect(),
        start_priority: graph
            .nodes
            .iter()
            .map(|node| start_priority(graph, node))
            .collect(),
        edges: graph
            .edges
            .iter()
            .map(|edge| (index_of(&edge.from), index_of(&edge.to)))
            .collect(),
        label_widths: graph
            .edges
            .iter()
            .map(|edge| {
                edge.label
                    .as_deref()
                    .map_or(0.0, |label| width(label, EDGE_LABEL_SIZE))
            })
            .collect(),
    };
    layout::layout(&input)
}

/// The SVG document of `graph`.
pub fn render(graph: &Graph) -> String {
    let laid = layout(graph);
    let mut svg = String::new();
    let (total_width, total_height) = (laid.width.ceil(), laid.height.ceil());
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {total_width} {total_height}" width="{total_width}" height="{total_height}" font-family="monospace" role="img">"#
    );
    svg.push_str("<title>pipeline graph</title>\n");
    svg.push_str(concat!(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" ",
        "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">",
        "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#222\"/></marker></defs>\n"
    ));
    let _ = writeln!(
        svg,
        r##"<rect x="0" y="0" width="{total_width}" height="{total_height}" fill="#fff"/>"##
    );
    draw_edges(&mut svg, graph, &laid);
    for (node, &(left, top)) in graph.nodes.iter().zip(&laid.positions) {
        draw_node(&mut svg, node, left, top);
    }
    svg.push_str("</svg>\n");
    svg
}

/// Each edge's path and label, under the nodes.
fn draw_edges(svg: &mut String, graph: &Graph, laid: &layout::Layout) {
    // Boxes a label must not cover: the nodes, then each label placed.
    let mut taken: Vec<(f64, f64, f64, f64)> = graph
        .nodes
        .iter()
        .zip(&laid.positions)
        .map(|(node, &(x, y))| {
            let (w, h) = size(node);
            (x, y, w, h)
        })
        .collect();
    // Labels on straight stretches first: they have the least room to move.
    let mut label_order: Vec<usize> = (0..graph.edges.len())
        .filter(|&index| graph.edges[index].label.is_some())
        .collect();
    label_order.sort_by_key(|&index| {
        let route = &laid.routes[index];
        let stretch = laid.label_stretches[index];
        let straight = match (route.get(stretch), route.get(stretch + 1)) {
            (Some(a), Some(b)) => (a.1 - b.1).abs() < 0.5,
            _ => true,
        };
        (!straight, index)
    });
    let mut label_at = vec![(0.0, 0.0); graph.edges.len()];
    for index in label_order {
        let label = graph.edges[index].label.as_deref().unwrap_or_default();
        label_at[index] = place_label(
            &laid.routes[index],
            laid.label_stretches[index],
            (width(label, EDGE_LABEL_SIZE) + 6.0, 14.0),
            &mut taken,
        );
    }
    for (index, edge) in graph.edges.iter().enumerate() {
        let (dash, stroke_width) = edge_style(edge.kind);
        let _ = write!(
            svg,
            r##"<g class="edge kind-{}" data-from="{}" data-to="{}"><path d="{}" fill="none" stroke="#222" stroke-width="{stroke_width}"{} marker-end="url(#arrow)"/>"##,
            edge.kind.as_str(),
            xml_escape(&edge.from),
            xml_escape(&edge.to),
            path(&laid.routes[index]),
            dash.map(|dash| format!(r#" stroke-dasharray="{dash}""#))
                .unwrap_or_default(),
        );
        if let Some(label) = &edge.label {
            let label_width = width(label, EDGE_LABEL_SIZE) + 6.0;
            let (x, y) = label_at[index];
            let _ = write!(
                svg,
                r##"<rect x="{}" y="{}" width="{}" height="14" fill="#fff" fill-opacity="0.9"/><text class="edge-label" x="{}" y="{}" font-size="{EDGE_LABEL_SIZE}" text-anchor="middle">{}</text>"##,
                number(x - label_width / 2.0),
                number(y - 7.0),
                number(label_width),
                number(x),
                number(y + 3.5),
                xml_escape(label)
            );
        }
        svg.push_str("</g>\n");
    }
}

/// A node's group: its shape, label, details and the empty figure line.
fn draw_node(svg: &mut String, node: &Node, left: f64, top: f64) {
    let (width, height) = size(node);
    let _ = write!(
        svg,
        r#"<g class="node kind-{}" data-id="{}">"#,
        node.kind.as_str(),
        xml_escape(&node.id)
    );
    svg.push_str(&shape(
        node.kind,
        Frame {
            left,
            top,
            width,
            height,
        },
    ));
    let centre = number(left + width / 2.0);
    let mut baseline = top + top_padding(node.kind) + LABEL_SIZE;
    let _ = write!(
        svg,
        r#"<text class="label" x="{centre}" y="{}" font-size="{LABEL_SIZE}" font-weight="bold" text-anchor="middle">{}</text>"#,
        number(baseline),
        xml_escape(&node.label)
    );
    baseline += LABEL_LINE - LABEL_SIZE + DETAIL_SIZE;
    for detail in &node.details {
        let _ = write!(
            svg,
            r#"<text class="detail" x="{centre}" y="{}" font-size="{DETAIL_SIZE}" text-anchor="middle">{}</text>"#,
            number(baseline),
            xml_escape(detail)
        );
        baseline += DETAIL_LINE;
    }
    let _ = write!(
        svg,
        r#"<text class="figure" x="{centre}" y="{}" font-size="{DETAIL_SIZE}" text-anchor="middle"></text>"#,
        number(baseline + 1.0)
    );
    svg.push_str("</g>\n");
}

/// Where work enters first: APIs and routes, then queues that are no one's dead-letter queue,
/// then functions, buses and rules; stores last.
fn start_priority(graph: &Graph, node: &Node) -> u32 {
    match node.kind {
        NodeKind::Api => 0,
        NodeKind::Route => 1,
        NodeKind::Queue
            if !graph
                .edges
                .iter()
                .any(|edge| edge.to == node.id && edge.kind == EdgeKind::DeadLetter) =>
        {
            2
        }
        NodeKind::Function => 3,
        NodeKind::Bus => 4,
        NodeKind::Rule => 5,
        _ => 6,
    }
}

/// Room above the label: the envelope's flap, else the padding.
fn top_padding(kind: NodeKind) -> f64 {
    match kind {
        NodeKind::Email | NodeKind::Table => PADDING + 8.0,
        _ => PADDING,
    }
}

/// A node's box: wide enough for its longest line, tall enough for its lines and a free
/// figure line.
fn size(node: &Node) -> (f64, f64) {
    let widest = node
        .details
        .iter()
        .map(|detail| width(detail, DETAIL_SIZE))
        .fold(width(&node.label, LABEL_SIZE), f64::max);
    let sides = match node.kind {
        NodeKind::Api | NodeKind::Rule | NodeKind::Route => 2.0 * PADDING + 20.0,
        NodeKind::Queue => 2.0 * PADDING + 24.0,
        _ => 2.0 * PADDING,
    };
    #[expect(clippy::cast_precision_loss, reason = "a handful of lines")]
    let lines = node.details.len() as f64;
    let height =
        top_padding(node.kind) + LABEL_LINE + lines * DETAIL_LINE + FIGURE_LINE + PADDING / 2.0;
    ((widest + sides).max(96.0).ceil(), height.ceil())
}

/// The dash pattern and stroke width of an edge kind.
fn edge_style(kind: EdgeKind) -> (Option<&'static str>, f64) {
    match kind {
        EdgeKind::Trigger => (None, 1.8),
        EdgeKind::Write => (Some("7 4"), 1.4),
        EdgeKind::DeadLetter => (Some("2 3"), 1.4),
        EdgeKind::Route => (None, 1.0),
        EdgeKind::Deliver => (Some("10 3 2 3"), 1.4),
        EdgeKind::Publish => (Some("4 2"), 1.8),
    }
}

/// A node's box: its top-left corner and size.
#[derive(Debug, Clone, Copy)]
struct Frame {
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn right(self) -> f64 {
        self.left + self.width
    }

    fn bottom(self) -> f64 {
        self.top + self.height
    }

    fn middle(self) -> f64 {
        self.top + self.height / 2.0
    }

    fn rect(self, rounding: f64, attributes: &str) -> String {
        format!(
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="{rounding}" {attributes}/>"#,
            number(self.left),
            number(self.top),
            number(self.width),
            number(self.height)
        )
    }
}

const OUTLINE: &str = r##"fill="#fff" stroke="#222" stroke-width="1.4""##;
const INNER_LINE: &str = r##"fill="none" stroke="#222""##;

/// A closed outline through `points`.
fn polygon(points: &[(f64, f64)]) -> String {
    let points: Vec<String> = points
        .iter()
        .map(|&(x, y)| format!("{},{}", number(x), number(y)))
        .collect();
    format!(r#"<polygon points="{}" {OUTLINE}/>"#, points.join(" "))
}

/// The outline of a node of `kind` in `frame`: a shape per kind, so the drawing reads without
/// colour.
fn shape(kind: NodeKind, frame: Frame) -> String {
    let Frame { left, top, .. } = frame;
    let (right, bottom, middle) = (frame.right(), frame.bottom(), frame.middle());
    match kind {
        NodeKind::Function => frame.rect(10.0, OUTLINE),
        // A queue: a box with two message slots at its end.
        NodeKind::Queue => format!(
            r#"{}<path d="M{},{} V{} M{},{} V{}" {INNER_LINE}/>"#,
            frame.rect(0.0, OUTLINE),
            number(right - 6.0),
            number(top),
            number(bottom),
            number(right - 11.0),
            number(top),
            number(bottom)
        ),
        NodeKind::Bucket => polygon(&[
            (left, top),
            (right, top),
            (right - 8.0, bottom),
            (left + 8.0, bottom),
        ]),
        // A table: a cylinder.
        NodeKind::Table => {
            let radius = number(frame.width / 2.0);
            let (left, right) = (number(left), number(right));
            let (upper, lower) = (number(top + 6.0), number(bottom - 6.0));
            format!(
                r#"<path d="M{left},{upper} A{radius},6 0 0 1 {right},{upper} V{lower} A{radius},6 0 0 1 {left},{lower} Z M{left},{upper} A{radius},6 0 0 0 {right},{upper}" {OUTLINE}/>"#
            )
        }
        NodeKind::Api => polygon(&[
            (left + 12.0, top),
            (right - 12.0, top),
            (right, middle),
            (right - 12.0, bottom),
            (left + 12.0, bottom),
            (left, middle),
        ]),
        NodeKind::Route => polygon(&[
            (left, top),
            (right - 12.0, top),
            (right, middle),
            (right - 12.0, bottom),
            (left, bottom),
        ]),
        // A bus: a double border.
        NodeKind::Bus => format!(
            "{}{}",
            frame.rect(0.0, OUTLINE),
            Frame {
                left: left + 3.0,
                top: top + 3.0,
                width: frame.width - 6.0,
                height: frame.height - 6.0,
            }
            .rect(0.0, INNER_LINE)
        ),
        NodeKind::Rule => polygon(&[
            (left + 10.0, top),
            (right - 10.0, top),
            (right, top + 10.0),
            (right, bottom - 10.0),
            (right - 10.0, bottom),
            (left + 10.0, bottom),
            (left, bottom - 10.0),
            (left, top + 10.0),
        ]),
        // E-mail: an envelope.
        NodeKind::Email => format!(
            r#"{}<path d="M{},{} L{},{} L{},{}" {INNER_LINE}/>"#,
            frame.rect(0.0, OUTLINE),
            number(left),
            number(top),
            number(left + frame.width / 2.0),
            number(top + 12.0),
            number(right),
            number(top)
        ),
    }
}

/// The centre of a label of `size` on the stretch of `route` starting at `stretch`: the middle
/// if it is free, else the first free of a few points along it; the box is added to `taken`.
fn place_label(
    route: &[(f64, f64)],
    stretch: usize,
    size: (f64, f64),
    taken: &mut Vec<(f64, f64, f64, f64)>,
) -> (f64, f64) {
    let (Some(&start), Some(&end)) = (route.get(stretch), route.get(stretch + 1)) else {
        return (0.0, 0.0);
    };
    let candidates = [0.5, 0.35, 0.65, 0.22, 0.78, 0.12, 0.88];
    let boxed = |(x, y): (f64, f64)| (x - size.0 / 2.0, y - size.1 / 2.0, size.0, size.1);
    let overlaps = |a: (f64, f64, f64, f64), b: &(f64, f64, f64, f64)| {
        a.0 < b.0 + b.2 && b.0 < a.0 + a.2 && a.1 < b.1 + b.3 && b.1 < a.1 + a.3
    };
    let middle = along(start, end, 0.5);
    // Along the stretch first; then beside its middle, above or below.
    let beside = [-16.0, 16.0, -32.0, 32.0].map(|dy| (middle.0, middle.1 + dy));
    let point = candidates
        .iter()
        .map(|&t| along(start, end, t))
        .chain(beside)
        .find(|&point| !taken.iter().any(|other| overlaps(boxed(point), other)))
        .unwrap_or(middle);
    taken.push(boxed(point));
    point
}

/// The point at `t` (0–1) on the curve [`path`] draws from `start` to `end`.
fn along(start: (f64, f64), end: (f64, f64), t: f64) -> (f64, f64) {
    let ((x0, y0), (x1, y1)) = (start, end);
    if (y0 - y1).abs() < 0.5 {
        return (x0 + (x1 - x0) * t, y0);
    }
    let (c0, c1) = controls(start, end);
    let u = 1.0 - t;
    let x = u * u * u * x0 + 3.0 * u * u * t * c0.0 + 3.0 * u * t * t * c1.0 + t * t * t * x1;
    let y = u * u * u * y0 + 3.0 * u * u * t * c0.1 + 3.0 * u * t * t * c1.1 + t * t * t * y1;
    (x, y)
}

/// The control points of the curve from `start` to `end`: horizontal tangents at both ends.
fn controls(start: (f64, f64), end: (f64, f64)) -> ((f64, f64), (f64, f64)) {
    let ((x0, y0), (x1, y1)) = (start, end);
    let bend = ((x1 - x0) / 2.0).abs().max(20.0);
    let direction = if x1 >= x0 { 1.0 } else { -1.0 };
    ((x0 + direction * bend, y0), (x1 - direction * bend, y1))
}

/// A smooth path through `points`: horizontal tangents at each point, so edges leave and
/// enter boxes sideways.
fn path(points: &[(f64, f64)]) -> String {
    let Some(&(x, y)) = points.first() else {
        return String::new();
    };
    let mut d = format!("M{},{}", number(x), number(y));
    for pair in points.windows(2) {
        let ((_, y0), (x1, y1)) = (pair[0], pair[1]);
        if (y0 - y1).abs() < 0.5 {
            let _ = write!(d, " L{},{}", number(x1), number(y1));
        } else {
            let (c0, c1) = controls(pair[0], pair[1]);
            let _ = write!(
                d,
                " C{},{} {},{} {},{}",
                number(c0.0),
                number(c0.1),
                number(c1.0),
                number(c1.1),
                number(x1),
                number(y1)
            );
        }
    }
    d
}

/// A coordinate with at most one decimal, without a trailing `.0`.
fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}
