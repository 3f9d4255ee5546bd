//! Stack outputs: what `gen deploy` prints and `gen send` / `gen status` read.

use std::collections::BTreeMap;

use super::template::{Expr, Output};

pub(super) fn add(
    outputs: &mut BTreeMap<String, Output>,
    id: String,
    description: String,
    value: Expr,
) {
    outputs.insert(id, Output { description, value });
}
