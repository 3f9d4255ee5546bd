//! Buses, their rules and the rules' targets, with EventBridge's rules for names, limits and
//! the answers of the set-up operations. No I/O: `operations` maps requests onto it, `delivery`
//! reads the targets of the rules an event matches.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use patterns::Pattern;
use patterns::input::{InputPath, InputTransformer};
use serde_json::{Value, json};

use super::error::EventsError;
use crate::sqs::registry::{ACCOUNT, REGION};

/// The bus every account has.
pub const DEFAULT_BUS: &str = "default";

/// Targets per rule ("Amazon EventBridge quotas": 5).
pub const MAX_TARGETS_PER_RULE: usize = 5;

/// `RetryPolicy` defaults: 185 attempts, 24 hours (`API_RetryPolicy`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 185;
/// See [`DEFAULT_MAX_ATTEMPTS`].
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(86_400);

/// `arn:aws:events:us-east-1:000000000000:event-bus/<name>`.
pub fn bus_arn(name: &str) -> String {
    format!("arn:aws:events:{REGION}:{ACCOUNT}:event-bus/{name}")
}

/// A rule's ARN: `rule/<name>` on the default bus, `rule/<bus>/<name>` on a custom one.
pub fn rule_arn(bus: &str, name: &str) -> String {
    if bus == DEFAULT_BUS {
        format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}")
    } else {
        format!("arn:aws:events:{REGION}:{ACCOUNT}:rule/{bus}/{name}")
    }
}

/// The bus an `EventBusName` names: a name or a bus ARN; absent, the default bus.
pub fn bus_name(name_or_arn: Option<&str>) -> &str {
    match name_or_arn {
        None | Some("") => DEFAULT_BUS,
        Some(text) => text
            .strip_prefix("arn:")
            .and_then(|_| text.rsplit_once(":event-bus/"))
            .map_or(text, |(_, name)| name),
    }
}

/// The queue an SQS ARN of this engine names (`arn:aws:sqs:us-east-1:000000000000:<queue>`).
pub fn queue_of(arn: &str) -> Option<&str> {
    arn.strip_prefix(&format!("arn:aws:sqs:{REGION}:{ACCOUNT}:"))
        .filter(|name| !name.is_empty() && !name.contains(':'))
}

/// A rule's counters, shared with deliveries in flight.
#[derive(Debug, Default)]
pub struct Counters {
    /// Events the rule matched.
    pub matched: AtomicU64,
    /// Target deliveries that reached their queue.
    pub delivered: AtomicU64,
    /// Target deliveries that never reached their queue (dead-lettered or dropped).
    pub failed: AtomicU64,
}

impl Counters {
    /// Adds one to `counter`.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// What a target receives.
#[derive(Debug, Clone)]
pub enum TargetInput {
    /// The whole event.
    Event,
    /// `Input`: this JSON text, whatever the event.
    Constant(String),
    /// `InputPath`: the part of the event at the path.
    Path(InputPath),
    /// `InputTransformer`.
    Transformer(InputTransformer),
}

/// A target of a rule: a queue of the engine.
#[derive(Debug, Clone)]
pub struct Target {
    /// `Id`.
    pub id: String,
    /// `Arn`: the queue's.
    pub arn: String,
    /// What the queue receives.
    pub input: TargetInput,
    /// `RetryPolicy.MaximumRetryAttempts`.
    pub max_attempts: u32,
    /// `RetryPolicy.MaximumEventAgeInSeconds`.
    pub max_age: Duration,
    /// `DeadLetterConfig.Arn`.
    pub dead_letter_arn: Option<String>,
    /// `SqsParameters.MessageGroupId` (FIFO queues).
    pub message_group_id: Option<String>,
    /// The target as `PutTargets` received it, for `ListTargetsByRule`.
    pub description: Value,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `Name`.
    pub name: String,
    /// Its bus.
    pub bus: String,
    /// `EventPattern` as given.
    pub pattern_text: String,
    /// The parsed pattern.
    pub pattern: Arc<Pattern>,
    /// `Description`.
    pub description: Option<String>,
    /// `State`: `ENABLED` or `DISABLED`.
    pub enabled: bool,
    /// Targets, in the order they were first put.
    pub targets: Vec<Target>,
    /// Counters, kept when the rule is put again.
    pub counters: Arc<Counters>,
}

impl Rule {
    /// The rule's ARN.
    pub fn arn(&self) -> String {
        rule_arn(&self.bus, &self.name)
    }

    /// `DescribeRule`'s answer (`ListRules` drops `CreatedBy`).
    pub fn describe(&self) -> Value {
        let mut rule = json!({
            "Name": self.name,
            "Arn": self.arn(),
            "EventPattern": self.pattern_text,
            "State": if self.enabled { "ENABLED" } else { "DISABLED" },
            "EventBusName": self.bus,
            "CreatedBy": ACCOUNT,
        });
        if let Some(description) = &self.description {
            rule["Description"] = json!(description);
        }
        rule
    }
}

/// A bus.
#[derive(Debug, Clone)]
pub struct Bus {
    /// `Name`.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `CreationTime`, seconds since the epoch.
    pub created: f64,
    /// Rules by name.
    pub rules: BTreeMap<String, Rule>,
}

impl Bus {
    fn new(name: &str, description: Option<String>) -> Self {
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |elapsed| elapsed.as_secs_f64().floor());
        Self {
            name: name.to_owned(),
            description,
            created,
            rules: BTreeMap::new(),
        }
    }

    /// `DescribeEventBus` / `ListEventBuses` entry.
    pub fn describe(&self) -> Value {
        let mut bus = json!({
            "Name": self.name,
            "Arn": bus_arn(&self.name),
            "CreationTime": self.created,
            "LastModifiedTime": self.created,
        });
        if let Some(description) = &self.description {
            bus["Description"] = json!(description);
        }
        bus
    }
}

/// Every bus of the engine.
#[derive(Debug)]
pub struct Registry {
    /// Buses by name.
    pub buses: BTreeMap<String, Bus>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// Only the default bus.
    pub fn new() -> Self {
        let mut buses = BTreeMap::new();
        buses.insert(DEFAULT_BUS.to_owned(), Bus::new(DEFAULT_BUS, None));
        Self { buses }
    }

    /// The bus named `name`.
    pub fn bus(&self, name: &str) -> Result<&Bus, EventsError> {
        self.buses.get(name).ok_or_else(|| EventsError::no_bus(name))
    }

    fn bus_mut(&mut self, name: &str) -> Result<&mut Bus, EventsError> {
        self.buses
            .get_mut(name)
            .ok_or_else(|| EventsError::no_bus(name))
    }

    /// `CreateEventBus`.
    pub fn create_bus(
        &mut self,
        name: &str,
        description: Option<String>,
    ) -> Result<&Bus, EventsError> {
        if name.contains('/') {
            return Err(EventsError::validation("Event bus name must not contain '/'."));
        }
        check_name("Name", name, 256)?;
        if self.buses.contains_key(name) {
            return Err(EventsError::ResourceAlreadyExists(format!(
                "Event bus {name} already exists."
            )));
        }
        Ok(self
            .buses
            .entry(name.to_owned())
            .or_insert_with(|| Bus::new(name, description)))
    }

    /// `DeleteEventBus`: the default bus stays; deleting a bus that does not exist succeeds, as
    /// EventBridge's does; its rules go with it.
    pub fn delete_bus(&mut self, name: &str) -> Result<(), EventsError> {
        if name == DEFAULT_BUS {
            return Err(EventsError::validation("Cannot delete event bus default."));
        }
        self.buses.remove(name);
        Ok(())
    }

    /// `PutRule` with an event pattern: creates or replaces the rule, keeping its targets and
    /// counters.
    pub fn put_rule(
        &mut self,
        bus: &str,
        name: &str,
        pattern_text: &str,
        description: Option<String>,
        enabled: bool,
    ) -> Result<String, EventsError> {
        check_name("Name", name, 64)?;
        let pattern = parse_pattern(pattern_text)?;
        let bus = self.bus_mut(bus)?;
        let (targets, counters) = bus.rules.get(name).map_or_else(
            || (Vec::new(), Arc::default()),
            |rule| (rule.targets.clone(), Arc::clone(&rule.counters)),
        );
        let rule = Rule {
            name: name.to_owned(),
            bus: bus.name.clone(),
            pattern_text: pattern_text.to_owned(),
            pattern: Arc::new(pattern),
            description,
            enabled,
            targets,
            counters,
        };
        let arn = rule.arn();
        bus.rules.insert(name.to_owned(), rule);
        Ok(arn)
    }

    /// The rule `name` of `bus`.
    pub fn rule(&self, bus: &str, name: &str) -> Result<&Rule, EventsError> {
        self.bus(bus)?
            .rules
            .get(name)
            .ok_or_else(|| EventsError::no_rule(name, bus))
    }

    fn rule_mut(&mut self, bus: &str, name: &str) -> Result<&mut Rule, EventsError> {
        self.bus_mut(bus)?
            .rules
            .get_mut(name)
            .ok_or_else(|| EventsError::no_rule(name, bus))
    }

    /// `DeleteRule`: refused while the rule has targets; a rule that does not exist is no error.
    pub fn delete_rule(&mut self, bus: &str, name: &str, force: bool) -> Result<(), EventsError> {
        let bus = self.bus_mut(bus)?;
        if let Some(rule) = bus.rules.get(name) {
            if !rule.targets.is_empty() && !force {
                return Err(EventsError::validation(
                    "Rule can't be deleted since it has targets.",
                ));
            }
            bus.rules.remove(name);
        }
        Ok(())
    }

    /// `PutTargets`: each target replaces the one with its id; past
    /// [`MAX_TARGETS_PER_RULE`] the whole call is refused.
    pub fn put_targets(
        &mut self,
        bus: &str,
        rule: &str,
        targets: Vec<Target>,
    ) -> Result<(), EventsError> {
        let rule = self.rule_mut(bus, rule)?;
        let mut merged = rule.targets.clone();
        for target in targets {
            match merged.iter_mut().find(|existing| existing.id == target.id) {
                Some(existing) => *existing = target,
                None => merged.push(target),
            }
        }
        if merged.len() > MAX_TARGETS_PER_RULE {
            return Err(EventsError::LimitExceeded(
                "The requested resource exceeds the maximum number allowed.".into(),
            ));
        }
        rule.targets = merged;
        Ok(())
    }

    /// `RemoveTargets`: ids the rule does not have are ignored.
    pub fn remove_targets(
        &mut self,
        bus: &str,
        rule: &str,
        ids: &[String],
    ) -> Result<(), EventsError> {
        let rule = self.rule_mut(bus, rule)?;
        rule.targets.retain(|target| !ids.contains(&target.id));
        Ok(())
    }
}

/// A pattern `PutRule` takes, or `InvalidEventPatternException` with P's first reason.
pub fn parse_pattern(text: &str) -> Result<Pattern, EventsError> {
    Pattern::parse_str(text).map_err(|errors| {
        let reason = errors
            .first()
            .map_or_else(|| "the pattern is not valid".to_owned(), |error| error.message.clone());
        EventsError::InvalidEventPattern(reason)
    })
}

/// A name of 1 to `max` of `[.\-_A-Za-z0-9]` (rules, buses, target ids).
pub fn check_name(field: &str, name: &str, max: usize) -> Result<(), EventsError> {
    let valid = !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if valid {
        Ok(())
    } else {
        Err(EventsError::validation(format!(
            "1 validation error detected: Value '{name}' at '{}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and {max}",
            lower_first(field)
        )))
    }
}

fn lower_first(field: &str) -> String {
    let mut chars = field.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_bus_names_read_as_eventbridge_writes_them() {
        assert_eq!(
            rule_arn("orders", "high-value"),
            "arn:aws:events:us-east-1:000000000000:rule/orders/high-value"
        );
        assert_eq!(
            rule_arn(DEFAULT_BUS, "all"),
            "arn:aws:events:us-east-1:000000000000:rule/all"
        );
        assert_eq!(bus_name(None), "default");
        assert_eq!(bus_name(Some("orders")), "orders");
        assert_eq!(
            bus_name(Some("arn:aws:events:us-east-1:000000000000:event-bus/orders")),
            "orders"
        );
        assert_eq!(
            queue_of("arn:aws:sqs:us-east-1:000000000000:high-value"),
            Some("high-value")
        );
        assert_eq!(queue_of("arn:aws:lambda:us-east-1:000000000000:function:f"), None);
    }

    #[test]
    fn the_default_bus_stays_and_names_are_checked() {
        let mut registry = Registry::new();
        assert_eq!(
            registry.delete_bus(DEFAULT_BUS),
            Err(EventsError::validation("Cannot delete event bus default."))
        );
        registry.create_bus("orders", None).expect("created");
        assert_eq!(
            registry.create_bus("orders", None).map(|_| ()),
            Err(EventsError::ResourceAlreadyExists(
                "Event bus orders already exists.".into()
            ))
        );
        assert!(matches!(
            registry.create_bus("a/b", None),
            Err(EventsError::Validation(_))
        ));
        assert!(check_name("Name", "high value", 64).is_err());
        assert!(check_name("Name", &"a".repeat(65), 64).is_err());
        check_name("Name", "high-value_1.0", 64).expect("valid");
    }
}
