//! One raw function log line (as the worker sends it, `[function] line`) in, one line for people
//! (or nothing) out. Pure: the caller passes the time of receipt for lines that carry none.

use anstyle::{AnsiColor, Style as Paint};
use serde_json::{Map, Value};

use super::filter::{Level, LogFilter};
use super::metrics::MetricLine;

/// How lines are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// One line per event: time, function, level, message and the key fields.
    Pretty {
        /// ANSI colours by level (only for a terminal, never under `NO_COLOR`).
        color: bool,
        /// Width of the function column (the longest function name).
        function_width: usize,
    },
    /// The lines exactly as the function wrote them; JSON lines lose the `[function] ` prefix
    /// (they carry `function` themselves), other lines keep it.
    Raw,
}

/// What becomes of one line.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    /// Print this (without a newline).
    Line(String),
    /// An EMF metrics line, folded away: count it instead.
    Metrics(MetricLine),
    /// Filtered out.
    Hidden,
}

/// Fields every line has, shown in their own columns or not at all.
const COLUMNS: [&str; 4] = ["timestamp", "level", "function", "message"];
/// Correlation ids too long to be read on a terminal; `--log-format json` has them.
const OMITTED: [&str; 3] = ["request_id", "message_id", "idempotency_key"];

/// Renders `raw`, received at `received_at` (`HH:MM:SS.mmm`), in `style` if `filter` shows it.
pub fn render(raw: &str, received_at: &str, style: Style, filter: &LogFilter) -> Rendered {
    let (function, text) = split_function(raw);
    let Some(fields) = json_object(text) else {
        // Lambda's START/END/REPORT lines: CloudWatch gets them, people reading along do not
        // need three more lines per batch.
        if super::platform::is_platform(text) && style != Style::Raw {
            return Rendered::Hidden;
        }
        // Not JSON: a panic or an engine message; it counts as a warning.
        if !filter.shows(function, Level::Warn, None) {
            return Rendered::Hidden;
        }
        return Rendered::Line(match style {
            Style::Raw => raw.to_owned(),
            Style::Pretty { .. } => columns(style, received_at, function, None, text, ""),
        });
    };
    if fields.contains_key("_aws") {
        if !filter.shows(function, Level::Info, None) {
            return Rendered::Hidden;
        }
        return match style {
            Style::Raw => Rendered::Line(text.to_owned()),
            Style::Pretty { .. } => Rendered::Metrics(MetricLine::from_emf(function, &fields)),
        };
    }
    let level = fields
        .get("level")
        .and_then(Value::as_str)
        .and_then(Level::parse)
        .unwrap_or(Level::Info);
    let order_id = fields.get("order_id").and_then(Value::as_str);
    if !filter.shows(function, level, order_id) {
        return Rendered::Hidden;
    }
    if style == Style::Raw {
        return Rendered::Line(text.to_owned());
    }
    let time = fields
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(clock)
        .unwrap_or_else(|| received_at.to_owned());
    let message = fields
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let details = key_fields(&fields, style);
    Rendered::Line(columns(
        style,
        &time,
        function,
        Some(level),
        message,
        &details,
    ))
}

/// `[task] {...}` → (`task`, `{...}`); a line without the prefix has no function.
fn split_function(raw: &str) -> (&str, &str) {
    raw.strip_prefix('[')
        .and_then(|rest| rest.split_once("] "))
        .unwrap_or(("", raw))
}

fn json_object(text: &str) -> Option<Map<String, Value>> {
    if !text.starts_with('{') {
        return None;
    }
    match serde_json::from_str(text) {
        Ok(Value::Object(fields)) => Some(fields),
        _ => None,
    }
}

/// `HH:MM:SS.mmm` of an RFC 3339 timestamp (`2026-11-30T10:02:03.4Z` → `10:02:03.400`).
fn clock(timestamp: &str) -> Option<String> {
    let (_, time) = timestamp.split_once('T')?;
    let seconds = time.get(..8)?;
    let fraction: String = time[8..]
        .strip_prefix('.')
        .unwrap_or_default()
        .chars()
        .take_while(char::is_ascii_digit)
        .take(3)
        .collect();
    Some(format!("{seconds}.{fraction:0<3}"))
}

/// `order_id` first, then `outcome`, then the other fields in line order: `key=value` pairs.
fn key_fields(fields: &Map<String, Value>, style: Style) -> String {
    let first = ["order_id", "outcome"];
    let rest = fields
        .keys()
        .map(String::as_str)
        .filter(|key| !first.contains(key) && !COLUMNS.contains(key) && !OMITTED.contains(key));
    let mut out = String::new();
    for key in first.into_iter().chain(rest) {
        let Some(value) = fields.get(key).filter(|value| !value.is_null()) else {
            continue;
        };
        out.push(' ');
        out.push_str(&paint(style, dim(), &format!("{key}=")));
        out.push_str(&plain_value(value));
    }
    out
}

/// A value as `key=value` shows it: bare words bare, other strings quoted, the rest as JSON.
fn plain_value(value: &Value) -> String {
    match value {
        Value::String(text)
            if !text.is_empty()
                && !text
                    .chars()
                    .any(|c| c.is_whitespace() || matches!(c, '"' | '=' | '\\')) =>
        {
            text.clone()
        }
        other => other.to_string(),
    }
}

fn columns(
    style: Style,
    time: &str,
    function: &str,
    level: Option<Level>,
    message: &str,
    details: &str,
) -> String {
    let Style::Pretty { function_width, .. } = style else {
        return message.to_owned();
    };
    let level_text = format!("{:<5}", level.map_or("", Level::as_str));
    let level_paint = level.map_or_else(Paint::new, level_color);
    format!(
        "{} {} {} {message}{}{details}",
        paint(style, dim(), time),
        paint(
            style,
            function_color(),
            &format!("{function:<function_width$}")
        ),
        paint(style, level_paint, &level_text),
        if details.is_empty() { "" } else { " " },
    )
}

fn paint(style: Style, paint: Paint, text: &str) -> String {
    match style {
        Style::Pretty { color: true, .. } => format!("{paint}{text}{paint:#}"),
        _ => text.to_owned(),
    }
}

fn dim() -> Paint {
    Paint::new().dimmed()
}

fn function_color() -> Paint {
    Paint::new().fg_color(Some(AnsiColor::Cyan.into()))
}

fn level_color(level: Level) -> Paint {
    let color = match level {
        Level::Error => AnsiColor::Red,
        Level::Warn => AnsiColor::Yellow,
        Level::Info => AnsiColor::Green,
        Level::Debug => AnsiColor::Blue,
        Level::Trace => AnsiColor::Magenta,
    };
    let paint = Paint::new().fg_color(Some(color.into()));
    if level == Level::Error {
        paint.bold()
    } else {
        paint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_have_milliseconds() {
        #[track_caller]
        fn case(timestamp: &str, expected: Option<&str>) {
            assert_eq!(clock(timestamp).as_deref(), expected, "{timestamp}");
        }
        case("2026-11-30T10:02:03.456Z", Some("10:02:03.456"));
        case("2026-11-30T10:02:03.4Z", Some("10:02:03.400"));
        case("2026-11-30T10:02:03Z", Some("10:02:03.000"));
        case("2026-11-30T10:02:03.456789+00:00", Some("10:02:03.456"));
        case("yesterday", None);
    }

    #[test]
    fn values_are_bare_words_or_quoted() {
        #[track_caller]
        fn case(value: &Value, expected: &str) {
            assert_eq!(plain_value(value), expected);
        }
        case(&Value::from("ORD-1"), "ORD-1");
        case(
            &Value::from("invalid order: no items"),
            r#""invalid order: no items""#,
        );
        case(&Value::from(""), r#""""#);
        case(&Value::from(3), "3");
        case(&serde_json::json!(["a b", "c"]), r#"["a b","c"]"#);
    }

    #[test]
    fn lines_of_other_programs_pass_through() {
        let filter = LogFilter::default();
        let pretty = Style::Pretty {
            color: false,
            function_width: 6,
        };
        assert_eq!(
            render(
                "[task] thread 'main' panicked",
                "10:00:00.000",
                pretty,
                &filter
            ),
            Rendered::Line("10:00:00.000 task         thread 'main' panicked".to_owned())
        );
        assert_eq!(
            render(
                "[task] {\"level\":\"INFO\"}",
                "10:00:00.000",
                Style::Raw,
                &filter
            ),
            Rendered::Line("{\"level\":\"INFO\"}".to_owned())
        );
        assert_eq!(
            render("[task] not json", "10:00:00.000", Style::Raw, &filter),
            Rendered::Line("[task] not json".to_owned())
        );
    }
}
