//! The runtime every generated Lambda links.
//!
//! `order` holds the pure domain: parsing an order message, pricing it with the pipeline's
//! discount table and building the invoice. Nothing in it does I/O.
//!
//! `resilience` wraps calls to a store: retry with exponential backoff and full jitter, inside a
//! circuit breaker that fails fast while the store is down.
#![warn(missing_docs)]

pub mod order;
pub mod resilience;
