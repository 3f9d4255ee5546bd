//! The engine's one fault-injection layer: added latency, a failure rate and outage windows, per
//! service. The router consults it before a request reaches its service, so every service gets
//! the same faults and answers each in its own protocol's shape ([`AwsService::fault_reply`]).
//!
//! [`AwsService::fault_reply`]: crate::service::AwsService::fault_reply

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// What goes wrong for one service, and how often.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    /// Added before every request the fault layer applies to.
    pub latency: Duration,
    /// Share (0–1) of requests answered as throttled.
    pub failure_rate: f64,
    /// Windows, measured from the engine's start, in which every request is answered as
    /// unavailable.
    pub outages: Vec<Outage>,
}

/// A window in which a service is down: from `start` after the engine started, for `length`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outage {
    /// When it begins, after the engine's start.
    pub start: Duration,
    /// How long it lasts.
    pub length: Duration,
}

/// The fault one request gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A random throttling answer (S3 `503 SlowDown`, SQS `ThrottlingException`).
    Throttled,
    /// An outage (S3 `503 ServiceUnavailable`, SQS `ServiceUnavailable`).
    Unavailable,
}

/// The faults of every service, shared by the router and whoever injects them; cheap to clone.
#[derive(Debug, Clone)]
pub struct Faults {
    started: Instant,
    plans: Arc<Mutex<BTreeMap<String, Switched>>>,
}

#[derive(Debug, Default)]
struct Switched {
    plan: FaultPlan,
    /// Down until switched back, whatever the windows say ([`Faults::set_down`]).
    down: bool,
}

impl Faults {
    /// No faults; outage windows count from now.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            plans: Arc::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Switched>> {
        self.plans.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Replaces the plan of `service` (a service's [`name`](crate::service::AwsService::name),
    /// e.g. [`crate::s3::NAME`]).
    pub fn set(&self, service: &str, plan: FaultPlan) {
        let failure_rate = plan.failure_rate.clamp(0.0, 1.0);
        self.lock().entry(service.to_owned()).or_default().plan = FaultPlan {
            failure_rate,
            ..plan
        };
    }

    /// Switches `service` down (every request answered as unavailable) or back up, now.
    pub fn set_down(&self, service: &str, down: bool) {
        self.lock().entry(service.to_owned()).or_default().down = down;
    }

    /// The latency to add and the fault, if any, for the next request to `service`.
    pub fn draw(&self, service: &str) -> (Duration, Option<Fault>) {
        let plans = self.lock();
        let Some(switched) = plans.get(service) else {
            return (Duration::ZERO, None);
        };
        let plan = &switched.plan;
        let elapsed = self.started.elapsed();
        let in_window = plan.outages.iter().any(|outage| {
            elapsed >= outage.start && elapsed < outage.start.saturating_add(outage.length)
        });
        let fault = if switched.down || in_window {
            Some(Fault::Unavailable)
        } else if plan.failure_rate > 0.0 && fastrand::f64() < plan.failure_rate {
            Some(Fault::Throttled)
        } else {
            None
        };
        (plan.latency, fault)
    }
}

impl Default for Faults {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_follow_the_plan_of_their_service() {
        let faults = Faults::new();
        assert_eq!(faults.draw("s3"), (Duration::ZERO, None));
        faults.set(
            "s3",
            FaultPlan {
                latency: Duration::from_millis(20),
                failure_rate: 7.0,
                outages: Vec::new(),
            },
        );
        assert_eq!(
            faults.draw("s3"),
            (Duration::from_millis(20), Some(Fault::Throttled)),
            "a rate above 1 is clamped to 1: every request fails"
        );
        assert_eq!(faults.draw("sqs"), (Duration::ZERO, None));
        faults.set_down("s3", true);
        assert_eq!(faults.draw("s3").1, Some(Fault::Unavailable));
        faults.set_down("s3", false);
        faults.set("s3", FaultPlan::default());
        assert_eq!(faults.draw("s3"), (Duration::ZERO, None));
    }

    #[test]
    fn an_outage_window_counts_from_the_start() {
        let faults = Faults::new();
        let plan = |start| FaultPlan {
            outages: vec![Outage {
                start,
                length: Duration::from_secs(3600),
            }],
            ..FaultPlan::default()
        };
        faults.set("s3", plan(Duration::ZERO));
        assert_eq!(faults.draw("s3").1, Some(Fault::Unavailable));
        faults.set("s3", plan(Duration::from_secs(3600)));
        assert_eq!(faults.draw("s3").1, None, "the window has not begun");
    }
}
