//! The local EventBridge: the AWS JSON 1.1 protocol (`X-Amz-Target: AWSEvents.<Op>`) over
//! in-memory buses, rules and targets, delivering matched events to the engine's own SQS queues.
//!
//! Patterns are parsed and matched by the `patterns` crate (the same code `gen validate` runs),
//! target inputs by `patterns::input`. `entries` checks `PutEvents` entries and builds the
//! envelope; `registry` holds buses, rules and targets; `targets` reads and checks targets;
//! `delivery` sends to queues with retry and dead-lettering; `operations` maps each operation;
//! `service` makes it a service of the engine.

pub mod delivery;
pub mod entries;
pub mod error;
mod operations;
pub mod registry;
mod service;
pub mod spec;
pub mod targets;

pub use error::EventsError;
pub use service::{EventBridge, MAX_REQUEST_BYTES, NAME, RuleStats};
pub use spec::{BusSpec, RuleSpec, TargetSpec};
