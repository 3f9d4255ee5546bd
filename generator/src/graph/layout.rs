//! A layered (Sugiyama-style) left-to-right layout, small enough to read: cycles broken by
//! reversing the back edges of a depth-first search, layers by longest path (sources pulled
//! next to their first successor), a dummy node per layer a long edge crosses, crossings
//! reduced by barycenter sweeps (the order with the fewest crossings kept), and vertical
//! positions placed as close to the neighbours' average as the order allows (least squares,
//! by pooling adjacent violators). Deterministic: ties are broken by input order, no hashing.

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
}

const MARGIN: f64 = 16.0;
const LAYER_GAP: f64 = 56.0;
const NODE_GAP: f64 = 20.0;
const DUMMY_HEIGHT: f64 = 8.0;
const SWEEPS: usize = 24;

/// One vertex of the layered graph: a node, or a dummy on a long edge.
#[derive(Debug, Clone, Copy)]
struct Vertex {
    height: f64,
    width: f64,
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
    }
    Layout {
        positions,
        routes,
        label_stretches,
        width,
        height: top,
    }
}

/// The connected parts of the graph, each as its nodes in index order, ordered by their first
/// node.
fn components(count: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..count).collect();
    fn root(parent: &mut [usize], mut node: usize) -> usize {
        while parent[node] != node {
            parent[node] = parent[parent[node]];
            node = parent[node];
        }
        node
    }
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

    // Vertices: the nodes, then a dummy per layer crossed; each edge as a chain of vertices.
    let mut vertices: Vec<Vertex> = (0..count)
        .map(|node| Vertex {
            width: input.sizes[node].0,
            height: input.sizes[node].1,
            layer: layers_of[node],
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(from, to) in &dag {
        let mut chain = vec![from];
        for layer in layers_of[from] + 1..layers_of[to] {
            vertices.push(Vertex {
                width: 0.0,
                height: DUMMY_HEIGHT,
                layer,
            });
            chain.push(vertices.len() - 1);
        }
        chain.push(to);
        chains.push(chain);
    }
    let layer_count = layers_of.iter().max().map_or(1, |max| max + 1);
    let mut segments: Vec<(usize, usize)> = chains
        .iter()
        .flat_map(|chain| chain.windows(2).map(|pair| (pair[0], pair[1])))
        .filter(|(from, to)| from != to)
        .collect();
    segments.sort_unstable();
    segments.dedup();

    // Initial order: depth-first discovery, dummies after the nodes in creation order.
    let mut rank = vec![usize::MAX; vertices.len()];
    for (position, &node) in order.iter().enumerate() {
        rank[node] = position;
    }
    for (index, slot) in rank.iter_mut().enumerate().skip(count) {
        *slot = count + index;
    }
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    let mut by_rank: Vec<usize> = (0..vertices.len()).collect();
    by_rank.sort_by_key(|&vertex| rank[vertex]);
    for vertex in by_rank {
        layers[vertices[vertex].layer].push(vertex);
    }
    let layers = reduce_crossings(layers, &segments, vertices.len());

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
    }
}

/// A depth-first order of the nodes (from sources first, in index order) and, per edge,
/// whether it closes a cycle and is laid out reversed.
fn break_cycles(
    count: usize,
    edges: &[(usize, usize)],
    priority: &[u32],
) -> (Vec<usize>, Vec<bool>) {
    let mut outgoing: Vec<Vec<(usize, usize)>> = vec![Vec::new(); count];
    let mut has_incoming = vec![false; count];
    for (index, &(from, to)) in edges.iter().enumerate() {
        outgoing[from].push((to, index));
        if from != to {
            has_incoming[to] = true;
        }
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    let mut mark = vec![Mark::New; count];
    let mut reversed = vec![false; edges.len()];
    let mut order = Vec::with_capacity(count);
    let mut by_priority: Vec<usize> = (0..count).collect();
    by_priority.sort_by_key(|&node| (priority.get(node).copied().unwrap_or(0), node));
    let starts = (0..count)
        .filter(|&node| !has_incoming[node])
        .chain(by_priority);
    for start in starts {
        if mark[start] != Mark::New {
            continue;
        }
        // Iterative DFS: (node, next outgoing edge to look at).
        let mut stack = vec![(start, 0)];
        mark[start] = Mark::Open;
        order.push(start);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, edge)) = outgoing[node].get(*next) {
                *next += 1;
                match mark[to] {
                    Mark::New => {
                        mark[to] = Mark::Open;
                        order.push(to);
                        stack.push((to, 0));
                    }
                    Mark::Open => reversed[edge] = to != node,
                    Mark::Done => {}
                }
            } else {
                mark[node] = Mark::Done;
                stack.pop();
            }
        }
    }
    (order, reversed)
}

/// The layer of each node: the longest path from a source, then each source moved right to
/// just before its nearest successor (so an entry point sits next to what it feeds).
fn assign_layers(count: usize, dag: &[(usize, usize)], order: &[usize]) -> Vec<usize> {
    let mut incoming = vec![0_usize; count];
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); count];
    for &(from, to) in dag {
        if from != to {
            incoming[to] += 1;
            outgoing[from].push(to);
        }
    }
    let mut layer = vec![0_usize; count];
    let mut remaining = incoming.clone();
    let mut ready: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&node| incoming[node] == 0)
        .rev()
        .collect();
    while let Some(node) = ready.pop() {
        for &to in &outgoing[node] {
            layer[to] = layer[to].max(layer[node] + 1);
            remaining[to] -= 1;
            if remaining[to] == 0 {
                ready.push(to);
            }
        }
    }
    for node in 0..count {
        if incoming[node] == 0 {
            if let Some(nearest) = outgoing[node].iter().map(|&to| layer[to]).min() {
                layer[node] = nearest.saturating_sub(1);
            }
        }
    }
    layer
}

/// Barycenter sweeps down and up; the order with the fewest crossings seen is kept.
fn reduce_crossings(
    mut layers: Vec<Vec<usize>>,
    segments: &[(usize, usize)],
    vertex_count: usize,
) -> Vec<Vec<usize>> {
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); vertex_count];
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); vertex_count];
    for &(from, to) in segments {
        successors[from].push(to);
        predecessors[to].push(from);
    }
    let mut position = vec![0_usize; vertex_count];
    let index = |layers: &[Vec<usize>], position: &mut [usize]| {
        for layer in layers {
            for (at, &vertex) in layer.iter().enumerate() {
                position[vertex] = at;
            }
        }
    };
    index(&layers, &mut position);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, segments, &position);
    for sweep in 0..SWEEPS {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (1..layers.len()).collect()
        } else {
            (0..layers.len().saturating_sub(1)).rev().collect()
        };
        for layer in order {
            let neighbours = if down { &predecessors } else { &successors };
            let mut keyed: Vec<(f64, usize, usize)> = layers[layer]
                .iter()
                .enumerate()
                .map(|(at, &vertex)| {
                    let around = &neighbours[vertex];
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "positions within a layer are small"
                    )]
                    let key = if around.is_empty() {
                        at as f64
                    } else {
                        around.iter().map(|&n| position[n] as f64).sum::<f64>()
                            / around.len() as f64
                    };
                    (key, at, vertex)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[layer] = keyed.into_iter().map(|(_, _, vertex)| vertex).collect();
            for (at, &vertex) in layers[layer].iter().enumerate() {
                position[vertex] = at;
            }
        }
        let now = crossings(&layers, segments, &position);
        if now < best_crossings {
            best_crossings = now;
            best = layers.clone();
        }
    }
    best
}

/// How many pairs of segments between the same two layers cross.
fn crossings(layers: &[Vec<usize>], segments: &[(usize, usize)], position: &[usize]) -> usize {
    let mut layer_of = vec![0_usize; position.len()];
    for (layer, vertices) in layers.iter().enumerate() {
        for &vertex in vertices {
            layer_of[vertex] = layer;
        }
    }
    let mut total = 0;
    for (index, &(a_from, a_to)) in segments.iter().enumerate() {
        for &(b_from, b_to) in &segments[index + 1..] {
            if layer_of[a_from] != layer_of[b_from] || layer_of[a_to] != layer_of[b_to] {
                continue;
            }
            let before = position[a_from].cmp(&position[b_from]);
            let after = position[a_to].cmp(&position[b_to]);
            if before != after && before.is_ne() && after.is_ne() {
                total += 1;
            }
        }
    }
    total
}

/// The top of each vertex: stacked in layer order, then moved towards the average centre of
/// its neighbours, sweep by sweep, keeping order and gaps.
fn place_vertically(
    layers: &[Vec<usize>],
    vertices: &[Vertex],
    segments: &[(usize, usize)],
) -> Vec<f64> {
    let mut neighbours_before: Vec<Vec<usize>> = vec![Vec::new(); vertices.len()];
    let mut neighbours_after: Vec<Vec<usize>> = vec![Vec::new(); vertices.len()];
    for &(from, to) in segments {
        neighbours_after[from].push(to);
        neighbours_before[to].push(from);
    }
    let mut top = vec![0.0; vertices.len()];
    for layer in layers {
        let mut y = 0.0;
        for &vertex in layer {
            top[vertex] = y;
            y += vertices[vertex].height + NODE_GAP;
        }
    }
    for sweep in 0..8 {
        let down = sweep % 2 == 0;
        let order: Vec<usize> = if down {
            (0..layers.len()).collect()
        } else {
            (0..layers.len()).rev().collect()
        };
        for layer in order {
            let desired: Vec<f64> = layers[layer]
                .iter()
                .map(|&vertex| {
                    let mut around: Vec<usize> = if down {
                        neighbours_before[vertex].clone()
                    } else {
                        neighbours_after[vertex].clone()
                    };
                    if around.is_empty() {
                        around = if down {
                            neighbours_after[vertex].clone()
                        } else {
                            neighbours_before[vertex].clone()
                        };
                    }
                    let half = vertices[vertex].height / 2.0;
                    if around.is_empty() {
                        return top[vertex];
                    }
                    #[expect(clippy::cast_precision_loss, reason = "a handful of neighbours")]
                    let mean = around
                        .iter()
                        .map(|&n| top[n] + vertices[n].height / 2.0)
                        .sum::<f64>()
                        / around.len() as f64;
                    mean - half
                })
                .collect();
            let heights: Vec<f64> = layers[layer]
                .iter()
                .map(|&vertex| vertices[vertex].height)
                .collect();
            for (&vertex, placed) in layers[layer].iter().zip(pack(&desired, &heights)) {
                top[vertex] = placed;
            }
        }
    }
    let lowest = top.iter().copied().fold(f64::INFINITY, f64::min);
    for value in &mut top {
        *value = (*value - lowest + MARGIN).round();
    }
    top
}

/// The tops closest (least squares) to `desired` that keep the order and a gap of
/// [`NODE_GAP`] between boxes of `heights`: pool adjacent violators on the offsets.
fn pack(desired: &[f64], heights: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(desired.len());
    let mut sum = 0.0;
    for height in heights {
        offsets.push(sum);
        sum += height + NODE_GAP;
    }
    // Blocks of (mean of desired - offset, count).
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (want, offset) in desired.iter().zip(&offsets) {
        blocks.push((want - offset, 1));
        while blocks.len() > 1 && blocks[blocks.len() - 2].0 > blocks[blocks.len() - 1].0 {
            let (value, count) = blocks.pop().expect("two blocks");
            let last = blocks.last_mut().expect("one block");
            #[expect(clippy::cast_precision_loss, reason = "a handful of vertices")]
            let merged = (last.0 * last.1 as f64 + value * count as f64) / (last.1 + count) as f64;
            *last = (merged, last.1 + count);
        }
    }
    let mut out = Vec::with_capacity(desired.len());
    for (value, count) in blocks {
        for _ in 0..count {
            let offset = offsets[out.len()];
            out.push(value + offset);
        }
    }
    out
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
        assert_eq!(laid.positions[0].1, laid.positions[2].1);
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
        assert_eq!(route.last().unwrap().0, laid.positions[0].0 + 80.0);
    }

    #[test]
    fn barycenter_sweeps_remove_an_avoidable_crossing() {
        // 0→3 and 1→2, with 2 above 3 at first: one crossing, removable by swapping.
        let layers = vec![vec![0, 1], vec![2, 3]];
        let segments = [(0, 3), (1, 2)];
        let mut position = vec![0, 1, 0, 1];
        assert_eq!(crossings(&layers, &segments, &position), 1);
        let best = reduce_crossings(layers, &segments, 4);
        for layer in &best {
            for (at, &vertex) in layer.iter().enumerate() {
                position[vertex] = at;
            }
        }
        assert_eq!(crossings(&best, &segments, &position), 0);
    }

    #[test]
    fn packing_keeps_order_and_gaps() {
        #[track_caller]
        fn case(desired: &[f64], expected: &[f64]) {
            assert_eq!(pack(desired, &vec![10.0; desired.len()]), expected);
        }
        case(&[0.0, 100.0], &[0.0, 100.0]);
        case(&[50.0, 50.0], &[35.0, 65.0]);
        case(&[0.0, 0.0, 0.0], &[-30.0, 0.0, 30.0]);
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
