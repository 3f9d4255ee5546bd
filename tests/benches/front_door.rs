//! `POST /orders` → `202` through the HTTP front door on loopback: requests per second and
//! p50/p99 latency seen by concurrent keep-alive clients.
//!
//! Two runs: the front door alone (an in-process function that answers `202` at once: what the
//! engine adds — routing, the payload 2.0 event, the response rules), and the whole local path
//! (`gen dev`'s Lambda service: the event through the Runtime API to a release-built function
//! process and back, `scripted-handler` answering `202`).
//!
//! Both front doors throttle nothing (`ApiSpec::throttling: None`): a stage limit would answer
//! the load's excess with `429` and measure the limit, not the engine. pipeline.yaml's
//! throttling stays bounded (`gen dev` always applies it); the second run starts `gen dev` as
//! usual and puts an unthrottled front door over the same Lambda service.
//!
//! With `FRONT_DOOR_HANDLER=<binary>` the second run uses that binary instead, e.g. the
//! release-built `order_ingest` (`cargo build --release -p runtime --example order_ingest`, then
//! `FRONT_DOOR_HANDLER=target/release/examples/order_ingest`): the real handler validating each
//! order and enqueueing it to the engine's SQS before answering `202`.
//!
//! Each run is measured twice: closed loop (`CLIENTS` clients, each sending its next request
//! when the last is answered: the most the door takes, latency including the queueing that
//! saturation brings), and open loop at the issue's aim (`gen send`'s load: 3,000 requests/s
//! for 5 s over `CLIENTS` connections: the latency a request sees at that rate).
//!
//! Not a criterion bench: one timed run of each is the figure. Figures go to stdout.
//! Run with `cargo bench -p tests --bench front_door`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use engine::http_api::{ApiSpec, HttpApi, Invocation, Invoke, RouteSpec};
use generator::config;
use generator::config::naming::crate_name;
use generator::local::dev::{self, DevOptions, Faults};
use generator::local::http_client::HttpClient;
use generator::local::http_load::{self, LoadPlan};
use generator::local::time_scale::TimeScale;
use generator::synth::{SynthOptions, synthesize};
use hyper::body::Bytes;

/// Requests per client.
const REQUESTS: usize = 5_000;
/// Concurrent clients.
const CLIENTS: usize = 8;
const ORDER: &str = r#"{"email":"a@example.com","items":[{"sku":"A-1","qty":2}]}"#;

/// A function that accepts every order at once.
#[derive(Debug)]
struct Accepts;

impl Invoke for Accepts {
    fn invoke(&self, _function: &str, _event: Bytes) -> Invocation<'_> {
        Box::pin(async {
            Ok(Bytes::from_static(
                br#"{"statusCode":202,"headers":{"content-type":"application/json"},"body":"{\"order_id\":\"01J0000000000000000000000\",\"status\":\"accepted\"}"}"#,
            ))
        })
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let spec = ApiSpec {
        name: "orders".into(),
        routes: vec![RouteSpec::new("POST /orders", "submit").expect("a route")],
        cors: None,
        throttling: None,
        port: 0,
    };
    let api = HttpApi::start(spec, Arc::new(Accepts), None)
        .await
        .expect("the front door starts");
    let (rate, p50, p99) = load(&api.url()).await;
    println!(
        "front door alone ({CLIENTS} clients × {REQUESTS} POST /orders → 202): {rate:.0} requests/s, p50 {p50:.3} ms, p99 {p99:.3} ms"
    );
    paced(&api.url(), "front door alone").await;
    drop(api);

    let yaml = "pipeline: bench
region: us-east-1
apis:
  orders: {}
queues:
  orders: {}
functions:
  submit:
    handler: order_ingest
    reserved_concurrency: 8
    trigger: { route: POST /orders }
    writes: { enqueue: orders }
";
    let loaded = config::load("pipeline.yaml", yaml.as_bytes());
    let pipeline = loaded
        .pipeline
        .unwrap_or_else(|| panic!("{}", loaded.report.render(false)));
    let template = synthesize(&pipeline, &SynthOptions::default()).expect("synth");
    let binaries = tempfile::tempdir().expect("a temp dir");
    let handler = std::env::var_os("FRONT_DOOR_HANDLER").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_BIN_EXE_scripted-handler")),
        |path| std::fs::canonicalize(&path).expect("FRONT_DOOR_HANDLER names a binary"),
    );
    std::os::unix::fs::symlink(
        &handler,
        binaries.path().join(crate_name(&pipeline.name, "submit")),
    )
    .expect("a link to the handler");
    let options = DevOptions {
        port: 0,
        binaries: binaries.path().to_path_buf(),
        time: TimeScale::REAL,
        faults: Faults::default(),
        account_concurrency: None,
        outbox: None,
        data_dir: None,
    };
    let (logs, mut lines) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move { while lines.recv().await.is_some() {} });
    let running = dev::start(&pipeline, &template, &options, logs)
        .await
        .expect("gen dev starts");
    // The same routes and Lambda service as `gen dev`'s own front door, without its stage limit.
    let spec = ApiSpec {
        throttling: None,
        ..dev::api_spec(&pipeline, "orders").expect("the API's spec")
    };
    let invoker: Arc<dyn Invoke> = Arc::new(running.lambda.clone());
    let unthrottled = HttpApi::start(spec, invoker, None)
        .await
        .expect("the front door starts");
    let url = unthrottled.url();
    // Let the function processes start before timing them.
    let mut warm = HttpClient::new(&url).expect("a URL");
    for _ in 0..50 {
        let _ = warm.post("/orders", ORDER).await;
    }
    let (rate, p50, p99) = load(&url).await;
    println!(
        "front door + Lambda service (8 processes of `{}`, via the Runtime API, {CLIENTS} clients × {REQUESTS}): {rate:.0} requests/s, p50 {p50:.3} ms, p99 {p99:.3} ms",
        handler.file_name().unwrap_or_default().to_string_lossy()
    );
    paced(&url, "front door + Lambda service").await;
}

/// The issue's aim as a paced load: 3,000 requests/s for 5 s; every answer must be `202`.
async fn paced(url: &str, what: &str) {
    let plan = LoadPlan {
        url: url.to_owned(),
        method: hyper::Method::POST,
        path: "/orders".into(),
        bodies: vec![Bytes::from_static(ORDER.as_bytes())],
        count: 0,
        rate: Some(3_000.0),
        duration: Some(Duration::from_secs(5)),
        connections: CLIENTS,
    };
    let report = http_load::run(plan, "POST /orders".into()).await;
    assert_eq!(report.accepted, report.sent, "{report}");
    let latency = report.latency.expect("answers");
    println!(
        "{what}, paced at 3000/s for 5 s over {CLIENTS} connections: {:.0} requests/s, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        report.requests_per_second, latency.p50_ms, latency.p99_ms, latency.max_ms
    );
}

/// Requests per second, p50 and p99 in milliseconds, of `CLIENTS` clients each sending
/// `REQUESTS` orders; every answer must be `202`.
async fn load(url: &str) -> (f64, f64, f64) {
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let url = url.to_owned();
            tokio::spawn(async move {
                let mut client = HttpClient::new(&url).expect("a URL");
                let mut latencies = Vec::with_capacity(REQUESTS);
                for _ in 0..REQUESTS {
                    let sent = Instant::now();
                    let answer = client.post("/orders", ORDER).await.expect("an answer");
                    latencies.push(sent.elapsed());
                    assert_eq!(answer.status, 202, "{:?}", answer.body);
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = Vec::with_capacity(CLIENTS * REQUESTS);
    for client in clients {
        latencies.extend(client.await.expect("a client finishes"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
    (
        f64::from(u32::try_from(latencies.len()).unwrap_or(u32::MAX)) / elapsed,
        percentile(50).as_secs_f64() * 1000.0,
        percentile(99).as_secs_f64() * 1000.0,
    )
}
