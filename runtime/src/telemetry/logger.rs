//! The JSON logger every function uses: one JSON object per line, keys in a stable order —
//! `timestamp`, `level`, `function`, `message` — then the event's fields as plain JSON values
//! (numbers stay numbers, booleans stay booleans).
//!
//! Log with `tracing` as usual (`tracing::info!(order_id, "priced")`); to log a serde value as
//! fields of their own (a list, a nested object, an enum tagged by a word), use [`emit`]:
//!
//! ```
//! use serde::Serialize;
//!
//! #[derive(Serialize)]
//! struct Priced<'a> {
//!     order_id: &'a str,
//!     lines: Vec<&'a str>,
//! }
//!
//! runtime::telemetry::emit(
//!     tracing::Level::INFO,
//!     "order priced",
//!     &Priced { order_id: "ORD-1", lines: vec!["Laptop × 1"] },
//! );
//! ```
//!
//! which the logger writes as
//! `{"timestamp":"…","level":"INFO","function":"task","message":"order priced","order_id":"ORD-1","lines":["Laptop × 1"]}`.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;

use super::now_rfc3339;
use crate::config::vars;

/// The field through which [`emit`] hands a serialised object to [`JsonLines`], which merges its
/// members into the line. Other subscribers show it as a JSON string.
pub const FIELDS: &str = "fields";

/// Installs the JSON logger on stdout, where Lambda's log agent picks lines up. The function name
/// comes from `AWS_LAMBDA_FUNCTION_NAME`; `RUST_LOG` (or `AWS_LAMBDA_LOG_LEVEL`) picks the level,
/// `info` by default. Safe to call twice.
pub fn init() {
    let level = std::env::var("RUST_LOG")
        .or_else(|_| std::env::var("AWS_LAMBDA_LOG_LEVEL").map(|level| level.to_lowercase()))
        .unwrap_or_else(|_| "info".to_owned());
    let function = std::env::var(vars::FUNCTION_NAME).unwrap_or_default();
    let _ = tracing::subscriber::set_global_default(subscriber(&function, &level, std::io::stdout));
}

/// The JSON logger of function `function` at `level` (an `EnvFilter` directive such as `info`),
/// writing to `writer`; [`init`] installs it on stdout. Tests pass a buffer to read the lines.
pub fn subscriber<W>(function: &str, level: &str, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .event_format(JsonLines::new(function))
        .with_writer(writer)
        .with_env_filter(tracing_subscriber::EnvFilter::new(level))
        .finish()
}

/// Logs `message` at `level` with the members of `fields` (which must serialise to a JSON object)
/// as fields of the line, each a plain JSON value.
pub fn emit<T: Serialize + ?Sized>(level: Level, message: &str, fields: &T) {
    let fields = serde_json::to_string(fields).unwrap_or_else(|error| {
        serde_json::json!({ "fields_error": error.to_string() }).to_string()
    });
    let fields = fields.as_str();
    match level {
        Level::ERROR => tracing::error!(fields, "{message}"),
        Level::WARN => tracing::warn!(fields, "{message}"),
        Level::INFO => tracing::info!(fields, "{message}"),
        Level::DEBUG => tracing::debug!(fields, "{message}"),
        Level::TRACE => tracing::trace!(fields, "{message}"),
    }
}

/// The event format of the JSON logger (see the module documentation).
#[derive(Debug, Clone)]
pub struct JsonLines {
    function: String,
}

impl JsonLines {
    /// Lines of function `function`.
    pub fn new(function: &str) -> Self {
        Self {
            function: function.to_owned(),
        }
    }

    /// The line for one event, without its newline.
    fn line(&self, timestamp: String, event: &Event<'_>) -> Map<String, Value> {
        let mut fields = JsonFields::default();
        event.record(&mut fields);
        let mut line = Map::new();
        line.insert("timestamp".to_owned(), Value::String(timestamp));
        line.insert(
            "level".to_owned(),
            Value::String(event.metadata().level().as_str().to_owned()),
        );
        line.insert("function".to_owned(), Value::String(self.function.clone()));
        line.insert(
            "message".to_owned(),
            Value::String(fields.message.unwrap_or_default()),
        );
        for (key, value) in fields.values {
            // The fixed keys above are never overwritten by an event's fields.
            line.entry(key).or_insert(value);
        }
        line
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'lookup> LookupSpan<'lookup>,
    N: for<'writer> FormatFields<'writer> + 'static,
{
    fn format_event(
        &self,
        _context: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let line = self.line(now_rfc3339(), event);
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// An event's fields as JSON values, in the order they were recorded.
#[derive(Default)]
struct JsonFields {
    message: Option<String>,
    values: Map<String, Value>,
}

impl JsonFields {
    fn insert(&mut self, field: &Field, value: Value) {
        self.values.insert(field.name().to_owned(), value);
    }
}

impl Visit for JsonFields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        let value = serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.insert(field, value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, Value::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, Value::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::Bool(value));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == FIELDS
            && let Ok(Value::Object(members)) = serde_json::from_str::<Value>(value)
        {
            self.values.extend(members);
            return;
        }
        self.insert(field, Value::String(value.to_owned()));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, Value::String(value.to_string()));
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = Some(text);
        } else {
            self.insert(field, Value::String(text));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::telemetry::LogCapture;

    fn lines(log: impl FnOnce()) -> Vec<Value> {
        let capture = LogCapture::default();
        tracing::subscriber::with_default(subscriber("task", "info", capture.clone()), log);
        capture.lines()
    }

    #[test]
    fn fields_keep_their_json_types_and_the_fixed_keys_come_first() {
        let lines = lines(|| {
            tracing::info!(order_id = "ORD-1", attempt = 2_u64, fifo = false, "priced");
            emit(
                Level::WARN,
                "parked",
                &json!({ "reason": "bad", "repairs": ["a", "b"], "level": "ignored" }),
            );
            tracing::debug!("below the level");
        });
        assert_eq!(lines.len(), 2);
        let keys: Vec<&str> = lines[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "timestamp",
                "level",
                "function",
                "message",
                "order_id",
                "attempt",
                "fifo"
            ]
        );
        assert_eq!(
            (
                &lines[0]["attempt"],
                &lines[0]["fifo"],
                &lines[0]["function"]
            ),
            (&json!(2), &json!(false), &json!("task"))
        );
        assert_eq!(lines[1]["level"], "WARN");
        assert_eq!(lines[1]["message"], "parked");
        assert_eq!(lines[1]["repairs"], json!(["a", "b"]));
        assert_eq!(lines[1].get(FIELDS), None, "merged, not nested");
    }
}
