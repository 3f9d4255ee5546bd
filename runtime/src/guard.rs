//! [`Guarded`]: a port behind retry with jitter, inside a circuit breaker of its own — how every
//! handler reaches a table, a queue or the email service. Failures come back as a [`GuardError`]
//! that says whether the service throttled, whether the breaker is open and whether the call may
//! have taken effect, and becomes a [`RecordFailure`] with `?`.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use fastrand::Rng;

use crate::batch::RecordFailure;
use crate::ports::PortError;
use crate::resilience::{
    BreakerError, CircuitBreaker, Classify, ErrorClass, RetryError, RetryPolicy, retry_with,
};

/// Retry-After when a throttled call says nothing of when to come back.
const THROTTLED_RETRY_AFTER: Duration = Duration::from_secs(1);

/// A port with its breaker and retry policy; clones share the breaker.
#[derive(Debug, Clone)]
pub struct Guarded<P> {
    port: P,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
}

impl<P> Guarded<P> {
    /// Guards `port` with `breaker` and `retry`.
    pub fn new(port: P, breaker: CircuitBreaker, retry: RetryPolicy) -> Self {
        Self {
            port,
            breaker,
            retry,
        }
    }

    /// The port itself, unguarded.
    pub fn port(&self) -> &P {
        &self.port
    }

    /// The breaker, for telemetry and tests.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// Calls `op` on the port: retried with jitter while it fails transiently, inside the
    /// breaker. For idempotent calls (a conditional write, a read, a send with a deduplication
    /// key).
    pub async fn call<'a, T, F, Fut>(&'a self, op: F) -> Result<T, GuardError>
    where
        F: FnMut(&'a P) -> Fut,
        Fut: Future<Output = Result<T, PortError>>,
    {
        self.run(op, false).await
    }

    /// Calls `op` like [`Guarded::call`], but never retries a failure that may have taken effect
    /// ([`PortError::ambiguous`]): for calls that are not idempotent, such as sending an email.
    pub async fn call_at_most_once<'a, T, F, Fut>(&'a self, op: F) -> Result<T, GuardError>
    where
        F: FnMut(&'a P) -> Fut,
        Fut: Future<Output = Result<T, PortError>>,
    {
        self.run(op, true).await
    }

    async fn run<'a, T, F, Fut>(
        &'a self,
        mut op: F,
        stop_when_ambiguous: bool,
    ) -> Result<T, GuardError>
    where
        F: FnMut(&'a P) -> Fut,
        Fut: Future<Output = Result<T, PortError>>,
    {
        let classify = |error: &PortError| {
            if stop_when_ambiguous && error.ambiguous {
                ErrorClass::Permanent
            } else {
                error.class
            }
        };
        self.breaker
            .call(|| async {
                retry_with(&self.retry, &mut Rng::new(), classify, || op(&self.port))
                    .await
                    .map_err(Attempts)
            })
            .await
            .map_err(|error| match error {
                BreakerError::Open { retry_after } => GuardError::Open { retry_after },
                BreakerError::Inner(Attempts(attempts)) => GuardError::Failed(attempts),
            })
    }
}

/// What the breaker counts: the last attempt's own class (a transient error retrying stopped
/// early on, because it was ambiguous, is still a failure of the dependency).
struct Attempts(RetryError<PortError>);

impl Classify for Attempts {
    fn class(&self) -> ErrorClass {
        match &self.0 {
            RetryError::Exhausted { .. } => ErrorClass::Transient,
            RetryError::Permanent { error, .. } => error.class,
        }
    }
}

/// Why a guarded call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GuardError {
    /// The breaker is open: the call was not made.
    Open {
        /// When the breaker lets a probe through.
        retry_after: Duration,
    },
    /// The call failed (after the retries it was worth).
    Failed(RetryError<PortError>),
}

impl GuardError {
    /// The last error of the port, when a call was made.
    pub fn port_error(&self) -> Option<&PortError> {
        match self {
            Self::Open { .. } => None,
            Self::Failed(error) => Some(error.error()),
        }
    }

    /// Whether the call may have taken effect although it failed.
    pub fn is_ambiguous(&self) -> bool {
        self.port_error().is_some_and(|error| error.ambiguous)
    }

    /// Whether the service throttled the call.
    pub fn is_throttled(&self) -> bool {
        self.port_error().is_some_and(|error| error.throttled)
    }

    /// Whether retrying later may help (throttled, down, open breaker).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Open { .. } => true,
            Self::Failed(error) => error.is_transient(),
        }
    }
}

impl fmt::Display for GuardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open { retry_after } => write!(
                f,
                "unavailable: circuit open after repeated failures, next probe in {}s",
                retry_after.as_secs()
            ),
            Self::Failed(RetryError::Exhausted { error, attempts }) => {
                write!(f, "{error} (gave up after {attempts} attempts)")
            }
            Self::Failed(RetryError::Permanent { error, .. }) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for GuardError {}

/// A throttled call fails the record as transient and throttled (an API answers `429` with
/// `Retry-After`), anything else as transient (`503`, with `Retry-After` when the breaker says
/// when) — a call refused for good (access denied, a missing table) is the deployment's fault,
/// not the message's, so it fails as the existing store calls do: transient, then the DLQ.
impl From<GuardError> for RecordFailure {
    fn from(error: GuardError) -> Self {
        let reason = error.to_string();
        match &error {
            GuardError::Open { retry_after } => {
                RecordFailure::transient(reason).retry_after(*retry_after)
            }
            _ if error.is_throttled() => {
                RecordFailure::throttled(reason, Some(THROTTLED_RETRY_AFTER))
            }
            GuardError::Failed(_) => RecordFailure::transient(reason),
        }
    }
}
