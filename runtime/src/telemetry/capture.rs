//! Log lines caught in memory, to check in tests what a handler logs.
//!
//! ```
//! use runtime::telemetry::{LogCapture, subscriber};
//!
//! let capture = LogCapture::default();
//! tracing::subscriber::with_default(subscriber("task", "info", capture.clone()), || {
//!     tracing::info!(order_id = "ORD-1", "priced");
//! });
//! assert_eq!(capture.lines()[0]["order_id"], "ORD-1");
//! ```
//!
//! For async code, `tracing::instrument::WithSubscriber::with_subscriber` installs the
//! subscriber around a future.

use std::io;
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::Value;
use tracing_subscriber::fmt::MakeWriter;

/// A shared in-memory log; clones write to the same buffer.
#[derive(Debug, Clone, Default)]
pub struct LogCapture(Arc<Mutex<Vec<u8>>>);

impl LogCapture {
    /// Everything written so far, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Every line written so far, parsed as JSON; a line that is not JSON becomes a string.
    pub fn lines(&self) -> Vec<Value> {
        self.text()
            .lines()
            .map(|line| {
                serde_json::from_str(line).unwrap_or_else(|_| Value::String(line.to_owned()))
            })
            .collect()
    }
}

impl io::Write for LogCapture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'writer> MakeWriter<'writer> for LogCapture {
    type Writer = LogCapture;

    fn make_writer(&'writer self) -> Self::Writer {
        self.clone()
    }
}
