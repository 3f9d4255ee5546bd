//! The local SES v2: `SendEmail` (`POST /v2/email/outbound-emails`, REST JSON, `SigV4` service
//! `ses`) with the request checks SES makes, each accepted message kept in an [`Outbox`] — in
//! memory, and as one JSON file per message in the outbox folder when the engine has one.
//!
//! `error` holds SES v2's error shapes, `message` reads and checks a request, `outbox` keeps what
//! was sent, `service` makes it a service of the engine.

pub mod error;
pub mod message;
pub mod outbox;
mod service;

pub use error::SesError;
pub use message::SentEmail;
pub use outbox::Outbox;
pub use service::{MAX_REQUEST_BYTES, NAME, Ses};
