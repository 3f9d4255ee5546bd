//! The conformance scenarios through a second client, boto3 (pinned in `tests/requirements.txt`):
//! `tests/conformance/boto3_conformance.py` runs the S3, SQS, DynamoDB, SES v2 and EventBridge scenarios against moto and
//! against the engine; each run must meet AWS's answers (moto's known deviations, listed in
//! `tests/conformance/MOTO_DEVIATIONS.md`, excepted), and the two runs must observe the same.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use ::engine::{Engine, EngineConfig};
use serde_json::Value;
use tests::{MotoServer, venv_python};

/// What one run of the script saw.
struct Run {
    observations: BTreeMap<String, Value>,
    deviations: Vec<String>,
}

/// Runs the boto3 scenarios against `endpoint`; panics with the script's failures.
fn run(endpoint: &str, target: &str) -> Run {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance/boto3_conformance.py");
    let python = venv_python();
    let output = Command::new(&python)
        .arg(&script)
        .args([endpoint, target])
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap_or_else(|error| {
            panic!(
                "cannot run `{}`: {error}\nhint: run ./scripts/test.sh, which installs boto3 with moto into .venv",
                python.display()
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "the boto3 scenarios against {target} printed no report ({error}):\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let failures = report["failures"].as_array().cloned().unwrap_or_default();
    assert!(
        output.status.success() && failures.is_empty(),
        "boto3 against {target}: {} failure(s):\n{}",
        failures.len(),
        failures
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let observations = report["observations"]
        .as_object()
        .map(|map| map.clone().into_iter().collect())
        .unwrap_or_default();
    let deviations = report["deviations"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|item| item.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    Run {
        observations,
        deviations,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_sees_the_same_answers_from_moto_and_the_engine() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let moto = MotoServer::start();
    let (engine_endpoint, moto_endpoint) = (engine.endpoint(), moto.endpoint());
    let on_engine = tokio::task::spawn_blocking(move || run(&engine_endpoint, "engine"));
    let on_moto = tokio::task::spawn_blocking(move || run(&moto_endpoint, "moto"));
    let on_engine = on_engine.await.expect("the engine run finishes");
    let on_moto = on_moto.await.expect("the moto run finishes");
    assert!(
        on_engine.deviations.is_empty(),
        "the engine follows AWS: {:?}",
        on_engine.deviations
    );
    // Every check moto passed, the engine passed with the same observation.
    for (check, seen_on_moto) in &on_moto.observations {
        assert_eq!(
            on_engine.observations.get(check),
            Some(seen_on_moto),
            "`{check}`: moto and the engine differ"
        );
    }
    // Every check the engine passed, moto passed too, or is a listed deviation.
    for check in on_engine.observations.keys() {
        assert!(
            on_moto.observations.contains_key(check)
                || on_moto
                    .deviations
                    .iter()
                    .any(|deviation| deviation.starts_with(&format!("{check}:"))),
            "`{check}`: observed on the engine only"
        );
    }
    engine.shutdown().await;
}
