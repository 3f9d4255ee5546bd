//! `gen cost --measured`: per function, the median billed duration of a batch and the log line
//! sizes a `gen dev` run recorded in `.gen/measured.json` (see
//! [`crate::local::logs::measure`]), in place of the stated defaults.

use std::collections::BTreeMap;

use super::log_lines::LineSizes;
use crate::local::logs::DevMeasurements;

/// What a `gen dev` run measured, ready for the usage model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Measured {
    /// Where the figures come from (`.gen/measured.json`).
    pub file: String,
    /// When the run ended.
    pub recorded_at: String,
    /// Optimised binaries (`gen dev --release`), as deployed.
    pub release: bool,
    /// Faults were injected during the run.
    pub faults: bool,
    /// Function name → its figures; only functions the run invoked.
    pub functions: BTreeMap<String, MeasuredFunction>,
}

/// One function's measured figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasuredFunction {
    /// Median billed milliseconds of an invocation (one batch).
    pub p50_ms: u64,
    /// Invocations measured.
    pub invocations: usize,
    /// Mean bytes of its record line, and of its other lines per invocation (rounded up).
    pub log: LineSizes,
}

impl Measured {
    /// The figures of `run`, read from `file`.
    pub fn from_run(file: &str, run: &DevMeasurements) -> Self {
        let functions = run
            .functions
            .iter()
            .filter_map(|(name, samples)| {
                let p50_ms = samples.p50_ms()?;
                let invocations = samples.billed_ms.len();
                let per_record = if samples.record_lines == 0 {
                    0
                } else {
                    samples.record_line_bytes.div_ceil(samples.record_lines)
                };
                let log = LineSizes {
                    per_record,
                    per_invocation: samples.other_line_bytes.div_ceil(invocations as u64),
                };
                Some((
                    name.clone(),
                    MeasuredFunction {
                        p50_ms,
                        invocations,
                        log,
                    },
                ))
            })
            .collect();
        Self {
            file: file.to_owned(),
            recorded_at: run.recorded_at.clone(),
            release: run.release,
            faults: run.faults,
            functions,
        }
    }

    /// `task 4 ms (120 invocations), … — `.gen/measured.json` of 2026-11-30T13:00:00Z, …`.
    pub fn describe(&self) -> String {
        let functions: Vec<String> = self
            .functions
            .iter()
            .map(|(name, function)| {
                format!(
                    "`{name}` {} ms over {} invocation{}",
                    function.p50_ms,
                    function.invocations,
                    if function.invocations == 1 { "" } else { "s" }
                )
            })
            .collect();
        format!(
            "{}; `{}` of {}, {} binaries on the local engine{}: its S3 and SQS calls stay on loopback, so AWS's durations are likely longer",
            if functions.is_empty() {
                "no function invoked".to_owned()
            } else {
                functions.join(", ")
            },
            self.file,
            self.recorded_at,
            if self.release {
                "optimised"
            } else {
                "debug (unoptimised; run `gen dev --release` to measure what Lambda runs)"
            },
            if self.faults {
                ", with injected faults"
            } else {
                ""
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::logs::measure::FunctionSamples;

    /// `task`: billed 3, 5, 4, 40 ms → sorted 3, 4, 5, 40, lower middle 4 ms; 2 record lines of
    /// 300 and 301 bytes → ⌈601 / 2⌉ = 301; 1,900 other bytes over 4 invocations = 475.
    /// `notification` wrote lines but was never invoked: left out.
    #[test]
    fn medians_and_mean_sizes_per_function() {
        let run = DevMeasurements {
            schema_version: 1,
            recorded_at: "2026-11-30T13:00:00Z".into(),
            release: false,
            faults: false,
            functions: BTreeMap::from([
                (
                    "task".to_owned(),
                    FunctionSamples {
                        billed_ms: vec![3, 5, 4, 40],
                        record_lines: 2,
                        record_line_bytes: 601,
                        other_line_bytes: 1_900,
                    },
                ),
                (
                    "notification".to_owned(),
                    FunctionSamples {
                        other_line_bytes: 80,
                        ..FunctionSamples::default()
                    },
                ),
            ]),
        };
        let measured = Measured::from_run(".gen/measured.json", &run);
        assert_eq!(
            measured.functions,
            BTreeMap::from([(
                "task".to_owned(),
                MeasuredFunction {
                    p50_ms: 4,
                    invocations: 4,
                    log: LineSizes {
                        per_record: 301,
                        per_invocation: 475
                    },
                }
            )])
        );
        let said = measured.describe();
        assert!(said.starts_with("`task` 4 ms over 4 invocations; `.gen/measured.json` of 2026-11-30T13:00:00Z, debug"), "{said}");
    }
}
