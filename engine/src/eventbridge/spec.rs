//! Buses, rules and targets created when the engine starts (`EngineConfig::buses`), as `gen dev`
//! configures them from pipeline.yaml's `buses`.

use std::collections::BTreeMap;
use std::time::Duration;

/// A custom bus and its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusSpec {
    /// The bus name (`<pipeline>-<bus>-local` under `gen dev`).
    pub name: String,
    /// Its rules.
    pub rules: Vec<RuleSpec>,
}

/// A rule: an event pattern and the targets of the events it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// The rule name.
    pub name: String,
    /// The event pattern, as JSON text (what `PutRule` takes).
    pub pattern: String,
    /// Its targets (AWS allows 5 per rule).
    pub targets: Vec<TargetSpec>,
}

/// A target: a queue of the engine's SQS, with what it receives and how delivery is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// The target id (unique within its rule).
    pub id: String,
    /// The queue's name (it must exist when events arrive).
    pub queue: String,
    /// `InputPath`: the part of the event the queue receives.
    pub input_path: Option<String>,
    /// `InputTransformer`: input paths (name → path) and the template.
    pub input_transformer: Option<(BTreeMap<String, String>, String)>,
    /// `RetryPolicy.MaximumRetryAttempts` (0–185).
    pub max_attempts: u32,
    /// `RetryPolicy.MaximumEventAgeInSeconds` (60 s–24 h).
    pub max_age: Duration,
    /// The dead-letter queue's name, if any.
    pub dead_letter_queue: Option<String>,
}
