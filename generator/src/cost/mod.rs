//! `gen cost`: what a pipeline costs a month at a volume. Usage is derived from the resolved
//! pipeline ([`usage`]), priced from a dated, sourced table ([`prices`]), and reported per
//! service and resource with the assumption beside each line ([`report`]).

pub mod assumptions;
pub mod estimate;
pub mod log_lines;
pub mod measured;
pub mod prices;
pub mod report;
pub mod usage;

pub use assumptions::Assumptions;
pub use estimate::{CostError, estimate};
pub use measured::Measured;
pub use prices::PriceTable;
pub use report::CostReport;

#[cfg(test)]
mod tests;
