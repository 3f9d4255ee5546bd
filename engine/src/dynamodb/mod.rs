//! The local DynamoDB: the JSON protocol (`X-Amz-Target: DynamoDB_20120810.<Op>`) over
//! in-memory tables whose item bytes count in the engine's budget.
//!
//! `value` holds attribute values and their order; `path` document paths (`a.b[0]`);
//! `expression` and `update` parse and evaluate condition and update expressions; `table` holds
//! one table's items; `operations`, `reads` and `transactions` map each operation onto them;
//! `service` makes it a service of the engine.

pub mod error;
pub mod expression;
pub mod operations;
pub mod path;
mod placeholders;
mod reads;
pub mod registry;
mod saved;
mod service;
pub mod table;
mod transactions;
pub mod update;
mod update_table;
pub mod value;

pub use error::DynamoError;
pub use saved::SavedTable;
pub use service::{DynamoDb, MAX_REQUEST_BYTES, NAME};
pub use table::{Billing, IndexKind, IndexSpec, KeyAttribute, Projection, TableSpec};
