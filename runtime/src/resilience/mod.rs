//! Resilience for calls to a store: [`retry`] with exponential backoff and full jitter, inside a
//! [`CircuitBreaker`] that fails fast while the store is down.
//!
//! Errors say whether they are worth retrying by implementing [`Classify`]: throttling, 5xx and
//! timeouts are [`ErrorClass::Transient`]; a validation error is [`ErrorClass::Permanent`], is
//! never retried, and never counts against the breaker (a bad order is not a store outage).
//!
//! The store adapter wraps each call as breaker around retry:
//!
//! ```
//! use runtime::resilience::{BreakerError, CircuitBreaker, Classify, ErrorClass, RetryPolicy};
//!
//! #[derive(Debug)]
//! enum PutError { Throttled, PreconditionFailed }
//! impl Classify for PutError {
//!     fn class(&self) -> ErrorClass {
//!         match self {
//!             Self::Throttled => ErrorClass::Transient,
//!             Self::PreconditionFailed => ErrorClass::Permanent,
//!         }
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?.block_on(async {
//! let breaker = CircuitBreaker::default();
//! let policy = RetryPolicy::default();
//! let result: Result<(), _> = breaker
//!     .call_with_retry(&policy, || async { Err(PutError::PreconditionFailed) })
//!     .await;
//! let error = result.unwrap_err();
//! assert_eq!(error.class(), ErrorClass::Permanent);
//! assert_eq!(error.into_inner().map(|retry| retry.attempts()), Some(1));
//! # });
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Time comes from [`tokio::time`], so tests pause and advance the clock instead of sleeping.

mod breaker;
mod breaker_error;
mod classify;
mod policy;
mod retry;
mod retry_error;

pub use breaker::{BreakerConfig, BreakerState, CircuitBreaker};
pub use breaker_error::BreakerError;
pub use classify::{Classify, ErrorClass};
pub use policy::RetryPolicy;
pub use retry::{retry, retry_with};
pub use retry_error::RetryError;
