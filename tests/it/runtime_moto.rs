//! The runtime's handlers against moto through the real AWS SDK: partial batch failure,
//! idempotent invoices, the circuit breaker on a store outage, and the DLQ processor's
//! requeue / repair / park — every message ending in exactly one terminal state.

use std::collections::{BTreeMap, BTreeSet};

use aws_lambda_events::event::sqs::SqsMessage;
use aws_sdk_sqs::types::MessageAttributeValue;
use runtime::batch::{BatchOptions, FailureKind};
use runtime::config::{ConfigError, Variables};
use runtime::handlers::{DlqOutcome, DlqProcessor, OrderOutcome, OrderProcessor, ParkedMessage};
use runtime::{AwsPorts, Handler, Service, Startup};
use tests::{MotoServer, free_port, receive_all, sdk_config_for, to_event_record};

pub(crate) const TABLE: &str =
    r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "10"}}, "bulk_tiers": []}"#;
pub(crate) const BUCKET: &str = "orders-results";

pub(crate) struct Fixture {
    _moto: MotoServer,
    sdk: aws_config::SdkConfig,
    s3: aws_sdk_s3::Client,
    pub(crate) sqs: aws_sdk_sqs::Client,
}

impl Fixture {
    pub(crate) async fn start() -> Self {
        let moto = MotoServer::start();
        let sdk = moto.sdk_config().await;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        s3.create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("CreateBucket");
        Self {
            _moto: moto,
            sdk,
            s3,
            sqs,
        }
    }

    pub(crate) async fn queue(&self, name: &str) -> String {
        self.sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .expect("CreateQueue")
            .queue_url
            .unwrap()
    }

    /// Sends `bodies` to a fresh queue and receives them back as Lambda event records.
    pub(crate) async fn records(&self, queue: &str, bodies: &[String]) -> Vec<SqsMessage> {
        let url = self.queue(queue).await;
        for body in bodies {
            self.sqs
                .send_message()
                .queue_url(&url)
                .message_body(body)
                .send()
                .await
                .expect("SendMessage");
        }
        self.receive(&url, bodies.len()).await
    }

    pub(crate) async fn receive(&self, url: &str, expected: usize) -> Vec<SqsMessage> {
        let arn = format!(
            "arn:aws:sqs:us-east-1:123456789012:{}",
            url.rsplit('/').next().unwrap()
        );
        receive_all(&self.sqs, url, expected)
            .await
            .iter()
            .map(|message| to_event_record(message, &arn))
            .collect()
    }

    /// The handler `build` makes from `vars`, with the runtime around it, over moto.
    pub(crate) fn service<H: Handler>(
        &self,
        build: impl FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
        vars: &[(&str, &str)],
    ) -> Service<H> {
        service_on(&self.sdk, build, vars)
    }

    /// Writes `body` at `key` in the bucket.
    pub(crate) async fn put(&self, key: &str, body: &str) {
        self.s3
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .expect("PutObject");
    }

    pub(crate) async fn object(&self, key: &str) -> Option<Vec<u8>> {
        let output = self
            .s3
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .ok()?;
        Some(output.body.collect().await.unwrap().into_bytes().to_vec())
    }

    async fn keys(&self, prefix: &str) -> BTreeSet<String> {
        let output = self
            .s3
            .list_objects_v2()
            .bucket(BUCKET)
            .prefix(prefix)
            .send()
            .await
            .expect("ListObjectsV2");
        output
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect()
    }
}

/// The handler `build` makes from `vars`, over the services `sdk` reaches.
fn service_on<H: Handler>(
    sdk: &aws_config::SdkConfig,
    build: impl FnOnce(&Startup<AwsPorts>) -> Result<H, ConfigError>,
    vars: &[(&str, &str)],
) -> Service<H> {
    let startup = Startup::new(
        Variables::from_pairs(vars.iter().copied()),
        H::NAME,
        AwsPorts::new(sdk),
    )
    .expect("valid settings");
    Service::build(&startup, build).expect("handler")
}

pub(crate) fn order(id: &str, price: &str) -> String {
    format!(
        r#"{{"order_id": "{id}", "items": [{{"name": "Laptop", "price": {price}, "quantity": 1}}], "promo_code": "SAVE10"}}"#
    )
}

fn failed_ids<T>(report: &runtime::batch::BatchReport<T>) -> BTreeSet<String> {
    report
        .response()
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_poison_records_of_ten_fail_exactly() {
    let fixture = Fixture::start().await;
    let notify = fixture.queue("notification").await;
    let mut bodies: Vec<String> = (0..7)
        .map(|n| order(&format!("ORD-{n}"), "999.99"))
        .collect();
    bodies.insert(2, "not json at all".to_owned());
    bodies.insert(
        5,
        r#"{"order_id": "ORD-NEG", "items": [{"name": "x", "price": -1, "quantity": 1}]}"#
            .to_owned(),
    );
    bodies.push(r#"{"items": [{"name": "x", "price": 1, "quantity": 1}]}"#.to_owned());
    let records = fixture.records("task", &bodies).await;
    assert_eq!(records.len(), 10);
    let poison: BTreeSet<String> = records
        .iter()
        .filter(|record| !record.body.as_deref().unwrap().contains("Laptop"))
        .map(|record| record.message_id.clone().unwrap())
        .collect();
    let handler = fixture.service(
        OrderProcessor::build,
        &[
            ("BUCKET_NAME", BUCKET),
            ("DISCOUNT_TABLE", TABLE),
            ("NOTIFY_QUEUE_URL", &notify),
        ],
    );

    let (report, metrics) = handler
        .process(records, BatchOptions::default(), "req-1")
        .await;

    assert_eq!(poison.len(), 3);
    assert_eq!(
        failed_ids(&report),
        poison,
        "exactly the poison records fail"
    );
    assert_eq!(
        (
            metrics.received,
            metrics.validated,
            metrics.written,
            metrics.failed
        ),
        (10, 7, 7, 3)
    );
    assert_eq!(fixture.keys("invoices/").await.len(), 7);
    let invoice: serde_json::Value =
        serde_json::from_slice(&fixture.object("invoices/ORD-0.json").await.unwrap()).unwrap();
    assert_eq!(
        invoice["total"], "899.99",
        "999.99 − 10% (99.999 → 99.99 shown) = 899.991 → 899.99"
    );
    assert_eq!(
        receive_all(&fixture.sqs, &notify, 7).await.len(),
        7,
        "one notification per invoice"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_messages_fail_with_their_reason_and_the_rest_succeed() {
    let fixture = Fixture::start().await;
    let huge_name = "n".repeat(250 * 1024);
    let bad = [
        ("{\"order_id\": ", "invalid order"),
        (r#"{"order_id": "B1"}"#, "items"),
        (
            r#"{"order_id": "B2", "items": [{"name": "x", "price": "NaN", "quantity": 1}]}"#,
            "price",
        ),
        (
            r#"{"order_id": "B3", "items": [{"name": "x", "price": "12.50", "quantity": 1}]}"#,
            "price",
        ),
        (
            r#"{"order_id": "B4", "items": [{"name": "x", "price": 1, "quantity": 0}]}"#,
            "quantity",
        ),
        (
            r#"{"order_id": "B5", "items": [{"name": "x", "price": 1, "quantity": 1e12}]}"#,
            "quantity",
        ),
    ];
    let mut bodies: Vec<String> = bad.iter().map(|(body, _)| (*body).to_owned()).collect();
    bodies.push(format!(
        r#"{{"order_id": "B6", "items": [{{"name": "{huge_name}", "price": 1, "quantity": 1}}]}}"#
    ));
    bodies.push(
        r#"{"order_id": "G1", "items": [{"name": "Ünïcødé ☕ 茶", "price": 3.50, "quantity": 2}]}"#
            .to_owned(),
    );
    bodies.push(order("G2", "10"));
    bodies.push(order("G3", "0.05"));
    let records = fixture.records("task", &bodies).await;
    let handler = fixture.service(
        OrderProcessor::build,
        &[("BUCKET_NAME", BUCKET), ("DISCOUNT_TABLE", TABLE)],
    );

    let (report, _) = handler
        .process(records, BatchOptions::default(), "req-2")
        .await;

    let mut good = 0;
    for result in &report.results {
        match &result.outcome {
            Ok(OrderOutcome::Invoiced { .. }) => good += 1,
            Ok(other) => panic!("unexpected outcome {other:?}"),
            Err(failure) => {
                assert_eq!(failure.kind, FailureKind::Invalid, "{failure:?}");
                assert!(
                    failure.reason.starts_with("invalid order: "),
                    "{}",
                    failure.reason
                );
            }
        }
    }
    assert_eq!((good, report.failed()), (3, 7));
    assert_eq!(
        fixture.keys("invoices/").await,
        BTreeSet::from([
            "invoices/G1.json".into(),
            "invoices/G2.json".into(),
            "invoices/G3.json".into()
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redelivered_order_writes_no_second_invoice() {
    let fixture = Fixture::start().await;
    let notify = fixture.queue("notification").await;
    let handler = fixture.service(
        OrderProcessor::build,
        &[
            ("BUCKET_NAME", BUCKET),
            ("DISCOUNT_TABLE", TABLE),
            ("NOTIFY_QUEUE_URL", &notify),
        ],
    );
    let first = fixture
        .records("task", &[order("ORD-12345", "999.99")])
        .await;
    let (report, _) = handler
        .process(first, BatchOptions::default(), "req-3")
        .await;
    assert!(matches!(
        report.results[0].outcome,
        Ok(OrderOutcome::Invoiced { .. })
    ));
    let written = fixture.object("invoices/ORD-12345.json").await.unwrap();

    // The same order again (at-least-once delivery), as a new message.
    let again = fixture
        .records("task-again", &[order("ORD-12345", "999.99")])
        .await;
    let (report, metrics) = handler
        .process(again, BatchOptions::default(), "req-4")
        .await;

    assert!(matches!(
        report.results[0].outcome,
        Ok(OrderOutcome::Duplicate { .. })
    ));
    assert_eq!(
        (metrics.duplicates, metrics.written, metrics.failed),
        (1, 0, 0)
    );
    assert_eq!(
        fixture.object("invoices/ORD-12345.json").await.unwrap(),
        written,
        "first invoice kept byte for byte"
    );
    assert_eq!(fixture.keys("invoices/").await.len(), 1);
    let notifications = receive_all(&fixture.sqs, &notify, 2).await;
    let keys: BTreeSet<String> = notifications
        .iter()
        .map(|message| serde_json::from_str::<serde_json::Value>(message.body().unwrap()).unwrap()["idempotency_key"].to_string())
        .collect();
    assert_eq!(
        (notifications.len(), keys.len()),
        (2, 1),
        "notified twice, with one idempotency key"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_outage_opens_the_breaker_and_later_records_fail_fast() {
    let fixture = Fixture::start().await;
    let bodies: Vec<String> = (0..10).map(|n| order(&format!("ORD-{n}"), "10")).collect();
    let records = fixture.records("task", &bodies).await;
    // S3 "down": nothing listens on this port, every call is a connection error (transient).
    let dead = sdk_config_for(&format!("http://127.0.0.1:{}", free_port())).await;
    let handler = service_on(
        &dead,
        OrderProcessor::build,
        &[("BUCKET_NAME", BUCKET), ("DISCOUNT_TABLE", TABLE)],
    );

    let options = BatchOptions {
        concurrency: 1,
        fifo: false,
    };
    let (report, _) = handler.process(records, options, "req-5").await;

    assert_eq!(
        report.failed(),
        10,
        "nothing is written while the store is down"
    );
    let reasons: Vec<&str> = report
        .results
        .iter()
        .map(|result| result.outcome.as_ref().unwrap_err().reason.as_str())
        .collect();
    for reason in &reasons[..5] {
        assert!(reason.contains("gave up after 3 attempts"), "{reason}");
    }
    for reason in &reasons[5..] {
        assert!(
            reason.starts_with("object store unavailable: circuit open"),
            "{reason}"
        );
    }
    assert_eq!(
        handler.handler().store().breaker().state(),
        runtime::resilience::BreakerState::Open
    );
    assert!(fixture.keys("invoices/").await.is_empty());
}

/// A dead letter to send: its label, body and message attributes.
type DeadLetter = (&'static str, String, Vec<(&'static str, &'static str)>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: send, process, then check every place a message can end"
)]
async fn the_dlq_processor_requeues_repairs_and_parks_each_message_once() {
    let fixture = Fixture::start().await;
    let task = fixture.queue("task").await;
    let dlq = fixture.queue("task-dlq").await;
    let attribute = |value: &str| {
        MessageAttributeValue::builder()
            .data_type("String")
            .string_value(value)
            .build()
            .unwrap()
    };
    let cases: [DeadLetter; 5] = [
        ("valid", order("ORD-V", "10"), vec![]),
        ("repairable", r#"{"order_id": " ORD-R ", "items": [{"name": "x", "price": "12.50", "quantity": "2"}], "promo_code": "save10"}"#.to_owned(), vec![]),
        ("poison", "{{{ not an order".to_owned(), vec![]),
        // Senders set message attributes: claiming a message was never repaired or requeued
        // changes nothing, since the DLQ processor counts in the bucket.
        ("repaired-before", r#"{"order_id": "ORD-X", "items": [{"name": "x", "price": "1.00", "quantity": 1}]}"#.to_owned(), vec![("repaired", "false"), ("requeue-attempts", "0")]),
        ("exhausted", order("ORD-E", "10"), vec![("requeue-attempts", "0")]),
    ];
    fixture.put("requeues/ORD-X/repaired.json", "{}").await;
    for attempt in 1..=3 {
        fixture
            .put(&format!("requeues/ORD-E/{attempt}.json"), "{}")
            .await;
    }
    for (label, body, attributes) in &cases {
        let mut request = fixture
            .sqs
            .send_message()
            .queue_url(&dlq)
            .message_body(body)
            .message_attributes("case", attribute(label));
        for (name, value) in attributes {
            request = request.message_attributes(*name, attribute(value));
        }
        request.send().await.expect("SendMessage");
    }
    let records = fixture.receive(&dlq, cases.len()).await;
    assert_eq!(records.len(), 5);
    let label = |record: &SqsMessage| {
        record.message_attributes["case"]
            .string_value
            .clone()
            .unwrap()
    };
    let labels: BTreeMap<String, String> = records
        .iter()
        .map(|record| (record.message_id.clone().unwrap(), label(record)))
        .collect();
    let handler = fixture.service(
        DlqProcessor::build,
        &[
            ("BUCKET_NAME", BUCKET),
            ("REQUEUE_QUEUE_URL", &task),
            ("REQUEUE_MAX_ATTEMPTS", "3"),
            ("REQUEUE_DELAY_SECONDS", "0"),
        ],
    );

    let again = records.clone();
    let (report, metrics) = handler
        .process(records, BatchOptions::default(), "req-6")
        .await;

    assert_eq!(report.failed(), 0);
    let outcomes: BTreeMap<String, DlqOutcome> = report
        .results
        .iter()
        .map(|result| match &result.outcome {
            Ok(outcome) => (labels[&result.message_id].clone(), outcome.clone()),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(outcomes["valid"], DlqOutcome::Requeued { attempt: 1 });
    assert!(
        matches!(&outcomes["repairable"], DlqOutcome::Repaired { repairs } if repairs.len() == 4),
        "{:?}",
        outcomes["repairable"]
    );
    assert!(
        matches!(&outcomes["poison"], DlqOutcome::Parked { reason, .. } if reason.starts_with("invalid order"))
    );
    assert!(
        matches!(&outcomes["repaired-before"], DlqOutcome::Parked { reason, .. } if reason.contains("repaired or requeued before"))
    );
    assert!(
        matches!(&outcomes["exhausted"], DlqOutcome::Parked { reason, .. } if reason.contains("after 3 requeues"))
    );
    assert_eq!(
        (metrics.requeued, metrics.repaired, metrics.parked),
        (1, 1, 3)
    );

    // The ledger: every message is in exactly one place — back on the task queue, or parked.
    let requeued = receive_all(&fixture.sqs, &task, 2).await;
    let parked = fixture.keys("dead-letters/").await;
    assert_eq!(requeued.len() + parked.len(), cases.len());
    let repaired = requeued
        .iter()
        .find(|message| {
            message
                .message_attributes()
                .is_some_and(|attributes| attributes.contains_key("repaired"))
        })
        .expect("the repaired order was requeued with its mark");
    let body: serde_json::Value = serde_json::from_str(repaired.body().unwrap()).unwrap();
    assert_eq!(body["order_id"], "ORD-R");
    assert_eq!(body["promo_code"], "SAVE10");
    runtime::order::parse(repaired.body().unwrap()).expect("a repaired body passes strict parsing");
    for key in &parked {
        let parked: ParkedMessage =
            serde_json::from_slice(&fixture.object(key).await.unwrap()).unwrap();
        assert!(!parked.reason.is_empty());
        assert_eq!(key, &format!("dead-letters/{}.json", parked.message_id));
        let case = &cases
            .iter()
            .find(|(label, ..)| *label == labels[&parked.message_id])
            .unwrap()
            .1;
        assert_eq!(&parked.body, case, "the original body is kept");
    }

    // A redelivery of a parked message parks it once: same key, first copy kept.
    let poison = again
        .into_iter()
        .find(|record| label(record) == "poison")
        .unwrap();
    let key = format!("dead-letters/{}.json", poison.message_id.clone().unwrap());
    let first_copy = fixture.object(&key).await.unwrap();
    let (report, _) = handler
        .process(vec![poison], BatchOptions::default(), "req-7")
        .await;
    assert!(
        matches!(&report.results[0].outcome, Ok(DlqOutcome::Parked { key: parked_key, .. }) if *parked_key == key)
    );
    assert_eq!(fixture.object(&key).await.unwrap(), first_copy);
    assert_eq!(fixture.keys("dead-letters/").await, parked);
}
