//! One function per EventBridge operation: read the JSON request, act on the registry, answer
//! in the operation's shape (`API_<Operation>` of the EventBridge API reference). `PutEvents`
//! starts its deliveries after the registry's lock is released.

use std::time::SystemTime;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::delivery::Job;
use super::entries::{accept, check_request};
use super::error::EventsError;
use super::registry::{Counters, DEFAULT_BUS, bus_name, parse_pattern};
use super::service::EventBridge;
use super::targets;

/// The most items one list answers (`Limit`: 1–100).
const MAX_LIMIT: usize = 100;

/// Runs `operation` (the part of `X-Amz-Target` after `AWSEvents.`).
pub(super) fn dispatch(
    events: &EventBridge,
    operation: &str,
    request: &Value,
) -> Result<Value, EventsError> {
    match operation {
        "PutEvents" => put_events(events, request),
        "CreateEventBus" => {
            let name = required(request, "Name")?;
            let description = optional(request, "Description");
            let mut registry = events.lock();
            registry.create_bus(name, description.clone())?;
            let mut answer = json!({ "EventBusArn": super::registry::bus_arn(name) });
            if let Some(description) = description {
                answer["Description"] = json!(description);
            }
            Ok(answer)
        }
        "DescribeEventBus" => {
            let name = bus_name(request.get("Name").and_then(Value::as_str));
            Ok(events.lock().bus(name)?.describe())
        }
        "DeleteEventBus" => {
            let name = required(request, "Name")?;
            events.lock().delete_bus(bus_name(Some(name)))?;
            Ok(json!({}))
        }
        "ListEventBuses" => {
            let registry = events.lock();
            let buses: Vec<(String, Value)> = registry
                .buses
                .values()
                .map(|bus| (bus.name.clone(), bus.describe()))
                .collect();
            page(request, buses, "EventBuses")
        }
        "PutRule" => put_rule(events, request),
        "DescribeRule" => {
            let name = required(request, "Name")?;
            let bus = bus_of(request);
            Ok(events.lock().rule(bus, name)?.describe())
        }
        "DeleteRule" => {
            let name = required(request, "Name")?;
            let force = request.get("Force").and_then(Value::as_bool) == Some(true);
            events.lock().delete_rule(bus_of(request), name, force)?;
            Ok(json!({}))
        }
        "ListRules" => {
            let registry = events.lock();
            let rules: Vec<(String, Value)> = registry
                .bus(bus_of(request))?
                .rules
                .values()
                .map(|rule| {
                    let mut described = rule.describe();
                    if let Some(members) = described.as_object_mut() {
                        members.remove("CreatedBy");
                    }
                    (rule.name.clone(), described)
                })
                .collect();
            page(request, rules, "Rules")
        }
        "PutTargets" => put_targets(events, request),
        "RemoveTargets" => {
            let rule = required(request, "Rule")?;
            let ids: Vec<String> = request
                .get("Ids")
                .and_then(Value::as_array)
                .map(|ids| ids.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default();
            events.lock().remove_targets(bus_of(request), rule, &ids)?;
            Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
        }
        "ListTargetsByRule" => {
            let rule = required(request, "Rule")?;
            let registry = events.lock();
            let targets: Vec<(String, Value)> = registry
                .rule(bus_of(request), rule)?
                .targets
                .iter()
                .enumerate()
                .map(|(index, target)| (format!("{index:04}"), target.description.clone()))
                .collect();
            page(request, targets, "Targets")
        }
        "TestEventPattern" => test_event_pattern(request),
        other => Err(EventsError::UnknownOperation(other.to_owned())),
    }
}

fn put_events(events: &EventBridge, request: &Value) -> Result<Value, EventsError> {
    let entries = request
        .get("Entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    check_request(&entries)?;
    let now = SystemTime::now();
    let received = Instant::now();
    let ingestion_time = crate::s3::time::iso_8601(now);
    let mut answers = Vec::with_capacity(entries.len());
    let mut failed = 0_u32;
    let mut jobs = Vec::new();
    {
        let registry = events.lock();
        for entry in &entries {
            let id = crate::sqs::message::new_uuid();
            let accepted = accept(entry, id.clone(), now).map_err(|failure| {
                json!({ "ErrorCode": failure.code, "ErrorMessage": failure.message })
            });
            let accepted = accepted.and_then(|accepted| {
                registry
                    .bus(&accepted.bus)
                    .map(|bus| (bus, accepted.event))
                    .map_err(|error| {
                        json!({ "ErrorCode": error.name(), "ErrorMessage": error.to_string() })
                    })
            });
            match accepted {
                Ok((bus, event)) => {
                    let event = std::sync::Arc::new(event);
                    for rule in bus.rules.values() {
                        if !rule.enabled || !rule.pattern.matches(&event) {
                            continue;
                        }
                        Counters::bump(&rule.counters.matched);
                        for target in &rule.targets {
                            jobs.push(Job {
                                event: std::sync::Arc::clone(&event),
                                rule_name: rule.name.clone(),
                                rule_arn: rule.arn(),
                                ingestion_time: ingestion_time.clone(),
                                received,
                                target: target.clone(),
                                counters: std::sync::Arc::clone(&rule.counters),
                            });
                        }
                    }
                    answers.push(json!({ "EventId": id }));
                }
                Err(answer) => {
                    failed += 1;
                    answers.push(answer);
                }
            }
        }
    }
    for job in jobs {
        events.deliveries().start(job);
    }
    Ok(json!({ "FailedEntryCount": failed, "Entries": answers }))
}

fn put_rule(events: &EventBridge, request: &Value) -> Result<Value, EventsError> {
    let name = required(request, "Name")?;
    let bus = bus_of(request);
    let pattern = optional(request, "EventPattern");
    let schedule = optional(request, "ScheduleExpression");
    let pattern = match (pattern, schedule) {
        (None, None) => {
            return Err(EventsError::validation(
                "Parameter(s) EventPattern or ScheduleExpression must be specified.",
            ));
        }
        (_, Some(_)) if bus != DEFAULT_BUS => {
            return Err(EventsError::validation(
                "ScheduleExpression is supported only on the default event bus.",
            ));
        }
        (_, Some(_)) => {
            return Err(EventsError::validation(
                "ScheduleExpression is not served by the local engine (it runs no schedules); give the rule an EventPattern.",
            ));
        }
        (Some(pattern), None) => pattern,
    };
    let enabled = match request.get("State").and_then(Value::as_str) {
        None | Some("ENABLED" | "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS") => true,
        Some("DISABLED") => false,
        Some(other) => {
            return Err(EventsError::validation(format!(
                "1 validation error detected: Value '{other}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]"
            )));
        }
    };
    let arn = events.lock().put_rule(
        bus,
        name,
        &pattern,
        optional(request, "Description"),
        enabled,
    )?;
    Ok(json!({ "RuleArn": arn }))
}

fn put_targets(events: &EventBridge, request: &Value) -> Result<Value, EventsError> {
    let rule = required(request, "Rule")?;
    let list = request
        .get("Targets")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if list.is_empty() || list.len() > 10 {
        return Err(EventsError::validation(format!(
            "1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10 (found {})",
            list.len()
        )));
    }
    let parsed = list
        .iter()
        .enumerate()
        .map(|(index, target)| targets::from_request(target, index + 1))
        .collect::<Result<Vec<_>, _>>()?;
    events.lock().put_targets(bus_of(request), rule, parsed)?;
    Ok(json!({ "FailedEntryCount": 0, "FailedEntries": [] }))
}

/// `TestEventPattern`: the event must be JSON with the fields every event has.
fn test_event_pattern(request: &Value) -> Result<Value, EventsError> {
    let pattern = parse_pattern(required(request, "EventPattern")?)?;
    let event: Value = serde_json::from_str(required(request, "Event")?)
        .map_err(|_| EventsError::validation("Parameter Event is not valid."))?;
    for field in ["id", "account", "source", "time", "region", "detail-type"] {
        if event.get(field).is_none() {
            return Err(EventsError::validation(format!(
                "Parameter Event is not valid. Reason: Provided Event must have a field `{field}`."
            )));
        }
    }
    Ok(json!({ "Result": pattern.matches(&event) }))
}

fn bus_of(request: &Value) -> &str {
    bus_name(request.get("EventBusName").and_then(Value::as_str))
}

fn required<'a>(request: &'a Value, field: &str) -> Result<&'a str, EventsError> {
    request
        .get(field)
        .and_then(Value::as_str)
        .ok_or_else(|| {
            EventsError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                field[..1].to_ascii_lowercase() + &field[1..]
            ))
        })
}

fn optional(request: &Value, field: &str) -> Option<String> {
    request
        .get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
        .map(str::to_owned)
}

/// One page of `items` (sorted by their key): `Limit` (1–100) items after `NextToken`, with the
/// next token when more remain; `NamePrefix` filters by key.
fn page(request: &Value, items: Vec<(String, Value)>, member: &str) -> Result<Value, EventsError> {
    let limit = match request.get("Limit").and_then(Value::as_u64) {
        None => MAX_LIMIT,
        Some(limit @ 1..=100) => usize::try_from(limit).unwrap_or(MAX_LIMIT),
        Some(limit) => {
            return Err(EventsError::validation(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100"
            )));
        }
    };
    let prefix = request
        .get("NamePrefix")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let after = request
        .get("NextToken")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut remaining = items
        .into_iter()
        .filter(|(key, _)| key.starts_with(prefix) || member == "Targets")
        .filter(|(key, _)| after.is_empty() || key.as_str() > after);
    let chosen: Vec<(String, Value)> = remaining.by_ref().take(limit).collect();
    let mut answer = json!({ member: chosen.iter().map(|(_, item)| item.clone()).collect::<Vec<_>>() });
    if remaining.next().is_some()
        && let Some((last, _)) = chosen.last()
    {
        answer["NextToken"] = json!(last);
    }
    Ok(answer)
}
