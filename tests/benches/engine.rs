//! End-to-end SQS rates of the embedded engine through the real `aws-sdk-sqs` client on loopback,
//! beside moto on the same workload, the engine's receive rate at two queue depths, and its raw
//! S3 rates through `aws-sdk-s3` (`PutObject`, `GetObject`, `HeadObject`, `ListObjectsV2` pages).
//!
//! Not a criterion bench: each workload takes seconds, so one timed run of each is the figure.
//! Figures go to stdout, progress to stderr. Run with `cargo bench -p tests --bench engine`.

use std::time::Instant;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, SendMessageBatchRequestEntry};
use engine::{Engine, EngineConfig};
use tests::{MotoServer, sdk_config_for};

/// Messages sent, then drained, by the concurrent raw-rate workload.
const RAW_MESSAGES: u32 = 20_000;
/// Concurrent senders, then concurrent consumers, of the raw-rate workload.
const RAW_WORKERS: u32 = 4;
/// Messages of the sequential workload run against both the engine and moto.
const SEQUENTIAL_MESSAGES: u32 = 500;
/// The deep queue of the depth comparison.
const DEEP: u32 = 2_000;
/// The shallow queue of the depth comparison.
const SHALLOW: u32 = 20;
/// Messages received and deleted at each depth (the deep queue never falls below `DEEP - this`).
const DEPTH_SAMPLE: u32 = 1_000;
/// SQS's batch limit, for sends, receives and deletes alike.
const BATCH: u32 = 10;
/// A 256-byte body, about what a small pipeline event is.
const BODY: &str = concat!(
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
);

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts on loopback");
    let engine_client = Client::new(&sdk_config_for(&engine.endpoint()).await);

    eprintln!("raw rates: {RAW_MESSAGES} messages, {RAW_WORKERS} workers");
    let raw = raw_rates(&engine_client).await;
    eprintln!("raw S3 rates: {S3_OBJECTS} objects, {RAW_WORKERS} workers");
    let s3 = s3_rates(&engine.endpoint()).await;

    eprintln!("sequential {SEQUENTIAL_MESSAGES}-message workload: engine");
    let engine_run = sequential(&engine_client).await;
    eprintln!("sequential {SEQUENTIAL_MESSAGES}-message workload: moto");
    let moto_run = {
        let moto = MotoServer::start();
        let moto_client = Client::new(&moto.sdk_config().await);
        sequential(&moto_client).await
        // moto stops here, when `moto` drops.
    };

    eprintln!("queue depth: {DEEP} vs {SHALLOW}");
    let deep = deep_rate(&engine_client).await;
    let shallow = shallow_rate(&engine_client).await;

    print_header(engine_run.rate() / moto_run.rate(), deep / shallow);
    println!(
        "1. engine raw send (SendMessageBatch of {BATCH}, {RAW_WORKERS} senders, {RAW_MESSAGES} msgs): {:.0} msg/s",
        raw.send
    );
    println!(
        "1. engine raw receive+delete (Receive max {BATCH} + DeleteMessageBatch, {RAW_WORKERS} consumers, until empty): {:.0} msg/s",
        raw.receive_delete
    );
    println!(
        "1. engine raw S3 ({RAW_WORKERS} workers, {S3_OBJECTS} objects of {} bytes): PutObject {:.0}/s, GetObject {:.0}/s, HeadObject {:.0}/s, ListObjectsV2 page of 100 {:.0}/s",
        BODY.len(),
        s3.put,
        s3.get,
        s3.head,
        s3.list
    );
    println!("2. engine sequential {SEQUENTIAL_MESSAGES}-msg workload: {engine_run}");
    println!("2. moto   sequential {SEQUENTIAL_MESSAGES}-msg workload: {moto_run}");
    println!(
        "2. engine/moto ratio: {:.1}x (messages/s, same workload, same machine)",
        engine_run.rate() / moto_run.rate()
    );
    println!(
        "3. engine receive+delete at depth {DEEP} ({DEPTH_SAMPLE} msgs, depth stays >= {}): {deep:.0} msg/s",
        DEEP - DEPTH_SAMPLE
    );
    println!(
        "3. engine receive+delete at depth {SHALLOW} ({} refills of {SHALLOW}, drains timed): {shallow:.0} msg/s",
        DEPTH_SAMPLE / SHALLOW
    );
    println!(
        "3. depth {DEEP}/{SHALLOW} rate ratio: {:.2} (1.00 = depth costs nothing)",
        deep / shallow
    );
}

/// What carries over to another machine: the ratios, not the rates.
fn print_header(engine_over_moto: f64, deep_over_shallow: f64) {
    println!(
        "# engine bench: aws-sdk-sqs over loopback, client and server share the machine's cores."
    );
    println!(
        "# Absolute msg/s are this machine's only. Ratios compare two runs on the same machine and carry over:"
    );
    println!(
        "# - the engine runs the same sequential workload {engine_over_moto:.0}x faster than moto;"
    );
    let depth = if (0.8..=1.25).contains(&deep_over_shallow) {
        "does not grow with queue depth (within noise)"
    } else if deep_over_shallow < 0.8 {
        "GROWS with queue depth"
    } else {
        "is lower on the deep queue (noise, or a cost on shallow queues)"
    };
    println!(
        "# - the engine's receive+delete cost {depth}: depth {DEEP} runs at {deep_over_shallow:.2}x the rate of depth {SHALLOW}."
    );
}

/// Objects written, read and headed by the raw S3 workload.
const S3_OBJECTS: u32 = 4_000;
/// Listings of the raw S3 workload (each a page of 100 keys).
const S3_LISTS: u32 = 400;

/// Requests per second of the raw S3 workload.
struct S3Rates {
    put: f64,
    get: f64,
    head: f64,
    list: f64,
}

/// Puts `S3_OBJECTS` from concurrent workers, then gets and heads each, then lists pages.
async fn s3_rates(endpoint: &str) -> S3Rates {
    let config = aws_sdk_s3::config::Builder::from(&sdk_config_for(endpoint).await)
        .force_path_style(true)
        .build();
    let client = aws_sdk_s3::Client::from_conf(config);
    client
        .create_bucket()
        .bucket("bench-raw")
        .send()
        .await
        .expect("CreateBucket");
    let per_worker = S3_OBJECTS / RAW_WORKERS;
    let mut rates = [0.0; 4];
    for (phase, rate) in rates.iter_mut().enumerate() {
        let count = if phase == 3 { S3_LISTS } else { S3_OBJECTS };
        let started = Instant::now();
        let mut workers = tokio::task::JoinSet::new();
        for worker in 0..RAW_WORKERS {
            let client = client.clone();
            workers.spawn(async move {
                for index in 0..count / RAW_WORKERS {
                    let key = format!("objects/{:06}", worker * per_worker + index);
                    s3_request(&client, phase, &key).await;
                }
            });
        }
        workers.join_all().await;
        *rate = per_second(count, started);
    }
    let [put, get, head, list] = rates;
    S3Rates {
        put,
        get,
        head,
        list,
    }
}

/// One request of `phase`: 0 put, 1 get (body read), 2 head, 3 a listing page of 100 after `key`.
async fn s3_request(client: &aws_sdk_s3::Client, phase: usize, key: &str) {
    match phase {
        0 => {
            client
                .put_object()
                .bucket("bench-raw")
                .key(key)
                .body(aws_sdk_s3::primitives::ByteStream::from_static(
                    BODY.as_bytes(),
                ))
                .send()
                .await
                .expect("PutObject");
        }
        1 => {
            let object = client
                .get_object()
                .bucket("bench-raw")
                .key(key)
                .send()
                .await
                .expect("GetObject");
            let body = object.body.collect().await.expect("the body is read");
            assert_eq!(body.into_bytes().len(), BODY.len());
        }
        2 => {
            client
                .head_object()
                .bucket("bench-raw")
                .key(key)
                .send()
                .await
                .expect("HeadObject");
        }
        _ => {
            let page = client
                .list_objects_v2()
                .bucket("bench-raw")
                .start_after(key)
                .max_keys(100)
                .send()
                .await
                .expect("ListObjectsV2");
            assert!(
                !page.contents().is_empty(),
                "the listing has keys after {key}"
            );
        }
    }
}

/// Messages per second of the raw workload.
struct RawRates {
    send: f64,
    receive_delete: f64,
}

/// Sends `RAW_MESSAGES` from concurrent senders, then drains them with concurrent consumers.
async fn raw_rates(client: &Client) -> RawRates {
    let queue_url = create_queue(client, "bench-raw").await;
    let batches_per_worker = RAW_MESSAGES / BATCH / RAW_WORKERS;

    let started = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for worker in 0..RAW_WORKERS {
        let (client, queue_url) = (client.clone(), queue_url.clone());
        senders.spawn(async move {
            for batch in 0..batches_per_worker {
                send_batch(&client, &queue_url, worker * batches_per_worker + batch).await;
            }
        });
    }
    senders.join_all().await;
    let send = per_second(RAW_MESSAGES, started);

    let started = Instant::now();
    let mut consumers = tokio::task::JoinSet::new();
    for _ in 0..RAW_WORKERS {
        let (client, queue_url) = (client.clone(), queue_url.clone());
        consumers.spawn(async move { drain(&client, &queue_url).await });
    }
    let received: u32 = consumers.join_all().await.into_iter().sum();
    let receive_delete = per_second(received, started);
    assert_eq!(
        received, RAW_MESSAGES,
        "every sent message is received once"
    );

    RawRates {
        send,
        receive_delete,
    }
}

/// One run of the sequential workload.
struct SequentialRun {
    send_seconds: f64,
    drain_seconds: f64,
}

impl SequentialRun {
    fn total_seconds(&self) -> f64 {
        self.send_seconds + self.drain_seconds
    }

    fn rate(&self) -> f64 {
        f64::from(SEQUENTIAL_MESSAGES) / self.total_seconds()
    }
}

impl std::fmt::Display for SequentialRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.3} s total ({:.3} s send + {:.3} s receive/delete), {:.0} msg/s",
            self.total_seconds(),
            self.send_seconds,
            self.drain_seconds,
            self.rate()
        )
    }
}

/// Sends `SEQUENTIAL_MESSAGES` one `SendMessage` at a time, then receives ten at a time and
/// deletes each batch until a receive comes back empty; one client, one request in flight.
async fn sequential(client: &Client) -> SequentialRun {
    let queue_url = create_queue(client, "bench-sequential").await;

    let started = Instant::now();
    for index in 0..SEQUENTIAL_MESSAGES {
        client
            .send_message()
            .queue_url(&queue_url)
            .message_body(format!("{index:05} {BODY}"))
            .send()
            .await
            .expect("SendMessage");
    }
    let send_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let received = drain(client, &queue_url).await;
    let drain_seconds = started.elapsed().as_secs_f64();
    assert_eq!(
        received, SEQUENTIAL_MESSAGES,
        "every sent message is received once"
    );

    SequentialRun {
        send_seconds,
        drain_seconds,
    }
}

/// Receive+delete rate over the first `DEPTH_SAMPLE` messages of a `DEEP` queue.
async fn deep_rate(client: &Client) -> f64 {
    let queue_url = create_queue(client, "bench-deep").await;
    fill(client, &queue_url, DEEP).await;
    let started = Instant::now();
    let mut received = 0;
    while received < DEPTH_SAMPLE {
        received += receive_and_delete(client, &queue_url).await;
    }
    let rate = per_second(received, started);
    drain(client, &queue_url).await;
    rate
}

/// Receive+delete rate over `DEPTH_SAMPLE` messages, taken from a queue refilled to `SHALLOW`.
async fn shallow_rate(client: &Client) -> f64 {
    let queue_url = create_queue(client, "bench-shallow").await;
    let mut seconds = 0.0;
    let mut received = 0;
    while received < DEPTH_SAMPLE {
        fill(client, &queue_url, SHALLOW).await;
        let started = Instant::now();
        let mut drained = 0;
        while drained < SHALLOW {
            drained += receive_and_delete(client, &queue_url).await;
        }
        seconds += started.elapsed().as_secs_f64();
        received += drained;
    }
    f64::from(received) / seconds
}

async fn create_queue(client: &Client, name: &str) -> String {
    client
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("CreateQueue returns the queue URL")
}

/// Sends `count` (a multiple of `BATCH`) messages in sequential batches.
async fn fill(client: &Client, queue_url: &str, count: u32) {
    for batch in 0..count / BATCH {
        send_batch(client, queue_url, batch).await;
    }
}

/// Sends one `SendMessageBatch` of `BATCH` messages, numbered from `batch * BATCH`.
async fn send_batch(client: &Client, queue_url: &str, batch: u32) {
    let entries = (0..BATCH).map(|entry| {
        SendMessageBatchRequestEntry::builder()
            .id(entry.to_string())
            .message_body(format!("{:06} {BODY}", batch * BATCH + entry))
            .build()
            .expect("id and body are set")
    });
    let output = client
        .send_message_batch()
        .queue_url(queue_url)
        .set_entries(Some(entries.collect()))
        .send()
        .await
        .expect("SendMessageBatch");
    assert!(
        output.failed.is_empty(),
        "SendMessageBatch failed entries: {:?}",
        output.failed
    );
}

/// Receives and deletes until a receive comes back empty; returns how many it deleted.
async fn drain(client: &Client, queue_url: &str) -> u32 {
    let mut received = 0;
    loop {
        match receive_and_delete(client, queue_url).await {
            0 => return received,
            count => received += count,
        }
    }
}

/// One `ReceiveMessage` of up to `BATCH` (no long poll), then one `DeleteMessageBatch` of what
/// came back; returns how many.
async fn receive_and_delete(client: &Client, queue_url: &str) -> u32 {
    let messages = client
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(0)
        .send()
        .await
        .expect("ReceiveMessage")
        .messages
        .unwrap_or_default();
    if messages.is_empty() {
        return 0;
    }
    let entries = messages.iter().enumerate().map(|(index, message)| {
        DeleteMessageBatchRequestEntry::builder()
            .id(index.to_string())
            .set_receipt_handle(message.receipt_handle.clone())
            .build()
            .expect("id and receipt handle are set")
    });
    let output = client
        .delete_message_batch()
        .queue_url(queue_url)
        .set_entries(Some(entries.collect()))
        .send()
        .await
        .expect("DeleteMessageBatch");
    assert!(
        output.failed.is_empty(),
        "DeleteMessageBatch failed entries: {:?}",
        output.failed
    );
    u32::try_from(messages.len()).expect("at most ten messages")
}

fn per_second(messages: u32, started: Instant) -> f64 {
    f64::from(messages) / started.elapsed().as_secs_f64()
}
