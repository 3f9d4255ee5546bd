//! Partial batch failure with a scripted record handler: which ids come back, how many run at
//! once, and FIFO group order.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsMessage;
use runtime::batch::{BatchOptions, FailureKind, RecordFailure, process_batch};

fn record(id: &str, body: &str, group: Option<&str>) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(id.to_owned());
    record.body = Some(body.to_owned());
    if let Some(group) = group {
        record
            .attributes
            .insert("MessageGroupId".to_owned(), group.to_owned());
    }
    record
}

fn failed(report: &runtime::batch::BatchReport<String>) -> Vec<String> {
    report
        .response()
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn returns_exactly_the_failed_ids_in_event_order() {
    let records: Vec<SqsMessage> = (0..10)
        .map(|n| {
            record(
                &format!("m{n}"),
                if n % 4 == 1 { "bad" } else { "ok" },
                None,
            )
        })
        .collect();
    let report = process_batch(records, BatchOptions::default(), |record| async move {
        // Later records finish first, so completion order differs from event order.
        let n: u64 = record.message_id.as_deref().unwrap()[1..].parse().unwrap();
        tokio::time::sleep(Duration::from_millis(100 - n * 10)).await;
        match record.body.as_deref() {
            Some("ok") => Ok(record.message_id.clone().unwrap()),
            _ => Err(RecordFailure::invalid("bad body")),
        }
    })
    .await;
    assert_eq!(failed(&report), ["m1", "m5", "m9"]);
    let order: Vec<&str> = report
        .results
        .iter()
        .map(|result| result.message_id.as_str())
        .collect();
    assert_eq!(
        order,
        ["m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"]
    );
}

#[tokio::test(start_paused = true)]
async fn runs_records_concurrently_up_to_the_bound() {
    let in_flight = Cell::new(0);
    let peak = Cell::new(0);
    let records: Vec<SqsMessage> = (0..10)
        .map(|n| record(&format!("m{n}"), "ok", None))
        .collect();
    let started = tokio::time::Instant::now();
    let options = BatchOptions {
        concurrency: 4,
        fifo: false,
    };
    let report = process_batch(records, options, |record| {
        let (in_flight, peak) = (&in_flight, &peak);
        async move {
            in_flight.set(in_flight.get() + 1);
            peak.set(peak.get().max(in_flight.get()));
            tokio::time::sleep(Duration::from_millis(50)).await;
            in_flight.set(in_flight.get() - 1);
            Ok::<_, RecordFailure>(record.message_id.unwrap())
        }
    })
    .await;
    assert_eq!(report.failed(), 0);
    assert_eq!(peak.get(), 4);
    assert_eq!(
        started.elapsed(),
        Duration::from_millis(150),
        "10 records, 4 at a time, 50 ms each: 3 rounds"
    );
}

#[tokio::test(start_paused = true)]
async fn fifo_keeps_group_order_and_fails_the_rest_of_a_group() {
    let seen = RefCell::new(Vec::new());
    let records = vec![
        record("a1", "ok", Some("A")),
        record("b1", "ok", Some("B")),
        record("a2", "bad", Some("A")),
        record("b2", "ok", Some("B")),
        record("a3", "ok", Some("A")),
        record("b3", "ok", Some("B")),
        record("a4", "ok", Some("A")),
    ];
    let options = BatchOptions {
        concurrency: 10,
        fifo: true,
    };
    let report = process_batch(records, options, |record| {
        let seen = &seen;
        async move {
            let id = record.message_id.clone().unwrap();
            // The first record of each group is the slowest: order must hold anyway.
            let delay = if id.ends_with('1') { 30 } else { 5 };
            tokio::time::sleep(Duration::from_millis(delay)).await;
            seen.borrow_mut().push(id.clone());
            if record.body.as_deref() == Some("bad") {
                Err(RecordFailure::transient("store down"))
            } else {
                Ok(id)
            }
        }
    })
    .await;
    assert_eq!(failed(&report), ["a2", "a3", "a4"]);
    let blocked: Vec<FailureKind> = report
        .results
        .iter()
        .filter_map(|r| r.outcome.as_ref().err())
        .map(|f| f.kind)
        .collect();
    assert_eq!(
        blocked,
        [
            FailureKind::Transient,
            FailureKind::Blocked,
            FailureKind::Blocked
        ]
    );
    let seen = seen.borrow();
    let group = |prefix: char| {
        seen.iter()
            .filter(|id| id.starts_with(prefix))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(group('a'), ["a1", "a2"], "a3 and a4 never ran");
    assert_eq!(group('b'), ["b1", "b2", "b3"]);
}

#[tokio::test]
async fn an_empty_batch_reports_nothing() {
    let report = process_batch(Vec::new(), BatchOptions::default(), |_record| async {
        Ok::<String, RecordFailure>(String::new())
    })
    .await;
    assert!(report.results.is_empty());
    assert!(report.response().batch_item_failures.is_empty());
}

#[tokio::test(start_paused = true)]
async fn only_invalid_records_are_named_invalid() {
    let records = vec![
        record("ok", "ok", Some("a")),
        record("bad", "bad", Some("b")),
        record("flaky", "flaky", Some("c")),
        record("behind", "ok", Some("c")),
    ];
    let options = BatchOptions {
        concurrency: 4,
        fifo: true,
    };
    let report = process_batch(records, options, |record| async move {
        match record.body.as_deref() {
            Some("ok") => Ok(record.message_id.clone().unwrap()),
            Some("bad") => Err(RecordFailure::invalid("bad body")),
            _ => Err(RecordFailure::transient("store unavailable")),
        }
    })
    .await;
    assert_eq!(failed(&report), ["bad", "flaky", "behind"]);
    let invalid: Vec<&str> = report
        .invalid()
        .map(|result| result.message_id.as_str())
        .collect();
    assert_eq!(
        invalid,
        ["bad"],
        "a transient failure and the record blocked behind it in its FIFO group may succeed on a retry"
    );
    let blocked = report.results[3].outcome.as_ref().unwrap_err();
    assert_eq!(blocked.kind, FailureKind::Blocked);
}
