//! [`Bus`]: the EventBridge bus a function publishes to (`writes.events`). Events go out in
//! `PutEvents` calls of at most ten entries; an entry the bus refused for a passing reason
//! (throttled, an internal failure) is sent again, alone with the others that failed, with the
//! runtime's jittered backoff inside the bus's circuit breaker; an entry EventBridge could never
//! take (over 256 KB by its size rule, a detail that is not a JSON object) is refused before
//! anything is sent, with its reason.

use std::sync::Mutex;
use std::sync::PoisonError;

use serde::Serialize;
use serde_json::Value;

use crate::batch::RecordFailure;
use crate::config::{ConfigError, vars};
use crate::guard::{GuardError, Guarded};
use crate::ports::{EntryResult, EventPublisher, OutgoingEvent, PortError};
use crate::startup::{AwsPorts, Ports, Startup};

/// Entries per `PutEvents` call (`Entries`: at most 10).
pub const MAX_ENTRIES_PER_CALL: usize = 10;

/// The most one entry may weigh by EventBridge's size rule ("Calculating PutEvents event entry
/// size", <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// The entry codes worth sending again: the bus's own passing failures.
const RETRYABLE_CODES: [&str; 5] = [
    "ThrottlingException",
    "InternalException",
    "InternalFailure",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// An entry's size as EventBridge counts it: the UTF-8 bytes of `Source`, `DetailType`,
/// `Detail` and each of `Resources` (the runtime never sets `Time`, which would add 14).
pub fn entry_size(entry: &OutgoingEvent) -> usize {
    entry.source.len()
        + entry.detail_type.len()
        + entry.detail.len()
        + entry.resources.iter().map(String::len).sum::<usize>()
}

/// Why events were not all published.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishError {
    /// An event EventBridge could never take; nothing was sent.
    #[error("event {index} cannot be published: {reason}")]
    Invalid {
        /// Its position among the events given.
        index: usize,
        /// Why.
        reason: String,
    },
    /// The bus refused some events for good (the others were published).
    #[error("the bus refused {} event(s): {}", refused.len(), describe(refused))]
    Refused {
        /// Position, `ErrorCode` and `ErrorMessage` of each refused event.
        refused: Vec<(usize, String, String)>,
    },
    /// The calls failed (after their retries), or the breaker is open; events before the
    /// failed call were published.
    #[error("publishing failed: {0}")]
    Failed(GuardError),
}

fn describe(refused: &[(usize, String, String)]) -> String {
    refused
        .iter()
        .map(|(index, code, message)| format!("event {index}: {code}: {message}"))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An event that cannot be published fails the record as invalid; a bus that failed as its
/// [`GuardError`] says (throttled, transient).
impl From<PublishError> for RecordFailure {
    fn from(error: PublishError) -> Self {
        match error {
            PublishError::Failed(guard) => {
                let mut failure = RecordFailure::from(guard);
                failure.reason = format!("publish failed: {}", failure.reason);
                failure
            }
            other => RecordFailure::invalid(other.to_string()),
        }
    }
}

/// The bus of `writes.events`: events with this function's `source`, each retried with jitter
/// inside the bus's circuit breaker.
#[derive(Debug)]
pub struct Bus<E = <AwsPorts as Ports>::Events> {
    name: String,
    source: String,
    publisher: Guarded<E>,
}

impl<E: EventPublisher> Bus<E> {
    /// The bus named by `variable` (`EVENT_BUS_NAME`, set by the template for `writes.events`),
    /// publishing with the source `EVENT_SOURCE` names.
    pub fn from_startup<P: Ports<Events = E>>(
        startup: &Startup<P>,
        variable: &'static str,
        resource: &str,
    ) -> Result<Self, ConfigError> {
        let variables = startup.variables();
        let name = variables.require(
            variable,
            &format!("the handler publishes events to bus `{resource}` through it"),
        )?;
        let source = variables.require(
            vars::EVENT_SOURCE,
            &format!("the events the handler publishes to `{resource}` carry it as their source"),
        )?;
        Ok(Self::new(name, source, startup.guarded_events()))
    }

    /// A bus named `name` publishing as `source` through `publisher`.
    pub fn new(name: String, source: String, publisher: Guarded<E>) -> Self {
        Self {
            name,
            source,
            publisher,
        }
    }

    /// The bus's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `source` of every event published.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Publishes one event whose `detail` is `detail`; returns its event id.
    pub async fn publish_one<D: Serialize>(
        &self,
        detail_type: &str,
        detail: &D,
    ) -> Result<String, PublishError> {
        let detail = serde_json::to_value(detail).map_err(|error| PublishError::Invalid {
            index: 0,
            reason: format!("the detail does not serialise: {error}"),
        })?;
        let mut ids = self.publish(detail_type, vec![detail]).await?;
        Ok(ids.pop().unwrap_or_default())
    }

    /// Publishes one event per `details` entry (each a JSON object), in calls of at most ten;
    /// returns the event ids in order. Every event is checked before the first call.
    pub async fn publish(
        &self,
        detail_type: &str,
        details: Vec<Value>,
    ) -> Result<Vec<String>, PublishError> {
        let entries = details
            .iter()
            .enumerate()
            .map(|(index, detail)| self.entry(index, detail_type, detail))
            .collect::<Result<Vec<_>, _>>()?;
        let mut ids = Vec::with_capacity(entries.len());
        let mut refused = Vec::new();
        for (chunk_index, chunk) in entries.chunks(MAX_ENTRIES_PER_CALL).enumerate() {
            let offset = chunk_index * MAX_ENTRIES_PER_CALL;
            let results = self.send(chunk).await.map_err(PublishError::Failed)?;
            for (position, result) in results.into_iter().enumerate() {
                match result {
                    EntryResult::Published { event_id } => ids.push(event_id),
                    EntryResult::Failed { code, message } => {
                        refused.push((offset + position, code, message));
                    }
                }
            }
        }
        if refused.is_empty() {
            Ok(ids)
        } else {
            Err(PublishError::Refused { refused })
        }
    }

    fn entry(
        &self,
        index: usize,
        detail_type: &str,
        detail: &Value,
    ) -> Result<OutgoingEvent, PublishError> {
        if !detail.is_object() {
            return Err(PublishError::Invalid {
                index,
                reason: "the detail must be a JSON object (EventBridge answers `MalformedDetail` otherwise)".into(),
            });
        }
        let entry = OutgoingEvent {
            source: self.source.clone(),
            detail_type: detail_type.to_owned(),
            detail: detail.to_string(),
            resources: Vec::new(),
        };
        let size = entry_size(&entry);
        if size > MAX_ENTRY_BYTES {
            return Err(PublishError::Invalid {
                index,
                reason: format!(
                    "the entry is {size} bytes by EventBridge's size rule (source, detail type and detail); it takes at most {MAX_ENTRY_BYTES}: publish a reference to the data instead"
                ),
            });
        }
        Ok(entry)
    }

    /// Sends one call's entries; entries that failed for a passing reason are sent again (only
    /// they), with the runtime's backoff, until they go through or the attempts run out.
    async fn send(&self, entries: &[OutgoingEvent]) -> Result<Vec<EntryResult>, GuardError> {
        // The result of each entry so far; `None` while it still has to go.
        let results: Mutex<Vec<Option<EntryResult>>> = Mutex::new(vec![None; entries.len()]);
        let lock = || results.lock().unwrap_or_else(PoisonError::into_inner);
        let outcome = self
            .publisher
            .call(|publisher| {
                let pending: Vec<usize> = lock()
                    .iter()
                    .enumerate()
                    .filter(|(_, result)| result.is_none())
                    .map(|(index, _)| index)
                    .collect();
                let batch: Vec<OutgoingEvent> =
                    pending.iter().map(|index| entries[*index].clone()).collect();
                let results = &results;
                async move {
                    let answers = publisher.put_events(&self.name, batch).await?;
                    let mut retryable = Vec::new();
                    let mut stored = results.lock().unwrap_or_else(PoisonError::into_inner);
                    for (index, answer) in pending.into_iter().zip(answers) {
                        match &answer {
                            EntryResult::Failed { code, message }
                                if RETRYABLE_CODES.contains(&code.as_str()) =>
                            {
                                retryable.push(format!("{code}: {message}"));
                            }
                            _ => stored[index] = Some(answer),
                        }
                    }
                    if retryable.is_empty() {
                        Ok(())
                    } else {
                        let throttled = retryable
                            .iter()
                            .any(|failure| failure.starts_with("ThrottlingException"));
                        let operation = format!("PutEvents to bus {}", self.name);
                        let message = format!(
                            "{} entr{} failed: {}",
                            retryable.len(),
                            if retryable.len() == 1 { "y" } else { "ies" },
                            retryable.join("; ")
                        );
                        Err(if throttled {
                            PortError::throttled(operation, message)
                        } else {
                            PortError::transient(operation, message)
                        })
                    }
                }
            })
            .await;
        outcome?;
        Ok(results
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| EntryResult::Failed {
                    code: "Unknown".into(),
                    message: "no answer for this entry".into(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use serde_json::json;

    use super::*;
    use crate::resilience::{BreakerConfig, CircuitBreaker, RetryPolicy};

    /// A bus that answers each call from a script: per call, the codes of its entries in order
    /// (`""` for published), and records what each call carried.
    #[derive(Debug, Clone, Default)]
    struct ScriptedBus {
        script: Arc<Mutex<Vec<Vec<&'static str>>>>,
        calls: Arc<Mutex<Vec<Vec<String>>>>,
    }

    impl EventPublisher for ScriptedBus {
        async fn put_events(
            &self,
            _bus: &str,
            entries: Vec<OutgoingEvent>,
        ) -> Result<Vec<EntryResult>, PortError> {
            let mut calls = self.calls.lock().unwrap();
            calls.push(entries.iter().map(|entry| entry.detail.clone()).collect());
            let call = calls.len();
            let codes = {
                let mut script = self.script.lock().unwrap();
                if script.is_empty() {
                    Vec::new()
                } else {
                    script.remove(0)
                }
            };
            Ok(entries
                .iter()
                .enumerate()
                .map(|(index, _)| match codes.get(index).copied().unwrap_or("") {
                    "" => EntryResult::Published {
                        event_id: format!("event-{call}-{index}"),
                    },
                    code => EntryResult::Failed {
                        code: code.to_owned(),
                        message: format!("{code} from the script"),
                    },
                })
                .collect())
        }
    }

    fn bus(publisher: ScriptedBus) -> Bus<ScriptedBus> {
        let retry = RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        };
        Bus::new(
            "orders".into(),
            "shop.ingest".into(),
            Guarded::new(publisher, CircuitBreaker::new(BreakerConfig::default()), retry),
        )
    }

    fn details(count: usize) -> Vec<Value> {
        (0..count).map(|index| json!({ "n": index })).collect()
    }

    #[tokio::test]
    async fn events_go_out_in_calls_of_at_most_ten() {
        let publisher = ScriptedBus::default();
        let ids = bus(publisher.clone())
            .publish("OrderPlaced", details(23))
            .await
            .expect("published");
        assert_eq!(ids.len(), 23);
        let sizes: Vec<usize> = publisher.calls.lock().unwrap().iter().map(Vec::len).collect();
        assert_eq!(sizes, [10, 10, 3]);
    }

    #[tokio::test]
    async fn only_the_entries_that_failed_for_a_passing_reason_are_sent_again() {
        let publisher = ScriptedBus::default();
        publisher
            .script
            .lock()
            .unwrap()
            .push(vec!["", "ThrottlingException", "", "InternalFailure"]);
        let ids = bus(publisher.clone())
            .publish("OrderPlaced", details(4))
            .await
            .expect("published after one retry");
        assert_eq!(ids, ["event-1-0", "event-2-0", "event-1-2", "event-2-1"]);
        let calls = publisher.calls.lock().unwrap().clone();
        assert_eq!(calls[1], [r#"{"n":1}"#, r#"{"n":3}"#]);
    }

    #[tokio::test]
    async fn entries_refused_for_good_are_reported_and_not_retried() {
        let publisher = ScriptedBus::default();
        publisher
            .script
            .lock()
            .unwrap()
            .push(vec!["", "MalformedDetail"]);
        let error = bus(publisher.clone())
            .publish("OrderPlaced", details(2))
            .await
            .expect_err("one refused");
        assert_eq!(
            error,
            PublishError::Refused {
                refused: vec![(
                    1,
                    "MalformedDetail".into(),
                    "MalformedDetail from the script".into()
                )]
            }
        );
        assert_eq!(publisher.calls.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn throttling_that_lasts_fails_as_throttled_after_the_attempts() {
        let publisher = ScriptedBus::default();
        *publisher.script.lock().unwrap() = vec![vec!["ThrottlingException"]; 5];
        let error = bus(publisher.clone())
            .publish("OrderPlaced", details(1))
            .await
            .expect_err("still throttled");
        let PublishError::Failed(guard) = &error else {
            panic!("{error:?}");
        };
        assert!(guard.is_throttled());
        assert_eq!(publisher.calls.lock().unwrap().len(), 3);
        assert!(RecordFailure::from(error).throttled);
    }

    #[tokio::test]
    async fn an_entry_over_256_kb_or_not_an_object_is_refused_before_sending() {
        let publisher = ScriptedBus::default();
        let big = json!({ "blob": "x".repeat(MAX_ENTRY_BYTES) });
        let error = bus(publisher.clone())
            .publish("OrderPlaced", vec![json!({"ok": true}), big])
            .await
            .expect_err("too large");
        assert!(
            matches!(&error, PublishError::Invalid { index: 1, reason } if reason.contains("at most 262144")),
            "{error}"
        );
        let error = bus(publisher.clone())
            .publish("OrderPlaced", vec![json!([1, 2])])
            .await
            .expect_err("not an object");
        assert!(matches!(error, PublishError::Invalid { index: 0, .. }));
        assert!(publisher.calls.lock().unwrap().is_empty(), "nothing was sent");
        // Exactly at the limit is allowed: source + detail type + detail.
        let entry = OutgoingEvent {
            source: "shop.ingest".into(),
            detail_type: "OrderPlaced".into(),
            detail: "{}".into(),
            resources: vec!["arn:x".into()],
        };
        assert_eq!(entry_size(&entry), 11 + 11 + 2 + 5);
    }
}
