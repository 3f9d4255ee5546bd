//! Compressed time for `gen dev`: one factor divides every duration of the pipeline —
//! visibility timeouts, batching windows, queue and requeue delays, function timeouts and the
//! store breaker's cooldown — so retries and redrives happen in seconds while every inequality
//! `gen validate` checks (visibility ≥ timeout + window, above all) still holds locally.
//!
//! Capping each duration on its own would not: a 300 s visibility and a 5 s window capped at 2 s
//! each make the window as long as the visibility, and every batch held for its window is
//! delivered twice.

use std::fmt;
use std::time::Duration;

use crate::config::Pipeline;

/// The longest visibility timeout a compressed pipeline aims for.
const TARGET_LONGEST_VISIBILITY: Duration = Duration::from_secs(5);
/// No function timeout is compressed below this: a debug build needs a few milliseconds per
/// record, and a batch has room for store latency and retries.
const SHORTEST_FUNCTION_TIMEOUT: Duration = Duration::from_millis(250);

/// How many times faster than on AWS time runs under `gen dev`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeScale {
    factor: u32,
}

impl TimeScale {
    /// AWS's own figures (`gen dev --real-time`).
    pub const REAL: Self = Self { factor: 1 };

    /// A given factor (1 or more).
    pub fn new(factor: u32) -> Self {
        Self {
            factor: factor.max(1),
        }
    }

    /// The factor for `pipeline`: its longest visibility timeout becomes about 5 s, unless that
    /// would bring a function timeout below 250 ms.
    pub fn for_pipeline(pipeline: &Pipeline) -> Self {
        let longest_visibility = pipeline
            .queues
            .values()
            .map(|queue| queue.visibility_timeout.as_secs())
            .max()
            .unwrap_or(0);
        let shortest_timeout = pipeline
            .functions
            .values()
            .map(|function| function.timeout.as_secs())
            .min()
            .unwrap_or(0);
        let wanted = Duration::from_secs(longest_visibility).as_millis()
            / TARGET_LONGEST_VISIBILITY.as_millis();
        let allowed = (Duration::from_secs(shortest_timeout).as_millis()
            / SHORTEST_FUNCTION_TIMEOUT.as_millis())
        .max(1);
        Self::new(u32::try_from(wanted.min(allowed)).unwrap_or(u32::MAX))
    }

    /// The factor (1 = real time).
    pub fn factor(self) -> u32 {
        self.factor
    }

    /// A duration the engine keeps to the millisecond (batching windows, function timeouts).
    pub fn scale(self, duration: Duration) -> Duration {
        duration / self.factor
    }

    /// A duration SQS takes in whole seconds (visibility timeouts, delays): scaled and rounded
    /// up, so a visibility timeout never drops below the timeout and window it covers.
    pub fn scale_seconds(self, seconds: u64) -> u64 {
        seconds.div_ceil(u64::from(self.factor))
    }
}

impl fmt::Display for TimeScale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.factor == 1 {
            write!(f, "real time (AWS's durations)")
        } else {
            write!(
                f,
                "time runs {}× faster than on AWS: every timeout, window and delay of the pipeline is divided by {} (`--real-time` keeps AWS's figures)",
                self.factor, self.factor
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config;

    fn pipeline(yaml: &str) -> Pipeline {
        let loaded = config::load("pipeline.yaml", yaml.as_bytes());
        loaded
            .pipeline
            .unwrap_or_else(|| panic!("{}", loaded.report.render(false)))
    }

    /// Seed 004's system as its Terraform writes it: visibility 300 s, timeout 50 s, window 5 s.
    const WINDOWED: &str = "
pipeline: jobs
region: us-east-1
queues:
  jobs: { visibility_timeout: 300s, max_receive_count: 3, dead_letter: jobs-dlq }
  jobs-dlq: { alarm: { above: 0 } }
  notify: {}
buckets:
  results: {}
functions:
  processor:
    handler: order_processor
    timeout: 50s
    trigger: { queue: jobs, batch_size: 10, batching_window: 5s }
    writes: { bucket: results, notify: notify }
  notifier:
    handler: notification_logger
    timeout: 10s
    trigger: { queue: notify }
  dlq:
    handler: dlq_processor
    trigger: { queue: jobs-dlq }
    writes: { bucket: results, requeue: jobs }
";

    #[test]
    fn every_inequality_survives_compression() {
        let pipeline = pipeline(WINDOWED);
        let scale = TimeScale::for_pipeline(&pipeline);
        // 300 s would become 5 s at 60×, but the notifier's 10 s timeout allows 40× at most.
        assert_eq!(scale.factor(), 40);
        for function in pipeline.functions.values() {
            let trigger = function.trigger.queue().expect("queue-triggered");
            let queue = &pipeline.queues[&trigger.queue];
            let timeout = scale.scale(Duration::from_secs(function.timeout.as_secs()));
            let window = scale.scale(Duration::from_secs(trigger.batching_window.as_secs()));
            let visibility =
                Duration::from_secs(scale.scale_seconds(queue.visibility_timeout.as_secs()));
            assert!(
                visibility >= timeout + window,
                "`{}`: visibility {visibility:?} < timeout {timeout:?} + window {window:?}",
                function.name
            );
            assert!(timeout >= SHORTEST_FUNCTION_TIMEOUT, "{timeout:?}");
        }
        let longest = pipeline
            .queues
            .values()
            .map(|queue| scale.scale_seconds(queue.visibility_timeout.as_secs()))
            .max()
            .unwrap();
        assert_eq!(longest, 8, "300 s / 40, rounded up");
    }

    #[test]
    fn factors() {
        #[track_caller]
        fn case(visibility: &str, timeout: &str, expected: u32) {
            let yaml = format!(
                "pipeline: p\nregion: us-east-1\nqueues:\n  q: {{ visibility_timeout: {visibility} }}\nbuckets:\n  b: {{}}\nfunctions:\n  f:\n    handler: notification_logger\n    timeout: {timeout}\n    trigger: {{ queue: q }}\n"
            );
            assert_eq!(TimeScale::for_pipeline(&pipeline(&yaml)).factor(), expected);
        }
        // The longest visibility becomes 5 s…
        case("300s", "50s", 60);
        case("180s", "30s", 36);
        // …unless a function timeout would drop below 250 ms…
        case("900s", "10s", 40);
        // …and short durations stay as they are.
        case("5s", "1s", 1);
        case("2s", "1s", 1);
    }

    #[test]
    fn whole_seconds_round_up() {
        let scale = TimeScale::new(36);
        assert_eq!(scale.scale_seconds(180), 5);
        assert_eq!(scale.scale_seconds(181), 6);
        assert_eq!(scale.scale_seconds(60), 2);
        assert_eq!(scale.scale_seconds(0), 0);
        assert_eq!(
            scale.scale(Duration::from_secs(30)),
            Duration::from_nanos(833_333_333)
        );
        assert_eq!(TimeScale::REAL.scale_seconds(7), 7);
    }
}
