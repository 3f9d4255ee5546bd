//! `gen dev --demo`: the seed's sample orders plus poison, duplicate and repairable ones,
//! sent through the running pipeline; then a ledger that accounts for every one.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_sdk_sqs::types::QueueAttributeName;
use serde::Serialize;
use tokio::time::Instant;

use super::dev::Dev;
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use runtime::handlers::{DEAD_LETTER_PREFIX, INVOICE_PREFIX, invoice_key};

/// What should become of a sample.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expect {
    /// An invoice for this order id (directly, or after the DLQ processor repaired it); under
    /// faults, parked with its reason is an acceptable end too — never lost.
    Invoice(String),
    /// Parked with its reason.
    Parked,
}

struct Sample {
    label: String,
    body: String,
    expect: Expect,
}

/// What `--demo` sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Workload {
    /// The seed's sample orders plus a duplicate, a repairable and three poison ones.
    Seed,
    /// `orders` generated orders, `poison_rate` of them invalid, `duplicate_rate` sent twice.
    Generated {
        orders: usize,
        poison_rate: f64,
        duplicate_rate: f64,
    },
}

fn samples(workload: Workload) -> Vec<Sample> {
    match workload {
        Workload::Seed => seed_samples(),
        Workload::Generated {
            orders,
            poison_rate,
            duplicate_rate,
        } => generated(orders, poison_rate, duplicate_rate),
    }
}

/// Deterministic load: the same arguments always give the same orders.
/// The bodies of a generated load (see [`Workload::Generated`]).
pub fn generated_bodies(orders: usize, poison_rate: f64, duplicate_rate: f64) -> Vec<String> {
    generated(orders, poison_rate, duplicate_rate)
        .into_iter()
        .map(|sample| sample.body)
        .collect()
}

fn generated(orders: usize, poison_rate: f64, duplicate_rate: f64) -> Vec<Sample> {
    let mut rng = fastrand::Rng::with_seed(2026);
    let promos = ["SAVE10", "SAVE20", "FLAT5", "WELCOME15", "", "BOGUS"];
    let mut out = Vec::with_capacity(orders + orders / 8);
    for n in 0..orders {
        if rng.f64() < poison_rate {
            let body = match n % 3 {
                0 => format!("not an order #{n}"),
                1 => format!(
                    r#"{{"order_id": "LOAD-{n}", "items": [{{"name": "x", "price": -1, "quantity": 1}}]}}"#
                ),
                _ => format!(r#"{{"order_id": "LOAD-{n}", "items": []}}"#),
            };
            out.push(Sample {
                label: format!("poison #{n}"),
                body,
                expect: Expect::Parked,
            });
            continue;
        }
        let id = format!("LOAD-{n}");
        let price = format!("{}.{:02}", rng.u32(1..2_000), rng.u32(0..100));
        let body = format!(
            r#"{{"order_id": "{id}", "items": [{{"name": "Item {n}", "price": {price}, "quantity": {}}}], "promo_code": "{}"}}"#,
            rng.u32(1..5),
            promos[rng.usize(0..promos.len())]
        );
        if rng.f64() < duplicate_rate {
            out.push(Sample {
                label: format!("duplicate of {id}"),
                body: body.clone(),
                expect: Expect::Invoice(id.clone()),
            });
        }
        out.push(Sample {
            label: id.clone(),
            body,
            expect: Expect::Invoice(id),
        });
    }
    out
}

fn seed_samples() -> Vec<Sample> {
    let order = |id: &str, items: &str, promo: &str| {
        format!(r#"{{"order_id": "{id}", "items": [{items}], "promo_code": "{promo}"}}"#)
    };
    vec![
        Sample { label: "seed order, SAVE10".to_owned(), body: order("ORD-12345", r#"{"name": "Laptop", "price": 999.99, "quantity": 1}"#, "SAVE10"), expect: Expect::Invoice("ORD-12345".to_owned()) },
        Sample { label: "fixed-amount promo".to_owned(), body: order("ORD-12346", r#"{"sku": "MOUSE-1", "price": 24.50, "quantity": 3}"#, "FLAT5"), expect: Expect::Invoice("ORD-12346".to_owned()) },
        Sample { label: "bulk tier".to_owned(), body: order("ORD-12347", r#"{"name": "Monitor", "price": 349.00, "quantity": 4}"#, ""), expect: Expect::Invoice("ORD-12347".to_owned()) },
        Sample { label: "unknown promo".to_owned(), body: order("ORD-12348", r#"{"name": "Cable", "price": 9.99, "quantity": 2}"#, "BOGUS"), expect: Expect::Invoice("ORD-12348".to_owned()) },
        Sample { label: "duplicate send".to_owned(), body: order("ORD-12345", r#"{"name": "Laptop", "price": 999.99, "quantity": 1}"#, "SAVE10"), expect: Expect::Invoice("ORD-12345".to_owned()) },
        Sample { label: "repairable: price as text".to_owned(), body: r#"{"order_id": "ORD-12349", "items": [{"name": "Desk", "price": "199.00", "quantity": "1"}], "promo_code": "save10"}"#.to_owned(), expect: Expect::Invoice("ORD-12349".to_owned()) },
        Sample { label: "poison: not JSON".to_owned(), body: "this is not an order".to_owned(), expect: Expect::Parked },
        Sample { label: "poison: negative price".to_owned(), body: order("ORD-BAD-1", r#"{"name": "Refund", "price": -5, "quantity": 1}"#, ""), expect: Expect::Parked },
        Sample { label: "poison: no items".to_owned(), body: r#"{"order_id": "ORD-BAD-2", "items": []}"#.to_owned(), expect: Expect::Parked },
    ]
}

/// The outcome of a demo run.
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    pub sent: usize,
    pub invoiced: usize,
    /// Valid orders that ended parked (still failing after the DLQ processor's requeues).
    pub valid_parked: usize,
    pub notified: u64,
    pub requeued_or_repaired: u64,
    pub parked: usize,
    pub in_flight: u64,
    /// Samples whose expected end was not found.
    pub unaccounted: Vec<String>,
    pub drained_in_ms: u128,
}

impl Ledger {
    /// Whether every order ended where it should.
    pub fn complete(&self) -> bool {
        self.unaccounted.is_empty() && self.in_flight == 0
    }
}

impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "sent        {:>4}", self.sent)?;
        writeln!(
            f,
            "invoiced    {:>4}  (distinct orders with an invoice)",
            self.invoiced
        )?;
        writeln!(f, "notified    {:>4}", self.notified)?;
        writeln!(
            f,
            "requeued    {:>4}  (by the DLQ processor, repaired or still valid)",
            self.requeued_or_repaired
        )?;
        writeln!(
            f,
            "parked      {:>4}  (in the bucket under {DEAD_LETTER_PREFIX}, with their reason; {} valid orders among them)",
            self.parked, self.valid_parked
        )?;
        writeln!(f, "in flight   {:>4}", self.in_flight)?;
        writeln!(f, "drained in  {:>4} ms", self.drained_in_ms)?;
        if self.drained_in_ms > 0 {
            #[expect(clippy::cast_precision_loss, reason = "a rate shown with one decimal")]
            let rate = self.sent as f64 * 1000.0 / self.drained_in_ms as f64;
            writeln!(f, "throughput  {rate:.1} messages/s end to end")?;
        }
        if self.complete() {
            writeln!(f, "every order is accounted for")
        } else {
            writeln!(f, "NOT accounted for: {}", self.unaccounted.join("; "))
        }
    }
}

/// Sends the workload to the order processor's queue and waits until the pipeline is idle.
pub async fn run(dev: &Dev, pipeline: &Pipeline, workload: Workload, timeout: Duration) -> Ledger {
    let processor = pipeline
        .functions
        .values()
        .find(|f| f.handler == HandlerKind::OrderProcessor);
    let Some(processor) = processor else {
        return Ledger {
            sent: 0,
            invoiced: 0,
            valid_parked: 0,
            notified: 0,
            requeued_or_repaired: 0,
            parked: 0,
            in_flight: 0,
            unaccounted: vec!["the pipeline has no order processor".into()],
            drained_in_ms: 0,
        };
    };
    let url = &dev.queue_urls[&processor.trigger.queue];
    let samples = samples(workload);
    let started = Instant::now();
    send_all(dev, url, &samples).await;
    let in_flight = wait_until_idle(dev, timeout).await;
    let drained_in_ms = started.elapsed().as_millis();

    let bucket = processor
        .writes
        .bucket
        .as_ref()
        .map(|name| dev.buckets[name].clone())
        .unwrap_or_default();
    let invoices = super::dev::list_keys(&dev.s3, &bucket, INVOICE_PREFIX).await;
    let dlq_bucket = pipeline
        .functions
        .values()
        .find(|f| f.handler == HandlerKind::DlqProcessor)
        .and_then(|f| f.writes.bucket.as_ref())
        .map_or_else(|| bucket.clone(), |name| dev.buckets[name].clone());
    let parked_keys = super::dev::list_keys(&dev.s3, &dlq_bucket, DEAD_LETTER_PREFIX).await;
    let mut parked_bodies = BTreeSet::new();
    let mut valid_parked = 0;
    for key in &parked_keys {
        if let Ok(object) = dev
            .s3
            .get_object()
            .bucket(&dlq_bucket)
            .key(key)
            .send()
            .await
            && let Ok(bytes) = object.body.collect().await
            && let Ok(parked) =
                serde_json::from_slice::<runtime::handlers::ParkedMessage>(&bytes.into_bytes())
        {
            if runtime::order::parse(&parked.body).is_ok() {
                valid_parked += 1;
            }
            parked_bodies.insert(parked.body);
        }
    }
    let mut unaccounted = Vec::new();
    for sample in &samples {
        let found = match &sample.expect {
            Expect::Invoice(id) => {
                invoices.contains(&invoice_key(id)) || parked_bodies.contains(&sample.body)
            }
            Expect::Parked => parked_bodies.contains(&sample.body),
        };
        if !found {
            unaccounted.push(format!("{} ({:?})", sample.label, sample.expect));
        }
    }
    let stat = |handler: HandlerKind| -> u64 {
        pipeline
            .functions
            .values()
            .filter(|f| f.handler == handler)
            .map(|f| dev.stats[&f.name].succeeded.load(Ordering::Relaxed))
            .sum()
    };
    Ledger {
        sent: samples.len(),
        invoiced: invoices.len(),
        valid_parked,
        notified: stat(HandlerKind::NotificationLogger),
        requeued_or_repaired: stat(HandlerKind::DlqProcessor)
            .saturating_sub(parked_keys.len() as u64),
        parked: parked_keys.len(),
        in_flight,
        unaccounted,
        drained_in_ms,
    }
}

/// Sends with `SendMessageBatch`, several batches at once.
async fn send_all(dev: &Dev, url: &str, samples: &[Sample]) {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    use futures_util::stream::{self, StreamExt};
    let batches: Vec<Vec<SendMessageBatchRequestEntry>> = samples
        .chunks(10)
        .map(|chunk| {
            chunk
                .iter()
                .enumerate()
                .filter_map(|(index, sample)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .message_body(&sample.body)
                        .build()
                        .ok()
                })
                .collect()
        })
        .collect();
    stream::iter(batches)
        .for_each_concurrent(8, |entries| async move {
            let _ = dev
                .sqs
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await;
        })
        .await;
}

/// Polls every queue until all are empty (visible, in flight and delayed) three times in a row;
/// returns what is still in flight at the timeout.
async fn wait_until_idle(dev: &Dev, timeout: Duration) -> u64 {
    let deadline = Instant::now() + timeout;
    let mut quiet = 0;
    loop {
        let mut total = 0;
        for url in dev.queue_urls.values() {
            let Ok(output) = dev
                .sqs
                .get_queue_attributes()
                .queue_url(url)
                .attribute_names(QueueAttributeName::All)
                .send()
                .await
            else {
                continue;
            };
            for name in [
                QueueAttributeName::ApproximateNumberOfMessages,
                QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
                QueueAttributeName::ApproximateNumberOfMessagesDelayed,
            ] {
                total += output
                    .attributes()
                    .and_then(|a| a.get(&name))
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        quiet = if total == 0 { quiet + 1 } else { 0 };
        if quiet >= 3 || Instant::now() >= deadline {
            return total;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}
