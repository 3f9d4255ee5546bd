//! The event pattern corpus (`patterns/tests/corpus.json`) against moto, through boto3
//! (`tests/conformance/eventbridge_patterns.py`): a rule per case on a custom bus, an SQS
//! target, the case's event put on the bus, delivery read back from the queue.
//!
//! Moto must deliver exactly the events AWS's documented semantics select, except the cases the
//! corpus names: `moto_deviation` (moto runs them and is known to answer differently; the reason
//! and moto's source are in the case, and the test checks moto still differs, so a fixed moto
//! shows up) and `moto_unsupported` (cases moto cannot express; not run, listed by name).

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use tests::{MotoServer, venv_python};

#[test]
fn moto_delivers_what_the_pattern_corpus_expects() {
    let moto = MotoServer::start();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus_path = root.join("../patterns/tests/corpus.json");
    let script = root.join("conformance/eventbridge_patterns.py");
    let python = venv_python();
    let output = Command::new(&python)
        .arg(&script)
        .arg(moto.endpoint())
        .arg(&corpus_path)
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
        "the pattern corpus against moto failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(&stdout).expect("the script prints one JSON report");
    let corpus: Value = serde_json::from_str(
        &std::fs::read_to_string(&corpus_path).expect("patterns/tests/corpus.json is readable"),
    )
    .expect("the corpus is JSON");

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
