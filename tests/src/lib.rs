//! Test support: a moto server on 127.0.0.1 (the reference AWS emulator), SDK clients for it,
//! SQS messages turned into the Lambda event records a handler receives, and the ELF facts of a
//! built Lambda `bootstrap`.

mod conformance;
pub mod elf;
mod moto;
mod sqs_events;
mod stack;

pub use conformance::{Backend, dynamodb};
pub use moto::{MotoServer, free_port, sdk_config_for, venv_python};
pub use sqs_events::{receive_all, to_event_record};
pub use stack::{bootstrap_zip, create_stack, seed_template_for_moto};
