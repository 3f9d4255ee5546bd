//! [`RetryError`]: the last error of a [`retry`](super::retry), and how many attempts it took.

use super::classify::{Classify, ErrorClass};

/// Why [`retry`](super::retry) gave up, with the last error and the attempts made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetryError<E> {
    /// The operation failed with a permanent error, which is never retried.
    #[error("failed with a permanent error on attempt {attempts}: {error}")]
    Permanent {
        /// The error.
        error: E,
        /// Attempts made, this one included.
        attempts: u32,
    },
    /// Every attempt the policy allows failed with a transient error.
    #[error("still failing after {attempts} attempts: {error}")]
    Exhausted {
        /// The last attempt's error.
        error: E,
        /// Attempts made: the policy's `max_attempts`.
        attempts: u32,
    },
}

impl<E> RetryError<E> {
    /// Attempts made, the failing one included.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Permanent { attempts, .. } | Self::Exhausted { attempts, .. } => *attempts,
        }
    }

    /// The last attempt's error.
    pub fn error(&self) -> &E {
        match self {
            Self::Permanent { error, .. } | Self::Exhausted { error, .. } => error,
        }
    }

    /// The last attempt's error, by value.
    pub fn into_error(self) -> E {
        match self {
            Self::Permanent { error, .. } | Self::Exhausted { error, .. } => error,
        }
    }
}

/// Exhausted retries are transient (the dependency is failing: a
/// [`CircuitBreaker`](super::CircuitBreaker) counts them); a permanent error stays permanent.
impl<E> Classify for RetryError<E> {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Permanent { .. } => ErrorClass::Permanent,
            Self::Exhausted { .. } => ErrorClass::Transient,
        }
    }
}
