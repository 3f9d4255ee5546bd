//! The recent log lines of each function, for the dashboard: the lines `gen dev` prints, rendered
//! the same way (without colour), the last [`KEEP`] per function, and each new one announced to
//! the pages that follow the live stream.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::Serialize;
use tokio::sync::{broadcast, mpsc};

use crate::local::logs::{LogFilter, Rendered, Style, clock_of, render};

/// Lines kept per function.
pub const KEEP: usize = 200;

/// One rendered line of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// The function's name in pipeline.yaml.
    pub function: String,
    /// As `gen dev` shows it: time, level, message and key fields.
    pub text: String,
}

/// The last lines of every function, and a channel announcing each new one.
#[derive(Debug)]
pub struct RecentLogs {
    lines: Mutex<BTreeMap<String, VecDeque<String>>>,
    announce: broadcast::Sender<LogLine>,
}

impl Default for RecentLogs {
    fn default() -> Self {
        Self {
            lines: Mutex::default(),
            announce: broadcast::channel(1024).0,
        }
    }
}

impl RecentLogs {
    /// Keeps one raw line as the workers send it (`[function] text`); EMF metric lines and lines
    /// of no function are left out.
    pub fn observe(&self, raw: &str) {
        let Some((function, _)) = raw.strip_prefix('[').and_then(|rest| rest.split_once("] "))
        else {
            return;
        };
        let style = Style::Pretty {
            color: false,
            function_width: 0,
        };
        let Rendered::Line(text) = render(
            raw,
            &clock_of(SystemTime::now()),
            style,
            &LogFilter::default(),
        ) else {
            return;
        };
        let line = LogLine {
            function: function.to_owned(),
            text,
        };
        if let Ok(mut lines) = self.lines.lock() {
            let kept = lines.entry(line.function.clone()).or_default();
            if kept.len() == KEEP {
                kept.pop_front();
            }
            kept.push_back(line.text.clone());
        }
        // No page listening is not an error.
        let _ = self.announce.send(line);
    }

    /// The kept lines of `function`, oldest first.
    pub fn of(&self, function: &str) -> Vec<String> {
        self.lines
            .lock()
            .map(|lines| {
                lines
                    .get(function)
                    .map(|kept| kept.iter().cloned().collect())
                    .unwrap_or_default()
            })
            .unwrap_or_default()
    }

    /// New lines from now on.
    pub fn follow(&self) -> broadcast::Receiver<LogLine> {
        self.announce.subscribe()
    }
}

/// Passes every line of `lines` on, kept in `recent` first (the workers' log channel, before
/// `gen dev` prints it).
pub fn tap(
    mut lines: mpsc::UnboundedReceiver<String>,
    recent: Arc<RecentLogs>,
) -> mpsc::UnboundedReceiver<String> {
    let (sender, passed) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(line) = lines.recv().await {
            recent.observe(&line);
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    passed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_kept_per_function_up_to_the_limit() {
        let logs = RecentLogs::default();
        let mut following = logs.follow();
        // Lambda's platform lines are hidden, as `gen dev` hides them.
        logs.observe("[task] START RequestId: r-1 Version: $LATEST");
        logs.observe(r#"[task] {"level":"INFO","message":"batch done","received":2}"#);
        logs.observe("no function");
        for index in 0..KEEP {
            logs.observe(&format!("[notification] line {index}"));
        }
        assert_eq!(logs.of("task").len(), 1);
        assert!(
            logs.of("task")[0].contains("batch done"),
            "{:?}",
            logs.of("task")
        );
        let notification = logs.of("notification");
        assert_eq!(notification.len(), KEEP);
        assert!(notification[0].ends_with("line 0"));
        logs.observe("[notification] one more");
        let notification = logs.of("notification");
        assert_eq!(notification.len(), KEEP);
        assert!(notification[0].ends_with("line 1"), "{}", notification[0]);
        assert_eq!(following.try_recv().unwrap().function, "task");
        assert!(logs.of("none").is_empty());
    }
}
