//! `gen doctor` as a user runs it: without credentials, and against moto before and after the
//! assets stack exists. The local tool checks (cargo-lambda, zig, Rust targets) depend on the
//! machine, so the snapshots hold the AWS checks only.

use serde_json::Value;
use tests::MotoServer;

use super::cli_env::{CliEnv, readable};

/// The report's checks that do not depend on the machine's tools.
fn aws_checks(report: &Value) -> Vec<Value> {
    report["checks"]
        .as_array()
        .expect("a checks array")
        .iter()
        .filter(|check| {
            let name = check["name"].as_str().unwrap_or_default();
            !(name == "cargo-lambda" || name == "zig" || name.starts_with("target "))
        })
        .cloned()
        .collect()
}

fn status_of<'a>(checks: &'a [Value], name: &str) -> &'a str {
    checks
        .iter()
        .find(|check| check["name"] == name)
        .and_then(|check| check["status"].as_str())
        .unwrap_or_else(|| panic!("no check `{name}` in {checks:#?}"))
}

#[test]
fn without_credentials_doctor_fails_on_them_and_says_how_to_get_some() {
    let env = CliEnv::without_credentials();
    let output = env.run(&["doctor", "--output", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_str(&env.shown(&output.stdout)).expect("JSON report");
    assert_eq!(report["ok"], false);
    insta::assert_json_snapshot!(aws_checks(&report));
    let text = env.run(&["doctor"]);
    let shown = env.shown(&text.stdout);
    let credentials = shown
        .lines()
        .find(|line| line.split_whitespace().nth(1) == Some("credentials"))
        .unwrap_or_default();
    assert!(
        credentials.starts_with("FAIL") && credentials.ends_with("no AWS credentials found"),
        "{shown}"
    );
    readable(&env.shown(&text.stderr));
}

#[test]
fn against_moto_doctor_shows_the_identity_and_the_assets_stack() {
    let moto = MotoServer::start();
    let endpoint = moto.endpoint();
    let env = CliEnv::with_dummy_credentials();
    let doctor = || {
        let output = env.run(&["doctor", "--endpoint-url", &endpoint, "--output", "json"]);
        let stdout = env
            .shown(&output.stdout)
            .replace(&endpoint, "http://127.0.0.1:[PORT]");
        let report: Value = serde_json::from_str(&stdout).expect("JSON report");
        aws_checks(&report)
    };
    let before = doctor();
    assert_eq!(status_of(&before, "identity"), "pass", "{before:#?}");
    assert_eq!(status_of(&before, "assets stack"), "warn", "{before:#?}");
    let bootstrap = env.run(&["bootstrap", "--endpoint-url", &endpoint]);
    assert_eq!(
        bootstrap.status.code(),
        Some(0),
        "{}",
        env.shown(&bootstrap.stderr)
    );
    insta::assert_json_snapshot!(doctor());
}
