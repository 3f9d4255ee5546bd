//! `gen dev`'s side of the local engine: the pipeline on the [`engine`] crate (queues, buckets,
//! fault plans), the Lambda Runtime API and event source mappings, the demo and its ledger, and
//! the functions' logs, and what `gen dev --watch` watches.

pub mod dashboard;
pub mod demo;
pub mod dev;
pub mod http_client;
pub mod http_load;
pub mod lambda;
pub mod logs;
pub mod state;
pub mod time_scale;
pub mod watch;

// The engine's server loop serves the Runtime API too.
pub use engine::listener;
pub use engine::{Engine, EngineConfig, EngineError, Limits};
