//! The runtime every generated Lambda links.
//!
//! `order` holds the pure domain: parsing an order message, pricing it with the pipeline's
//! discount table and building the invoice. Nothing in it does I/O.
//!
//! `resilience` wraps calls to a store: retry with exponential backoff and full jitter, inside a
//! circuit breaker that fails fast while the store is down.
//!
//! Around them: [`batch`] (partial batch failure, FIFO group order), [`handlers`] (order
//! processor, notification logger, DLQ processor) over the [`ports`] (object store, queue
//! sender) with their [`aws`] adapters, [`telemetry`] (JSON logs, EMF metrics), [`config`] (the
//! environment the template sets) and [`serve`], the entry point of every generated Lambda:
//!
//! ```no_run
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_runtime::Error> {
//!     runtime::serve(runtime::HandlerKind::OrderProcessor).await
//! }
//! ```
#![warn(missing_docs)]

pub mod aws;
pub mod batch;
pub mod config;
pub mod handlers;
pub mod order;
pub mod ports;
pub mod resilience;
mod service;
pub mod telemetry;

pub use config::HandlerKind;
pub use service::{Handler, Terminal, serve, summarize};
