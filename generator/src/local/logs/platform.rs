//! Lambda's own lines around each invocation, as the engine writes them into a function's log
//! stream (and Lambda into its CloudWatch log group): `START`, `END` and `REPORT` with the
//! invocation's duration, in Lambda's text format (the `REPORT` fields are separated by tabs).
//!
//! ```text
//! START RequestId: 8f5a0c1e-… Version: $LATEST
//! END RequestId: 8f5a0c1e-…
//! REPORT RequestId: 8f5a0c1e-…  Duration: 2.53 ms  Billed Duration: 3 ms  Memory Size: 128 MB
//! ```

use std::time::Duration;

/// The line Lambda writes when it hands an invocation to the function.
pub fn start(request_id: &str) -> String {
    format!("START RequestId: {request_id} Version: $LATEST")
}

/// The line Lambda writes when the function has answered.
pub fn end(request_id: &str) -> String {
    format!("END RequestId: {request_id}")
}

/// The line with the invocation's duration, billed in whole milliseconds rounded up.
pub fn report(request_id: &str, duration: Duration, memory_mb: u32) -> String {
    let millis = duration.as_secs_f64() * 1000.0;
    format!(
        "REPORT RequestId: {request_id}\tDuration: {millis:.2} ms\tBilled Duration: {} ms\tMemory Size: {memory_mb} MB",
        billed_ms(duration)
    )
}

/// Lambda bills duration in whole milliseconds, rounded up (at least 1).
pub fn billed_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros().div_ceil(1000))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Whether `text` is one of Lambda's platform lines.
pub fn is_platform(text: &str) -> bool {
    ["START RequestId: ", "END RequestId: ", "REPORT RequestId: "]
        .iter()
        .any(|prefix| text.starts_with(prefix))
}

/// The billed milliseconds of a `REPORT` line.
pub fn billed_of_report(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("REPORT RequestId: ")?;
    rest.split('\t')
        .find_map(|field| field.strip_prefix("Billed Duration: "))
        .and_then(|value| value.strip_suffix(" ms"))
        .and_then(|value| value.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_round_trips_its_billed_duration() {
        #[track_caller]
        fn case(micros: u64, line: &str, billed: u64) {
            let text = report("r-1", Duration::from_micros(micros), 128);
            assert_eq!(text, line);
            assert!(is_platform(&text));
            assert_eq!(billed_of_report(&text), Some(billed));
        }
        case(
            2_530,
            "REPORT RequestId: r-1\tDuration: 2.53 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB",
            3,
        );
        // Exactly 4 ms stays 4; anything under 1 ms is billed as 1.
        case(
            4_000,
            "REPORT RequestId: r-1\tDuration: 4.00 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB",
            4,
        );
        case(
            120,
            "REPORT RequestId: r-1\tDuration: 0.12 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB",
            1,
        );
    }

    #[test]
    fn only_lambdas_own_lines_are_platform_lines() {
        assert!(is_platform(&start("r-1")));
        assert!(is_platform(&end("r-1")));
        assert!(!is_platform(r#"{"message":"START RequestId: "}"#));
        assert_eq!(billed_of_report(&end("r-1")), None);
    }
}
