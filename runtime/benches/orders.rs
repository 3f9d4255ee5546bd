//! Order throughput: pure pricing cost per order, and a batch of 10 against one order when every
//! store call takes 50 ms (the batch should cost ≤ 1.3× one order, since records run concurrently).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsMessage;
use criterion::{Criterion, criterion_group, criterion_main};
use runtime::batch::BatchOptions;
use runtime::config::Variables;
use runtime::handlers::OrderProcessor;
use runtime::order::{DiscountTable, parse, price};
use runtime::ports::{ObjectStore, OutgoingMessage, PortError, PutOutcome, QueueSender};
use runtime::{Ports, Service, Startup};

const TABLE: &str = r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "10"}, "FLAT5": {"amount": "5.00"}},
    "bulk_tiers": [{"min_subtotal": "500.00", "percent": "5"}, {"min_subtotal": "1000.00", "percent": "10"}]}"#;
const LATENCY: Duration = Duration::from_millis(50);

/// A store whose every call takes [`LATENCY`] (a stand-in for S3 latency; the logic under test is
/// the batch's concurrency, not the store).
#[derive(Default)]
struct SlowStore {
    objects: Mutex<HashMap<String, Vec<u8>>>,
}

impl ObjectStore for SlowStore {
    async fn put_if_absent(
        &self,
        key: &str,
        body: Vec<u8>,
        _content_type: &str,
    ) -> Result<PutOutcome, PortError> {
        tokio::time::sleep(LATENCY).await;
        let mut objects = self.objects.lock().unwrap();
        if objects.contains_key(key) {
            return Ok(PutOutcome::AlreadyExists);
        }
        objects.insert(key.to_owned(), body);
        Ok(PutOutcome::Created)
    }

    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        tokio::time::sleep(LATENCY).await;
        Ok(self.objects.lock().unwrap().get(key).cloned())
    }
}

struct NoQueue;

/// A fresh [`SlowStore`] and [`NoQueue`] for every handler built.
struct BenchPorts;

impl Ports for BenchPorts {
    type Store = SlowStore;
    type Queue = NoQueue;
    // The order processor reaches no table, sends no email and publishes no event: the AWS
    // adapters, never called.
    type Table = runtime::aws::DynamoTable;
    type Mail = runtime::aws::SesMailer;
    type Events = runtime::aws::EventBridgePublisher;

    fn store(&self, _bucket: &str) -> SlowStore {
        SlowStore::default()
    }

    fn queue(&self) -> NoQueue {
        NoQueue
    }

    fn table(&self, table: &str) -> Self::Table {
        runtime::aws::DynamoTable::new(&unconfigured(), table)
    }

    fn mail(&self) -> Self::Mail {
        runtime::aws::SesMailer::new(&unconfigured())
    }

    fn events(&self) -> Self::Events {
        runtime::aws::EventBridgePublisher::new(&unconfigured())
    }
}

fn unconfigured() -> aws_config::SdkConfig {
    aws_config::SdkConfig::builder()
        .behavior_version(aws_config::BehaviorVersion::latest())
        .build()
}

impl QueueSender for NoQueue {
    async fn send(&self, _queue_url: &str, _message: OutgoingMessage) -> Result<String, PortError> {
        Ok(String::new())
    }
}

fn body(n: usize) -> String {
    format!(
        r#"{{"order_id": "ORD-{n}", "items": [{{"name": "Laptop", "price": 999.99, "quantity": 1}}, {{"sku": "MOUSE-1", "price": 24.50, "quantity": 3}}], "promo_code": "save10"}}"#
    )
}

fn record(n: usize) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(format!("m{n}"));
    record.body = Some(body(n));
    record
}

fn pricing(c: &mut Criterion) {
    let table: DiscountTable = serde_json::from_str(TABLE).unwrap();
    let bodies: Vec<String> = (0..100).map(body).collect();
    c.bench_function("parse + price one order (pure)", |b| {
        let mut n = 0;
        b.iter(|| {
            n = (n + 1) % bodies.len();
            let order = parse(std::hint::black_box(&bodies[n])).unwrap();
            price(&order, &table, "2026-11-22T21:00:00Z")
        });
    });
}

fn batch_latency(c: &mut Criterion) {
    let startup = Startup::new(
        Variables::from_pairs([("BUCKET_NAME", "bench"), ("DISCOUNT_TABLE", TABLE)]),
        "order_processor",
        BenchPorts,
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("order processor, 50 ms store latency");
    group.sample_size(20);
    for size in [1, 10] {
        group.bench_function(format!("batch of {size}"), |b| {
            b.to_async(&runtime).iter_batched(
                || {
                    (
                        Service::build(&startup, OrderProcessor::build).unwrap(),
                        (0..size).map(record).collect::<Vec<_>>(),
                    )
                },
                |(service, records)| async move {
                    let (report, _) = service
                        .process(records, BatchOptions::default(), "bench")
                        .await;
                    assert_eq!(report.failed(), 0);
                },
                criterion::BatchSize::SmallInput,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, pricing, batch_latency);
criterion_main!(benches);
