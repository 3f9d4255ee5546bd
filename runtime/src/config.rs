//! Settings read once at start from the environment the template sets. A missing or malformed
//! variable stops the function before it takes any message, naming the variable.
//!
//! [`Settings`] are what every function shares (concurrency, FIFO, metrics, breaker, deadline
//! margin, port timeout). Each handler reads its own variables through [`Variables`] when it is
//! built (see [`crate::Startup`]): there is no configuration struct with a field per handler.

use std::ops::RangeInclusive;
use std::time::Duration;

/// Environment variables the runtime and its built-in handlers read.
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
    /// The trigger queue, set only when it has a dead-letter queue: records found invalid are
    /// made visible again at once there, so they reach the dead-letter queue without waiting out
    /// their visibility timeouts (a retry cannot mend them).
    pub const TRIGGER_QUEUE_URL: &str = "TRIGGER_QUEUE_URL";
    /// Requeues of one dead letter before it is parked. Default 3.
    pub const REQUEUE_MAX_ATTEMPTS: &str = "REQUEUE_MAX_ATTEMPTS";
    /// Delay of each requeued message in seconds (0–900). Default 60.
    pub const REQUEUE_DELAY_SECONDS: &str = "REQUEUE_DELAY_SECONDS";
    /// Seconds the store's circuit breaker stays open before a probe. Default 30.
    pub const BREAKER_COOLDOWN_SECONDS: &str = "BREAKER_COOLDOWN_SECONDS";
    /// Milliseconds before the Lambda deadline at which unfinished records are reported failed.
    /// Default 1000 (never more than a fifth of the time an invocation has).
    pub const DEADLINE_MARGIN_MS: &str = "DEADLINE_MARGIN_MS";
    /// Seconds one AWS call (all its attempts) may take before it fails as transient. Default 5.
    pub const PORT_TIMEOUT_SECONDS: &str = "PORT_TIMEOUT_SECONDS";
    /// Set by Lambda; names the function in logs and metrics.
    pub const FUNCTION_NAME: &str = "AWS_LAMBDA_FUNCTION_NAME";
    /// Metric namespace for the EMF lines. Default `OrderPipeline`.
    pub const METRICS_NAMESPACE: &str = "METRICS_NAMESPACE";
    /// The DynamoDB table of `writes.table` (its physical name).
    pub const TABLE_NAME: &str = "TABLE_NAME";
    /// The partition key attribute name of the table of `writes.table`.
    pub const TABLE_PARTITION_KEY: &str = "TABLE_PARTITION_KEY";
    /// The From address of `writes.email` (`email.sender`).
    pub const EMAIL_SENDER: &str = "EMAIL_SENDER";
    /// The SES configuration set of `writes.email` (optional: `email.configuration_set`).
    pub const EMAIL_CONFIGURATION_SET: &str = "EMAIL_CONFIGURATION_SET";
    /// The queue accepted requests are sent to (`writes.enqueue`).
    pub const ENQUEUE_QUEUE_URL: &str = "ENQUEUE_QUEUE_URL";
    /// The EventBridge bus of `writes.events` (its name).
    pub const EVENT_BUS_NAME: &str = "EVENT_BUS_NAME";
    /// The `source` of the events the function publishes (`<pipeline>.<function>`).
    pub const EVENT_SOURCE: &str = "EVENT_SOURCE";
}

/// Seconds the store's circuit breaker stays open when `BREAKER_COOLDOWN_SECONDS` is not set.
pub const DEFAULT_BREAKER_COOLDOWN_SECONDS: u32 = 30;

/// A variable that is missing or cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("environment variable `{variable}` {problem}")]
pub struct ConfigError {
    /// The variable's name.
    pub variable: &'static str,
    /// What is wrong, and why it matters.
    pub problem: String,
}

/// How [`Variables`] look a name up.
type Lookup = Box<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Reads variables by name: the process environment, or a map in tests. Blank counts as unset.
pub struct Variables {
    lookup: Lookup,
}

impl std::fmt::Debug for Variables {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Variables").finish_non_exhaustive()
    }
}

impl Variables {
    /// The process environment.
    pub fn from_env() -> Self {
        Self::new(|name| std::env::var(name).ok())
    }

    /// Variables read through `lookup`.
    pub fn new(lookup: impl Fn(&str) -> Option<String> + Send + Sync + 'static) -> Self {
        Self {
            lookup: Box::new(lookup),
        }
    }

    /// Variables from `(name, value)` pairs, for tests.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let map: std::collections::HashMap<String, String> = pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        Self::new(move |name| map.get(name).cloned())
    }

    /// The value of `name`, `None` when unset or blank.
    pub fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    /// The value of `name`; unset, the error says `why` the handler needs it.
    pub fn require(&self, name: &'static str, why: &str) -> Result<String, ConfigError> {
        self.get(name).ok_or_else(|| ConfigError {
            variable: name,
            problem: format!("is not set: {why}"),
        })
    }

    /// A whole number in `range`, `default` when unset.
    pub fn number(
        &self,
        name: &'static str,
        default: u32,
        range: RangeInclusive<u32>,
    ) -> Result<u32, ConfigError> {
        let Some(text) = self.get(name) else {
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
    }

    /// `true` or `false`, `default` when unset.
    pub fn boolean(&self, name: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).as_deref().map(str::trim) {
            None => Ok(default),
            Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(other) => Err(ConfigError {
                variable: name,
                problem: format!("must be `true` or `false`, found `{other}`"),
            }),
        }
    }

    /// JSON read into `T`; `what` names it in the error.
    pub fn json<T: serde::de::DeserializeOwned>(
        &self,
        name: &'static str,
        what: &str,
        why: &str,
    ) -> Result<T, ConfigError> {
        let text = self.require(name, why)?;
        serde_json::from_str(&text).map_err(|error| ConfigError {
            variable: name,
            problem: format!("is not a valid {what}: {error}"),
        })
    }
}

/// What every function shares, whatever its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The function's name, for logs and metrics.
    pub function_name: String,
    /// Records (or groups) in flight at once.
    pub concurrency: usize,
    /// Whether the trigger queue is FIFO.
    pub fifo: bool,
    /// Namespace of the EMF metrics.
    pub metrics_namespace: String,
    /// Seconds the store's circuit breaker stays open before a probe.
    pub breaker_cooldown_seconds: u32,
    /// How long before the Lambda deadline unfinished records are reported failed (at most a
    /// fifth of the time an invocation has).
    pub deadline_margin: Duration,
    /// How long one AWS call may take, all attempts of the SDK included.
    pub port_timeout: Duration,
    /// The trigger queue invalid records are made visible again on (`TRIGGER_QUEUE_URL`): only
    /// a queue with a dead-letter queue, where they then go on at once.
    pub release_invalid_on: Option<String>,
}

impl Settings {
    /// Reads the shared settings; `handler` names the function when Lambda does not.
    pub fn read(variables: &Variables, handler: &str) -> Result<Self, ConfigError> {
        Ok(Self {
            function_name: variables
                .get(vars::FUNCTION_NAME)
                .unwrap_or_else(|| handler.to_owned()),
            concurrency: variables.number(vars::BATCH_CONCURRENCY, 10, 1..=1000)? as usize,
            fifo: variables.boolean(vars::TRIGGER_FIFO, false)?,
            metrics_namespace: variables
                .get(vars::METRICS_NAMESPACE)
                .unwrap_or_else(|| "OrderPipeline".to_owned()),
            breaker_cooldown_seconds: variables.number(
                vars::BREAKER_COOLDOWN_SECONDS,
                DEFAULT_BREAKER_COOLDOWN_SECONDS,
                1..=3600,
            )?,
            deadline_margin: Duration::from_millis(u64::from(variables.number(
                vars::DEADLINE_MARGIN_MS,
                1000,
                0..=60_000,
            )?)),
            port_timeout: Duration::from_secs(u64::from(variables.number(
                vars::PORT_TIMEOUT_SECONDS,
                5,
                1..=300,
            )?)),
            release_invalid_on: variables.get(vars::TRIGGER_QUEUE_URL),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named_with_its_purpose() {
        let variables = Variables::from_pairs([("DISCOUNT_TABLE", " ")]);
        let error = variables
            .require(
                "BUCKET_NAME",
                "the order processor writes invoices to this bucket",
            )
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "environment variable `BUCKET_NAME` is not set: the order processor writes invoices to this bucket"
        );
        let error = variables.require("DISCOUNT_TABLE", "pricing").unwrap_err();
        assert_eq!(error.variable, "DISCOUNT_TABLE", "blank counts as missing");
    }

    #[test]
    fn a_malformed_variable_says_what_is_expected() {
        let read = |name: &'static str, value: &'static str| {
            Settings::read(&Variables::from_pairs([(name, value)]), "task")
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            read("BATCH_CONCURRENCY", "many"),
            "environment variable `BATCH_CONCURRENCY` must be a whole number from 1 to 1000, found `many`"
        );
        assert_eq!(
            read("TRIGGER_FIFO", "yes"),
            "environment variable `TRIGGER_FIFO` must be `true` or `false`, found `yes`"
        );
        assert_eq!(
            read("PORT_TIMEOUT_SECONDS", "0"),
            "environment variable `PORT_TIMEOUT_SECONDS` must be a whole number from 1 to 300, found `0`"
        );
        let error = Variables::from_pairs([("DISCOUNT_TABLE", "{")])
            .json::<crate::order::DiscountTable>("DISCOUNT_TABLE", "discount table", "pricing")
            .unwrap_err();
        assert!(
            error.to_string().starts_with(
                "environment variable `DISCOUNT_TABLE` is not a valid discount table: "
            )
        );
    }

    #[test]
    fn defaults_fill_what_is_optional() {
        let settings = Settings::read(&Variables::from_pairs([]), "notification_logger").unwrap();
        assert_eq!(
            settings,
            Settings {
                function_name: "notification_logger".to_owned(),
                concurrency: 10,
                fifo: false,
                metrics_namespace: "OrderPipeline".to_owned(),
                breaker_cooldown_seconds: 30,
                deadline_margin: Duration::from_secs(1),
                port_timeout: Duration::from_secs(5),
                release_invalid_on: None,
            }
        );
        let settings =
            Settings::read(&Variables::from_pairs([("TRIGGER_FIFO", "true")]), "task").unwrap();
        assert!(settings.fifo);
    }
}
