//! What the handlers log, against moto through the real AWS SDK: every record ends in one JSON
//! record line whose `outcome` is a word and whose details are plain JSON fields, with
//! `request_id`, `message_id`, `order_id` and `function` on it — never a Rust debug structure.

use runtime::batch::BatchOptions;
use runtime::handlers::{DlqProcessor, NotificationLogger, OrderProcessor};
use runtime::telemetry::{LogCapture, RecordLine, subscriber};
use serde_json::Value;
use tests::receive_all;
use tracing::instrument::WithSubscriber;

use crate::runtime_moto::{BUCKET, Fixture, TABLE, order};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: three functions' batches, then every line they wrote"
)]
async fn every_record_ends_in_one_line_with_its_outcome_as_plain_json() {
    let fixture = Fixture::start().await;
    let capture = LogCapture::default();
    let task = fixture.queue("task").await;
    let notify = fixture.queue("notification").await;
    let order_processor = fixture.service(
        OrderProcessor::build,
        &[
            ("BUCKET_NAME", BUCKET),
            ("DISCOUNT_TABLE", TABLE),
            ("NOTIFY_QUEUE_URL", &notify),
        ],
    );
    let empty = r#"{"order_id": "ORD-P", "items": []}"#.to_owned();
    let first = fixture
        .records(
            "task-in",
            &[
                order("ORD-A", "10"),
                "not json at all".to_owned(),
                empty.clone(),
            ],
        )
        .await;
    order_processor
        .process(first, BatchOptions::default(), "req-1")
        .with_subscriber(subscriber("task", "info", capture.clone()))
        .await;
    let again = fixture.records("task-again", &[order("ORD-A", "10")]).await;
    order_processor
        .process(again, BatchOptions::default(), "req-2")
        .with_subscriber(subscriber("task", "info", capture.clone()))
        .await;

    let dlq_processor = fixture.service(
        DlqProcessor::build,
        &[
            ("BUCKET_NAME", BUCKET),
            ("REQUEUE_QUEUE_URL", &task),
            ("REQUEUE_DELAY_SECONDS", "0"),
        ],
    );
    let repairable =
        r#"{"order_id": " ORD-R ", "items": [{"name": "x", "price": "12.50", "quantity": "2"}]}"#;
    let dead = fixture
        .records(
            "task-dlq",
            &[repairable.to_owned(), "{{{ not an order".to_owned(), empty],
        )
        .await;
    dlq_processor
        .process(dead, BatchOptions::default(), "req-3")
        .with_subscriber(subscriber("dlq-processor", "info", capture.clone()))
        .await;

    let notification_logger = fixture.service(NotificationLogger::build, &[]);
    let arn = "arn:aws:sqs:us-east-1:123456789012:notification";
    let notifications = receive_all(&fixture.sqs, &notify, 2)
        .await
        .iter()
        .map(|message| tests::to_event_record(message, arn))
        .collect();
    notification_logger
        .process(notifications, BatchOptions::default(), "req-4")
        .with_subscriber(subscriber("notification", "info", capture.clone()))
        .await;

    let lines = capture.lines();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.is_object(), "not a JSON object: {line}");
        for key in ["timestamp", "level", "function", "message"] {
            assert!(line[key].is_string(), "no `{key}` in {line}");
        }
        if let Some(debug) = debug_structure(line) {
            panic!("a Rust debug structure `{debug}` in {line}");
        }
    }
    let records: Vec<&Value> = lines
        .iter()
        .filter(|line| line.get("outcome").is_some())
        .collect();
    assert_eq!(records.len(), 9, "one line per record: {records:#?}");
    for record in &records {
        for key in ["request_id", "message_id", "function"] {
            assert!(record[key].is_string(), "no `{key}` in {record}");
        }
        assert!(
            record.get("order_id").is_some(),
            "no `order_id` in {record}"
        );
        for (key, value) in record.as_object().unwrap() {
            assert!(
                plain(value),
                "`{key}` is not a plain JSON value in {record}"
            );
        }
        serde_json::from_value::<RecordLine>((*record).clone())
            .unwrap_or_else(|error| panic!("{error}: {record}"));
    }
    let only = |function: &str, order_id: Value, outcome: &str| -> Vec<&Value> {
        records
            .iter()
            .copied()
            .filter(|line| {
                line["function"] == function
                    && line["order_id"] == order_id
                    && line["outcome"] == outcome
            })
            .collect()
    };

    let invoice: Value =
        serde_json::from_slice(&fixture.object("invoices/ORD-A.json").await.unwrap()).unwrap();
    let invoiced = only("task", "ORD-A".into(), "invoiced");
    assert_eq!(invoiced.len(), 1, "{records:#?}");
    assert_eq!(
        (
            &invoiced[0]["key"],
            &invoiced[0]["total"],
            &invoiced[0]["currency"],
            &invoiced[0]["request_id"],
            &invoiced[0]["level"],
        ),
        (
            &Value::from("invoices/ORD-A.json"),
            &invoice["total"],
            &Value::from("USD"),
            &Value::from("req-1"),
            &Value::from("INFO"),
        )
    );
    let duplicate = only("task", "ORD-A".into(), "duplicate");
    assert_eq!(duplicate.len(), 1, "{records:#?}");
    assert_eq!(duplicate[0]["key"], "invoices/ORD-A.json");
    assert_eq!(duplicate[0]["request_id"], "req-2");

    let poison = only("task", Value::Null, "failed");
    assert_eq!(poison.len(), 1, "the body names no order: {records:#?}");
    assert_eq!(poison[0]["kind"], "invalid");
    assert_eq!(poison[0]["level"], "WARN");
    assert!(
        poison[0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("invalid order: "),
        "{}",
        poison[0]
    );
    let empty_order = only("task", "ORD-P".into(), "failed");
    assert_eq!(empty_order.len(), 1, "{records:#?}");
    assert!(empty_order[0]["reason"].as_str().unwrap().contains("items"));

    let repaired = only("dlq-processor", "ORD-R".into(), "repaired");
    assert_eq!(repaired.len(), 1, "{records:#?}");
    let repairs = repaired[0]["repairs"].as_array().unwrap();
    assert!(
        !repairs.is_empty() && repairs.iter().all(Value::is_string),
        "{repairs:?}"
    );
    for order_id in [Value::Null, "ORD-P".into()] {
        let parked = only("dlq-processor", order_id, "parked");
        assert_eq!(parked.len(), 1, "{records:#?}");
        let key = parked[0]["key"].as_str().unwrap();
        assert!(key.starts_with("dead-letters/"), "{key}");
        assert!(
            fixture.object(key).await.is_some(),
            "{key} is in the bucket"
        );
        assert!(
            parked[0]["reason"]
                .as_str()
                .unwrap()
                .starts_with("invalid order")
        );
    }

    let notified = only("notification", "ORD-A".into(), "notified");
    assert_eq!(
        notified.len(),
        2,
        "invoiced and duplicate both notify: {records:#?}"
    );
    assert_eq!(notified[0]["key"], "invoices/ORD-A.json");
    assert_eq!(
        notified[0]["idempotency_key"],
        notified[1]["idempotency_key"]
    );

    let batches: Vec<&Value> = lines
        .iter()
        .filter(|line| line["message"] == "batch done")
        .collect();
    assert_eq!(batches.len(), 4);
    assert_eq!(
        (&batches[0]["received"], &batches[0]["failed"]),
        (&3.into(), &2.into())
    );
}

/// Scalars, or a list of scalars: what Logs Insights filters on directly.
fn plain(value: &Value) -> bool {
    match value {
        Value::Object(_) => false,
        Value::Array(items) => items
            .iter()
            .all(|item| !item.is_object() && !item.is_array()),
        _ => true,
    }
}

/// The first text in `value` shaped like Rust's `Debug` of a struct or enum: a capitalised
/// identifier followed by `(` or ` {`, as in `DeadLetter(Parked { key: … })` or `Some(`.
fn debug_structure(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => debug_in_text(text).map(str::to_owned),
        Value::Array(items) => items.iter().find_map(debug_structure),
        Value::Object(members) => members.iter().find_map(|(key, value)| {
            debug_in_text(key)
                .map(str::to_owned)
                .or_else(|| debug_structure(value))
        }),
        _ => None,
    }
}

fn debug_in_text(text: &str) -> Option<&str> {
    let identifier = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.char_indices()
        .filter(|(start, c)| c.is_ascii_uppercase() && !text[..*start].ends_with(identifier))
        .find_map(|(start, _)| {
            let rest = &text[start..];
            let end = rest.find(|c: char| !identifier(c)).unwrap_or(rest.len());
            (rest[end..].starts_with('(') || rest[end..].starts_with(" {")).then_some(rest)
        })
}

#[test]
fn debug_structures_are_recognised() {
    #[track_caller]
    fn case(text: &str, found: bool) {
        assert_eq!(debug_in_text(text).is_some(), found, "{text}");
    }
    case(r#"DeadLetter(Parked { key: "k" })"#, true);
    case("Parked { key: \"k\" }", true);
    case("Some(\"ORD-1\")", true);
    case(
        "invalid order: items must have 1 to 1000 entries, got 0",
        false,
    );
    case(r#"items[0].price: string "12.50" → 12.50"#, false);
    case(
        "object store unavailable: circuit open, next probe in 3s",
        false,
    );
}
