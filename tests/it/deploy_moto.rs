//! `gen deploy` against moto through the real SDK: create through a change set, a no-op deploy
//! that creates no change set, an update after a discount change, and code uploaded only when
//! its hash is new.

use std::path::{Path, PathBuf};

use generator::cli::{DeployArgs, GlobalArgs, OutputFormat};
use generator::commands::ExitStatus;
use generator::commands::deploy;
use generator::printer::Printer;
use tests::MotoServer;

fn args(file: &Path, binaries: &Path) -> DeployArgs {
    DeployArgs {
        file: file.to_path_buf(),
        stage: "ci".into(),
        ttl: None,
        yes: true,
        protected: false,
        binaries: Some(binaries.to_path_buf()),
        assets_bucket: Some("orders-assets".into()),
        disable_triggers: true,
    }
}

/// Small stand-ins for the built handlers: moto stores code, it does not run it.
fn fake_binaries(dir: &Path) -> PathBuf {
    let binaries = dir.join("bin");
    std::fs::create_dir_all(&binaries).unwrap();
    for function in ["task", "notification", "dlq-processor"] {
        std::fs::write(
            binaries.join(format!("lambda-{function}")),
            format!("#!/bin/sh\n# {function}\n"),
        )
        .unwrap();
    }
    binaries
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: create, no-op, update, each checked through the SDK"
)]
fn create_then_no_op_then_update() {
    let moto = MotoServer::start();
    let global = GlobalArgs {
        output: OutputFormat::Text,
        endpoint_url: Some(moto.endpoint()),
        region: Some("us-east-1".into()),
        profile: None,
    };
    let printer = Printer {
        color: false,
        json: false,
    };
    let dir = tempfile::tempdir().unwrap();
    let binaries = fake_binaries(dir.path());
    let file = dir.path().join("pipeline.yaml");
    let seed =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"))
            .unwrap();
    std::fs::write(&file, &seed).unwrap();

    assert_eq!(
        deploy::run(&args(&file, &binaries), &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = runtime.block_on(moto.sdk_config());
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let (status, change_sets, zips) = runtime.block_on(async {
        let stack = cloudformation
            .describe_stacks()
            .stack_name("orders-ci")
            .send()
            .await
            .unwrap();
        let change_sets = cloudformation
            .list_change_sets()
            .stack_name("orders-ci")
            .send()
            .await
            .map_or(0, |o| o.summaries().len());
        let zips = s3
            .list_objects_v2()
            .bucket("orders-assets")
            .send()
            .await
            .unwrap()
            .key_count()
            .unwrap_or(0);
        (
            stack.stacks()[0]
                .stack_status()
                .unwrap()
                .as_str()
                .to_owned(),
            change_sets,
            zips,
        )
    });
    assert_eq!(status, "CREATE_COMPLETE");
    assert_eq!(zips, 3, "one zip per function");

    // A change set left by an interrupted deploy (created, never executed) is cleaned up.
    runtime.block_on(async {
        let template = cloudformation
            .get_template()
            .stack_name("orders-ci")
            .send()
            .await
            .unwrap();
        cloudformation
            .create_change_set()
            .stack_name("orders-ci")
            .change_set_name("gen-interrupted")
            .change_set_type(aws_sdk_cloudformation::types::ChangeSetType::Update)
            .template_body(template.template_body().unwrap())
            .capabilities(aws_sdk_cloudformation::types::Capability::CapabilityIam)
            .send()
            .await
            .unwrap();
    });

    // Nothing changed: no new change set, no new upload.
    assert_eq!(
        deploy::run(&args(&file, &binaries), &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let (after_no_op, zips_after) = runtime.block_on(async {
        let change_sets = cloudformation
            .list_change_sets()
            .stack_name("orders-ci")
            .send()
            .await
            .map_or(0, |o| o.summaries().len());
        let zips = s3
            .list_objects_v2()
            .bucket("orders-assets")
            .send()
            .await
            .unwrap()
            .key_count()
            .unwrap_or(0);
        (change_sets, zips)
    });
    assert_eq!(
        after_no_op, change_sets,
        "a no-op deploy creates no change set"
    );
    assert_eq!(zips_after, 3);

    // A discount change reaches the function's environment.
    std::fs::write(
        &file,
        seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
    )
    .unwrap();
    assert_eq!(
        deploy::run(&args(&file, &binaries), &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let (status, table) = runtime.block_on(async {
        let stack = cloudformation
            .describe_stacks()
            .stack_name("orders-ci")
            .send()
            .await
            .unwrap();
        let template = cloudformation
            .get_template()
            .stack_name("orders-ci")
            .send()
            .await
            .unwrap();
        let template: serde_json::Value =
            serde_json::from_str(template.template_body().unwrap()).unwrap();
        let table = template["Resources"]["TaskFunction"]["Properties"]["Environment"]["Variables"]
            ["DISCOUNT_TABLE"]
            .as_str()
            .unwrap()
            .to_owned();
        (
            stack.stacks()[0]
                .stack_status()
                .unwrap()
                .as_str()
                .to_owned(),
            table,
        )
    });
    assert_eq!(status, "UPDATE_COMPLETE");
    assert!(table.contains(r#""SAVE10":{"percent":"15"}"#), "{table}");
}
