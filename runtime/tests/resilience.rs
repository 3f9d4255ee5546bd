//! `runtime::resilience` with the paused tokio clock: no real sleeps.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use runtime::resilience::{
    BreakerConfig, BreakerError, BreakerState, CircuitBreaker, Classify, ErrorClass, RetryError,
    RetryPolicy, retry, retry_with,
};
use tokio::time::{Instant, advance, sleep};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreError {
    Throttled,
    Invalid,
}

impl Classify for StoreError {
    fn class(&self) -> ErrorClass {
        match self {
            Self::Throttled => ErrorClass::Transient,
            Self::Invalid => ErrorClass::Permanent,
        }
    }
}

const COOLDOWN: Duration = Duration::from_secs(30);

fn policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(5),
    }
}

/// Calls the breaker once with an operation that returns `outcome`, counting invocations.
async fn call(
    breaker: &CircuitBreaker,
    calls: &AtomicU32,
    outcome: Result<(), StoreError>,
) -> Result<(), BreakerError<StoreError>> {
    breaker
        .call(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            outcome
        })
        .await
}

async fn open(breaker: &CircuitBreaker, calls: &AtomicU32) {
    for _ in 0..5 {
        let _ = call(breaker, calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(breaker.state(), BreakerState::Open);
}

// ---- retry ----

#[tokio::test(start_paused = true)]
async fn retry_stops_at_max_attempts() {
    let mut calls = 0;
    let result: Result<(), _> = retry(&policy(4), || {
        calls += 1;
        async { Err(StoreError::Throttled) }
    })
    .await;
    assert_eq!(calls, 4);
    assert_eq!(
        result,
        Err(RetryError::Exhausted {
            error: StoreError::Throttled,
            attempts: 4
        })
    );
    assert_eq!(result.unwrap_err().attempts(), 4);
}

#[tokio::test(start_paused = true)]
async fn retry_returns_the_first_success() {
    let mut calls = 0;
    let result = retry(&policy(5), || {
        calls += 1;
        let outcome = if calls == 3 {
            Ok("put")
        } else {
            Err(StoreError::Throttled)
        };
        async move { outcome }
    })
    .await;
    assert_eq!(result, Ok("put"));
    assert_eq!(calls, 3);
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_are_not_retried() {
    let mut calls = 0;
    let started = Instant::now();
    let result: Result<(), _> = retry(&policy(5), || {
        calls += 1;
        async { Err(StoreError::Invalid) }
    })
    .await;
    assert_eq!(calls, 1);
    assert_eq!(
        result,
        Err(RetryError::Permanent {
            error: StoreError::Invalid,
            attempts: 1
        })
    );
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "no backoff after a permanent error"
    );
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_after_transient_ones_stops_the_retries() {
    let mut calls = 0;
    let result: Result<(), _> = retry(&policy(5), || {
        calls += 1;
        let error = if calls < 3 {
            StoreError::Throttled
        } else {
            StoreError::Invalid
        };
        async move { Err(error) }
    })
    .await;
    assert_eq!(
        result,
        Err(RetryError::Permanent {
            error: StoreError::Invalid,
            attempts: 3
        })
    );
}

#[tokio::test(start_paused = true)]
async fn retry_sleeps_the_seeded_jittered_delays_within_bounds() {
    let policy = RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(5),
    };
    for seed in 0..20 {
        let mut attempt_times = Vec::new();
        let _: Result<(), _> = retry_with(
            &policy,
            &mut fastrand::Rng::with_seed(seed),
            ErrorClass::of,
            || {
                attempt_times.push(Instant::now());
                async { Err(StoreError::Throttled) }
            },
        )
        .await;
        assert_eq!(attempt_times.len(), 8);

        let mut expected = fastrand::Rng::with_seed(seed);
        for (retry, pair) in (0_u32..).zip(attempt_times.windows(2)) {
            let waited = pair[1].duration_since(pair[0]);
            let ceiling = policy.ceiling(retry);
            assert!(
                waited <= ceiling,
                "seed {seed}, retry {retry}: {waited:?} > {ceiling:?}"
            );
            // The tokio timer rounds a sleep up to the next millisecond.
            let drawn = policy.delay(retry, &mut expected);
            assert!(
                drawn <= waited && waited < drawn + Duration::from_millis(1),
                "seed {seed}, retry {retry}: drew {drawn:?}, waited {waited:?}"
            );
        }
    }
}

#[test]
fn jittered_delays_stay_in_bounds_and_grow_exponentially_in_expectation() {
    let policy = RetryPolicy {
        max_attempts: 10,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(60),
    };
    let mut rng = fastrand::Rng::with_seed(2026);
    let samples = 4_000_u32;
    let mut means = Vec::new();
    for retry in 0..6 {
        let ceiling = policy.ceiling(retry);
        assert_eq!(ceiling, Duration::from_millis(100) * 2_u32.pow(retry));
        let mut total = Duration::ZERO;
        for _ in 0..samples {
            let delay = policy.delay(retry, &mut rng);
            assert!(delay <= ceiling, "retry {retry}: {delay:?} > {ceiling:?}");
            total += delay;
        }
        let mean = total / samples;
        // Full jitter: uniform in [0, ceiling], so the mean is ceiling / 2 (within 5 %).
        let half = ceiling.as_secs_f64() / 2.0;
        assert!(
            (mean.as_secs_f64() - half).abs() < half * 0.05,
            "retry {retry}: mean {mean:?}"
        );
        means.push(mean.as_secs_f64());
    }
    for (retry, pair) in means.windows(2).enumerate() {
        let ratio = pair[1] / pair[0];
        assert!(
            (1.8..2.2).contains(&ratio),
            "mean ratio {ratio} after retry {retry}"
        );
    }
}

#[test]
fn jittered_delays_are_capped_at_max_delay() {
    let policy = RetryPolicy {
        max_attempts: 20,
        base_delay: Duration::from_millis(100),
        max_delay: Duration::from_secs(1),
    };
    let mut rng = fastrand::Rng::with_seed(9);
    for retry in 4..20 {
        assert_eq!(policy.ceiling(retry), Duration::from_secs(1));
        for _ in 0..100 {
            assert!(policy.delay(retry, &mut rng) <= Duration::from_secs(1));
        }
    }
}

// ---- circuit breaker ----

#[tokio::test(start_paused = true)]
async fn breaker_opens_after_exactly_five_consecutive_failures() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    for failure in 1..=4 {
        let result = call(&breaker, &calls, Err(StoreError::Throttled)).await;
        assert_eq!(result, Err(BreakerError::Inner(StoreError::Throttled)));
        assert_eq!(
            breaker.state(),
            BreakerState::Closed,
            "after {failure} failures"
        );
        assert_eq!(breaker.consecutive_failures(), failure);
    }
    let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    assert_eq!(breaker.state(), BreakerState::Open);

    let sixth = call(&breaker, &calls, Ok(())).await;
    assert_eq!(
        sixth,
        Err(BreakerError::Open {
            retry_after: COOLDOWN
        })
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        5,
        "the 6th call must not run the operation"
    );
}

#[tokio::test(start_paused = true)]
async fn open_breaker_reports_the_cooldown_left() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    open(&breaker, &calls).await;
    advance(Duration::from_secs(12)).await;
    let result = call(&breaker, &calls, Ok(())).await;
    assert_eq!(
        result,
        Err(BreakerError::Open {
            retry_after: Duration::from_secs(18)
        })
    );
    assert_eq!(result.unwrap_err().class(), ErrorClass::Transient);
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}

#[tokio::test(start_paused = true)]
async fn a_success_between_failures_resets_the_count() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    for _ in 0..4 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
    assert_eq!(breaker.consecutive_failures(), 0);
    for _ in 0..4 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(breaker.state(), BreakerState::Closed);
    let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    assert_eq!(breaker.state(), BreakerState::Open);
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_do_not_open_the_breaker() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    for _ in 0..20 {
        let result = call(&breaker, &calls, Err(StoreError::Invalid)).await;
        assert_eq!(result, Err(BreakerError::Inner(StoreError::Invalid)));
    }
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(breaker.consecutive_failures(), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 20);
}

#[tokio::test(start_paused = true)]
async fn permanent_errors_neither_count_nor_reset() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    for _ in 0..4 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    let _ = call(&breaker, &calls, Err(StoreError::Invalid)).await;
    assert_eq!(breaker.consecutive_failures(), 4);
    let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    assert_eq!(breaker.state(), BreakerState::Open);
}

#[tokio::test(start_paused = true)]
async fn after_the_cooldown_exactly_one_concurrent_probe_runs() {
    let breaker = CircuitBreaker::default();
    let calls = Arc::new(AtomicU32::new(0));
    open(&breaker, &calls).await;
    advance(COOLDOWN).await;
    assert_eq!(breaker.state(), BreakerState::HalfOpen);

    let probes = Arc::new(AtomicU32::new(0));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let breaker = breaker.clone();
            let probes = Arc::clone(&probes);
            tokio::spawn(async move {
                breaker
                    .call(|| async move {
                        probes.fetch_add(1, Ordering::SeqCst);
                        sleep(Duration::from_secs(1)).await; // in flight while the others arrive
                        Ok::<_, StoreError>(())
                    })
                    .await
            })
        })
        .collect();
    let mut refused = 0;
    let mut succeeded = 0;
    for task in tasks {
        match task.await.expect("task panicked") {
            Ok(()) => succeeded += 1,
            Err(BreakerError::Open { retry_after }) => {
                assert_eq!(retry_after, Duration::ZERO);
                refused += 1;
            }
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(probes.load(Ordering::SeqCst), 1);
    assert_eq!((succeeded, refused), (1, 9));
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_one_probe_on_a_multi_thread_runtime() {
    // The multi-thread runtime cannot pause time: a zero cooldown makes the breaker half-open at
    // once, and the probe holds its slot until the other nine calls have been refused.
    let breaker = CircuitBreaker::new(BreakerConfig {
        failure_threshold: 5,
        cooldown: Duration::ZERO,
    });
    let calls = AtomicU32::new(0);
    for _ in 0..5 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(breaker.state(), BreakerState::HalfOpen);

    let probes = Arc::new(AtomicU32::new(0));
    let release = Arc::new(tokio::sync::Notify::new());
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let breaker = breaker.clone();
        let probes = Arc::clone(&probes);
        let release = Arc::clone(&release);
        tasks.spawn(async move {
            breaker
                .call(|| async move {
                    probes.fetch_add(1, Ordering::SeqCst);
                    release.notified().await;
                    Ok::<_, StoreError>(())
                })
                .await
        });
    }
    for _ in 0..9 {
        let refused = tasks.join_next().await.expect("a task").expect("no panic");
        assert_eq!(
            refused,
            Err(BreakerError::Open {
                retry_after: Duration::ZERO
            })
        );
    }
    release.notify_one();
    let probe = tasks
        .join_next()
        .await
        .expect("the probe")
        .expect("no panic");
    assert_eq!(probe, Ok(()));
    assert_eq!(probes.load(Ordering::SeqCst), 1);
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_successful_probe_closes_the_breaker() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    open(&breaker, &calls).await;
    advance(COOLDOWN).await;
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
    assert_eq!(breaker.state(), BreakerState::Closed);
    assert_eq!(breaker.consecutive_failures(), 0);
    // Closed with a fresh count: four failures do not reopen it.
    for _ in 0..4 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_failed_probe_reopens_for_another_cooldown() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    open(&breaker, &calls).await;
    advance(COOLDOWN).await;
    let probe = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    assert_eq!(probe, Err(BreakerError::Inner(StoreError::Throttled)));
    assert_eq!(breaker.state(), BreakerState::Open);
    assert_eq!(calls.load(Ordering::SeqCst), 6);

    advance(Duration::from_secs(29)).await;
    let early = call(&breaker, &calls, Ok(())).await;
    assert_eq!(
        early,
        Err(BreakerError::Open {
            retry_after: Duration::from_secs(1)
        })
    );
    assert_eq!(calls.load(Ordering::SeqCst), 6);

    advance(Duration::from_secs(1)).await;
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_probe_ending_in_a_permanent_error_lets_the_next_call_probe() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    open(&breaker, &calls).await;
    advance(COOLDOWN).await;
    let probe = call(&breaker, &calls, Err(StoreError::Invalid)).await;
    assert_eq!(probe, Err(BreakerError::Inner(StoreError::Invalid)));
    assert_eq!(breaker.state(), BreakerState::HalfOpen);
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_probe_frees_the_half_open_slot() {
    let breaker = CircuitBreaker::default();
    let calls = AtomicU32::new(0);
    open(&breaker, &calls).await;
    advance(COOLDOWN).await;
    let hung = breaker.call(|| async {
        sleep(Duration::from_secs(3600)).await;
        Ok::<_, StoreError>(())
    });
    assert!(
        tokio::time::timeout(Duration::from_secs(1), hung)
            .await
            .is_err()
    );
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
    assert_eq!(breaker.state(), BreakerState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_custom_threshold_and_cooldown() {
    let breaker = CircuitBreaker::new(BreakerConfig {
        failure_threshold: 2,
        cooldown: Duration::from_secs(5),
    });
    let calls = AtomicU32::new(0);
    for _ in 0..2 {
        let _ = call(&breaker, &calls, Err(StoreError::Throttled)).await;
    }
    assert_eq!(
        call(&breaker, &calls, Ok(())).await,
        Err(BreakerError::Open {
            retry_after: Duration::from_secs(5)
        })
    );
    advance(Duration::from_secs(5)).await;
    assert_eq!(call(&breaker, &calls, Ok(())).await, Ok(()));
}

// ---- breaker around retry ----

#[tokio::test(start_paused = true)]
async fn breaker_around_retry_counts_one_exhausted_call_as_one_failure() {
    let breaker = CircuitBreaker::default();
    let invocations = AtomicU32::new(0);
    for call in 1..=5 {
        let result: Result<(), _> = breaker
            .call_with_retry(&policy(3), || {
                invocations.fetch_add(1, Ordering::SeqCst);
                async { Err(StoreError::Throttled) }
            })
            .await;
        let error = result.unwrap_err().into_inner().expect("the operation ran");
        assert_eq!(error.attempts(), 3, "call {call}");
    }
    assert_eq!(invocations.load(Ordering::SeqCst), 15);
    assert_eq!(breaker.state(), BreakerState::Open);

    let refused: Result<(), _> = breaker
        .call_with_retry(&policy(3), || {
            invocations.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, StoreError>(()) }
        })
        .await;
    assert!(matches!(refused, Err(BreakerError::Open { .. })));
    assert_eq!(invocations.load(Ordering::SeqCst), 15);
}

#[tokio::test(start_paused = true)]
async fn breaker_around_retry_ignores_permanent_errors_and_recovered_calls() {
    let breaker = CircuitBreaker::default();
    let policy = policy(3);
    for _ in 0..10 {
        let _: Result<(), _> = breaker
            .call_with_retry(&policy, || async { Err(StoreError::Invalid) })
            .await;
        let mut calls = 0;
        let recovered = breaker
            .call(|| {
                retry(&policy, || {
                    calls += 1;
                    let outcome = if calls < 3 {
                        Err(StoreError::Throttled)
                    } else {
                        Ok(())
                    };
                    async move { outcome }
                })
            })
            .await;
        assert_eq!(recovered, Ok(()));
    }
    assert_eq!(breaker.state(), BreakerState::Closed);
}
