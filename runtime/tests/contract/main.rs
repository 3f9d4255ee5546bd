//! The handler contract: a handler of one's own gets the same poison, transient and FIFO
//! endings as the built-ins; the deadline fails what is still running, and idempotency keeps the
//! retry from applying twice; and the hardening of the built-ins (content conflicts, key length, a requeue bound no sender can reset).

mod memory;
mod orders;

use std::time::Duration;

use aws_lambda_events::event::sqs::{SqsMessage, SqsMessageAttribute};
use runtime::batch::{BatchOptions, FailureKind, RecordFailure};
use runtime::config::Variables;
use runtime::handlers::{DlqOutcome, DlqProcessor, OrderOutcome, OrderProcessor};
use runtime::telemetry::Outcome;
use runtime::{Done, Handler, RecordContext, Service, Startup};
use tokio::time::Instant;

use memory::MemoryPorts;

const TABLE: &str =
    r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "10"}}, "bulk_tiers": []}"#;
const HALF_OFF: &str =
    r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "50"}}, "bulk_tiers": []}"#;

/// A handler of one's own: dispatches on `type`.
struct Dispatch;

#[derive(serde::Deserialize)]
struct Task {
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Debug)]
struct Dispatched(String);

impl Done for Dispatched {
    fn outcome(&self) -> Outcome {
        Outcome::Handled {
            detail: format!("ran {}", self.0),
        }
    }
}

impl Handler for Dispatch {
    const NAME: &'static str = "dispatch";
    type Message = Task;
    type Done = Dispatched;

    async fn handle(
        &self,
        task: Task,
        record: &RecordContext<'_>,
    ) -> Result<Dispatched, RecordFailure> {
        match task.kind.as_str() {
            "ok" => {
                record.count("TasksRun", 1);
                Ok(Dispatched(task.kind))
            }
            "slow" => {
                tokio::time::sleep(Duration::from_secs(10)).await;
                Ok(Dispatched(task.kind))
            }
            "down" => Err(RecordFailure::transient("the service is down")),
            other => Err(RecordFailure::invalid(format!("unknown type `{other}`"))),
        }
    }
}

pub(crate) fn record(id: &str, body: &str, group: Option<&str>) -> SqsMessage {
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

fn order(id: &str, price: &str) -> String {
    format!(
        r#"{{"order_id": "{id}", "items": [{{"name": "Pen", "price": {price}, "quantity": 1}}], "promo_code": "SAVE10"}}"#
    )
}

pub(crate) fn startup(ports: &MemoryPorts, vars: &[(&str, &str)]) -> Startup<MemoryPorts> {
    Startup::new(
        Variables::from_pairs(vars.iter().copied()),
        "test",
        ports.clone(),
    )
    .unwrap()
}

fn order_processor(
    ports: &MemoryPorts,
    table: &str,
) -> Service<OrderProcessor<memory::MemoryStore, memory::MemoryQueue>> {
    let startup = startup(
        ports,
        &[
            ("BUCKET_NAME", "b"),
            ("DISCOUNT_TABLE", table),
            ("NOTIFY_QUEUE_URL", "notify"),
        ],
    );
    Service::build(&startup, OrderProcessor::build).unwrap()
}

/// Each record's failure kind, `None` when it succeeded.
fn kinds<T>(report: &runtime::batch::BatchReport<T>) -> Vec<Option<FailureKind>> {
    report
        .results
        .iter()
        .map(|result| result.outcome.as_ref().err().map(|failure| failure.kind))
        .collect()
}

const FIFO: BatchOptions = BatchOptions {
    concurrency: 10,
    fifo: true,
};

#[tokio::test(start_paused = true)]
async fn a_custom_handler_ends_poison_transient_and_fifo_records_as_the_builtins_do() {
    let custom = Service::new(
        Dispatch,
        runtime::config::Settings::read(&Variables::from_pairs([]), "dispatch").unwrap(),
    );
    let (report, metrics) = custom
        .process(
            vec![
                record("m1", r#"{"type": "ok"}"#, None),
                record("m2", "not json at all", None),
                record("m3", r#"{"kind": "ok"}"#, None),
                record("m4", r#"{"type": "down"}"#, None),
                record("m5", r#"{"type": "teleport"}"#, None),
            ],
            BatchOptions::default(),
            "req-1",
        )
        .await;
    assert_eq!(
        kinds(&report),
        [
            None,
            Some(FailureKind::Invalid),
            Some(FailureKind::Invalid),
            Some(FailureKind::Transient),
            Some(FailureKind::Invalid)
        ]
    );
    let reason = |index: usize| {
        report.results[index]
            .outcome
            .as_ref()
            .unwrap_err()
            .reason
            .clone()
    };
    assert!(
        reason(1).starts_with("undecodable message: "),
        "{}",
        reason(1)
    );
    assert!(reason(2).contains("missing field `type`"), "{}", reason(2));
    assert_eq!(reason(4), "unknown type `teleport`");
    assert_eq!(
        (metrics.received, metrics.validated, metrics.failed),
        (5, 2, 4),
        "the transient failure counts as validated, as the order processor's do"
    );
    assert_eq!(metrics.counters["TasksRun"], 1, "the handler's own counter");

    // FIFO: the same group shape through the custom handler and the order processor.
    let (custom_fifo, _) = custom
        .process(
            vec![
                record("a1", r#"{"type": "ok"}"#, Some("A")),
                record("a2", "{{{", Some("A")),
                record("b1", r#"{"type": "ok"}"#, Some("B")),
                record("a3", r#"{"type": "ok"}"#, Some("A")),
            ],
            FIFO,
            "req-2",
        )
        .await;
    let ports = MemoryPorts::default();
    let (builtin_fifo, _) = order_processor(&ports, TABLE)
        .process(
            vec![
                record("a1", &order("ORD-1", "1"), Some("A")),
                record("a2", "{{{", Some("A")),
                record("b1", &order("ORD-2", "1"), Some("B")),
                record("a3", &order("ORD-3", "1"), Some("A")),
            ],
            FIFO,
            "req-3",
        )
        .await;
    let expected = [
        None,
        Some(FailureKind::Invalid),
        None,
        Some(FailureKind::Blocked),
    ];
    assert_eq!(kinds(&custom_fifo), expected);
    assert_eq!(kinds(&builtin_fifo), expected);
    assert_eq!(custom_fifo.response(), builtin_fifo.response());
}

#[tokio::test(start_paused = true)]
async fn a_record_running_at_the_deadline_fails_and_its_retry_applies_once() {
    let ports = MemoryPorts::default();
    // The invoice is written, then the store never answers: what a hung S3 call looks like.
    ports
        .store
        .stall_once
        .lock()
        .unwrap()
        .insert("invoices/ORD-SLOW.json".to_owned());
    let service = order_processor(&ports, TABLE);
    let deadline = Instant::now() + Duration::from_secs(3);
    let (report, metrics) = service
        .process_until(
            vec![
                record("m1", &order("ORD-1", "10"), None),
                record("m2", &order("ORD-SLOW", "10"), None),
            ],
            BatchOptions::default(),
            "req-1",
            Some(deadline),
        )
        .await;
    assert!(report.results[0].outcome.is_ok());
    let failure = report.results[1].outcome.as_ref().unwrap_err();
    assert_eq!(failure.kind, FailureKind::Transient);
    assert!(
        failure.reason.contains("Lambda deadline"),
        "{}",
        failure.reason
    );
    assert_eq!((metrics.written, metrics.failed), (1, 1));
    assert_eq!(ports.queue.bodies().len(), 1, "only ORD-1 was notified");

    // SQS delivers it again: the invoice is already there, so it is not written twice.
    let (again, _) = service
        .process(
            vec![record("m2", &order("ORD-SLOW", "10"), None)],
            BatchOptions::default(),
            "req-2",
        )
        .await;
    assert!(matches!(
        &again.results[0].outcome,
        Ok(OrderOutcome::Duplicate { order_id }) if order_id == "ORD-SLOW"
    ));
    assert_eq!(
        ports.store.keys("invoices/"),
        ["invoices/ORD-1.json", "invoices/ORD-SLOW.json"]
    );
    let notified: Vec<String> = ports
        .queue
        .bodies()
        .iter()
        .map(|body| body["order_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(notified, ["ORD-1", "ORD-SLOW"]);
}

#[tokio::test]
async fn a_redelivered_order_with_other_content_is_parked_and_notifications_carry_the_stored_total()
{
    let ports = MemoryPorts::default();
    let (first, _) = order_processor(&ports, TABLE)
        .process(
            vec![record("m1", &order("ORD-1", "100"), None)],
            BatchOptions::default(),
            "req-1",
        )
        .await;
    assert!(matches!(
        first.results[0].outcome,
        Ok(OrderOutcome::Invoiced { .. })
    ));

    // The same order after the discount table changed: a duplicate, notified as it was stored.
    let repriced = order_processor(&ports, HALF_OFF);
    let (again, _) = repriced
        .process(
            vec![record("m2", &order("ORD-1", "100"), None)],
            BatchOptions::default(),
            "req-2",
        )
        .await;
    assert!(matches!(
        again.results[0].outcome,
        Ok(OrderOutcome::Duplicate { .. })
    ));
    let totals: Vec<String> = ports
        .queue
        .bodies()
        .iter()
        .map(|body| body["total"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(totals, ["90.00", "90.00"], "the stored total, not 50.00");

    // The same id with other items: the stored invoice stands and the message is parked.
    let (conflict, metrics) = repriced
        .process(
            vec![record("m3", &order("ORD-1", "200"), None)],
            BatchOptions::default(),
            "req-3",
        )
        .await;
    let Ok(OrderOutcome::Conflict { key, reason, .. }) = &conflict.results[0].outcome else {
        panic!("{:?}", conflict.results[0].outcome);
    };
    assert_eq!(key, "dead-letters/m3.json");
    assert!(
        reason.contains("invoiced before with other content"),
        "{reason}"
    );
    assert_eq!(ports.store.json(key)["reason"], reason.as_str());
    assert_eq!(ports.store.json("invoices/ORD-1.json")["total"], "90.00");
    assert_eq!(metrics.parked, 1);
    assert_eq!(ports.queue.bodies().len(), 2, "a conflict is not notified");
}

#[tokio::test]
async fn an_order_id_too_long_for_an_s3_key_is_an_invalid_order() {
    let ports = MemoryPorts::default();
    let id = "日".repeat(128);
    let (report, _) = order_processor(&ports, TABLE)
        .process(
            vec![record("m1", &order(&id, "1"), None)],
            BatchOptions::default(),
            "req-1",
        )
        .await;
    let failure = report.results[0].outcome.as_ref().unwrap_err();
    assert_eq!(failure.kind, FailureKind::Invalid);
    assert!(
        failure.reason.contains("S3 allows 1024"),
        "{}",
        failure.reason
    );
    assert!(ports.store.keys("").is_empty());
}

#[tokio::test]
async fn a_sender_cannot_reset_the_requeue_bound() {
    let ports = MemoryPorts::default();
    let startup = startup(
        &ports,
        &[
            ("BUCKET_NAME", "b"),
            ("REQUEUE_QUEUE_URL", "task"),
            ("REQUEUE_MAX_ATTEMPTS", "2"),
        ],
    );
    let dlq = Service::build(&startup, DlqProcessor::build).unwrap();
    let mut outcomes = Vec::new();
    for delivery in 0..3 {
        let mut forged = record(&format!("m{delivery}"), &order("ORD-V", "1"), None);
        let mut attempts = SqsMessageAttribute::default();
        attempts.string_value = Some("0".to_owned());
        attempts.data_type = Some("String".to_owned());
        forged
            .message_attributes
            .insert("requeue-attempts".to_owned(), attempts);
        let (report, _) = dlq
            .process(vec![forged], BatchOptions::default(), "req")
            .await;
        outcomes.push(report.results[0].outcome.clone().unwrap());
    }
    assert_eq!(outcomes[0], DlqOutcome::Requeued { attempt: 1 });
    assert_eq!(outcomes[1], DlqOutcome::Requeued { attempt: 2 });
    assert!(
        matches!(&outcomes[2], DlqOutcome::Parked { reason, .. } if reason.contains("after 2 requeues")),
        "{:?}",
        outcomes[2]
    );
    assert_eq!(ports.queue.bodies().len(), 2);
}

#[tokio::test]
async fn idempotency_runs_a_step_once_and_a_dead_steps_lease_expires() {
    use runtime::idempotency::{Idempotency, Idempotent};
    use std::sync::atomic::{AtomicU32, Ordering};

    let ports = MemoryPorts::default();
    let store = startup(&ports, &[]).guarded_store("b");
    let once = Idempotency::new(Duration::from_secs(60));
    let runs = AtomicU32::new(0);
    let step = |value: u32| {
        let runs = &runs;
        move || async move {
            runs.fetch_add(1, Ordering::Relaxed);
            Ok::<u32, RecordFailure>(value)
        }
    };
    let first = once.run_at(&store, "charge:ORD-1", 1000, step(7)).await;
    assert_eq!(first, Ok(Idempotent::Fresh(7)));
    let repeat = once.run_at(&store, "charge:ORD-1", 5000, step(8)).await;
    assert_eq!(
        repeat,
        Ok(Idempotent::Repeat(7)),
        "the stored result, not a new run"
    );
    assert_eq!(runs.load(Ordering::Relaxed), 1);

    // A step that fails keeps its lease: a repeat within the lease is refused as transient,
    // across a window boundary too; once the lease has run out, the step runs again.
    let died = once
        .run_at(&store, "charge:ORD-2", 1000, || async {
            Err::<u32, _>(RecordFailure::transient("crashed"))
        })
        .await;
    assert!(died.is_err());
    for now in [1010, 1025] {
        let refused = once
            .run_at(&store, "charge:ORD-2", now, step(9))
            .await
            .unwrap_err();
        assert_eq!(refused.kind, FailureKind::Transient);
        assert!(
            refused
                .reason
                .contains("being processed by another delivery"),
            "{}",
            refused.reason
        );
    }
    let again = once.run_at(&store, "charge:ORD-2", 1061, step(9)).await;
    assert_eq!(again, Ok(Idempotent::Fresh(9)));
    assert_eq!(runs.load(Ordering::Relaxed), 2);
    assert!(
        ports
            .store
            .keys("idempotency/charge%3AORD-2/")
            .contains(&"idempotency/charge%3AORD-2/completed.json".to_owned())
    );
}
