//! The runtime every generated Lambda links.
//!
//! `order` holds the pure domain: parsing an order message, pricing it with the pipeline's
//! discount table and building the invoice. Nothing in it does I/O.
//!
//! `resilience` wraps calls to a store: retry with exponential backoff and full jitter, inside a
//! circuit breaker that fails fast while the store is down.
//!
//! Around them: the [`handler`] contract every function implements ([`Handler`]: decode one
//! record into a typed message, end it in one terminal state), [`Service`] (what the runtime owns
//! around it: decoding, [`batch`] concurrency, FIFO order and partial batch failure, the Lambda
//! deadline, record lines and metrics), the built-in [`handlers`] (order processor, notification
//! logger, DLQ processor, order ingest, order store) over the [`ports`] (object store, queue
//! sender, table, email, events) with their [`aws`] adapters, each behind a [`guard`] (retry and
//! breaker), the typed [`resources`] of custom handlers, [`telemetry`] (JSON logs, EMF metrics),
//! [`config`] (the environment the template sets), [`Startup`] (what a handler is built from),
//! [`serve_api`] (the same contract behind an HTTP API route, see [`api`]) and [`serve`], the
//! entry point of every queue-triggered Lambda:
//!
//! ```no_run
//! #[tokio::main]
//! async fn main() -> Result<(), lambda_runtime::Error> {
//!     runtime::serve(runtime::handlers::OrderProcessor::build).await
//! }
//! ```
#![warn(missing_docs)]

pub mod api;
pub mod aws;
pub mod batch;
pub mod config;
pub mod events;
pub mod guard;
pub mod handler;
pub mod handlers;
pub mod idempotency;
pub mod order;
pub mod ports;
pub mod problem;
pub mod resilience;
pub mod resources;
mod service;
mod startup;
pub mod telemetry;

pub use api::{Respond, serve_api};
pub use handler::{Decode, Done, Handler, RawBody, RecordContext};
pub use problem::Problem;
pub use service::{Service, deadline_instant, serve, summarize};
pub use startup::{AwsPorts, Ports, Startup};
