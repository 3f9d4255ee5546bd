//! `--log-filter`: which function log lines `gen dev` shows.
//!
//! A comma-separated list of `key=value` terms, keys `function`, `level` and `order`:
//! `function=task,level=warn,order=ORD-1`. A line is shown when it matches every key given;
//! repeating a key accepts any of its values (`function=task,function=dlq-processor`).
//! `level=warn` shows `WARN` and `ERROR`; a line a function wrote that is not JSON (a panic, say)
//! counts as `WARN`. `order` matches the line's `order_id` exactly.

use std::fmt;
use std::str::FromStr;

/// A log level, least severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    /// Reads `info`, `INFO`, `warning`, … (any case).
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text.to_ascii_lowercase().as_str() {
            "trace" => Level::Trace,
            "debug" => Level::Debug,
            "info" => Level::Info,
            "warn" | "warning" => Level::Warn,
            "error" => Level::Error,
            _ => return None,
        })
    }

    /// `INFO`, `WARN`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

/// Why a `--log-filter` value was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogFilterError {
    #[error("`{0}` is not `key=value` (e.g. `function=task,level=warn,order=ORD-1`)")]
    NotKeyValue(String),
    #[error("unknown key `{0}`: use `function`, `level` or `order`")]
    UnknownKey(String),
    #[error("unknown level `{0}`: use trace, debug, info, warn or error")]
    UnknownLevel(String),
}

/// The parsed filter; the default shows every line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogFilter {
    functions: Vec<String>,
    level: Option<Level>,
    orders: Vec<String>,
}

impl LogFilter {
    /// Whether a line of `function` at `level` about `order_id` is shown.
    pub fn shows(&self, function: &str, level: Level, order_id: Option<&str>) -> bool {
        (self.functions.is_empty() || self.functions.iter().any(|name| name == function))
            && self.level.is_none_or(|least| level >= least)
            && (self.orders.is_empty()
                || order_id.is_some_and(|id| self.orders.iter().any(|order| order == id)))
    }
}

impl FromStr for LogFilter {
    type Err = LogFilterError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let mut filter = LogFilter::default();
        for term in text
            .split(',')
            .map(str::trim)
            .filter(|term| !term.is_empty())
        {
            let Some((key, value)) = term.split_once('=') else {
                return Err(LogFilterError::NotKeyValue(term.to_owned()));
            };
            let value = value.trim();
            match key.trim() {
                "function" => filter.functions.push(value.to_owned()),
                "order" => filter.orders.push(value.to_owned()),
                "level" => {
                    let level = Level::parse(value)
                        .ok_or_else(|| LogFilterError::UnknownLevel(value.to_owned()))?;
                    // Several levels: the least severe one wins.
                    filter.level = Some(filter.level.map_or(level, |least| least.min(level)));
                }
                other => return Err(LogFilterError::UnknownKey(other.to_owned())),
            }
        }
        Ok(filter)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_match_every_key_given_and_any_value_of_a_key() {
        #[track_caller]
        fn case(filter: &str, line: (&str, Level, Option<&str>), shown: bool) {
            let filter: LogFilter = filter.parse().unwrap();
            assert_eq!(
                filter.shows(line.0, line.1, line.2),
                shown,
                "{filter:?} {line:?}"
            );
        }
        case("", ("task", Level::Debug, None), true);
        case("function=task", ("task", Level::Info, None), true);
        case("function=task", ("notification", Level::Info, None), false);
        case(
            "function=task,function=notification",
            ("notification", Level::Info, None),
            true,
        );
        case("level=warn", ("task", Level::Info, None), false);
        case("level=WARN", ("task", Level::Error, None), true);
        case("level=warn", ("task", Level::Warn, None), true);
        case("order=ORD-1", ("task", Level::Info, Some("ORD-1")), true);
        case("order=ORD-1", ("task", Level::Info, Some("ORD-10")), false);
        case("order=ORD-1", ("task", Level::Info, None), false);
        case(
            " function=task , level=info, order=ORD-1 ",
            ("task", Level::Info, Some("ORD-1")),
            true,
        );
        case(
            "function=task,level=warn",
            ("task", Level::Info, None),
            false,
        );
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        #[track_caller]
        fn case(filter: &str, expected: &str) {
            assert_eq!(
                filter.parse::<LogFilter>().unwrap_err().to_string(),
                expected
            );
        }
        case(
            "task",
            "`task` is not `key=value` (e.g. `function=task,level=warn,order=ORD-1`)",
        );
        case(
            "fn=task",
            "unknown key `fn`: use `function`, `level` or `order`",
        );
        case(
            "level=loud",
            "unknown level `loud`: use trace, debug, info, warn or error",
        );
    }
}
