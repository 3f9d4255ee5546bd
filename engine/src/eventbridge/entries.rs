//! `PutEvents` entries: checked one by one as EventBridge checks them (each failure is that
//! entry's `ErrorCode` and `ErrorMessage`, the others go on), sized as EventBridge sizes them, and
//! turned into the event every rule sees and every target receives.
//!
//! The envelope is EventBridge's ("Amazon EventBridge events",
//! <https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html>): `version`
//! `"0"`, `id` (a UUID), `detail-type`, `source`, `account`, `time` (UTC, whole seconds, `Z`),
//! `region`, `resources` and `detail`, in that order. The per-entry messages are EventBridge's, as
//! moto reproduces them (`Parameter Source is not valid. Reason: Source is a required argument.`,
//! `Detail is malformed.`); the size rule is "Calculating Amazon EventBridge PutEvents event entry
//! size" (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html>).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use super::error::EventsError;
use crate::sqs::registry::{ACCOUNT, REGION};

/// Entries per `PutEvents` (`Entries`: "Array Members: Minimum number of 1 item. Maximum number
/// of 10 items").
pub const MAX_ENTRIES: usize = 10;

/// The most the entries of one `PutEvents` may weigh together, by EventBridge's size rule.
pub const MAX_ENTRIES_BYTES: usize = 256 * 1024;

/// An entry's size as EventBridge counts it: 14 bytes for `Time` when present, then the UTF-8
/// bytes of `Source`, `DetailType`, `Detail` and each of `Resources`.
pub fn entry_size(entry: &Value) -> usize {
    let text = |field: &str| entry.get(field).and_then(Value::as_str).map_or(0, str::len);
    let time = if entry.get("Time").is_some_and(|time| !time.is_null()) {
        14
    } else {
        0
    };
    let resources: usize = entry
        .get("Resources")
        .and_then(Value::as_array)
        .map_or(0, |list| list.iter().filter_map(Value::as_str).map(str::len).sum());
    time + text("Source") + text("DetailType") + text("Detail") + resources
}

/// The checks of the whole request: 1 to 10 entries, 256 KB together.
pub fn check_request(entries: &[Value]) -> Result<(), EventsError> {
    if entries.is_empty() {
        return Err(EventsError::validation(
            "1 validation error detected: Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    if entries.len() > MAX_ENTRIES {
        return Err(EventsError::validation(
            "1 validation error detected: Value '[PutEventsRequestEntry]' at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10",
        ));
    }
    let total: usize = entries.iter().map(entry_size).sum();
    if total > MAX_ENTRIES_BYTES {
        return Err(EventsError::validation(
            "Total size of the entries in the request is over the limit.",
        ));
    }
    Ok(())
}

/// Why one entry failed: its `ErrorCode` and `ErrorMessage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFailure {
    /// `ErrorCode`.
    pub code: &'static str,
    /// `ErrorMessage`.
    pub message: String,
}

impl EntryFailure {
    fn required(field: &str) -> Self {
        Self {
            code: "InvalidArgument",
            message: format!(
                "Parameter {field} is not valid. Reason: {field} is a required argument."
            ),
        }
    }
}

/// An accepted entry: the bus it goes to and its event.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    /// `EventBusName` (a name; an ARN is read as its name), `default` when absent.
    pub bus: String,
    /// The event, as rules match it and targets receive it.
    pub event: Value,
}

/// Checks one entry and builds its event with a fresh id; `now` is the time when `Time` is
/// absent.
pub fn accept(entry: &Value, id: String, now: SystemTime) -> Result<Accepted, EntryFailure> {
    let present = |field: &str| {
        entry
            .get(field)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
    };
    let source = present("Source").ok_or_else(|| EntryFailure::required("Source"))?;
    let detail_type = present("DetailType").ok_or_else(|| EntryFailure::required("DetailType"))?;
    let detail_text = present("Detail").ok_or_else(|| EntryFailure::required("Detail"))?;
    let detail = match serde_json::from_str::<Value>(detail_text) {
        Ok(detail @ Value::Object(_)) => detail,
        _ => {
            return Err(EntryFailure {
                code: "MalformedDetail",
                message: "Detail is malformed.".into(),
            });
        }
    };
    let time = entry
        .get("Time")
        .and_then(Value::as_f64)
        .filter(|seconds| seconds.is_finite() && *seconds >= 0.0)
        .map_or(now, |seconds| UNIX_EPOCH + Duration::from_secs_f64(seconds));
    let resources: Vec<Value> = entry
        .get("Resources")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter(|item| item.is_string()).cloned().collect())
        .unwrap_or_default();
    let bus = super::registry::bus_name(entry.get("EventBusName").and_then(Value::as_str));
    let mut event = Map::new();
    event.insert("version".into(), Value::from("0"));
    event.insert("id".into(), Value::from(id));
    event.insert("detail-type".into(), Value::from(detail_type));
    event.insert("source".into(), Value::from(source));
    event.insert("account".into(), Value::from(ACCOUNT));
    event.insert(
        "time".into(),
        Value::from(crate::s3::time::iso_8601_seconds(time)),
    );
    event.insert("region".into(), Value::from(REGION));
    event.insert("resources".into(), Value::Array(resources));
    event.insert("detail".into(), detail);
    Ok(Accepted {
        bus: bus.to_owned(),
        event: Value::Object(event),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn entry() -> Value {
        json!({
            "Source": "shop.ingest",
            "DetailType": "OrderPlaced",
            "Detail": "{\"order_id\":\"ORD-1\",\"total\":1250}",
            "Resources": ["arn:aws:sqs:us-east-1:000000000000:a"],
            "EventBusName": "orders"
        })
    }

    #[test]
    fn an_accepted_entry_becomes_the_exact_envelope() {
        let now = UNIX_EPOCH + Duration::from_millis(1_764_540_000_250);
        let accepted = accept(&entry(), "id-1".into(), now).expect("accepted");
        assert_eq!(accepted.bus, "orders");
        assert_eq!(
            accepted.event.to_string(),
            r#"{"version":"0","id":"id-1","detail-type":"OrderPlaced","source":"shop.ingest","account":"000000000000","time":"2025-11-30T22:00:00Z","region":"us-east-1","resources":["arn:aws:sqs:us-east-1:000000000000:a"],"detail":{"order_id":"ORD-1","total":1250}}"#
        );
        let mut timed = entry();
        timed["Time"] = json!(0);
        let accepted = accept(&timed, "id-2".into(), now).expect("accepted");
        assert_eq!(accepted.event["time"], "1970-01-01T00:00:00Z");
    }

    #[track_caller]
    fn fails(change: impl FnOnce(&mut Value), code: &'static str, message: &str) {
        let mut entry = entry();
        change(&mut entry);
        assert_eq!(
            accept(&entry, "id".into(), SystemTime::now()),
            Err(EntryFailure {
                code,
                message: message.to_owned()
            })
        );
    }

    #[test]
    fn entries_fail_with_eventbridge_codes_and_messages() {
        fails(
            |entry| drop(entry.as_object_mut().map(|map| map.remove("Source"))),
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument.",
        );
        fails(
            |entry| entry["DetailType"] = json!(""),
            "InvalidArgument",
            "Parameter DetailType is not valid. Reason: DetailType is a required argument.",
        );
        fails(
            |entry| drop(entry.as_object_mut().map(|map| map.remove("Detail"))),
            "InvalidArgument",
            "Parameter Detail is not valid. Reason: Detail is a required argument.",
        );
        fails(|entry| entry["Detail"] = json!("{not json"), "MalformedDetail", "Detail is malformed.");
        fails(|entry| entry["Detail"] = json!("[1, 2]"), "MalformedDetail", "Detail is malformed.");
    }

    #[test]
    fn requests_are_bounded_by_count_and_size() {
        assert!(check_request(&[]).is_err());
        assert!(check_request(&vec![entry(); 11]).is_err());
        check_request(&vec![entry(); 10]).expect("ten entries");
        let mut big = entry();
        big["Detail"] = json!(format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_ENTRIES_BYTES)));
        assert_eq!(
            check_request(&[big]),
            Err(EventsError::validation(
                "Total size of the entries in the request is over the limit."
            ))
        );
        let mut timed = entry();
        timed["Time"] = json!(1);
        assert_eq!(entry_size(&timed), entry_size(&entry()) + 14);
    }
}
