//! The local engine's Lambda plumbing, end to end: real function processes behind the Runtime
//! API, fed by event source mappings. The function is `scripted-handler` (this crate's binary),
//! whose records say what it does: succeed, fail, crash or hang. What it was handed comes back
//! through its log, so each test sees every delivery — batch by batch, with receive counts.
//!
//! All waits are polls with generous deadlines; nothing here asserts how fast anything is.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use generator::config;
use generator::config::naming::crate_name;
use generator::local::dev::{self, Dev, DevOptions, Faults};
use generator::local::time_scale::TimeScale;
use generator::synth::{SynthOptions, synthesize};
use serde_json::Value;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// One delivery of one record, as the function printed it.
#[derive(Debug, Clone)]
struct Delivery {
    request: String,
    batch_size: u64,
    body: String,
    receive_count: u64,
}

struct Running {
    dev: Dev,
    logs: mpsc::UnboundedReceiver<String>,
    deliveries: Vec<Delivery>,
    _binaries: tempfile::TempDir,
}

/// Starts `yaml`'s pipeline on the engine, every function being the scripted handler.
async fn start(yaml: &str, faults: Faults) -> Running {
    start_limited(yaml, faults, None).await
}

/// As [`start`], with the account's concurrency limited to `account_concurrency`.
async fn start_limited(yaml: &str, faults: Faults, account_concurrency: Option<u32>) -> Running {
    start_with(yaml, faults, account_concurrency, None).await
}

/// As [`start`], keeping objects and queues in `data_dir` (`gen dev --data-dir`).
async fn start_with(
    yaml: &str,
    faults: Faults,
    account_concurrency: Option<u32>,
    data_dir: Option<std::path::PathBuf>,
) -> Running {
    let loaded = config::load("pipeline.yaml", yaml.as_bytes());
    let pipeline = loaded
        .pipeline
        .unwrap_or_else(|| panic!("{}", loaded.report.render(false)));
    let template = synthesize(&pipeline, &SynthOptions::default()).unwrap();
    let binaries = tempfile::tempdir().unwrap();
    for function in pipeline.functions.keys() {
        std::os::unix::fs::symlink(
            env!("CARGO_BIN_EXE_scripted-handler"),
            binaries.path().join(crate_name(&pipeline.name, function)),
        )
        .unwrap();
    }
    let options = DevOptions {
        port: 0,
        binaries: binaries.path().to_path_buf(),
        time: TimeScale::REAL,
        faults,
        account_concurrency,
        outbox: None,
        data_dir,
    };
    let (sender, logs) = mpsc::unbounded_channel();
    let dev = dev::start(&pipeline, &template, &options, sender)
        .await
        .unwrap();
    Running {
        dev,
        logs,
        deliveries: Vec::new(),
        _binaries: binaries,
    }
}

impl Running {
    async fn send(&self, queue: &str, bodies: &[&str]) {
        self.send_grouped(queue, bodies.iter().map(|body| (*body, None)))
            .await;
    }

    async fn send_grouped<'a>(
        &self,
        queue: &str,
        bodies: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
    ) {
        let bodies: Vec<_> = bodies.into_iter().collect();
        for chunk in bodies.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(index, (body, group))| {
                    SendMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .message_body(*body)
                        .set_message_group_id(group.map(str::to_owned))
                        .set_message_deduplication_id(group.map(|_| (*body).to_owned()))
                        .build()
                        .unwrap()
                })
                .collect();
            let output = self
                .dev
                .sqs
                .send_message_batch()
                .queue_url(&self.dev.queue_urls[queue])
                .set_entries(Some(entries))
                .send()
                .await
                .unwrap();
            assert!(output.failed().is_empty(), "{:?}", output.failed());
        }
    }

    /// Reads the function logs until `done` holds for the deliveries seen (at most 60 s).
    async fn until(&mut self, what: &str, done: impl Fn(&[Delivery]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !done(&self.deliveries) {
            let line = tokio::time::timeout_at(deadline, self.logs.recv())
                .await
                .unwrap_or_else(|_| panic!("{what}: not seen in 60 s; saw {:#?}", self.deliveries))
                .expect("the engine runs");
            if let Some(start) = line.find(r#"{"scripted""#) {
                let value: Value = serde_json::from_str(&line[start..]).unwrap();
                let record = &value["scripted"];
                self.deliveries.push(Delivery {
                    request: record["request"].as_str().unwrap().to_owned(),
                    batch_size: record["batch_size"].as_u64().unwrap(),
                    body: record["body"].as_str().unwrap().to_owned(),
                    receive_count: record["receive_count"].as_u64().unwrap(),
                });
            }
        }
    }

    /// Waits until `queue` holds nothing (visible, in flight or delayed) (at most 60 s).
    async fn until_empty(&self, queue: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let depth = self.depth(queue).await;
            if depth == 0 {
                return;
            }
            assert!(Instant::now() < deadline, "`{queue}` still holds {depth}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn depth(&self, queue: &str) -> u64 {
        let output = self
            .dev
            .sqs
            .get_queue_attributes()
            .queue_url(&self.dev.queue_urls[queue])
            .attribute_names(QueueAttributeName::All)
            .send()
            .await
            .unwrap();
        let attributes = output.attributes().unwrap();
        [
            QueueAttributeName::ApproximateNumberOfMessages,
            QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            QueueAttributeName::ApproximateNumberOfMessagesDelayed,
        ]
        .iter()
        .map(|name| attributes[name].parse::<u64>().unwrap())
        .sum()
    }

    fn seen(&self, body: &str) -> Vec<u64> {
        self.deliveries
            .iter()
            .filter(|d| d.body == body)
            .map(|d| d.receive_count)
            .collect()
    }
}

/// A queue triggering one function; `trigger` and `queue` are the YAML flow maps' contents.
fn one_function(queue: &str, trigger: &str) -> String {
    format!(
        "pipeline: plumbing
region: us-east-1
queues:
  jobs: {{ {queue} }}
  jobs-dlq: {{ alarm: {{ above: 0 }} }}
buckets:
  results: {{}}
functions:
  worker:
    handler: notification_logger
    timeout: 1s
    trigger: {{ queue: jobs, {trigger} }}
"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_never_exceed_the_batch_size_and_the_window_gathers_them() {
    let yaml = one_function(
        "visibility_timeout: 10s",
        "batch_size: 4, batching_window: 2s",
    );
    let mut running = start(&yaml, Faults::default()).await;
    let bodies: Vec<String> = (0..10).map(|n| format!("ok#{n}")).collect();
    let refs: Vec<&str> = bodies.iter().map(String::as_str).collect();
    running.send("jobs", &refs).await;
    running
        .until("10 deliveries", |seen| seen.len() >= 10)
        .await;
    running.until_empty("jobs").await;
    let mut batches: BTreeMap<&str, u64> = BTreeMap::new();
    for delivery in &running.deliveries {
        assert!(delivery.batch_size <= 4, "{delivery:?}");
        *batches.entry(&delivery.request).or_default() += 1;
        assert_eq!(delivery.receive_count, 1, "{delivery:?}");
    }
    // Sent at once and gathered for 2 s, ten messages make batches of 4, 4 and 2 — not ten
    // batches of one. Two workers poll, so how they split is theirs; the count is bounded.
    assert!(batches.len() <= 4, "{batches:?}");
    assert_eq!(running.deliveries.len(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn partial_failure_deletes_only_the_successes_and_redrives_the_failure() {
    let yaml = one_function(
        "visibility_timeout: 2s, max_receive_count: 2, dead_letter: jobs-dlq",
        "batch_size: 10, batching_window: 1s",
    );
    let mut running = start(&yaml, Faults::default()).await;
    running.send("jobs", &["ok#1", "fail#2", "ok#3"]).await;
    running
        .until("the failed record twice", |seen| {
            seen.iter().filter(|d| d.body == "fail#2").count() >= 2
        })
        .await;
    running.until_empty("jobs").await;
    assert_eq!(running.seen("ok#1"), [1], "deleted after its first success");
    assert_eq!(running.seen("ok#3"), [1]);
    assert_eq!(
        running.seen("fail#2"),
        [1, 2],
        "back after its visibility timeout"
    );
    // After `max_receive_count` failed receives the record moved to the dead-letter queue.
    let moved = running
        .dev
        .sqs
        .receive_message()
        .queue_url(&running.dev.queue_urls["jobs-dlq"])
        .wait_time_seconds(5)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = moved.messages().iter().filter_map(|m| m.body()).collect();
    assert_eq!(bodies, ["fail#2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_mid_batch_redelivers_the_whole_batch() {
    let yaml = one_function(
        "visibility_timeout: 2s",
        "batch_size: 10, batching_window: 1s",
    );
    let mut running = start(&yaml, Faults::default()).await;
    running
        .send("jobs", &["ok#1", "crash-once#2", "ok#3"])
        .await;
    running
        .until("the record after the crash", |seen| {
            seen.iter().any(|d| d.body == "ok#3")
        })
        .await;
    running.until_empty("jobs").await;
    // `ok#1` had succeeded before the crash, but nothing of a crashed invocation is deleted:
    // the whole batch came back, and `ok#3` (never reached) with it.
    assert_eq!(running.seen("ok#1"), [1, 2]);
    assert_eq!(running.seen("crash-once#2"), [1, 2]);
    assert_eq!(running.seen("ok#3"), [2]);
    let stats = &running.dev.stats["worker"];
    assert_eq!(stats.invoke_failures.load(Ordering::Relaxed), 1);
    assert_eq!(stats.redelivered.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_fails_the_batch_and_restarts_the_function() {
    let yaml = one_function("visibility_timeout: 3s", "batch_size: 10");
    let mut running = start(&yaml, Faults::default()).await;
    running.send("jobs", &["sleep-once:5000#1"]).await;
    running
        .until("the record delivered again", |seen| seen.len() >= 2)
        .await;
    running.until_empty("jobs").await;
    assert_eq!(running.seen("sleep-once:5000#1"), [1, 2]);
    assert_eq!(
        running.dev.stats["worker"]
            .invoke_failures
            .load(Ordering::Relaxed),
        1,
        "the 1 s timeout ended the first invocation"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifo_groups_are_handed_over_in_order() {
    let yaml = one_function("fifo: true, visibility_timeout: 5s", "batch_size: 3");
    let mut running = start(&yaml, Faults::default()).await;
    let messages: Vec<(String, &str)> = (0..6)
        .flat_map(|n| [(format!("ok#a{n}"), "a"), (format!("ok#b{n}"), "b")])
        .collect();
    running
        .send_grouped(
            "jobs",
            messages
                .iter()
                .map(|(body, group)| (body.as_str(), Some(*group))),
        )
        .await;
    running.until("all twelve", |seen| seen.len() >= 12).await;
    for group in ["a", "b"] {
        let order: Vec<&str> = running
            .deliveries
            .iter()
            .map(|d| d.body.as_str())
            .filter(|body| body.starts_with(&format!("ok#{group}")))
            .collect();
        let expected: Vec<String> = (0..6).map(|n| format!("ok#{group}{n}")).collect();
        assert_eq!(order, expected, "group {group}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injected_crashes_fire_and_nothing_is_deleted() {
    let yaml = one_function("visibility_timeout: 30s", "batch_size: 10");
    let faults = Faults {
        crash_rate: 1.0,
        ..Faults::default()
    };
    let running = start(&yaml, faults).await;
    running.send("jobs", &["ok#1"]).await;
    let stats = &running.dev.stats["worker"];
    let deadline = Instant::now() + Duration::from_secs(60);
    while stats.invoke_failures.load(Ordering::Relaxed) == 0 {
        assert!(Instant::now() < deadline, "no crash within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(stats.succeeded.load(Ordering::Relaxed), 0);
    assert_eq!(running.depth("jobs").await, 1, "the message is kept");
}

/// The queue faults (`--queue-failure-rate`, `--queue-latency-ms`, `--queue-outage`), seen by a
/// client as Lambda code sees them, on a queue no function reads.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queue_faults_fire_as_configured() {
    let yaml = one_function("visibility_timeout: 10s", "batch_size: 10");
    let send = |running: &Running| {
        let sqs = running.dev.sqs.clone();
        let url = running.dev.queue_urls["jobs-dlq"].clone();
        async move {
            sqs.send_message()
                .queue_url(url)
                .message_body("payload")
                .send()
                .await
        }
    };
    let code = |error: &aws_sdk_sqs::error::SdkError<_>| {
        error
            .raw_response()
            .map(|response| response.status().as_u16())
    };

    let failing = start(
        &yaml,
        Faults {
            queue_failure_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    let error = send(&failing).await.expect_err("every call fails");
    assert_eq!(code(&error), Some(400), "{error:?}");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&error),
        Some("ThrottlingException")
    );
    drop(failing);

    let latency = Duration::from_millis(300);
    let slow = start(
        &yaml,
        Faults {
            queue_latency: latency,
            ..Faults::default()
        },
    )
    .await;
    let started = Instant::now();
    send(&slow).await.unwrap();
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());
    drop(slow);

    let outage = start(
        &yaml,
        Faults {
            queue_outage: Some((Duration::ZERO, Duration::from_secs(8))),
            ..Faults::default()
        },
    )
    .await;
    let error = send(&outage).await.expect_err("down at first");
    assert_eq!(code(&error), Some(503), "{error:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while send(&outage).await.is_err() {
        assert!(Instant::now() < deadline, "the queues never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `gen dev --data-dir`: objects and queued messages are there again after a restart, even
/// when pipeline.yaml changed the queue's settings meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_on_the_data_dir_keeps_objects_and_messages() {
    let folder = tempfile::tempdir().unwrap();
    let yaml = one_function("visibility_timeout: 10s", "batch_size: 10");
    let mut first = start_with(
        &yaml,
        Faults::default(),
        None,
        Some(folder.path().to_owned()),
    )
    .await;
    first
        .dev
        .s3
        .put_object()
        .bucket(&first.dev.buckets["results"])
        .key("reports/2026/12.json")
        .body(b"{}".to_vec().into())
        .send()
        .await
        .unwrap();
    first.send("jobs-dlq", &["kept"]).await;
    first.dev.engine.close().await.expect("saved");
    drop(first);

    let changed = one_function("visibility_timeout: 20s", "batch_size: 10");
    let second = start_with(
        &changed,
        Faults::default(),
        None,
        Some(folder.path().to_owned()),
    )
    .await;
    let object = second
        .dev
        .s3
        .get_object()
        .bucket(&second.dev.buckets["results"])
        .key("reports/2026/12.json")
        .send()
        .await
        .expect("the object is back");
    assert_eq!(
        object.body.collect().await.unwrap().into_bytes().as_ref(),
        b"{}"
    );
    assert_eq!(second.depth("jobs-dlq").await, 1);
    let visibility = second
        .dev
        .sqs
        .get_queue_attributes()
        .queue_url(&second.dev.queue_urls["jobs"])
        .attribute_names(QueueAttributeName::VisibilityTimeout)
        .send()
        .await
        .unwrap();
    assert_eq!(
        visibility
            .attributes()
            .and_then(|attributes| attributes.get(&QueueAttributeName::VisibilityTimeout))
            .map(String::as_str),
        Some("20"),
        "the new settings apply"
    );
}

/// The object-store faults, seen by a client as Lambda code sees them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_faults_fire_as_configured() {
    let yaml = one_function("visibility_timeout: 10s", "batch_size: 10");
    let put = |running: &Running, key: &str| {
        let s3 = running.dev.s3.clone();
        let bucket = running.dev.buckets["results"].clone();
        let key = key.to_owned();
        async move {
            s3.put_object()
                .bucket(bucket)
                .key(key)
                .body(Vec::new().into())
                .send()
                .await
        }
    };
    let slow_down = |error: &aws_sdk_s3::error::SdkError<_>| {
        error
            .raw_response()
            .is_some_and(|response| response.status().as_u16() == 503)
    };

    let failing = start(
        &yaml,
        Faults {
            store_failure_rate: 1.0,
            ..Faults::default()
        },
    )
    .await;
    let error = put(&failing, "a").await.expect_err("every call fails");
    assert!(slow_down(&error), "{error:?}");
    drop(failing);

    let latency = Duration::from_millis(300);
    let slow = start(
        &yaml,
        Faults {
            store_latency: latency,
            ..Faults::default()
        },
    )
    .await;
    let started = Instant::now();
    put(&slow, "b").await.unwrap();
    // A lower bound only: the latency is added, whatever else the machine is doing.
    assert!(started.elapsed() >= latency, "{:?}", started.elapsed());
    drop(slow);

    let outage = start(
        &yaml,
        Faults {
            // Longer than the SDK's own retries of a 503 take.
            store_outage: Some((Duration::ZERO, Duration::from_secs(8))),
            ..Faults::default()
        },
    )
    .await;
    let error = put(&outage, "c").await.expect_err("down at first");
    assert!(slow_down(&error), "{error:?}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while put(&outage, "c").await.is_err() {
        assert!(Instant::now() < deadline, "the store never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_account_concurrency_throttles_mappings_which_back_off_and_lose_nothing() {
    let yaml = "pipeline: plumbing
region: us-east-1
queues:
  jobs: { visibility_timeout: 30s }
  more: { visibility_timeout: 30s }
functions:
  first:
    handler: notification_logger
    timeout: 2s
    trigger: { queue: jobs, batch_size: 1 }
  second:
    handler: notification_logger
    timeout: 2s
    trigger: { queue: more, batch_size: 1 }
";
    // Four workers (two per function) poll, but only one invocation may run at a time.
    let mut running = start_limited(yaml, Faults::default(), Some(1)).await;
    let jobs: Vec<String> = (0..4).map(|n| format!("sleep-once:200#jobs-{n}")).collect();
    let more: Vec<String> = (0..4).map(|n| format!("sleep-once:200#more-{n}")).collect();
    running
        .send("jobs", &jobs.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    running
        .send("more", &more.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    running
        .until("all eight records", |seen| seen.len() >= 8)
        .await;
    running.until_empty("jobs").await;
    running.until_empty("more").await;
    for body in jobs.iter().chain(&more) {
        assert_eq!(
            running.seen(body),
            [1],
            "`{body}` delivered once, never lost or repeated"
        );
    }
    let throttled: u64 = ["first", "second"]
        .iter()
        .map(|name| running.dev.stats[*name].throttled.load(Ordering::Relaxed))
        .sum();
    assert!(
        throttled > 0,
        "invocations past the account's one slot were throttled and retried"
    );
    let failures: u64 = ["first", "second"]
        .iter()
        .map(|name| {
            running.dev.stats[*name]
                .invoke_failures
                .load(Ordering::Relaxed)
        })
        .sum();
    assert_eq!(failures, 0, "a throttle is not a failed invocation");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_front_door_invokes_route_functions_and_answers_500_when_the_account_throttles() {
    let yaml = "pipeline: plumbing
region: us-east-1
apis:
  orders: {}
queues:
  jobs: {}
functions:
  submit:
    handler: order_ingest
    timeout: 5s
    trigger: { route: POST /orders }
    writes: { enqueue: jobs }
";
    let running = start_limited(yaml, Faults::default(), Some(1)).await;
    let url = running.dev.apis["orders"].url();
    let mut client = generator::local::http_client::HttpClient::new(&url).unwrap();
    let answer = client.post("/orders", "hello").await.unwrap();
    assert_eq!(answer.status, 202);
    let echoed: Value = serde_json::from_slice(&answer.body).unwrap();
    assert_eq!(
        echoed,
        serde_json::json!({"path": "/orders", "body": "hello"})
    );
    let missing = client.post("/nothing", "x").await.unwrap();
    assert_eq!(
        (missing.status, &missing.body[..]),
        (404, &br#"{"message":"Not Found"}"#[..])
    );
    let failed = client.post("/orders", "fail").await.unwrap();
    assert_eq!(
        (failed.status, &failed.body[..]),
        (500, &br#"{"message":"Internal Server Error"}"#[..]),
        "a function error is the gateway's 500"
    );

    // One request holds the account's only slot; the one sent meanwhile is throttled, and API
    // Gateway answers a throttled Lambda with its own 500 (it does not pass the 429 on).
    let slow_url = url.clone();
    let slow = tokio::spawn(async move {
        let mut client = generator::local::http_client::HttpClient::new(&slow_url).unwrap();
        client.post("/orders", "sleep:1500").await.unwrap()
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let throttled = client.post("/orders", "quick").await.unwrap();
    assert_eq!(
        (throttled.status, &throttled.body[..]),
        (500, &br#"{"message":"Internal Server Error"}"#[..])
    );
    assert_eq!(slow.await.unwrap().status, 202);
    assert_eq!(running.dev.lambda.throttled()["submit"], 1);
    let after = client.post("/orders", "again").await.unwrap();
    assert_eq!(after.status, 202, "the slot is free again");
}
