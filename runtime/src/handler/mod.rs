//! The handler contract: decode one record into a typed message, handle it, and end it in
//! exactly one terminal state — or fail it with a reason, so SQS delivers it again.
//!
//! A handler implements [`Handler`]: its [`Handler::Message`] (any serde type, or a type with a
//! [`Decode`] of its own), its terminal state [`Handler::Done`], and `handle`. Everything around
//! that belongs to the runtime ([`crate::Service`]): decoding (a body that does not decode is a
//! poison record with its reason), bounded concurrency, FIFO group order, partial batch failure,
//! the Lambda deadline, one JSON record line per record as it finishes, and the EMF metrics
//! (counters a handler adds through [`RecordContext::count`]). The ports a handler holds come
//! guarded by retry with jitter and the circuit breaker ([`crate::Startup`]).
//!
//! ```
//! use runtime::{Done, Handler, RecordContext, batch::RecordFailure, telemetry::Outcome};
//!
//! #[derive(serde::Deserialize)]
//! struct Greeting { name: String }
//!
//! struct Greeted(String);
//! impl Done for Greeted {
//!     fn outcome(&self) -> Outcome {
//!         Outcome::Handled { detail: format!("greeted {}", self.0) }
//!     }
//! }
//!
//! struct Greeter;
//! impl Handler for Greeter {
//!     const NAME: &'static str = "greeter";
//!     type Message = Greeting;
//!     type Done = Greeted;
//!     async fn handle(&self, message: Greeting, record: &RecordContext<'_>)
//!         -> Result<Greeted, RecordFailure> {
//!         if message.name.is_empty() {
//!             return Err(RecordFailure::invalid("a greeting needs a name"));
//!         }
//!         record.count("Greetings", 1);
//!         Ok(Greeted(message.name))
//!     }
//! }
//! ```

mod context;

use std::future::Future;

pub use context::{Counters, RecordContext};

use crate::batch::RecordFailure;
use crate::telemetry::{BatchMetrics, Outcome};

/// Handles one decoded record and ends it in one terminal state.
pub trait Handler: Send + Sync + 'static {
    /// The handler's name in logs when Lambda does not name the function: `order_processor`.
    const NAME: &'static str;
    /// What a record's body decodes into.
    type Message: Decode;
    /// The terminal state a handled record ends in.
    type Done: Done;

    /// Handles one message. An `Err` fails the record: [`RecordFailure::invalid`] when the message
    /// itself is bad, [`RecordFailure::transient`] when a dependency failed.
    fn handle(
        &self,
        message: Self::Message,
        record: &RecordContext<'_>,
    ) -> impl Future<Output = Result<Self::Done, RecordFailure>> + Send;
}

/// How a record's body becomes a message. Every serde type decodes from JSON; a body that does
/// not decode fails the record as invalid, with serde's reason.
pub trait Decode: Sized + Send {
    /// Decodes `body`; the error is the record's failure.
    fn decode(body: &str) -> Result<Self, RecordFailure>;
}

impl<T: serde::de::DeserializeOwned + Send> Decode for T {
    fn decode(body: &str) -> Result<Self, RecordFailure> {
        serde_json::from_str(body)
            .map_err(|error| RecordFailure::invalid(format!("undecodable message: {error}")))
    }
}

/// The body as received, for handlers that read it themselves (the DLQ processor repairs
/// bodies that do not parse).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawBody(pub String);

impl Decode for RawBody {
    fn decode(body: &str) -> Result<Self, RecordFailure> {
        Ok(Self(body.to_owned()))
    }
}

/// A terminal state: what the record line says, and what it adds to the batch's metrics.
pub trait Done: Send {
    /// The record line's outcome word and detail fields.
    fn outcome(&self) -> Outcome;

    /// The order the record was about, when the outcome names it (otherwise the runtime reads
    /// it from the body, best effort).
    fn order_id(&self) -> Option<&str> {
        None
    }

    /// Adds this outcome to the batch's counters (the runtime counts received, validated and
    /// failed records itself).
    fn count(&self, metrics: &mut BatchMetrics) {
        let _ = metrics;
    }
}
