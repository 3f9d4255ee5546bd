//! The account's concurrency: at most N invocations at once across every function
//! (`gen dev --account-concurrency N`). Past it Lambda refuses an invocation with `429
//! TooManyRequestsException` ("Lambda function scaling",
//! <https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html>: "If you exceed the
//! concurrency limit, then Lambda throttles the invocations"); a synchronous caller (API Gateway)
//! gets the error, an event source mapping backs off and retries
//! (<https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html>), so no record is lost.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The account's concurrency limit; unlimited by default. Clones share the limit.
#[derive(Debug, Clone, Default)]
pub struct AccountConcurrency {
    slots: Option<Arc<Semaphore>>,
    limit: u32,
}

/// Lambda refused the invocation: the account's concurrency is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Rate Exceeded: the account's concurrency limit of {limit} is in use (TooManyRequestsException, Reason: ConcurrentInvocationLimitExceeded)"
)]
pub struct Throttled {
    /// The limit.
    pub limit: u32,
}

impl AccountConcurrency {
    /// At most `limit` invocations at once.
    pub fn limited(limit: u32) -> Self {
        Self {
            slots: Some(Arc::new(Semaphore::new(limit as usize))),
            limit,
        }
    }

    /// The limit, if any.
    pub fn limit(&self) -> Option<u32> {
        self.slots.as_ref().map(|_| self.limit)
    }

    /// A slot for one invocation, held until dropped (`None` when unlimited), or the throttle.
    pub fn try_acquire(&self) -> Result<Option<OwnedSemaphorePermit>, Throttled> {
        match &self.slots {
            None => Ok(None),
            Some(slots) => Arc::clone(slots)
                .try_acquire_owned()
                .map(Some)
                .map_err(|_| Throttled { limit: self.limit }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invocations_past_the_limit_are_throttled_until_a_slot_frees() {
        let account = AccountConcurrency::limited(2);
        let first = account.try_acquire().expect("a slot");
        let second = account.try_acquire().expect("a slot");
        assert_eq!(account.try_acquire().err(), Some(Throttled { limit: 2 }));
        drop(first);
        let third = account.try_acquire().expect("a freed slot");
        assert!(third.is_some() && second.is_some());
        let unlimited = AccountConcurrency::default();
        let held: Vec<_> = (0..100)
            .map(|_| unlimited.try_acquire().expect("no limit"))
            .collect();
        assert_eq!(held.len(), 100);
        assert_eq!(unlimited.limit(), None);
    }
}
