//! What a handler needs from the outside world, as traits: an object store, a queue sender, a
//! table of items ([`TableStore`]), an email sender ([`MailSender`]) and an event publisher
//! ([`EventPublisher`]). The AWS SDK adapters
//! live in [`crate::aws`]; tests and benches may bring their own. Errors say whether they are
//! worth retrying ([`Classify`]), whether the service throttled the call, and whether a call that
//! failed may still have taken effect.

mod events;
mod mail;
mod table;

use std::future::Future;

pub use events::{EntryResult, EventPublisher, OutgoingEvent};
pub use mail::{MailSender, OutgoingEmail};
pub use table::{Attribute, Condition, Item, TableStore, UpdateOutcome};

use crate::resilience::{Classify, ErrorClass};

/// What a conditional put did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The object did not exist and now does.
    Created,
    /// An object already had that key (`If-None-Match: *` failed with 412); nothing was written.
    AlreadyExists,
}

/// Why a store or queue call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct PortError {
    /// The call that failed, e.g. `PutObject invoices/ORD-1.json`.
    pub operation: String,
    /// The service's or transport's explanation.
    pub message: String,
    /// Whether retrying may help (throttling, 5xx, timeouts, connection errors).
    pub class: ErrorClass,
    /// The service throttled the call (DynamoDB's `ProvisionedThroughputExceededException`, SQS's
    /// `RequestThrottled`, a 429, …): transient, and answered `429` by an API function.
    pub throttled: bool,
    /// The call may have taken effect although it failed (it timed out, or the connection broke
    /// after the request went out). Retrying such a call is safe only when it is idempotent: an
    /// email send is not, so the email step never retries it (see [`MailSender`]).
    pub ambiguous: bool,
}

impl PortError {
    /// A failure worth retrying.
    pub fn transient(operation: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            message: message.into(),
            class: ErrorClass::Transient,
            throttled: false,
            ambiguous: false,
        }
    }

    /// The service throttled the call: transient.
    pub fn throttled(operation: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            throttled: true,
            ..Self::transient(operation, message)
        }
    }

    /// A failure retrying will not fix (access denied, missing bucket, bad request).
    pub fn permanent(operation: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            operation: operation.into(),
            message: message.into(),
            class: ErrorClass::Permanent,
            throttled: false,
            ambiguous: false,
        }
    }
}

impl Classify for PortError {
    fn class(&self) -> ErrorClass {
        self.class
    }
}

/// An object store (S3, or the local engine's).
pub trait ObjectStore: Send + Sync {
    /// Writes `body` at `key` only if no object has that key (`If-None-Match: *`).
    fn put_if_absent(
        &self,
        key: &str,
        body: Vec<u8>,
        content_type: &str,
    ) -> impl Future<Output = Result<PutOutcome, PortError>> + Send;

    /// Reads the object at `key`, `None` if there is none.
    fn get(&self, key: &str) -> impl Future<Output = Result<Option<Vec<u8>>, PortError>> + Send;
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingMessage {
    /// The message body.
    pub body: String,
    /// String message attributes.
    pub attributes: Vec<(String, String)>,
    /// Seconds before the message becomes visible (standard queues only).
    pub delay_seconds: u32,
    /// FIFO queues: the ordering group.
    pub group_id: Option<String>,
    /// FIFO queues: the deduplication id.
    pub deduplication_id: Option<String>,
}

/// Sends messages to SQS queues by URL.
pub trait QueueSender: Send + Sync {
    /// Sends one message; returns the new message id.
    fn send(
        &self,
        queue_url: &str,
        message: OutgoingMessage,
    ) -> impl Future<Output = Result<String, PortError>> + Send;
}

/// Whether a queue URL names a FIFO queue.
pub fn is_fifo_url(queue_url: &str) -> bool {
    // SQS requires the suffix in lower case.
    std::path::Path::new(queue_url)
        .extension()
        .is_some_and(|extension| extension == "fifo")
}
