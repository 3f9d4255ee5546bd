//! [`RetryPolicy`]: how many attempts, and how long to wait between them.

use std::time::Duration;

use fastrand::Rng;

/// How [`retry`](super::retry) spaces its attempts: exponential backoff with full jitter.
///
/// Before retry number `n` (0 for the wait after the first attempt) it sleeps a uniformly random
/// time in `[0, min(max_delay, base_delay × 2ⁿ)]`. Full jitter spreads the retries of many
/// clients that failed together, so they do not hit a throttled store in waves.
///
/// ```
/// use std::time::Duration;
/// use runtime::resilience::RetryPolicy;
///
/// let policy = RetryPolicy {
///     max_attempts: 4,
///     base_delay: Duration::from_millis(100),
///     max_delay: Duration::from_millis(300),
/// };
/// assert_eq!(policy.ceiling(0), Duration::from_millis(100));
/// assert_eq!(policy.ceiling(1), Duration::from_millis(200));
/// assert_eq!(policy.ceiling(2), Duration::from_millis(300)); // capped
///
/// let mut rng = fastrand::Rng::with_seed(7);
/// assert!(policy.delay(1, &mut rng) <= Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included; `0` is taken as `1`.
    pub max_attempts: u32,
    /// The ceiling of the first wait.
    pub base_delay: Duration,
    /// No wait is longer than this.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 attempts, waits capped at 100 ms, then 200 ms (at most 2 s).
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The upper bound of the wait before retry number `retry` (0-based):
    /// `min(max_delay, base_delay × 2^retry)`, without overflow.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 2_u32.saturating_pow(retry);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// A random wait before retry number `retry` (0-based), uniform in `[0, ceiling(retry)]`.
    pub fn delay(&self, retry: u32, rng: &mut Rng) -> Duration {
        let ceiling = u64::try_from(self.ceiling(retry).as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rng.u64(0..=ceiling))
    }

    /// [`max_attempts`](Self::max_attempts), at least 1.
    pub fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::RetryPolicy;

    fn policy(base_ms: u64, max_ms: u64) -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(base_ms),
            max_delay: Duration::from_millis(max_ms),
        }
    }

    #[test]
    fn ceilings() {
        #[track_caller]
        fn case(policy: RetryPolicy, retry: u32, expected_ms: u64) {
            assert_eq!(policy.ceiling(retry), Duration::from_millis(expected_ms));
        }
        case(policy(100, 10_000), 0, 100);
        case(policy(100, 10_000), 1, 200);
        case(policy(100, 10_000), 3, 800);
        case(policy(100, 10_000), 7, 10_000);
        case(policy(100, 10_000), 40, 10_000);
        case(policy(100, 10_000), u32::MAX, 10_000);
        case(policy(100, 50), 0, 50);
        case(policy(0, 50), 10, 0);
    }

    #[test]
    fn zero_attempts_means_one() {
        let policy = RetryPolicy {
            max_attempts: 0,
            ..RetryPolicy::default()
        };
        assert_eq!(policy.attempts(), 1);
    }

    #[test]
    fn same_seed_same_delays() {
        let policy = policy(100, 10_000);
        let mut first = fastrand::Rng::with_seed(42);
        let mut second = fastrand::Rng::with_seed(42);
        for retry in 0..8 {
            assert_eq!(
                policy.delay(retry, &mut first),
                policy.delay(retry, &mut second)
            );
        }
    }

    #[test]
    fn huge_delays_do_not_overflow() {
        let policy = RetryPolicy {
            max_attempts: 2,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
        };
        let mut rng = fastrand::Rng::with_seed(1);
        let _ = policy.delay(100, &mut rng);
    }
}
