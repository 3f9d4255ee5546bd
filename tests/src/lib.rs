//! Test support: a moto server on 127.0.0.1 (the reference AWS emulator), SDK clients for it,
//! and SQS messages turned into the Lambda event records a handler receives.

mod moto;
mod sqs_events;

pub use moto::{MotoServer, free_port, sdk_config_for};
pub use sqs_events::{receive_all, to_event_record};
