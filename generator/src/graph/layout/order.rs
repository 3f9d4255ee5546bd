//! The order of the layered graph: cycles broken, layers assigned, long edges split into
//! dummy vertices, and the order within each layer chosen to cross as few edges as it can.

use super::{DUMMY_HEIGHT, Input, Mark, SWEEPS, Vertex};

/// The vertices — the nodes, then a dummy per layer a long edge crosses — and each edge as
/// the chain of vertices it passes.
pub(super) fn split_long_edges(
    input: &Input,
    dag: &[(usize, usize)],
    layers_of: &[usize],
) -> (Vec<Vertex>, Vec<Vec<usize>>) {
    let mut vertices: Vec<Vertex> = input
        .sizes
        .iter()
        .zip(layers_of)
        .map(|(&(width, height), &layer)| Vertex {
            width,
            height,
            layer,
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(from, to) in dag {
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
    (vertices, chains)
}

/// The first order within each layer: depth-first discovery, dummies after the nodes in
/// creation order.
pub(super) fn initial_order(
    order: &[usize],
    vertices: &[Vertex],
    layer_count: usize,
) -> Vec<Vec<usize>> {
    let count = order.len();
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
    layers
}

/// A depth-first order of the nodes (from sources first, in index order) and, per edge,
/// whether it closes a cycle and is laid out reversed.
pub(super) fn break_cycles(
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
pub(super) fn assign_layers(count: usize, dag: &[(usize, usize)], order: &[usize]) -> Vec<usize> {
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
        if incoming[node] == 0
            && let Some(nearest) = outgoing[node].iter().map(|&to| layer[to]).min()
        {
            layer[node] = nearest.saturating_sub(1);
        }
    }
    layer
}

/// Barycenter sweeps down and up; the order with the fewest crossings seen is kept. Returns
/// it with its crossings and those of the order it started from.
pub(super) fn reduce_crossings(
    mut layers: Vec<Vec<usize>>,
    segments: &[(usize, usize)],
    vertex_count: usize,
) -> (Vec<Vec<usize>>, usize, usize) {
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
    let first_crossings = best_crossings;
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
            best.clone_from(&layers);
        }
    }
    (best, best_crossings, first_crossings)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn barycenter_sweeps_remove_an_avoidable_crossing() {
        // 0→3 and 1→2, with 2 above 3 at first: one crossing, removable by swapping.
        let layers = vec![vec![0, 1], vec![2, 3]];
        let segments = [(0, 3), (1, 2)];
        let mut position = vec![0, 1, 0, 1];
        assert_eq!(crossings(&layers, &segments, &position), 1);
        let (best, after, before) = reduce_crossings(layers, &segments, 4);
        assert_eq!((before, after), (1, 0));
        for layer in &best {
            for (at, &vertex) in layer.iter().enumerate() {
                position[vertex] = at;
            }
        }
        assert_eq!(crossings(&best, &segments, &position), 0);
    }
}
