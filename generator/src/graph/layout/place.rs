//! Vertical placement: each vertex as close to its neighbours' average as the order within its
//! layer and the gaps allow.

use super::{MARGIN, NODE_GAP, Vertex};

/// The top of each vertex: stacked in layer order, then moved towards the average centre of
/// its neighbours, sweep by sweep, keeping order and gaps.
pub(super) fn place_vertically(
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
}
