//! [`EventPublisher`]: events out to an EventBridge bus (EventBridge, or the local engine's).

use std::future::Future;

use super::PortError;

/// One event to publish (a `PutEvents` entry).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutgoingEvent {
    /// `Source`: who publishes it (`EVENT_SOURCE`, e.g. `order-ingest.submit-order`).
    pub source: String,
    /// `DetailType`: what happened (`OrderPlaced`).
    pub detail_type: String,
    /// `Detail`: a JSON object, as text.
    pub detail: String,
    /// `Resources`: ARNs the event is about, if any.
    pub resources: Vec<String>,
}

/// What became of one entry of a `PutEvents` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    /// The bus took it.
    Published {
        /// The event's id.
        event_id: String,
    },
    /// The bus refused it (the rest of the call may have gone through).
    Failed {
        /// `ErrorCode` (`InvalidArgument`, `MalformedDetail`, `ThrottlingException`, …).
        code: String,
        /// `ErrorMessage`.
        message: String,
    },
}

/// Publishes events to a bus.
pub trait EventPublisher: Send + Sync {
    /// Sends `entries` (at most 10) to `bus` in one call; one result per entry, in order. An
    /// error means the call as a whole failed.
    fn put_events(
        &self,
        bus: &str,
        entries: Vec<OutgoingEvent>,
    ) -> impl Future<Output = Result<Vec<EntryResult>, PortError>> + Send;
}
