//! Every file under `tests/fixtures/invalid/` snapshots its exact diagnostics; every file under
//! `tests/fixtures/valid/` and the root pipeline.yaml load without any.

use std::fmt::Write as _;
use std::path::Path;

use generator::config;

fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace")
}

/// The path as users see it in messages, relative to the workspace root.
fn shown(path: &Path) -> String {
    path.strip_prefix(workspace_root())
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn invalid_fixtures_report_their_exact_diagnostics() {
    insta::glob!("../fixtures/invalid", "*.yaml", |path| {
        let bytes = std::fs::read(path).unwrap();
        let loaded = config::load_with(&shown(path), &bytes, &generator::generate::synth_checks);
        let report = &loaded.report;
        assert!(
            !report.diagnostics.is_empty(),
            "{} produced no diagnostic",
            shown(path)
        );
        if report.errors() > 0 {
            assert!(
                loaded.pipeline.is_none(),
                "{} has errors but resolved",
                shown(path)
            );
        }
        for diagnostic in &report.diagnostics {
            assert!(
                diagnostic.help.is_some(),
                "{}: `{}` has no help",
                shown(path),
                diagnostic.message
            );
        }
        insta::assert_snapshot!(report.render(false));
    });
}

#[test]
fn valid_fixtures_and_the_root_pipeline_load_cleanly() {
    let mut paths: Vec<_> = std::fs::read_dir(workspace_root().join("tests/fixtures/valid"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    paths.push(workspace_root().join("pipeline.yaml"));
    for path in paths {
        let loaded = config::load(&shown(&path), &std::fs::read(&path).unwrap());
        assert_eq!(
            loaded.report.diagnostics,
            [],
            "{}:\n{}",
            shown(&path),
            loaded.report.render(false)
        );
        assert!(loaded.pipeline.is_some());
    }
}

#[test]
fn the_root_pipeline_is_seed_000() {
    let loaded = config::load(
        "pipeline.yaml",
        &std::fs::read(workspace_root().join("pipeline.yaml")).unwrap(),
    );
    let pipeline = loaded.pipeline.expect("pipeline.yaml is valid");
    let task = &pipeline.queues["task"];
    assert_eq!(
        task.visibility_timeout.as_secs(),
        180,
        "6 × 30s timeout + 0s window"
    );
    let redrive = task.redrive.as_ref().unwrap();
    assert_eq!(
        (redrive.dead_letter.as_str(), redrive.max_receive_count),
        ("task-dlq", 2)
    );
    assert_eq!(
        pipeline.functions["task"]
            .trigger
            .queue()
            .unwrap()
            .batch_size,
        10
    );
    assert_eq!(
        pipeline.functions["task"].writes.notify.as_deref(),
        Some("notification")
    );
    assert_eq!(
        pipeline.functions["dlq-processor"].trigger.queue_name(),
        Some("task-dlq")
    );
    let discounts = pipeline.discounts.unwrap();
    assert!(discounts.promo_codes["SAVE10"].percent.is_some());
    assert!(
        discounts
            .promo_codes
            .values()
            .any(|promo| promo.amount.is_some()),
        "a fixed-amount code"
    );
    assert_eq!(discounts.bulk_tiers.len(), 2);
}

#[test]
fn a_5_mb_file_is_refused_before_parsing() {
    let mut text = String::from("pipeline: shop\nregion: us-east-1\ntags:\n");
    let mut index = 0;
    while text.len() < 5 * 1024 * 1024 {
        writeln!(text, "  tag-{index}: some value that takes room").unwrap();
        index += 1;
    }
    let loaded = config::load("big.yaml", text.as_bytes());
    insta::assert_snapshot!(loaded.report.render(false));
}

#[test]
fn json_output_carries_line_and_column() {
    let path = workspace_root().join("tests/fixtures/invalid/unknown-nested-key.yaml");
    let loaded = config::load("unknown-nested-key.yaml", &std::fs::read(path).unwrap());
    insta::assert_json_snapshot!(loaded.report);
}
