//! The `gen` binary as users run it: exit codes, what goes to stdout and what to stderr.

use std::path::Path;
use std::process::{Command, Output};

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("generator/ sits in the workspace")
}

fn gen_command(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(workspace_root())
        .env("NO_COLOR", "1")
        .output()
        .expect("gen runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn validate_of_the_root_pipeline_is_silent_and_exits_0() {
    let output = gen_command(&["validate"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout), "");
    assert_eq!(text(&output.stderr), "");
}

#[test]
fn validate_of_an_invalid_file_exits_1_with_diagnostics_on_stderr() {
    let output = gen_command(&[
        "validate",
        "-f",
        "tests/fixtures/invalid/many-errors-at-once.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(text(&output.stdout), "", "diagnostics never go to stdout");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("many-errors-at-once.yaml:2:9"), "{stderr}");
    assert!(stderr.contains("4 errors, 0 warnings"), "{stderr}");
}

#[test]
fn warnings_pass_unless_strict() {
    let file = "tests/fixtures/invalid/visibility-below-recommended.yaml";
    let output = gen_command(&["validate", "-f", file]);
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stderr).contains("warning[queue-visibility]"));
    assert!(text(&output.stderr).contains("--strict"));
    let strict = gen_command(&["validate", "--strict", "-f", file]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn strict_fails_when_alarms_notify_no_one() {
    let file = "tests/fixtures/invalid/alarms-notify-no-one.yaml";
    let strict = gen_command(&["validate", "--strict", "-f", file]);
    assert_eq!(strict.status.code(), Some(1));
    assert!(text(&strict.stderr).contains("warning[alarms-notify-no-one]"));
    let root = gen_command(&["validate", "--strict"]);
    assert_eq!(root.status.code(), Some(0), "{}", text(&root.stderr));
}

#[test]
fn json_output_goes_to_stdout() {
    let output = gen_command(&[
        "validate",
        "--output",
        "json",
        "-f",
        "tests/fixtures/invalid/unknown-bucket.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    let diagnostic = &report["diagnostics"][0];
    assert_eq!(diagnostic["code"], "unknown-bucket");
    assert_eq!(diagnostic["line"], 16);
    assert_eq!(diagnostic["help"], "did you mean `invoices`?");
}

#[test]
fn a_missing_file_is_an_io_error_exit_2() {
    let output = gen_command(&["validate", "-f", "does-not-exist.yaml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).starts_with("error: cannot read `does-not-exist.yaml`"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(
        gen_command(&["validate", "--no-such-flag"]).status.code(),
        Some(2)
    );
}

#[test]
fn the_committed_schema_is_current() {
    let output = gen_command(&["schema", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let printed = gen_command(&["schema"]);
    let committed = std::fs::read(workspace_root().join("generated/pipeline.schema.json")).unwrap();
    assert_eq!(printed.stdout, committed);
}

#[test]
fn the_committed_reference_is_current() {
    let output = gen_command(&["schema", "--format", "markdown", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let reference =
        std::fs::read_to_string(workspace_root().join("generated/pipeline.reference.md")).unwrap();
    assert!(
        reference.contains("| `max_receive_count` | integer (1–1000) |"),
        "{reference}"
    );
}

#[test]
fn schema_check_fails_on_a_stale_copy() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join("schema.json");
    std::fs::write(&stale, "{}\n").unwrap();
    let output = gen_command(&["schema", "--check", stale.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("is stale"));
}

#[test]
fn check_passes_on_the_committed_generated_folder() {
    let output = gen_command(&["check"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
}

#[test]
fn synth_writes_check_spots_drift_and_synth_repairs_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated");
    let out_arg = out.to_str().unwrap();
    let synth = gen_command(&["synth", "--out-dir", out_arg]);
    assert_eq!(synth.status.code(), Some(0), "{}", text(&synth.stderr));
    assert_eq!(
        gen_command(&["check", "--dir", out_arg]).status.code(),
        Some(0)
    );

    // Hand edits and leftovers of a removed function are both drift.
    let template = out.join("template.json");
    let edited = std::fs::read_to_string(&template)
        .unwrap()
        .replace("\"VisibilityTimeout\": 180", "\"VisibilityTimeout\": 30");
    std::fs::write(&template, edited).unwrap();
    std::fs::create_dir_all(out.join("lambdas/old/src")).unwrap();
    std::fs::write(out.join("lambdas/old/src/main.rs"), "fn main() {}\n").unwrap();
    let check = gen_command(&["check", "--dir", out_arg]);
    assert_eq!(check.status.code(), Some(1));
    let stderr = text(&check.stderr);
    assert!(
        stderr.contains("-        \"VisibilityTimeout\": 30\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("+        \"VisibilityTimeout\": 180\n"),
        "{stderr}"
    );
    assert!(stderr.contains("is stale: 2 file(s) differ"), "{stderr}");
    assert!(
        stderr.contains("lambdas/old/src/main.rs: no function generates this file any more"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: run `gen synth`"), "{stderr}");

    let again = gen_command(&["synth", "--out-dir", out_arg]);
    assert!(
        text(&again.stderr).contains("1 written, 1 removed"),
        "{}",
        text(&again.stderr)
    );
    assert!(
        !out.join("lambdas/old").exists(),
        "the empty folders go too"
    );
    assert_eq!(
        gen_command(&["check", "--dir", out_arg]).status.code(),
        Some(0)
    );
}

#[test]
fn synth_refuses_an_invalid_pipeline_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("generated");
    let output = gen_command(&[
        "synth",
        "-f",
        "tests/fixtures/invalid/environment-too-large.yaml",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("error[environment-size]"),
        "{}",
        text(&output.stderr)
    );
    assert!(!out.exists(), "a bad config never half-generates");
}

#[test]
fn diff_takes_a_git_ref_or_the_deployed_stage_not_both() {
    let output = gen_command(&["diff", "--deployed", "--against", "HEAD~1"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("cannot be used with"),
        "{}",
        text(&output.stderr)
    );
    let output = gen_command(&["diff", "--stage", "prod"]);
    assert_eq!(output.status.code(), Some(2), "--stage needs --deployed");
}

#[test]
fn the_assets_stack_template_is_private_encrypted_and_tls_only() {
    let output = gen_command(&["bootstrap", "--show-template"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let again = gen_command(&["bootstrap", "--show-template"]);
    assert_eq!(output.stdout, again.stdout, "deterministic");
    let template: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let bucket = &template["Resources"]["AssetsBucket"];
    assert_eq!(bucket["DeletionPolicy"], "RetainExceptOnCreate");
    assert_eq!(
        bucket["Properties"]["BucketName"]["Fn::Sub"],
        "gen-assets-${AWS::AccountId}-${AWS::Region}"
    );
    let block = &bucket["Properties"]["PublicAccessBlockConfiguration"];
    for setting in [
        "BlockPublicAcls",
        "BlockPublicPolicy",
        "IgnorePublicAcls",
        "RestrictPublicBuckets",
    ] {
        assert_eq!(block[setting], true, "{setting}");
    }
    assert!(
        bucket["Properties"]["BucketEncryption"].is_object(),
        "encrypted at rest"
    );
    let statement = &template["Resources"]["AssetsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        [0];
    assert_eq!(statement["Effect"], "Deny");
    assert_eq!(
        statement["Condition"]["Bool"]["aws:SecureTransport"],
        "false"
    );
}

/// `gen diff --format json` is for tools: its shape is published as a JSON Schema and versioned
/// by `schema_version`. Regenerate with `GEN_BLESS=1 cargo test -p generator --test cli`.
#[test]
fn the_published_diff_json_schema_is_current() {
    let path = workspace_root().join("docs/diff-plan.schema.json");
    let current = generator::diff::plan_schema();
    if std::env::var_os("GEN_BLESS").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/diff-plan.schema.json is stale: if the change is compatible, rerun with GEN_BLESS=1; if not, bump PLAN_SCHEMA_VERSION first"
    );
}

/// `gen cost --output json`'s shape, published like the diff plan's.
#[test]
fn the_published_cost_json_schema_is_current() {
    let path = workspace_root().join("docs/cost.schema.json");
    let current = generator::cost::report::schema();
    if std::env::var_os("GEN_BLESS").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "docs/cost.schema.json is stale: if the change is compatible, rerun with GEN_BLESS=1; if not, bump cost::report::SCHEMA_VERSION first"
    );
}

#[test]
fn cost_prints_the_json_shape_with_its_total() {
    let output = gen_command(&["cost", "--orders-per-month", "5000000", "--output", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is one JSON value");
    assert_eq!(report["schema_version"], 1);
    let schema: serde_json::Value =
        serde_json::from_str(&generator::cost::report::schema()).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    assert!(
        validator.is_valid(&report),
        "the report matches docs/cost.schema.json"
    );
    assert_eq!(report["orders_per_month"], 5_000_000);
    assert_eq!(report["prices_date"], "2026-11-30");
    let total: f64 = report["total_usd"]
        .as_str()
        .expect("money is a decimal string")
        .parse()
        .expect("a number");
    let services: f64 = report["services"]
        .as_array()
        .expect("services")
        .iter()
        .map(|service| {
            service["usd"]
                .as_str()
                .unwrap_or("0")
                .parse::<f64>()
                .unwrap_or(0.0)
        })
        .sum();
    assert!(
        (total - services).abs() < 1e-9,
        "{total} is the sum {services}"
    );
    assert!(
        report["assumptions"]
            .as_array()
            .is_some_and(|list| !list.is_empty())
    );
}

#[test]
fn cost_without_prices_for_the_region_exits_2_with_a_help_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::read_to_string(workspace_root().join("pipeline.yaml")).expect("seed");
    let file = dir.path().join("pipeline.yaml");
    std::fs::write(
        &file,
        root.replace("region: us-east-1", "region: sa-east-1"),
    )
    .expect("write");
    let output = gen_command(&["cost", "-f", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(text(&output.stdout), "");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("no prices for region `sa-east-1`"),
        "{stderr}"
    );
    assert!(stderr.contains("help: pass `--prices FILE`"), "{stderr}");

    // `--region` prices a listed region instead of the pipeline's.
    let output = gen_command(&[
        "cost",
        "-f",
        file.to_str().expect("utf-8 path"),
        "--region",
        "eu-central-1",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stdout).starts_with("pipeline `orders` in eu-central-1 at 1000000 orders"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn cost_measured_without_a_dev_run_says_how_to_make_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::read_to_string(workspace_root().join("pipeline.yaml")).expect("seed");
    let file = dir.path().join("pipeline.yaml");
    std::fs::write(&file, root).expect("write");
    let output = gen_command(&[
        "cost",
        "-f",
        file.to_str().expect("utf-8 path"),
        "--measured",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(stderr.contains(".gen/measured.json"), "{stderr}");
    assert!(
        stderr.contains("help: run `gen dev --demo --release`"),
        "{stderr}"
    );
}

#[test]
fn cost_takes_its_volume_from_pipeline_yaml_and_prices_from_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = std::fs::read_to_string(workspace_root().join("pipeline.yaml")).expect("seed");
    let file = dir.path().join("pipeline.yaml");
    let moved = root.replace("region: us-east-1", "region: eu-west-1");
    std::fs::write(
        &file,
        format!("{moved}\ncost:\n  orders_per_month: 2000000\n"),
    )
    .expect("write");
    // The embedded table, with its us-east-1 figures offered for eu-west-1 as well.
    let mut table: serde_json::Value =
        serde_json::from_str(include_str!("../src/cost/prices.json")).expect("the embedded table");
    table["regions"]["eu-west-1"] = table["regions"]["us-east-1"].clone();
    let prices = dir.path().join("prices.json");
    std::fs::write(&prices, table.to_string()).expect("write");
    let output = gen_command(&[
        "cost",
        "-f",
        file.to_str().expect("utf-8 path"),
        "--prices",
        prices.to_str().expect("utf-8 path"),
        "--output",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["orders_per_month"], 2_000_000);
    assert_eq!(report["region"], "eu-west-1");
    let flag = gen_command(&[
        "cost",
        "-f",
        file.to_str().expect("utf-8 path"),
        "--prices",
        prices.to_str().expect("utf-8 path"),
        "--orders-per-month",
        "3",
        "--output",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&flag.stdout).expect("JSON");
    assert_eq!(report["orders_per_month"], 3, "the flag wins over the file");
}

/// The fixture with a route, a table and e-mail, in a scratch folder with `schema` as its
/// request schema (`None`: no file at all).
fn orders_api_with_schema(schema: Option<&str>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        workspace_root().join("tests/fixtures/pipelines/orders-api/pipeline.yaml"),
    )
    .unwrap();
    let file = dir.path().join("pipeline.yaml");
    std::fs::write(&file, text).unwrap();
    if let Some(schema) = schema {
        std::fs::create_dir_all(dir.path().join("schemas")).unwrap();
        std::fs::write(dir.path().join("schemas/order.schema.json"), schema).unwrap();
    }
    (dir, file)
}

#[test]
fn a_request_schema_must_exist_be_json_and_be_a_json_schema() {
    for (schema, expected) in [
        (
            None,
            "request schema `schemas/order.schema.json` of function `submit` cannot be read",
        ),
        (
            Some("{\"type\": \"object\",}"),
            "request schema `schemas/order.schema.json` is not JSON",
        ),
        (
            Some("{\"type\": \"objekt\"}"),
            "request schema `schemas/order.schema.json` is not a valid JSON Schema",
        ),
    ] {
        let (_dir, file) = orders_api_with_schema(schema);
        let output = gen_command(&["validate", "-f", file.to_str().unwrap()]);
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
        // Pointed at where pipeline.yaml names the file, with a way out.
        assert!(stderr.contains("pipeline.yaml:33:23"), "{stderr}");
        assert!(stderr.contains("help:"), "{stderr}");
    }
}

#[test]
fn synth_copies_the_request_schema_into_the_route_functions_crate() {
    let schema = "{\"type\": \"object\", \"required\": [\"email\"]}\n";
    let (dir, file) = orders_api_with_schema(Some(schema));
    let output = gen_command(&["synth", "-f", file.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let copied = dir
        .path()
        .join("generated/lambdas/submit/request.schema.json");
    assert_eq!(std::fs::read_to_string(copied).unwrap(), schema);
    let main =
        std::fs::read_to_string(dir.path().join("generated/lambdas/submit/src/main.rs")).unwrap();
    assert!(
        main.contains("Some(include_str!(\"../request.schema.json\"))"),
        "{main}"
    );
    let check = gen_command(&["check", "-f", file.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
}
