//! `gen dev --demo` on the API examples: seed 001 (`POST /order`, the ingest → queue → store
//! chain) and seed 002 (`POST /orders`, a request schema, the store's e-mail). Each sends its
//! sample requests over HTTP to the front door, drains, and must account for every accepted order
//! (in the table exactly once, with exactly one e-mail for seed 002) and refuse every
//! `*.invalid.json` sample; with injected crashes too. And `gen send` to a running `gen dev` of
//! an API pipeline: its sample requests once, then a paced load, each reported by status with its
//! rate and latency; a route it does not have, and a `gen dev` that is gone, are clear errors.

mod scratch {
    pub(crate) mod dev;
    pub(crate) mod workspace;
}

use std::path::Path;
use std::process::Command;

use scratch::dev::Dev;
use scratch::workspace::{run, workspace, workspace_root};

/// `gen --output json dev --demo -f <file> <extra>`: the ledger, and everything printed.
fn demo(file: &str, extra: &[&str]) -> (bool, serde_json::Value, String) {
    let mut args = vec![
        "--output",
        "json",
        "dev",
        "--demo",
        "-f",
        file,
        "--timeout",
        "120",
    ];
    args.extend_from_slice(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(&args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", scratch::workspace::target_dir())
        .output()
        .expect("gen runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let ledger = serde_json::from_str(&stdout)
        .unwrap_or_else(|_| panic!("a JSON ledger\n{stdout}\n{stderr}"));
    (output.status.success(), ledger, stderr)
}

#[track_caller]
fn accounted(ledger: &serde_json::Value, accepted: u64, rejected: u64, emails: bool) {
    let count = |field: &str| ledger[field].as_u64().unwrap_or(u64::MAX);
    assert_eq!(count("accepted"), accepted, "{ledger:#}");
    assert_eq!(count("rejected"), rejected, "{ledger:#}");
    assert_eq!(count("unexpected"), 0, "{ledger:#}");
    assert_eq!(count("failed"), 0, "{ledger:#}");
    assert_eq!(
        count("done") + count("parked"),
        accepted,
        "every accepted order done or parked: {ledger:#}"
    );
    assert_eq!(ledger["missing"], serde_json::json!([]), "{ledger:#}");
    if emails {
        assert_eq!(count("emailed_once"), count("written"), "{ledger:#}");
        assert_eq!(count("emails"), count("written"), "{ledger:#}");
    }
    for answered in ledger["requests"].as_array().expect("the requests") {
        if answered["status"] == 202 {
            let id = answered["order_id"].as_str().expect("an order id");
            assert_eq!(id.len(), 26, "a 26-character sortable id: {answered}");
        } else {
            assert_eq!(answered["status"], 400, "{answered}");
        }
    }
}

#[test]
fn seed_001_accepts_valid_orders_refuses_invalid_ones_and_writes_each_once() {
    let (ok, ledger, said) = demo("examples/seed-001/pipeline.yaml", &[]);
    assert!(ok, "{ledger:#}\n{said}");
    accounted(&ledger, 3, 5, false);
    assert_eq!(ledger["written"], 3, "{ledger:#}");
    assert!(said.contains("api orders: http://127.0.0.1:"), "{said}");
    assert!(
        said.contains("SQS (JSON protocol), DynamoDB, SES v2 (SendEmail), EventBridge and S3"),
        "{said}"
    );
}

#[test]
fn seed_002_writes_each_order_once_with_one_email_also_through_crashes() {
    let file = "examples/seed-002/pipeline.yaml";
    let (ok, ledger, said) = demo(file, &[]);
    assert!(ok, "{ledger:#}\n{said}");
    accounted(&ledger, 4, 4, true);
    assert_eq!(ledger["written"], 4, "{ledger:#}");
    // Crashes kill function processes mid-invocation: a crashed ingest is the gateway's 500
    // (the client would retry), a crashed store's batch comes back; DynamoDB fails some calls
    // and is down for a window while the orders arrive. Nothing is written or e-mailed twice,
    // and nothing accepted is lost.
    let (_, ledger, said) = demo(
        file,
        &[
            "--crash-rate",
            "0.3",
            "--table-failure-rate",
            "0.2",
            "--table-outage",
            "0s:3s",
        ],
    );
    let count = |field: &str| ledger[field].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        ledger["missing"],
        serde_json::json!([]),
        "{ledger:#}\n{said}"
    );
    assert_eq!(
        count("done") + count("parked"),
        count("accepted"),
        "every 202 done (written once, e-mailed once) or parked: {ledger:#}"
    );
    assert_eq!(count("emailed_twice"), 0, "{ledger:#}");
    assert!(count("emails") <= count("items"), "{ledger:#}");
}

/// Seed 003: the ingest publishes `OrderPlaced` to a bus and four content rules fan each order
/// out; every order must reach exactly the consumers its content selects, once each — also
/// when consumer processes crash mid-batch and DynamoDB fails some calls.
#[test]
fn seed_003_fans_each_order_out_to_exactly_the_consumers_its_content_selects() {
    let file = "examples/seed-003/pipeline.yaml";
    let (ok, ledger, said) = demo(file, &[]);
    assert!(ok, "{ledger:#}\n{said}");
    accounted(&ledger, 5, 2, false);
    let consumers: Vec<(String, u64, u64, usize)> = ledger["consumers"]
        .as_array()
        .expect("a ledger per consumer")
        .iter()
        .map(|consumer| {
            (
                consumer["function"].as_str().unwrap().to_owned(),
                consumer["selected"].as_u64().unwrap(),
                consumer["written"].as_u64().unwrap(),
                consumer["stray"].as_array().unwrap().len(),
            )
        })
        .collect();
    // Every order to inventory and analytics; 02 and 05 reach 1000; 03, 04 and 05 ship
    // express or abroad.
    assert_eq!(
        consumers,
        [
            ("expedite-order".to_owned(), 3, 3, 0),
            ("record-sale".to_owned(), 5, 5, 0),
            ("reserve-stock".to_owned(), 5, 5, 0),
            ("review-order".to_owned(), 2, 2, 0),
        ],
        "{ledger:#}"
    );
    let (_, ledger, said) = demo(
        file,
        &["--crash-rate", "0.3", "--table-failure-rate", "0.2"],
    );
    let count = |field: &str| ledger[field].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        ledger["missing"],
        serde_json::json!([]),
        "{ledger:#}\n{said}"
    );
    assert_eq!(
        count("done") + count("parked"),
        count("accepted"),
        "every 202 at exactly its consumers, or parked: {ledger:#}"
    );
    for consumer in ledger["consumers"].as_array().unwrap() {
        assert_eq!(consumer["stray"], serde_json::json!([]), "{ledger:#}");
    }
}

#[test]
fn the_examples_are_fresh() {
    for file in [
        "examples/seed-001/pipeline.yaml",
        "examples/seed-002/pipeline.yaml",
        "examples/seed-003/pipeline.yaml",
    ] {
        let (ok, output) = run(Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(["check", "-f", file])
            .current_dir(workspace_root()));
        assert!(ok, "{file}: {output}");
    }
}

/// Seed 001 (everything but its `pipeline:` line) with its sample requests, in a workspace of
/// its own named `name`: its own `.gen/`, so it runs beside the demo tests of the example.
fn seed_001_copy(name: &str) -> std::path::PathBuf {
    let example = workspace_root().join("examples/seed-001");
    let yaml: String = std::fs::read_to_string(example.join("pipeline.yaml"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with("pipeline:"))
        .flat_map(|line| [line, "\n"])
        .collect();
    let folder = workspace(name, &yaml);
    let requests = folder.join("requests");
    std::fs::create_dir_all(&requests).unwrap();
    for entry in std::fs::read_dir(example.join("requests")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), requests.join(entry.file_name())).unwrap();
    }
    folder
}

/// `gen --output json send <args>` in `folder`: whether it succeeded, the report, and stderr.
fn send(folder: &Path, args: &[&str]) -> (bool, serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(["--output", "json", "send"])
        .args(args)
        .current_dir(folder)
        .env("NO_COLOR", "1")
        .output()
        .expect("gen send runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (output.status.success(), report, format!("{stdout}{stderr}"))
}

#[test]
fn send_posts_requests_to_a_running_api_and_reports_rate_statuses_and_latency() {
    let folder = seed_001_copy("send-api");
    let mut dev = Dev::start(&folder, &[]);
    dev.wait_for("`gen send` and `gen status` find the engine");
    let count =
        |report: &serde_json::Value, field: &str| report[field].as_u64().unwrap_or(u64::MAX);

    // The sample requests once each: 3 valid orders accepted, 5 invalid ones refused.
    let (ok, report, said) = send(&folder, &[]);
    assert!(ok, "{said}");
    assert_eq!(report["route"], "POST /order", "{said}");
    assert_eq!(count(&report, "sent"), 8, "{said}");
    assert_eq!(count(&report, "accepted"), 3, "{said}");
    assert_eq!(count(&report, "bad_request"), 5, "{said}");
    assert_eq!(
        report["statuses"],
        serde_json::json!({"202": 3, "400": 5}),
        "{said}"
    );
    let latency = &report["latency"];
    assert!(
        latency["p50_ms"].as_f64().unwrap() > 0.0
            && latency["p50_ms"].as_f64() <= latency["p99_ms"].as_f64(),
        "{said}"
    );

    // Paced: 40 requests/s for 2 s is 80 requests, within the stage's burst of 100.
    let (ok, report, said) = send(
        &folder,
        &["--route", "POST /order", "--rate", "40", "--duration", "2s"],
    );
    assert!(ok, "{said}");
    assert_eq!(count(&report, "sent"), 80, "{said}");
    assert_eq!(
        count(&report, "accepted") + count(&report, "bad_request"),
        80,
        "every request answered 202 or 400: {said}"
    );
    let achieved = report["requests_per_second"].as_f64().unwrap();
    assert!(
        (25.0..=41.0).contains(&achieved),
        "about the asked rate: {said}"
    );
    assert_eq!(report["asked_rate"], 40.0, "{said}");

    // One valid order 400 times, as fast as it goes: beyond the burst of 100 and 50/s the
    // stage answers 429, which the report counts (and which is not a failure).
    let valid = folder.join("requests/01-one-item.json");
    let (ok, report, said) = send(
        &folder,
        &["--request", valid.to_str().unwrap(), "--count", "400"],
    );
    assert!(ok, "{said}");
    assert_eq!(
        count(&report, "accepted") + count(&report, "throttled"),
        400,
        "{said}"
    );
    // Without throttling the run would need (400 - 100) / 50 = 6 s.
    if count(&report, "elapsed_ms") < 5_000 {
        assert!(count(&report, "throttled") > 0, "{said}");
    }

    // A route the pipeline does not have.
    let (ok, _, said) = send(&folder, &["--route", "GET /orders"]);
    assert!(!ok);
    assert!(
        said.contains("no route of pipeline.yaml serves `GET /orders`; its routes: `POST /order` (API `orders`)"),
        "{said}"
    );
    drop(dev);

    // `gen dev` stopped: nothing to send to.
    let (ok, _, said) = send(&folder, &[]);
    assert!(!ok);
    assert!(said.contains("no running `gen dev` found"), "{said}");
    // A state file left by a `gen dev` that is gone.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    std::fs::create_dir_all(folder.join(".gen")).unwrap();
    std::fs::write(
        folder.join(".gen/dev.json"),
        serde_json::json!({
            "endpoint": url, "pid": 1, "queues": {}, "buckets": {}, "orders_queue": null,
            "apis": {"orders": url}
        })
        .to_string(),
    )
    .unwrap();
    let (ok, _, said) = send(&folder, &[]);
    assert!(!ok);
    assert!(
        said.contains("cannot reach API `orders` at http://127.0.0.1:")
            && said.contains("no longer running"),
        "{said}"
    );
}

/// `gen dev` on seed 003 keeps its buses in `.gen/dev.json`, and `gen status` shows what each
/// rule did with an order posted to the API: matched, delivered, failed.
#[test]
fn status_shows_each_rules_figures_of_a_running_gen_dev() {
    let file = "examples/seed-003/pipeline.yaml";
    let state_file = workspace_root().join("examples/seed-003/.gen/dev.json");
    let rules_file = workspace_root().join("examples/seed-003/.gen/rules.json");
    let mut dev = Dev::start(workspace_root(), &["-f", file]);
    dev.wait_for_file(&state_file);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&state_file).unwrap()).unwrap();
    assert_eq!(
        state["buses"],
        serde_json::json!({ "orders": "order-events-orders-local" })
    );
    // One order of 2450 shipped within the US: inventory, analytics and high-value, not priority.
    let url = state["apis"]["orders"].as_str().unwrap().to_owned();
    let body = std::fs::read_to_string(
        workspace_root().join("examples/seed-003/requests/02-workstation.json"),
    )
    .unwrap();
    let answer = post(&url, "/orders", &body);
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let status = |format: &[&str]| {
        let mut args = format.to_vec();
        args.extend(["status", "-f", file]);
        let output = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(&args)
            .current_dir(workspace_root())
            .env("NO_COLOR", "1")
            .output()
            .expect("gen status runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let figures = |rule: &str, report: &serde_json::Value| -> (u64, u64, u64) {
        let found = report["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|figures| figures["rule"] == rule)
            .cloned()
            .unwrap_or_default();
        let count = |field: &str| found[field].as_u64().unwrap_or(u64::MAX);
        (count("matched"), count("delivered"), count("failed"))
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let report = loop {
        let report: serde_json::Value =
            serde_json::from_str(&status(&["--output", "json"])).unwrap_or_default();
        if figures("high-value", &report) == (1, 1, 0) || std::time::Instant::now() > deadline {
            break report;
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let text = status(&[]);
    let stopped = dev.stop();
    for (rule, expected) in [
        ("inventory", (1, 1, 0)),
        ("analytics", (1, 1, 0)),
        ("high-value", (1, 1, 0)),
        ("priority", (0, 0, 0)),
    ] {
        assert_eq!(figures(rule, &report), expected, "{rule}: {report:#}");
    }
    assert!(text.contains("bus    orders"), "{text}");
    assert!(
        text.contains(
            "rule   orders/high-value        matched      1  delivered      1  failed      0"
        ),
        "{text}"
    );
    assert!(stopped.success(), "{stopped:?}");
    assert!(
        !rules_file.exists(),
        "`gen dev` removes its rules file when it stops"
    );
}

/// A bare HTTP/1.1 POST of a JSON body; the answer's status line and the rest.
fn post(base: &str, path: &str, body: &str) -> String {
    use std::io::{Read as _, Write as _};
    let address = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the API listens");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}
