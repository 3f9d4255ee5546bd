//! `gen synth` and `gen dev` on a second pipeline in a folder of its own: everything it writes
//! stays beside it, the root pipeline's `generated/`, `Cargo.lock` and `gen check` are untouched,
//! and a windowed trigger whose visibility is far above its window delivers nothing twice —
//! with time compressed and in real time.

mod scratch {
    pub(crate) mod dev;
    pub(crate) mod workspace;
}

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use scratch::dev::Dev;
use scratch::workspace::{target_dir, workspace, workspace_root};

/// Seed 004's queue as its Terraform writes it, scaled down so a real-time run takes seconds:
/// a 5 s batching window under a visibility timeout of 6 × 4 s + 5 s = 29 s.
const WINDOWED: &str = "\
region: us-east-1
defaults:
  function: { timeout: 4s }
queues:
  jobs: { max_receive_count: 3, dead_letter: jobs-dlq }
  jobs-dlq: { alarm: { above: 0 } }
  notify: {}
buckets:
  results: {}
functions:
  processor:
    handler: order_processor
    trigger: { queue: jobs, batch_size: 10, batching_window: 5s }
    writes: { bucket: results, notify: notify }
  notifier:
    handler: notification_logger
    trigger: { queue: notify, batch_size: 10 }
  dlq:
    handler: dlq_processor
    trigger: { queue: jobs-dlq }
    writes: { bucket: results, requeue: jobs }
";

fn gen_command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("gen runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every file of the root pipeline that a second pipeline must never touch, with its contents.
fn root_files() -> BTreeMap<PathBuf, Vec<u8>> {
    let root = workspace_root();
    let mut files = BTreeMap::new();
    let mut stack = vec![root.join("generated")];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            files.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    files.insert(
        root.join("Cargo.lock"),
        std::fs::read(root.join("Cargo.lock")).unwrap(),
    );
    files
}

/// Runs the demo; returns the ledger and what `gen dev` said on stderr.
fn demo(file: &str, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec![
        "--output",
        "json",
        "dev",
        "--demo",
        "-f",
        file,
        "--orders",
        "40",
        "--poison-rate",
        "0",
        "--duplicate-rate",
        "0.2",
        "--timeout",
        "120",
    ];
    args.extend_from_slice(extra);
    let output = gen_command(&args);
    let ledger: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|_| panic!("a JSON ledger\n{}", text(&output.stderr)));
    assert_eq!(
        output.status.code(),
        Some(0),
        "{ledger:#}\n{}",
        text(&output.stderr)
    );
    (ledger, text(&output.stderr))
}

#[test]
fn a_second_pipeline_runs_beside_the_root_and_delivers_nothing_twice() {
    let before = root_files();
    let folder = workspace("second", WINDOWED);
    let file = folder.join("pipeline.yaml");
    let file = file.to_str().unwrap();

    let synth = gen_command(&["synth", "-f", file]);
    assert_eq!(synth.status.code(), Some(0), "{}", text(&synth.stderr));
    assert!(folder.join("generated/template.json").is_file());
    assert!(
        folder
            .join("generated/lambdas/processor/Cargo.toml")
            .is_file()
    );

    for (extra, announced) in [
        // 29 s of visibility become 5 s: the factor is 29 s / 5 s, rounded down.
        (&[][..], "time runs 5× faster than on AWS"),
        (&["--real-time"][..], "real time (AWS's durations)"),
    ] {
        let (ledger, said) = demo(file, extra);
        assert!(said.contains(announced), "{said}");
        assert_eq!(ledger["invoiced"], ledger["orders"], "{ledger:#}");
        // Only what a function failed comes back (on a busy machine a record can run past its
        // compressed deadline and fail): a batch held for its window never returns early.
        assert_eq!(
            ledger["redelivered"].as_f64(),
            ledger["metrics"]["OrdersFailed"].as_f64(),
            "a batch held for its window came back before its visibility timeout ({extra:?}): {ledger:#}"
        );
        let count = |field: &str| ledger[field].as_u64().unwrap_or_default();
        let repeats = count("notification_repeats");
        let deliberate = count("deliberate_duplicates");
        assert!(
            (deliberate..=deliberate + count("redelivered")).contains(&repeats),
            "{ledger:#}"
        );
        assert_ne!(ledger["deliberate_duplicates"], 0);
        // The functions' own EMF figures, summed, agree with what the bucket holds.
        assert_eq!(
            ledger["metrics"]["OrdersWritten"].as_f64(),
            ledger["invoiced"].as_f64(),
            "{ledger:#}"
        );
    }

    assert!(
        root_files() == before,
        "the root pipeline's generated/ or Cargo.lock changed"
    );
    let check = gen_command(&["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    // The second pipeline's own state and output stayed in its folder.
    assert!(
        folder
            .join("generated/lambdas/notifier/src/main.rs")
            .is_file()
    );
    assert!(
        !workspace_root()
            .join("generated/lambdas/processor")
            .exists()
    );
}

/// `gen send` and `gen status` find a running `gen dev` of the same pipeline through the
/// `.gen/dev.json` beside it, and the file goes when `gen dev` stops.
#[test]
fn send_and_status_reach_a_running_gen_dev_through_its_state_file() {
    let folder = workspace("third", WINDOWED);
    let file = folder.join("pipeline.yaml");
    let file = file.to_str().unwrap();
    let state = folder.join(".gen/dev.json");
    let mut dev = Dev::start(workspace_root(), &["-f", file]);
    dev.wait_for_file(&state);

    let sent = gen_command(&[
        "send",
        "-f",
        file,
        "--count",
        "20",
        "--poison-rate",
        "0",
        "--duplicate-rate",
        "0",
    ]);
    let said = text(&sent.stderr);
    // Polled: invoices land first, the metrics file follows within a second. The wait starts
    // once `gen dev` runs: the first build may have used most of the start-up deadline.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let (invoices, written) = loop {
        let status = gen_command(&["--output", "json", "status", "-f", file]);
        let report: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap_or_default();
        let invoices = report["buckets"]["results"]["invoices"].as_u64();
        let written = report["metrics"]["OrdersWritten"].as_f64();
        if (invoices == Some(20) && written == Some(20.0)) || std::time::Instant::now() > deadline {
            break (invoices, written);
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
    };
    let stopped = dev.stop();
    assert_eq!(sent.status.code(), Some(0), "{said}");
    assert!(said.contains("sent 20 of 20 messages to `jobs`"), "{said}");
    assert_eq!(invoices, Some(20), "`gen status` counts the invoices");
    assert_eq!(
        written,
        Some(20.0),
        "`gen status` shows the functions' EMF figures"
    );
    assert!(stopped.success(), "{stopped:?}");
    assert!(
        !state.exists(),
        "`gen dev` removes its state file when it stops"
    );

    let without = gen_command(&["status", "-f", file]);
    assert_eq!(without.status.code(), Some(1));
    assert!(
        text(&without.stderr).contains("start `gen dev` for this pipeline"),
        "{}",
        text(&without.stderr)
    );
}
