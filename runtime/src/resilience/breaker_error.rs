//! [`BreakerError`]: a call refused by an open breaker, or the operation's own error.

use std::time::Duration;

use super::classify::{Classify, ErrorClass};

/// Why [`CircuitBreaker::call`](super::CircuitBreaker::call) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakerError<E> {
    /// The breaker is open (or half-open with its one probe in flight): the operation was not
    /// called.
    #[error("circuit breaker is open, retry after {retry_after:?}")]
    Open {
        /// Time left of the cooldown; zero while a half-open probe is in flight, whose outcome
        /// decides.
        retry_after: Duration,
    },
    /// The operation ran and failed.
    #[error(transparent)]
    Inner(E),
}

impl<E> BreakerError<E> {
    /// The operation's error, or `None` when the breaker refused the call.
    pub fn into_inner(self) -> Option<E> {
        match self {
            Self::Open { .. } => None,
            Self::Inner(error) => Some(error),
        }
    }
}

/// A refused call is transient (the dependency may be back later); an operation's error keeps
/// its class.
impl<E: Classify> Classify for BreakerError<E> {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Open { .. } => ErrorClass::Transient,
            Self::Inner(error) => error.class(),
        }
    }
}
