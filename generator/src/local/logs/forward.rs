//! The task that takes the worker's log lines off the channel and prints them on stderr.

use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio::sync::mpsc;

use super::{DevMeasurements, LogFilter, MetricTally, Rendered, Style, clock_of, render};
use crate::printer::Printer;

/// Where function log lines go and how they look.
#[derive(Debug, Clone)]
pub struct LogSink {
    /// Pretty or raw.
    pub style: Style,
    /// Which lines are shown.
    pub filter: LogFilter,
    /// Print nothing (the demo without `--verbose`); metrics are still tallied.
    pub quiet: bool,
    /// The folded EMF lines so far.
    pub tally: Arc<Mutex<MetricTally>>,
    /// Durations and line sizes so far, whatever is shown.
    pub measured: Arc<Mutex<DevMeasurements>>,
}

impl LogSink {
    /// Prints each line of `lines` as [`render`] says until every sender is gone.
    pub async fn forward(self, mut lines: mpsc::UnboundedReceiver<String>, printer: Printer) {
        while let Some(line) = lines.recv().await {
            if let Ok(mut measured) = self.measured.lock() {
                measured.observe(&line);
            }
            // Quiet, only EMF lines matter (their figures are tallied): a line that cannot hold
            // the `_aws` key (not even JSON-escaped) is neither parsed nor laid out.
            if self.quiet && !line.contains("_aws") && !line.contains("\\u") {
                continue;
            }
            match render(
                &line,
                &clock_of(SystemTime::now()),
                self.style,
                &self.filter,
            ) {
                Rendered::Line(text) if !self.quiet => printer.note(&format!("{text}\n")),
                Rendered::Metrics(figures) => {
                    if let Ok(mut tally) = self.tally.lock() {
                        tally.add(&figures);
                    }
                }
                Rendered::Line(_) | Rendered::Hidden => {}
            }
        }
    }
}
