//! The object store behind retry and a circuit breaker, as every handler uses it.

use crate::ports::{ObjectStore, PortError, PutOutcome};
use crate::resilience::{BreakerError, CircuitBreaker, RetryError, RetryPolicy};

/// An [`ObjectStore`] whose calls are retried with backoff on transient errors, inside a circuit
/// breaker that fails fast while the store is down.
#[derive(Debug, Clone)]
pub struct GuardedStore<S> {
    store: S,
    breaker: CircuitBreaker,
    retry: RetryPolicy,
}

impl<S: ObjectStore> GuardedStore<S> {
    /// Guards `store` with `breaker` and `retry`.
    pub fn new(store: S, breaker: CircuitBreaker, retry: RetryPolicy) -> Self {
        Self {
            store,
            breaker,
            retry,
        }
    }

    /// The breaker, for telemetry and tests.
    pub fn breaker(&self) -> &CircuitBreaker {
        &self.breaker
    }

    /// [`ObjectStore::put_if_absent`], guarded. The error is a ready-made reason.
    pub async fn put_if_absent(
        &self,
        key: &str,
        body: &[u8],
        content_type: &str,
    ) -> Result<PutOutcome, String> {
        self.breaker
            .call_with_retry(&self.retry, || {
                self.store.put_if_absent(key, body.to_vec(), content_type)
            })
            .await
            .map_err(|error| describe(&error))
    }
}

impl<S: ObjectStore> GuardedStore<S> {
    /// [`ObjectStore::get`], guarded. The error is a ready-made reason.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, String> {
        self.breaker
            .call_with_retry(&self.retry, || self.store.get(key))
            .await
            .map_err(|error| describe(&error))
    }
}

/// A failure reason for logs and batch item failures.
pub(crate) fn describe(error: &BreakerError<RetryError<PortError>>) -> String {
    match error {
        BreakerError::Open { retry_after } => {
            format!(
                "object store unavailable: circuit open, next probe in {}s",
                retry_after.as_secs()
            )
        }
        BreakerError::Inner(RetryError::Exhausted { error, attempts }) => {
            format!("{error} (gave up after {attempts} attempts)")
        }
        BreakerError::Inner(RetryError::Permanent { error, .. }) => error.to_string(),
    }
}
