//! Function logs under `gen dev`: rendered for people by default (time, function, level,
//! message and the key fields, coloured by level on a terminal), EMF metric lines folded away
//! and tallied, filtered by `--log-filter`; `--log-format json` keeps the raw lines. Every line
//! is also measured (durations from Lambda's `REPORT` lines, bytes per kind of line) for
//! `gen cost --measured`.

mod filter;
mod forward;
pub mod measure;
mod metrics;
pub mod platform;
mod render;

pub use filter::{Level, LogFilter, LogFilterError};
pub use forward::LogSink;
pub use measure::DevMeasurements;
pub use metrics::{MetricLine, MetricTally, figures};
pub use render::{Rendered, Style, render};

/// `HH:MM:SS.mmm` (UTC) of `time`, as the function lines show theirs.
pub fn clock_of(time: std::time::SystemTime) -> String {
    let millis = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis());
    let of_day = millis % 86_400_000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        of_day / 3_600_000,
        of_day / 60_000 % 60,
        of_day / 1000 % 60,
        of_day % 1000
    )
}
