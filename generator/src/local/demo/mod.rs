//! `gen dev --demo`: the seed's sample orders plus poison, duplicate and repairable ones (or a
//! generated load), sent through the running pipeline; then a ledger that accounts for every
//! message, checked exactly (see [`ledger`]).

pub mod fanout;
mod ledger;
pub mod messages;
pub mod requests;
mod samples;

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use futures_util::stream::{self, StreamExt};
use runtime::handlers::{DEAD_LETTER_PREFIX, INVOICE_PREFIX, ParkedMessage, invoice_key};
use runtime::order::Invoice;
use tokio::time::Instant;

use super::dev::Dev;
use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use ledger::{Notifications, Observed};
use samples::Sample;

pub use ledger::{Latency, Ledger};
pub use samples::{Workload, generated_bodies};

/// Sends the workload to the order processor's queue, waits until the pipeline is idle, and
/// accounts for every message. `faults` says whether faults were injected (they loosen what a
/// valid order may end as, never whether it is accounted for).
pub async fn run(
    dev: &Dev,
    pipeline: &Pipeline,
    workload: Workload,
    timeout: Duration,
    faults: bool,
) -> Result<Ledger, String> {
    let processor = function_of(pipeline, HandlerKind::OrderProcessor)
        .ok_or("the pipeline has no `order_processor` function to send orders to")?;
    let table = crate::synth::environment::discount_table(pipeline.discounts.as_ref())?;
    let queue = processor
        .trigger
        .queue_name()
        .ok_or("the `order_processor` function is not triggered by a queue")?;
    let url = &dev.queue_urls[queue];
    let samples = workload.samples();
    let started = Instant::now();
    let (send_failures, sent_at) = send_all(dev, url, &samples).await;
    let drained = drain(dev, pipeline, timeout).await;
    let Drained {
        in_flight,
        dead_lettered,
        ..
    } = drained;

    let bucket_of = |function: Option<&crate::config::pipeline::Function>| {
        function
            .and_then(|f| f.writes.bucket.as_ref())
            .map(|name| dev.buckets[name].clone())
    };
    let invoice_bucket = bucket_of(Some(processor)).unwrap_or_default();
    let dlq = function_of(pipeline, HandlerKind::DlqProcessor);
    let dlq_bucket = bucket_of(dlq).unwrap_or_else(|| invoice_bucket.clone());
    let invoices: Vec<Invoice> = read_all(dev, &invoice_bucket, INVOICE_PREFIX);
    let parked: Vec<ParkedMessage> = read_all(dev, &dlq_bucket, DEAD_LETTER_PREFIX);

    let stats = |kind: HandlerKind| {
        pipeline
            .functions
            .values()
            .filter(move |f| f.handler == kind)
            .map(|f| &dev.stats[&f.name])
    };
    let succeeded = |kind| -> u64 {
        stats(kind)
            .map(|s| s.succeeded.load(Ordering::Relaxed))
            .sum()
    };
    let notifications =
        function_of(pipeline, HandlerKind::NotificationLogger).map(|_| Notifications {
            distinct: stats(HandlerKind::NotificationLogger)
                .map(|s| s.distinct())
                .sum(),
            repeats: stats(HandlerKind::NotificationLogger)
                .map(|s| s.repeats())
                .sum(),
        });
    let observed = Observed {
        samples,
        send_failures,
        invoices: invoices
            .into_iter()
            .map(|invoice| (invoice.order_id.clone(), invoice))
            .collect::<BTreeMap<_, _>>(),
        requeued: succeeded(HandlerKind::DlqProcessor).saturating_sub(parked.len() as u64),
        parked,
        notifications,
        processor_redeliveries: stats(HandlerKind::OrderProcessor)
            .map(|s| s.redelivered.load(Ordering::Relaxed))
            .sum(),
        faults,
        in_flight,
        dead_lettered,
        drained_in: drained.since(started),
    };
    let mut ledger = Ledger::account(&observed, &table);
    ledger.latency = latency(dev, &invoice_bucket, observed.invoices.keys(), &sent_at);
    Ok(ledger)
}

/// Send to invoice, per invoiced order: the invoice's write time as the engine's store recorded
/// it, less the time its order was first sent.
fn latency<'a>(
    dev: &Dev,
    bucket: &str,
    order_ids: impl Iterator<Item = &'a String>,
    sent_at: &HashMap<String, SystemTime>,
) -> Option<Latency> {
    let store = dev.engine.store();
    let samples = order_ids
        .filter_map(|order_id| {
            let sent = sent_at.get(order_id)?;
            let object = store.get_object(bucket, &invoice_key(order_id)).ok()?;
            object.written.duration_since(*sent).ok()
        })
        .collect();
    Latency::of(samples)
}

/// The order id of a sample that has one (poison may not).
fn order_id(body: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(body).ok()?;
    value.get("order_id")?.as_str().map(str::to_owned)
}

/// How the pipeline drained: what is still in the queues functions read, what ended in
/// dead-letter queues no function reads, and when the queues were first found empty.
struct Drained {
    in_flight: u64,
    dead_lettered: u64,
    /// The first of the empty readings that confirmed the drain (its confirmation is the
    /// observer's time, not the pipeline's); when the wait gave up, its last reading.
    idle_at: Instant,
}

impl Drained {
    /// From `started` to the drain.
    fn since(&self, started: Instant) -> Duration {
        self.idle_at.saturating_duration_since(started)
    }
}

/// Waits until every queue a function reads is empty (three readings 100 ms apart).
async fn drain(dev: &Dev, pipeline: &Pipeline, timeout: Duration) -> Drained {
    // A dead-letter queue no function reads is where a message ends, not where it waits.
    let unread: Vec<&String> = pipeline
        .queues
        .keys()
        .filter(|queue| {
            pipeline
                .functions
                .values()
                .all(|f| f.trigger.queue_name() != Some(queue.as_str()))
        })
        .collect();
    let read_urls: Vec<&String> = dev
        .queue_urls
        .iter()
        .filter(|(name, _)| !unread.contains(name))
        .map(|(_, url)| url)
        .collect();
    let (in_flight, idle_at) = wait_until_idle(dev, &read_urls, timeout).await;
    let mut dead_lettered = 0;
    for name in unread {
        dead_lettered += depth(dev, &dev.queue_urls[name]).await;
    }
    Drained {
        in_flight,
        dead_lettered,
        idle_at,
    }
}

fn function_of(
    pipeline: &Pipeline,
    kind: HandlerKind,
) -> Option<&crate::config::pipeline::Function> {
    pipeline.functions.values().find(|f| f.handler == kind)
}

/// Every object under `prefix` read as JSON straight from the engine's store (the ledger
/// observes the pipeline; it is not a client of it, so S3's injected faults do not apply and
/// 20,000 invoices take no 20,000 `GetObject`s); unreadable ones are skipped, so the ledger
/// reports what is missing rather than failing on it.
fn read_all<T: serde::de::DeserializeOwned>(dev: &Dev, bucket: &str, prefix: &str) -> Vec<T> {
    let store = dev.engine.store();
    store
        .list(bucket, prefix)
        .into_iter()
        .filter_map(|(key, _)| {
            let object = store.get_object(bucket, &key).ok()?;
            serde_json::from_slice::<T>(&object.body).ok()
        })
        .collect()
}

/// Sends with `SendMessageBatch`, several batches at once; returns how many messages were not
/// accepted (a batch that failed whole counts every entry), and when each order was first sent.
async fn send_all(
    dev: &Dev,
    url: &str,
    samples: &[Sample],
) -> (usize, HashMap<String, SystemTime>) {
    let sent_at = Mutex::new(HashMap::new());
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
    let sent_at_ref = &sent_at;
    let failures = stream::iter(batches.into_iter().zip(samples.chunks(10)))
        .map(|(entries, chunk)| async move {
            let count = entries.len();
            let now = SystemTime::now();
            if let Ok(mut sent_at) = sent_at_ref.lock() {
                for id in chunk.iter().filter_map(|sample| order_id(&sample.body)) {
                    sent_at.entry(id).or_insert(now);
                }
            }
            match dev
                .sqs
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                Ok(output) => output.failed().len(),
                Err(_) => count,
            }
        })
        .buffer_unordered(8)
        .fold(0, |total, failed| async move { total + failed })
        .await;
    (failures, sent_at.into_inner().unwrap_or_default())
}

/// Polls the queues at `urls` until all are empty (visible, in flight and delayed) three times in
/// a row; returns what is still in them at the timeout.
async fn wait_until_idle(dev: &Dev, urls: &[&String], timeout: Duration) -> (u64, Instant) {
    let deadline = Instant::now() + timeout;
    let mut idle_since: Option<Instant> = None;
    let mut quiet = 0;
    loop {
        let read_at = Instant::now();
        let mut total = 0;
        for url in urls {
            total += depth(dev, url).await;
        }
        if total == 0 {
            quiet += 1;
            idle_since.get_or_insert(read_at);
        } else {
            quiet = 0;
            idle_since = None;
        }
        if quiet >= 3 || Instant::now() >= deadline {
            return (total, idle_since.unwrap_or(read_at));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Messages in a queue: visible, in flight and delayed (0 if it cannot be read).
async fn depth(dev: &Dev, url: &str) -> u64 {
    let Ok(output) = dev
        .sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
    else {
        return 0;
    };
    [
        QueueAttributeName::ApproximateNumberOfMessages,
        QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
        QueueAttributeName::ApproximateNumberOfMessagesDelayed,
    ]
    .iter()
    .filter_map(|name| output.attributes().and_then(|a| a.get(name)))
    .filter_map(|value| value.parse::<u64>().ok())
    .sum()
}

/// One sample file of an example: its name and its trimmed contents.
struct SampleFile {
    file: String,
    body: String,
}

/// Every `*.json` of `folder`, by name; `what` names them in errors ("sample requests"),
/// `layout` says how the folder is meant to look when it holds none.
fn read_json_files(
    folder: &std::path::Path,
    what: &str,
    layout: &str,
) -> Result<Vec<SampleFile>, String> {
    let entries = std::fs::read_dir(folder)
        .map_err(|error| format!("cannot read the {what} in `{}`: {error}", folder.display()))?;
    let mut files = Vec::new();
    for entry in entries.filter_map(Result::ok) {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !std::path::Path::new(&file)
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("json"))
        {
            continue;
        }
        let body = std::fs::read_to_string(entry.path())
            .map_err(|error| format!("cannot read `{}`: {error}", entry.path().display()))?;
        files.push(SampleFile {
            body: body.trim().to_owned(),
            file,
        });
    }
    files.sort_by(|a, b| a.file.cmp(&b.file));
    if files.is_empty() {
        return Err(format!("`{}` holds no {what} ({layout})", folder.display()));
    }
    Ok(files)
}
