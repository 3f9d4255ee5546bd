//! [`CircuitBreaker`]: fail fast while a dependency is down.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::breaker_error::BreakerError;
use super::classify::Classify;
use super::policy::RetryPolicy;
use super::retry::retry;
use super::retry_error::RetryError;

/// When a [`CircuitBreaker`] opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Consecutive transient failures that open the breaker; `0` is taken as `1`.
    pub failure_threshold: u32,
    /// How long the breaker stays open before it lets one probe through.
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    /// Opens after 5 consecutive failures, for 30 s.
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cooldown: Duration::from_secs(30),
        }
    }
}

/// A [`CircuitBreaker`]'s state, for telemetry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakerState {
    /// Calls go through; consecutive transient failures are counted.
    Closed,
    /// Calls fail fast until the cooldown ends.
    Open,
    /// The cooldown has ended: the next call is a probe, or one is in flight.
    HalfOpen,
}

/// A circuit breaker shared by every task that calls one dependency; clones share the state.
///
/// - **Closed**: calls go through. A [transient](super::ErrorClass::Transient) failure adds one
///   to a count of consecutive failures, a success resets it, a permanent error leaves it as is.
///   At [`failure_threshold`](BreakerConfig::failure_threshold) the breaker opens.
/// - **Open**: calls fail fast with [`BreakerError::Open`], without calling the operation, until
///   the [`cooldown`](BreakerConfig::cooldown) ends.
/// - **Half-open**: exactly one call goes through as a probe; others fail fast meanwhile. A
///   successful probe closes the breaker, a transient failure opens it for another cooldown. A
///   probe that ends in a permanent error, or is dropped, decides nothing: the next call probes.
///
/// Time is [`tokio::time::Instant`], so tests can pause and advance it.
///
/// ```
/// use runtime::resilience::{BreakerState, CircuitBreaker, RetryPolicy};
/// # #[derive(Debug)] struct Throttled;
/// # impl runtime::resilience::Classify for Throttled {
/// #     fn class(&self) -> runtime::resilience::ErrorClass { runtime::resilience::ErrorClass::Transient }
/// # }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?.block_on(async {
/// let breaker = CircuitBreaker::default();
/// let policy = RetryPolicy::default();
/// let invoice = breaker.call_with_retry(&policy, || async { Ok::<_, Throttled>("put") }).await;
/// assert_eq!(invoice.ok(), Some("put"));
/// assert_eq!(breaker.state(), BreakerState::Closed);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CircuitBreaker {
    config: BreakerConfig,
    circuit: Arc<Mutex<Circuit>>,
}

#[derive(Debug, Clone, Copy)]
enum Circuit {
    Closed { failures: u32 },
    Open { until: Instant },
    Probing,
}

impl Default for Circuit {
    fn default() -> Self {
        Self::Closed { failures: 0 }
    }
}

/// What a finished call tells the breaker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failure,
    Neutral,
}

impl CircuitBreaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        Self {
            config,
            circuit: Arc::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> BreakerConfig {
        self.config
    }

    /// The state now. An open breaker whose cooldown has ended reads as
    /// [`BreakerState::HalfOpen`].
    pub fn state(&self) -> BreakerState {
        match *self.lock() {
            Circuit::Closed { .. } => BreakerState::Closed,
            Circuit::Open { until } if Instant::now() < until => BreakerState::Open,
            Circuit::Open { .. } | Circuit::Probing => BreakerState::HalfOpen,
        }
    }

    /// Consecutive transient failures counted while closed (0 when not closed).
    pub fn consecutive_failures(&self) -> u32 {
        match *self.lock() {
            Circuit::Closed { failures } => failures,
            Circuit::Open { .. } | Circuit::Probing => 0,
        }
    }

    /// Calls `op` unless the breaker is open, and records its outcome.
    pub async fn call<F, Fut, T, E>(&self, op: F) -> Result<T, BreakerError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Classify,
    {
        let mut ticket = self.admit()?;
        let result = op().await;
        ticket.settle(match &result {
            Ok(_) => Outcome::Success,
            Err(error) if error.is_transient() => Outcome::Failure,
            Err(_) => Outcome::Neutral,
        });
        result.map_err(BreakerError::Inner)
    }

    /// The store adapter's wrapping: the breaker around [`retry`] with `policy`. One call that
    /// exhausts its retries counts as one failure.
    pub async fn call_with_retry<F, Fut, T, E>(
        &self,
        policy: &RetryPolicy,
        op: F,
    ) -> Result<T, BreakerError<RetryError<E>>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Classify,
    {
        self.call(|| retry(policy, op)).await
    }

    fn admit<E>(&self) -> Result<Ticket<'_>, BreakerError<E>> {
        let mut circuit = self.lock();
        let now = Instant::now();
        let probe = match *circuit {
            Circuit::Closed { .. } => false,
            Circuit::Open { until } if now >= until => {
                *circuit = Circuit::Probing;
                true
            }
            Circuit::Open { until } => {
                return Err(BreakerError::Open {
                    retry_after: until.duration_since(now),
                });
            }
            Circuit::Probing => {
                return Err(BreakerError::Open {
                    retry_after: Duration::ZERO,
                });
            }
        };
        Ok(Ticket {
            breaker: self,
            probe,
            settled: false,
        })
    }

    fn record(&self, probe: bool, outcome: Outcome) {
        let mut circuit = self.lock();
        let now = Instant::now();
        let opened = Circuit::Open {
            until: now.checked_add(self.config.cooldown).unwrap_or(now),
        };
        *circuit = match (*circuit, probe, outcome) {
            (Circuit::Probing, true, Outcome::Success)
            | (Circuit::Closed { .. }, false, Outcome::Success) => Circuit::Closed { failures: 0 },
            (Circuit::Probing, true, Outcome::Failure) => opened,
            (Circuit::Probing, true, Outcome::Neutral) => Circuit::Open { until: now },
            (Circuit::Closed { failures }, false, Outcome::Failure) => {
                let failures = failures.saturating_add(1);
                if failures >= self.config.failure_threshold.max(1) {
                    opened
                } else {
                    Circuit::Closed { failures }
                }
            }
            // A permanent error, or a call admitted while closed that ends after the breaker
            // opened: it changes nothing.
            (unchanged, ..) => unchanged,
        };
    }

    fn lock(&self) -> MutexGuard<'_, Circuit> {
        // The lock is never held across a panic point, so a poisoned state is still consistent.
        self.circuit.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A call let through; its outcome must be recorded. A probe dropped before that (its future
/// cancelled) frees the half-open slot, so the breaker cannot stay half-open forever.
#[derive(Debug)]
struct Ticket<'a> {
    breaker: &'a CircuitBreaker,
    probe: bool,
    settled: bool,
}

impl Ticket<'_> {
    fn settle(&mut self, outcome: Outcome) {
        self.settled = true;
        self.breaker.record(self.probe, outcome);
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.record(self.probe, Outcome::Neutral);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{BreakerConfig, BreakerState, CircuitBreaker};
    use crate::resilience::{Classify, ErrorClass};

    #[derive(Debug)]
    struct Throttled;

    impl Classify for Throttled {
        fn class(&self) -> ErrorClass {
            ErrorClass::Transient
        }
    }

    async fn fail(breaker: &CircuitBreaker) {
        let _ = breaker.call(|| async { Err::<(), _>(Throttled) }).await;
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_success_does_not_close_a_breaker_opened_meanwhile() {
        let breaker = CircuitBreaker::default();
        let slow = breaker.call(|| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, Throttled>(())
        });
        let opener = async {
            for _ in 0..5 {
                fail(&breaker).await;
            }
        };
        let (slow, ()) = tokio::join!(slow, opener);
        assert!(slow.is_ok());
        assert_eq!(breaker.state(), BreakerState::Open);
    }

    #[tokio::test(start_paused = true)]
    async fn a_zero_threshold_opens_on_the_first_failure() {
        let breaker = CircuitBreaker::new(BreakerConfig {
            failure_threshold: 0,
            cooldown: Duration::from_secs(1),
        });
        fail(&breaker).await;
        assert_eq!(breaker.state(), BreakerState::Open);
    }

    #[test]
    fn call_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let breaker = CircuitBreaker::default();
        let policy = crate::resilience::RetryPolicy::default();
        let future = breaker.call_with_retry(&policy, || async { Ok::<_, Throttled>(()) });
        assert_send(&future);
    }
}
