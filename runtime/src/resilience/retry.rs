//! [`retry`] and [`retry_with`]: run an operation until it succeeds, fails permanently, or runs
//! out of attempts.

use std::future::Future;

use fastrand::Rng;

use super::classify::{Classify, ErrorClass};
use super::policy::RetryPolicy;
use super::retry_error::RetryError;

/// Runs `op` until it succeeds, fails with a [permanent](ErrorClass::Permanent) error, or has
/// been tried [`policy.max_attempts`](RetryPolicy::max_attempts) times, sleeping a jittered
/// backoff ([`RetryPolicy::delay`]) between attempts. Jitter comes from a randomly seeded RNG;
/// [`retry_with`] takes your own.
///
/// ```
/// use std::time::Duration;
/// use runtime::resilience::{Classify, ErrorClass, RetryError, RetryPolicy, retry};
///
/// #[derive(Debug)]
/// struct Throttled;
/// impl Classify for Throttled {
///     fn class(&self) -> ErrorClass { ErrorClass::Transient }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build()?.block_on(async {
/// let policy = RetryPolicy { max_attempts: 3, ..RetryPolicy::default() };
/// let mut calls = 0;
/// let result: Result<(), _> = retry(&policy, || {
///     calls += 1;
///     async { Err(Throttled) }
/// })
/// .await;
/// assert!(matches!(result, Err(RetryError::Exhausted { attempts: 3, .. })));
/// assert_eq!(calls, 3);
/// # });
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn retry<F, Fut, T, E>(policy: &RetryPolicy, op: F) -> Result<T, RetryError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: Classify,
{
    retry_with(policy, &mut Rng::new(), ErrorClass::of, op).await
}

/// [`retry`] with the jitter's RNG given (seed it for reproducible delays) and the
/// classification given as a function, for errors that do not implement [`Classify`].
pub async fn retry_with<F, Fut, T, E, C>(
    policy: &RetryPolicy,
    rng: &mut Rng,
    classify: C,
    mut op: F,
) -> Result<T, RetryError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Fn(&E) -> ErrorClass,
{
    let max_attempts = policy.attempts();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let error = match op().await {
            Ok(value) => return Ok(value),
            Err(error) => error,
        };
        if classify(&error) == ErrorClass::Permanent {
            return Err(RetryError::Permanent { error, attempts });
        }
        if attempts >= max_attempts {
            return Err(RetryError::Exhausted { error, attempts });
        }
        tokio::time::sleep(policy.delay(attempts - 1, rng)).await;
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{ErrorClass, RetryError, RetryPolicy, retry_with};

    fn policy(max_attempts: u32) -> RetryPolicy {
        RetryPolicy {
            max_attempts,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(100),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn succeeds_after_transient_errors() {
        let mut calls = 0;
        let result = retry_with(
            &policy(5),
            &mut fastrand::Rng::with_seed(3),
            |_: &&str| ErrorClass::Transient,
            || {
                calls += 1;
                let outcome = if calls < 3 {
                    Err("throttled")
                } else {
                    Ok(calls)
                };
                async move { outcome }
            },
        )
        .await;
        assert_eq!(result, Ok(3));
    }

    #[tokio::test(start_paused = true)]
    async fn closure_classification_decides() {
        let mut calls = 0;
        let result: Result<(), _> = retry_with(
            &policy(5),
            &mut fastrand::Rng::with_seed(3),
            |error: &u16| ErrorClass::from_status(*error),
            || {
                calls += 1;
                let status = if calls == 1 { 503 } else { 400 };
                async move { Err(status) }
            },
        )
        .await;
        assert_eq!(
            result,
            Err(RetryError::Permanent {
                error: 400,
                attempts: 2
            })
        );
    }
}
