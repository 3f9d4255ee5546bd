//! What a `gen dev` run measured of each function, for `gen cost --measured`: the billed duration
//! of every invocation (from the `REPORT` lines, see [`super::platform`]) and the bytes of the
//! lines the function wrote — record lines (one per record, with a `message_id`) apart from the
//! rest (the batch summary, the EMF line, Lambda's `START`/`END`/`REPORT`, start-up lines).
//! Kept in `.gen/measured.json` beside the pipeline when the run ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::platform;
use crate::workspace::PipelineDirs;

/// The file's name in the pipeline's `.gen/` folder.
pub const MEASURED_FILE: &str = "measured.json";

/// The version of the file's shape.
pub const SCHEMA_VERSION: u32 = 1;

/// One `gen dev` run's samples, per function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevMeasurements {
    pub schema_version: u32,
    /// When the run ended (RFC 3339).
    pub recorded_at: String,
    /// Whether the binaries were optimised (`gen dev --release`), as the deployed ones are.
    pub release: bool,
    /// Whether faults were injected (the durations then include them).
    pub faults: bool,
    /// Function name in pipeline.yaml → its samples.
    pub functions: BTreeMap<String, FunctionSamples>,
}

/// One function's samples.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionSamples {
    /// Billed milliseconds of each answered invocation (one batch each), in the order they ended.
    pub billed_ms: Vec<u64>,
    /// Record lines written (those carrying `message_id`).
    pub record_lines: u64,
    /// Their bytes, without line ends.
    pub record_line_bytes: u64,
    /// Bytes of every other line the function's log stream got, without line ends.
    pub other_line_bytes: u64,
}

impl FunctionSamples {
    /// The median billed duration (the lower middle sample of an even count).
    pub fn p50_ms(&self) -> Option<u64> {
        let mut sorted = self.billed_ms.clone();
        sorted.sort_unstable();
        sorted.get(sorted.len().checked_sub(1)? / 2).copied()
    }
}

impl DevMeasurements {
    /// Counts one raw line as the worker sends it (`[function] text`); the engine's own notes
    /// (`(engine) …`) are not the function's and are left out.
    pub fn observe(&mut self, raw: &str) {
        let Some((function, text)) = raw.strip_prefix('[').and_then(|rest| rest.split_once("] "))
        else {
            return;
        };
        if text.starts_with("(engine)") {
            return;
        }
        let samples = self.functions.entry(function.to_owned()).or_default();
        let bytes = text.len() as u64;
        if platform::is_platform(text) {
            samples.other_line_bytes += bytes;
            if let Some(billed) = platform::billed_of_report(text) {
                samples.billed_ms.push(billed);
            }
        } else if is_record_line(text) {
            samples.record_lines += 1;
            samples.record_line_bytes += bytes;
        } else {
            samples.other_line_bytes += bytes;
        }
    }

    /// Where the samples of `dirs`' pipeline are kept.
    pub fn path(dirs: &PipelineDirs) -> PathBuf {
        dirs.state.join(MEASURED_FILE)
    }

    /// Writes them beside the pipeline; returns the path.
    pub fn write(&self, dirs: &PipelineDirs) -> std::io::Result<PathBuf> {
        let path = Self::path(dirs);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        json.push('\n');
        std::fs::write(&path, json)?;
        Ok(path)
    }

    /// Reads a file [`DevMeasurements::write`] wrote.
    pub fn read(path: &Path) -> Result<Self, MeasuredError> {
        let text = std::fs::read_to_string(path).map_err(|source| MeasuredError::Read {
            path: path.to_owned(),
            source,
        })?;
        let measured: Self =
            serde_json::from_str(&text).map_err(|source| MeasuredError::Parse {
                path: path.to_owned(),
                source,
            })?;
        if measured.schema_version != SCHEMA_VERSION {
            return Err(MeasuredError::Version {
                path: path.to_owned(),
                found: measured.schema_version,
            });
        }
        Ok(measured)
    }
}

/// Why no measurements could be read.
#[derive(Debug, thiserror::Error)]
pub enum MeasuredError {
    #[error(
        "cannot read `{}`: {source}\nhelp: run `gen dev --demo --release` (or `gen dev` with a load from `gen send`, then Ctrl-C) for this pipeline first: it records each function's durations there",
        path.display()
    )]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("`{}` is not a measurements file: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error(
        "`{}` has version {found} of the measurements file, this `gen` reads {SCHEMA_VERSION}\nhelp: run `gen dev` again to record it anew",
        path.display()
    )]
    Version { path: PathBuf, found: u32 },
}

/// A JSON line with a `message_id`: the runtime's one line per record.
fn is_record_line(text: &str) -> bool {
    /// Only whether the object has the key (whatever its value): nothing of the line is kept.
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default, deserialize_with = "present")]
        message_id: bool,
    }
    fn present<'de, D: serde::Deserializer<'de>>(value: D) -> Result<bool, D::Error> {
        serde::de::IgnoredAny::deserialize(value).map(|_| true)
    }
    text.starts_with('{') && serde_json::from_str::<Probe>(text).is_ok_and(|line| line.message_id)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn lines_are_counted_per_function_and_kind() {
        let record = r#"{"level":"INFO","message_id":"m-1","outcome":"invoiced"}"#;
        let summary = r#"{"level":"INFO","message":"batch done"}"#;
        let report = platform::report("r-1", Duration::from_micros(2_530), 256);
        let mut measured = DevMeasurements::default();
        for line in [
            format!("[task] {}", platform::start("r-1")),
            format!("[task] {record}"),
            format!("[task] {record}"),
            format!("[task] {summary}"),
            format!("[task] {}", platform::end("r-1")),
            format!("[task] {report}"),
            "[task] (engine) restarting the function: killed".to_owned(),
            "no prefix".to_owned(),
        ] {
            measured.observe(&line);
        }
        let task = &measured.functions["task"];
        assert_eq!(task.billed_ms, [3]);
        assert_eq!(task.record_lines, 2);
        assert_eq!(task.record_line_bytes, 2 * record.len() as u64);
        // START (41 bytes) + summary + END (20) + REPORT, engine notes left out.
        let other = platform::start("r-1").len()
            + summary.len()
            + platform::end("r-1").len()
            + report.len();
        assert_eq!(task.other_line_bytes, other as u64);
        assert_eq!(measured.functions.len(), 1);
    }

    #[test]
    fn median_of_billed_durations() {
        #[track_caller]
        fn case(samples: &[u64], expected: Option<u64>) {
            let samples = FunctionSamples {
                billed_ms: samples.to_vec(),
                ..FunctionSamples::default()
            };
            assert_eq!(samples.p50_ms(), expected);
        }
        case(&[], None);
        case(&[7], Some(7));
        // Sorted 2, 3, 9: the middle one.
        case(&[9, 2, 3], Some(3));
        // Sorted 1, 2, 8, 40: the lower middle one.
        case(&[40, 1, 8, 2], Some(2));
    }

    #[test]
    fn written_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = PipelineDirs::of(&dir.path().join("pipeline.yaml"), None);
        let mut measured = DevMeasurements {
            schema_version: SCHEMA_VERSION,
            recorded_at: "2026-11-30T13:00:00Z".into(),
            release: true,
            ..DevMeasurements::default()
        };
        measured.observe("[task] REPORT RequestId: r\tBilled Duration: 5 ms");
        let path = measured.write(&dirs).unwrap();
        assert_eq!(path, dir.path().join(".gen").join(MEASURED_FILE));
        assert_eq!(DevMeasurements::read(&path).unwrap(), measured);
        let missing = DevMeasurements::read(&dir.path().join("none.json")).unwrap_err();
        assert!(
            missing.to_string().contains("gen dev --demo --release"),
            "{missing}"
        );
    }
}
