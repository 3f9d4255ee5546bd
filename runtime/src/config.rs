//! The handler's settings, read once at start from the environment the template sets. A missing
//! or malformed variable stops the function before it takes any message, naming the variable.

use crate::order::DiscountTable;

/// Which handler a generated Lambda runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandlerKind {
    /// Validates and prices orders, writes invoices, sends notifications.
    OrderProcessor,
    /// Logs the notifications it receives.
    NotificationLogger,
    /// Re-validates dead letters: requeues, repairs or parks them.
    DlqProcessor,
}

impl HandlerKind {
    /// The name used in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            HandlerKind::OrderProcessor => "order_processor",
            HandlerKind::NotificationLogger => "notification_logger",
            HandlerKind::DlqProcessor => "dlq_processor",
        }
    }
}

/// Environment variables the runtime reads.
pub mod vars {
    /// Bucket for invoices and parked messages.
    pub const BUCKET_NAME: &str = "BUCKET_NAME";
    /// Queue that receives a notification per invoice (optional).
    pub const NOTIFY_QUEUE_URL: &str = "NOTIFY_QUEUE_URL";
    /// Queue that dead letters are requeued to.
    pub const REQUEUE_QUEUE_URL: &str = "REQUEUE_QUEUE_URL";
    /// The discount table as JSON (see [`crate::order::DiscountTable`]).
    pub const DISCOUNT_TABLE: &str = "DISCOUNT_TABLE";
    /// Records (or FIFO groups) processed at once. Default 10.
    pub const BATCH_CONCURRENCY: &str = "BATCH_CONCURRENCY";
    /// `true` when the trigger queue is FIFO.
    pub const TRIGGER_FIFO: &str = "TRIGGER_FIFO";
    /// Requeues of one dead letter before it is parked. Default 3.
    pub const REQUEUE_MAX_ATTEMPTS: &str = "REQUEUE_MAX_ATTEMPTS";
    /// Delay of each requeued message in seconds (0–900). Default 60.
    pub const REQUEUE_DELAY_SECONDS: &str = "REQUEUE_DELAY_SECONDS";
    /// Seconds the store's circuit breaker stays open before a probe. Default 30.
    pub const BREAKER_COOLDOWN_SECONDS: &str = "BREAKER_COOLDOWN_SECONDS";
    /// Set by Lambda; names the function in logs and metrics.
    pub const FUNCTION_NAME: &str = "AWS_LAMBDA_FUNCTION_NAME";
    /// Metric namespace for the EMF lines. Default `OrderPipeline`.
    pub const METRICS_NAMESPACE: &str = "METRICS_NAMESPACE";
}

/// Seconds the store's circuit breaker stays open when `BREAKER_COOLDOWN_SECONDS` is not set.
pub const DEFAULT_BREAKER_COOLDOWN_SECONDS: u32 = 30;

/// Settings of one handler.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// The handler this function runs.
    pub kind: HandlerKind,
    /// The function's name, for logs and metrics.
    pub function_name: String,
    /// Invoices (order processor) and parked messages (DLQ processor).
    pub bucket: Option<String>,
    /// Where the order processor sends notifications.
    pub notify_queue_url: Option<String>,
    /// Where the DLQ processor requeues.
    pub requeue_queue_url: Option<String>,
    /// Promo codes and bulk tiers.
    pub discount_table: Option<DiscountTable>,
    /// Records (or groups) in flight at once.
    pub concurrency: usize,
    /// Whether the trigger queue is FIFO.
    pub fifo: bool,
    /// Requeues of a dead letter before it is parked.
    pub requeue_max_attempts: u32,
    /// Delay of each requeue, in seconds.
    pub requeue_delay_seconds: u32,
    /// Namespace of the EMF metrics.
    pub metrics_namespace: String,
    /// Seconds the store's circuit breaker stays open before a probe.
    pub breaker_cooldown_seconds: u32,
}

/// A variable that is missing or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable `{variable}` {problem}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong, and why it matters.
    pub problem: String,
}

impl RuntimeConfig {
    /// Reads the settings of `kind` from the process environment.
    pub fn from_env(kind: HandlerKind) -> Result<Self, ConfigError> {
        Self::from_lookup(kind, |name| std::env::var(name).ok())
    }

    /// Reads the settings of `kind` through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(
        kind: HandlerKind,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let require = |name: &'static str, why: &str| {
            get(name).ok_or_else(|| ConfigError {
                variable: name,
                problem: format!("is not set: {why}"),
            })
        };
        let (bucket, notify_queue_url, requeue_queue_url, discount_table) = match kind {
            HandlerKind::OrderProcessor => {
                let bucket = require(
                    vars::BUCKET_NAME,
                    "the order processor writes invoices to this bucket",
                )?;
                let table = require(
                    vars::DISCOUNT_TABLE,
                    "the order processor prices orders with this table",
                )?;
                let table =
                    serde_json::from_str::<DiscountTable>(&table).map_err(|error| ConfigError {
                        variable: vars::DISCOUNT_TABLE,
                        problem: format!("is not a valid discount table: {error}"),
                    })?;
                (Some(bucket), get(vars::NOTIFY_QUEUE_URL), None, Some(table))
            }
            HandlerKind::DlqProcessor => (
                Some(require(
                    vars::BUCKET_NAME,
                    "the DLQ processor parks messages in this bucket",
                )?),
                None,
                Some(require(
                    vars::REQUEUE_QUEUE_URL,
                    "the DLQ processor requeues repaired orders to this queue",
                )?),
                None,
            ),
            HandlerKind::NotificationLogger => (None, None, None, None),
        };
        let number = |name: &'static str,
                      default: u32,
                      range: std::ops::RangeInclusive<u32>|
         -> Result<u32, ConfigError> {
            let Some(text) = get(name) else {
                return Ok(default);
            };
            text.trim()
                .parse::<u32>()
                .ok()
                .filter(|value| range.contains(value))
                .ok_or_else(|| ConfigError {
                    variable: name,
                    problem: format!(
                        "must be a whole number from {} to {}, found `{text}`",
                        range.start(),
                        range.end()
                    ),
                })
        };
        let fifo = match get(vars::TRIGGER_FIFO).as_deref().map(str::trim) {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(ConfigError {
                    variable: vars::TRIGGER_FIFO,
                    problem: format!("must be `true` or `false`, found `{other}`"),
                });
            }
        };
        Ok(Self {
            kind,
            function_name: get(vars::FUNCTION_NAME).unwrap_or_else(|| kind.name().to_owned()),
            bucket,
            notify_queue_url,
            requeue_queue_url,
            discount_table,
            concurrency: number(vars::BATCH_CONCURRENCY, 10, 1..=1000)? as usize,
            fifo,
            requeue_max_attempts: number(vars::REQUEUE_MAX_ATTEMPTS, 3, 1..=10)?,
            requeue_delay_seconds: number(vars::REQUEUE_DELAY_SECONDS, 60, 0..=900)?,
            breaker_cooldown_seconds: number(
                vars::BREAKER_COOLDOWN_SECONDS,
                DEFAULT_BREAKER_COOLDOWN_SECONDS,
                1..=3600,
            )?,
            metrics_namespace: get(vars::METRICS_NAMESPACE)
                .unwrap_or_else(|| "OrderPipeline".to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const TABLE: &str = r#"{"currency": "USD", "promo_codes": {}, "bulk_tiers": []}"#;

    fn load(kind: HandlerKind, vars: &[(&str, &str)]) -> Result<RuntimeConfig, ConfigError> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        RuntimeConfig::from_lookup(kind, |name| vars.get(name).map(|value| (*value).to_owned()))
    }

    #[test]
    fn a_missing_variable_is_named_with_its_purpose() {
        let error = load(HandlerKind::OrderProcessor, &[("DISCOUNT_TABLE", TABLE)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable `BUCKET_NAME` is not set: the order processor writes invoices to this bucket"
        );
        let error = load(HandlerKind::DlqProcessor, &[("BUCKET_NAME", "b")]).unwrap_err();
        assert_eq!(error.variable, "REQUEUE_QUEUE_URL");
        let error = load(
            HandlerKind::OrderProcessor,
            &[("BUCKET_NAME", "b"), ("DISCOUNT_TABLE", " ")],
        )
        .unwrap_err();
        assert_eq!(error.variable, "DISCOUNT_TABLE", "blank counts as missing");
    }

    #[test]
    fn a_malformed_variable_says_what_is_expected() {
        let base = [("BUCKET_NAME", "b"), ("DISCOUNT_TABLE", TABLE)];
        let with = |extra: (&'static str, &'static str)| {
            let mut vars = base.to_vec();
            vars.push(extra);
            load(HandlerKind::OrderProcessor, &vars)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            with(("BATCH_CONCURRENCY", "many")),
            "environment variable `BATCH_CONCURRENCY` must be a whole number from 1 to 1000, found `many`"
        );
        assert_eq!(
            with(("TRIGGER_FIFO", "yes")),
            "environment variable `TRIGGER_FIFO` must be `true` or `false`, found `yes`"
        );
        assert!(
            with(("DISCOUNT_TABLE", "{")).starts_with(
                "environment variable `DISCOUNT_TABLE` is not a valid discount table: "
            )
        );
        let error = load(
            HandlerKind::DlqProcessor,
            &[
                ("BUCKET_NAME", "b"),
                ("REQUEUE_QUEUE_URL", "u"),
                ("REQUEUE_DELAY_SECONDS", "901"),
            ],
        )
        .unwrap_err();
        assert_eq!(error.variable, "REQUEUE_DELAY_SECONDS");
    }

    #[test]
    fn defaults_fill_what_is_optional() {
        let config = load(HandlerKind::NotificationLogger, &[]).unwrap();
        assert_eq!(
            (
                config.concurrency,
                config.fifo,
                config.requeue_max_attempts,
                config.requeue_delay_seconds
            ),
            (10, false, 3, 60)
        );
        assert_eq!(config.function_name, "notification_logger");
        assert_eq!(config.metrics_namespace, "OrderPipeline");
        let config = load(
            HandlerKind::OrderProcessor,
            &[
                ("BUCKET_NAME", "b"),
                ("DISCOUNT_TABLE", TABLE),
                ("TRIGGER_FIFO", "true"),
            ],
        )
        .unwrap();
        assert!(config.fifo);
        assert_eq!(config.bucket.as_deref(), Some("b"));
        assert_eq!(config.notify_queue_url, None);
    }
}
