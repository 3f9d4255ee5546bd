//! Logs and metrics.
//!
//! Every log line is one JSON object with stable keys — `timestamp`, `level`, `function`,
//! `message`, then the event's own fields as plain JSON values (see [`logger`]). Each record ends
//! in one *record line* carrying `request_id`, `message_id`, `order_id` and its [`Outcome`] as a
//! word with its details as fields (see [`record`]). Each batch adds one CloudWatch Embedded
//! Metric Format line (see [`BatchMetrics`]). The keys are documented in `docs/logs.md`.

mod capture;
pub mod logger;
mod metrics;
pub mod record;

use std::time::{SystemTime, UNIX_EPOCH};

pub use capture::LogCapture;
pub use logger::{JsonLines, emit, init, subscriber};
pub use metrics::{BatchMetrics, PARKED_METRIC};
pub use record::{Outcome, RecordLine, RequestLine};

/// The current time as RFC 3339 with milliseconds, e.g. `2026-11-22T21:00:00.123Z`.
pub fn now_rfc3339() -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    aws_sdk_s3::primitives::DateTime::from_millis(i64::try_from(millis).unwrap_or(i64::MAX))
        .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339() {
        let now = now_rfc3339();
        // `2026-11-22T21:00:00.123Z`; trailing zeros of the fraction are dropped (`.12Z`, none).
        assert!((20..=24).contains(&now.len()), "{now}");
        assert!(
            now.ends_with('Z') && now.as_bytes()[10] == b'T' && now.as_bytes()[4] == b'-',
            "{now}"
        );
    }
}
