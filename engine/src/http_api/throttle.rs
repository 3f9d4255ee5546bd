//! A stage's throttling: "API Gateway throttles requests to your API using the token bucket
//! algorithm, where a token counts for a request": the bucket holds at most `burst` tokens and
//! is refilled at `rate` tokens per second; a request that finds it empty is answered
//! `429 Too Many Requests` (<https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html>,
//! <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html>).

use std::sync::{Mutex, PoisonError};

use tokio::time::Instant;

use super::spec::Throttling;

/// A token bucket.
#[derive(Debug)]
pub struct TokenBucket {
    throttling: Throttling,
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    /// Full: `burst` tokens.
    pub fn new(throttling: Throttling) -> Self {
        Self {
            throttling,
            state: Mutex::new((f64::from(throttling.burst), Instant::now())),
        }
    }

    /// Takes a token if there is one.
    pub fn take(&self) -> bool {
        self.take_at(Instant::now())
    }

    fn take_at(&self, now: Instant) -> bool {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (tokens, last) = *state;
        let refilled = (tokens
            + now.saturating_duration_since(last).as_secs_f64() * f64::from(self.throttling.rate))
        .min(f64::from(self.throttling.burst));
        if refilled >= 1.0 {
            *state = (refilled - 1.0, now);
            true
        } else {
            *state = (refilled, now);
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_burst_empties_the_bucket_and_the_rate_refills_it() {
        let bucket = TokenBucket::new(Throttling { burst: 3, rate: 2 });
        let start = Instant::now();
        let taken: Vec<bool> = (0..4).map(|_| bucket.take_at(start)).collect();
        assert_eq!(taken, [true, true, true, false]);
        assert!(
            !bucket.take_at(start + Duration::from_millis(400)),
            "0.8 tokens"
        );
        assert!(
            bucket.take_at(start + Duration::from_millis(500)),
            "1 token"
        );
        assert!(bucket.take_at(start + Duration::from_secs(60)));
        let taken = (0..3)
            .filter(|_| bucket.take_at(start + Duration::from_secs(60)))
            .count();
        assert_eq!(taken, 2, "never more than the burst");
        let closed = TokenBucket::new(Throttling { burst: 0, rate: 0 });
        assert!(!closed.take_at(start));
    }
}
