//! Lambda on loopback: the Runtime API, worker processes running the generated binaries
//! unchanged, event source mappings that feed them from the engine's queues, and the synchronous
//! invocations of the HTTP front door, all within the account's concurrency.

pub mod concurrency;
pub mod event_source;
pub mod runtime_api;
pub mod service;
pub mod worker;
