//! The event pattern corpus (`patterns/tests/corpus.json`) against moto and against the engine,
//! through boto3 (`tests/conformance/eventbridge_patterns.py`): a rule per case on a custom bus,
//! an SQS target, the case's event put on the bus, delivery read back from the queue.
//!
//! The engine must deliver exactly what every case expects.
//!
//! Moto must deliver exactly the events AWS's documented semantics select, except the cases the
//! corpus names: `moto_deviation` (moto runs them and is known to answer differently; the reason
//! and moto's source are in the case, and the test checks moto still differs, so a fixed moto
//! shows up) and `moto_unsupported` (cases moto cannot express; not run, listed by name).

use std::path::{Path, PathBuf};
use std::process::Command;

use ::engine::{Engine, EngineConfig};
use serde_json::Value;
use tests::{MotoServer, venv_python};

fn corpus_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../patterns/tests/corpus.json")
}

fn corpus() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(corpus_path()).expect("patterns/tests/corpus.json is readable"),
    )
    .expect("the corpus is JSON")
}

/// Runs every case through boto3 against `endpoint`; the script's report.
fn run(endpoint: &str, target: &str) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/eventbridge_patterns.py");
    let python = venv_python();
    let output = Command::new(&python)
        .arg(&script)
        .arg(endpoint)
        .arg(corpus_path())
        .arg(target)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run `{}`: {error}\nhint: run ./scripts/test.sh, which installs boto3 with moto into .venv",
                python.display()
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the pattern corpus against {target} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout).expect("the script prints one JSON report")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_delivers_exactly_what_the_pattern_corpus_expects() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let endpoint = engine.endpoint();
    let report = tokio::task::spawn_blocking(move || run(&endpoint, "engine"))
        .await
        .expect("the run finishes");
    let mut failures = Vec::new();
    let cases = corpus()["cases"]
        .as_array()
        .cloned()
        .expect("`cases` is a list");
    for case in &cases {
        let name = case["name"].as_str().expect("a case has a name");
        let expected = case["matches"].as_bool().expect("`matches` is a boolean");
        match (
            report["delivered"][name].as_bool(),
            report["refused"][name].as_str(),
        ) {
            (_, Some(reason)) => failures.push(format!("{name}: the engine refused it: {reason}")),
            (Some(delivered), None) if delivered == expected => {}
            (Some(delivered), None) => failures.push(format!(
                "{name}: expected delivery = {expected}, the engine delivered = {delivered}"
            )),
            (None, None) => failures.push(format!("{name}: not run against the engine")),
        }
    }
    engine.shutdown().await;
    assert!(
        failures.is_empty(),
        "{} of {} case(s) failed on the engine:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn moto_delivers_what_the_pattern_corpus_expects() {
    let moto = MotoServer::start();
    let report = run(&moto.endpoint(), "moto");
    let corpus = corpus();

    let mut failures = Vec::new();
    let mut agreed = 0;
    let mut deviations = 0;
    let mut unsupported = Vec::new();
    for case in corpus["cases"].as_array().expect("`cases` is a list") {
        let name = case["name"].as_str().expect("a case has a name");
        if case.get("moto_unsupported").is_some() {
            unsupported.push(name);
            continue;
        }
        let expected = case["matches"].as_bool().expect("`matches` is a boolean");
        if let Some(reason) = report["refused"][name].as_str() {
            failures.push(format!("{name}: moto refused the case: {reason}"));
            continue;
        }
        let Some(delivered) = report["delivered"][name].as_bool() else {
            failures.push(format!("{name}: not run against moto"));
            continue;
        };
        match (case.get("moto_deviation"), delivered == expected) {
            (None, true) => agreed += 1,
            (None, false) => failures.push(format!(
                "{name}: AWS {} the event, moto {}",
                if expected { "delivers" } else { "does not deliver" },
                if delivered { "delivered it" } else { "did not" }
            )),
            (Some(_), false) => deviations += 1,
            (Some(_), true) => failures.push(format!(
                "{name}: listed as a moto deviation, but moto now agrees with AWS: drop `moto_deviation`"
            )),
        }
    }
    let skipped: Vec<&str> = report["skipped"]
        .as_array()
        .expect("`skipped` is a list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        skipped, unsupported,
        "the script skips exactly the cases marked `moto_unsupported`"
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed against moto:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        agreed >= 80,
        "only {agreed} cases ran against moto with AWS's answer"
    );
    eprintln!(
        "pattern corpus on moto: {agreed} agree with AWS, {deviations} known deviations, {} not expressible ({})",
        unsupported.len(),
        unsupported.join(", ")
    );
}
