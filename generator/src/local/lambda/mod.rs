//! Lambda on loopback: the Runtime API, worker processes running the generated binaries
//! unchanged, and event source mappings that feed them from the engine's queues.

pub mod event_source;
pub mod runtime_api;
pub mod worker;
