//! Where output goes: data on stdout, diagnostics and progress on stderr; colour only for a
//! terminal and never under `NO_COLOR`.

use std::io::{IsTerminal, Write};

/// Output settings shared by every command.
#[derive(Debug, Clone)]
pub struct Printer {
    /// ANSI colours on stderr.
    pub color: bool,
    /// Machine-readable JSON instead of text.
    pub json: bool,
}

impl Printer {
    pub fn new(json: bool) -> Self {
        let color = std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            && std::io::stderr().is_terminal();
        Self { color, json }
    }

    /// Writes data to stdout.
    pub fn data(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        // A closed pipe (`gen schema | head`) is not an error worth reporting.
        let _ = stdout.write_all(text.as_bytes());
        let _ = stdout.flush();
    }

    /// Writes a command's result to stdout: as JSON with `--output json`, else as its text.
    pub fn report<T: serde::Serialize + std::fmt::Display>(&self, value: &T) {
        if self.json {
            let mut json = serde_json::to_string_pretty(value).unwrap_or_default();
            json.push('\n');
            self.data(&json);
        } else {
            self.data(&value.to_string());
        }
    }

    /// Writes a message for people to stderr.
    pub fn note(&self, text: &str) {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes());
    }
}
