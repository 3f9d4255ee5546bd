//! A layered (Sugiyama-style) left-to-right layout, small enough to read: cycles broken by
//! reversing the back edges of a depth-first search, layers by longest path (sources pulled
//! next to their first successor), a dummy node per layer a long edge crosses, crossings
//! reduced by barycenter sweeps (the order with the fewest crossings kept), and vertical
//! positions placed as close to the neighbours' average as the order allows (least squares,
//! by pooling adjacent violators). Deterministic: ties are broken by input order, no hashing.

mod order;
mod place;

use order::{assign_layers, break_cycles, initial_order, reduce_crossings, split_long_edges};
use place::place_vertically;

/// What to lay out: node sizes and directed edges between node indexes.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// (width, height) per node.
    pub sizes: Vec<(f64, f64)>,
    /// Per node, how early a depth-first search may start from it when every node has an
    /// incoming edge (lower first; ties in index order): entry points such as APIs and the
    /// queues work arrives on, so the edges laid out backwards are the ones that loop back.
    pub start_priority: Vec<u32>,
    /// (from, to) per edge.
    pub edges: Vec<(usize, usize)>,
    /// The space between two layers per gap: at least this, more where an edge label needs it
    /// (`label_widths[edge]`, 0 for none).
    pub label_widths: Vec<f64>,
}

/// Where everything goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Top-left corner per node.
    pub positions: Vec<(f64, f64)>,
    /// Per edge, the points it passes from its source's side to its target's side.
    pub routes: Vec<Vec<(f64, f64)>>,
    /// Per edge, the index in its route of the point that starts the stretch its label
    /// belongs on: the first gap between columns the edge crosses as laid out.
    pub label_stretches: Vec<usize>,
    pub width: f64,
    pub height: f64,
    /// How many pairs of edge stretches between two columns still cross (a measure of the
    /// layout's quality), and how many crossed in the first order tried.
    pub crossings: usize,
    pub crossings_before: usize,
}

const MARGIN: f64 = 16.0;
const LAYER_GAP: f64 = 56.0;
const NODE_GAP: f64 = 20.0;
const DUMMY_HEIGHT: f64 = 8.0;
const SWEEPS: usize = 24;

/// One vertex of the layered graph: a node, or a dummy on a long edge.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    width: f64,
    height: f64,
    layer: usize,
}

/// Lays out `input`: each connected part on its own, the parts stacked top to bottom in the
/// order of their first node.
pub fn layout(input: &Input) -> Layout {
    let components = components(input.sizes.len(), &input.edges);
    if components.len() <= 1 {
        return layout_connected(input);
    }
    let mut positions = vec![(0.0, 0.0); input.sizes.len()];
    let mut routes = vec![Vec::new(); input.edges.len()];
    let mut label_stretches = vec![0; input.edges.len()];
    let (mut width, mut top) = (0.0_f64, 0.0_f64);
    let (mut crossings, mut crossings_before) = (0, 0);
    for nodes in components {
        let mut local = vec![usize::MAX; input.sizes.len()];
        for (index, &node) in nodes.iter().enumerate() {
            local[node] = index;
        }
        let edges: Vec<usize> = (0..input.edges.len())
            .filter(|&edge| local[input.edges[edge].0] != usize::MAX)
            .collect();
        let part = layout_connected(&Input {
            sizes: nodes.iter().map(|&node| input.sizes[node]).collect(),
            start_priority: nodes
                .iter()
                .map(|&node| input.start_priority.get(node).copied().unwrap_or(0))
                .collect(),
            edges: edges
                .iter()
                .map(|&edge| (local[input.edges[edge].0], local[input.edges[edge].1]))
                .collect(),
            label_widths: edges
                .iter()
                .map(|&edge| input.label_widths.get(edge).copied().unwrap_or(0.0))
                .collect(),
        });
        // Each part carries its own margins: overlap them to one margin between parts.
        let shift = if top == 0.0 { 0.0 } else { top - MARGIN };
        for (index, &node) in nodes.iter().enumerate() {
            let (x, y) = part.positions[index];
            positions[node] = (x, y + shift);
        }
        for (index, &edge) in edges.iter().enumerate() {
            routes[edge] = part.routes[index]
                .iter()
                .map(|&(x, y)| (x, y + shift))
                .collect();
            label_stretches[edge] = part.label_stretches[index];
        }
        width = width.max(part.width);
        top = part.height + shift;
        crossings += part.crossings;
        crossings_before += part.crossings_before;
    }
    Layout {
        positions,
        routes,
        label_stretches,
        width,
        height: top,
        crossings,
        crossings_before,
    }
}

/// The connected parts of the graph, each as its nodes in index order, ordered by their first
/// node.
fn components(count: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..count).collect();
    for &(from, to) in edges {
        let (a, b) = (root(&mut parent, from), root(&mut parent, to));
        if a != b {
            parent[a.max(b)] = a.min(b);
        }
    }
    let mut parts: std::collections::BTreeMap<usize, Vec<usize>> =
        std::collections::BTreeMap::new();
    for node in 0..count {
        let top = root(&mut parent, node);
        parts.entry(top).or_default().push(node);
    }
    parts.into_values().collect()
}

/// The representative of `node`'s set (union-find, halving the path as it goes).
fn root(parent: &mut [usize], mut node: usize) -> usize {
    while parent[node] != node {
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

/// Where a depth-first search is with a node.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    New,
    Open,
    Done,
}

/// Lays out one connected graph.
fn layout_connected(input: &Input) -> Layout {
    let count = input.sizes.len();
    if count == 0 {
        return Layout {
            positions: Vec::new(),
            routes: vec![Vec::new(); input.edges.len()],
            label_stretches: vec![0; input.edges.len()],
            width: 2.0 * MARGIN,
            height: 2.0 * MARGIN,
            crossings: 0,
            crossings_before: 0,
        };
    }
    let (order, reversed) = break_cycles(count, &input.edges, &input.start_priority);
    let dag: Vec<(usize, usize)> = input
        .edges
        .iter()
        .zip(&reversed)
        .map(|(&(from, to), &back)| if back { (to, from) } else { (from, to) })
        .collect();
    let layers_of = assign_layers(count, &dag, &order);

    let (vertices, chains) = split_long_edges(input, &dag, &layers_of);
    let layer_count = layers_of.iter().max().map_or(1, |max| max + 1);
    let mut segments: Vec<(usize, usize)> = chains
        .iter()
        .flat_map(|chain| chain.windows(2).map(|pair| (pair[0], pair[1])))
        .filter(|(from, to)| from != to)
        .collect();
    segments.sort_unstable();
    segments.dedup();
    let layers = initial_order(&order, &vertices, layer_count);
    let (layers, crossings, crossings_before) = reduce_crossings(layers, &segments, vertices.len());

    // Horizontal: one column per layer, as wide as its widest node, gaps wide enough for the
    // labels of the edges leaving it.
    let mut column_width = vec![0.0_f64; layer_count];
    for vertex in &vertices {
        column_width[vertex.layer] = column_width[vertex.layer].max(vertex.width);
    }
    let mut gap = vec![LAYER_GAP; layer_count];
    // A label sits in the first gap its laid-out chain crosses.
    for (chain, &label) in chains.iter().zip(&input.label_widths) {
        let layer = vertices[chain[0]].layer;
        gap[layer] = gap[layer].max(label + 24.0);
    }
    let mut column_x = vec![MARGIN; layer_count];
    for layer in 1..layer_count {
        column_x[layer] = column_x[layer - 1] + column_width[layer - 1] + gap[layer - 1];
    }

    let tops = place_vertically(&layers, &vertices, &segments);
    let centre_y = |vertex: usize| tops[vertex] + vertices[vertex].height / 2.0;
    let left = |vertex: usize| {
        let layer = vertices[vertex].layer;
        column_x[layer] + (column_width[layer] - vertices[vertex].width) / 2.0
    };

    let positions = (0..count).map(|node| (left(node), tops[node])).collect();
    let mut routes = Vec::with_capacity(chains.len());
    let mut label_stretches = Vec::with_capacity(chains.len());
    for (chain, &back) in chains.iter().zip(&reversed) {
        let mut points = Vec::new();
        for (index, &vertex) in chain.iter().enumerate() {
            let x = left(vertex);
            let y = centre_y(vertex);
            if index > 0 {
                points.push((x, y));
            }
            if index + 1 < chain.len() {
                points.push((x + vertices[vertex].width, y));
            }
        }
        if chain.len() == 2 && chain[0] == chain[1] {
            // A loop on one node: out of its right side, round and back.
            let (x, y) = (
                left(chain[0]) + vertices[chain[0]].width,
                centre_y(chain[0]),
            );
            points = vec![
                (x, y - 6.0),
                (x + 24.0, y - 6.0),
                (x + 24.0, y + 6.0),
                (x, y + 6.0),
            ];
        }
        if back {
            points.reverse();
        }
        // The label on the first stretch between two columns (the last, for a back edge).
        label_stretches.push(if back { points.len() - 2 } else { 0 });
        routes.push(points);
    }
    let width = column_x[layer_count - 1] + column_width[layer_count - 1] + MARGIN;
    let height = (0..vertices.len())
        .map(|vertex| tops[vertex] + vertices[vertex].height)
        .fold(0.0, f64::max)
        + MARGIN;
    Layout {
        positions,
        routes,
        label_stretches,
        width,
        height,
        crossings,
        crossings_before,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(count: usize, edges: &[(usize, usize)]) -> Input {
        Input {
            sizes: vec![(80.0, 40.0); count],
            start_priority: Vec::new(),
            edges: edges.to_vec(),
            label_widths: vec![0.0; edges.len()],
        }
    }

    #[test]
    fn a_chain_runs_left_to_right_on_one_line() {
        let laid = layout(&input(3, &[(0, 1), (1, 2)]));
        let xs: Vec<f64> = laid.positions.iter().map(|p| p.0).collect();
        assert!(xs[0] < xs[1] && xs[1] < xs[2], "{xs:?}");
        assert!(
            (laid.positions[0].1 - laid.positions[2].1).abs() < 0.01,
            "{laid:?}"
        );
    }

    #[test]
    fn a_cycle_is_laid_out_with_one_edge_reversed() {
        let (_, reversed) = break_cycles(3, &[(0, 1), (1, 2), (2, 0)], &[]);
        assert_eq!(reversed, vec![false, false, true]);
        // Started from node 1, the edge into it closes the cycle.
        let (_, reversed) = break_cycles(3, &[(0, 1), (1, 2), (2, 0)], &[1, 0, 1]);
        assert_eq!(reversed, vec![true, false, false]);
        let laid = layout(&input(3, &[(0, 1), (1, 2), (2, 0)]));
        // The back edge still ends at its own target, node 0.
        let route = &laid.routes[2];
        assert!((route.last().unwrap().0 - (laid.positions[0].0 + 80.0)).abs() < 0.01);
    }

    #[test]
    fn separate_parts_are_stacked_without_overlap() {
        let laid = layout(&input(4, &[(0, 1), (2, 3)]));
        let bottom_of_first = laid.positions[0].1.max(laid.positions[1].1) + 40.0;
        let top_of_second = laid.positions[2].1.min(laid.positions[3].1);
        assert!(top_of_second >= bottom_of_first + MARGIN - 0.5, "{laid:?}");
        assert!(top_of_second <= bottom_of_first + 2.0 * MARGIN, "{laid:?}");
        assert_eq!(
            components(4, &[(0, 1), (2, 3)]),
            vec![vec![0, 1], vec![2, 3]]
        );
    }

    #[test]
    fn long_edges_pass_through_each_layer_between() {
        let laid = layout(&input(3, &[(0, 1), (1, 2), (0, 2)]));
        // 0→2 spans two layers: source side, dummy in, dummy out, target side.
        assert_eq!(laid.routes[2].len(), 4);
    }
}
