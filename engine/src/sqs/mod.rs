//! The local SQS server: the AWS JSON 1.0 protocol of aws-sdk-sqs over an in-memory store.
//!
//! `queue` holds the semantics (visibility, receive counts, redrive, FIFO groups and
//! deduplication, retention) without I/O; `operations` maps each operation onto it; `server`
//! speaks HTTP; `service` makes it a service of the engine.

pub mod attributes;
mod deduplication;
pub mod error;
pub mod message;
pub mod moves;
pub mod operations;
mod poller;
pub mod protocol;
pub mod queue;
mod ready;
mod receipt;
mod receive;
pub mod registry;
pub mod server;
mod service;

pub use error::SqsError;
pub use poller::Poller;
pub use service::{NAME, QueueFigures, Sqs};
