//! The seed examples (`examples/seed-001`, `examples/seed-002`: an HTTP API, a queue, a table
//! and, for 002, SES) deployed to moto with `gen deploy`, diffed clean against themselves with
//! `gen diff --deployed`, deployed again as a no-op, and destroyed with `gen destroy --yes`, which
//! also deletes the tables the stack retains.
//!
//! moto's CloudFormation skips `AWS::ApiGatewayV2::*` (and alarms, queue policies and SNS
//! subscriptions) with a warning and has no SES types, so those resources are proven by cfn-lint,
//! checkov and the snapshot tests; here the stack, its functions and its table are real. The
//! differences that show are listed in `tests/conformance/MOTO_DEVIATIONS.md`
//! ("CloudFormation").

use std::path::{Path, PathBuf};

use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;
use aws_sdk_dynamodb::types::AttributeValue;
use generator::cli::{DeployArgs, DestroyArgs, DiffArgs, DiffFormat};
use generator::commands::{ExitStatus, deploy, diff, stages};
use generator::config::naming::{crate_name, stack_name};
use tests::MotoServer;

use crate::gen_moto::{global, printer};

const STAGE: &str = "ci";

#[test]
fn seed_001_deploys_diffs_clean_and_destroys() {
    deploy_diff_destroy("seed-001");
}

#[test]
fn seed_002_deploys_diffs_clean_and_destroys() {
    deploy_diff_destroy("seed-002");
}

/// The whole round for `examples/<example>/pipeline.yaml`, in place: `gen deploy` writes nothing
/// beside the pipeline file, and the stand-in binaries live in a temporary directory.
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: deploy, diff, no-op deploy, destroy, each checked through the SDK"
)]
fn deploy_diff_destroy(example: &str) {
    // Dropped at the end of the test or when an assertion panics: the server is stopped either way.
    let moto = MotoServer::start();
    let (global, printer) = (global(&moto), printer());
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples")
        .join(example)
        .join("pipeline.yaml");
    let pipeline =
        generator::config::load(&file.display().to_string(), &std::fs::read(&file).unwrap())
            .pipeline
            .unwrap_or_else(|| panic!("{} is a valid pipeline", file.display()));
    let stack = stack_name(&pipeline.name, STAGE);
    let binaries = tempfile::tempdir().unwrap();
    let functions: Vec<&str> = pipeline.functions.keys().map(String::as_str).collect();
    stand_in_binaries(binaries.path(), &pipeline.name, &functions);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = runtime.block_on(moto.sdk_config());
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);

    let deploy_args = DeployArgs {
        file: file.clone(),
        stage: STAGE.into(),
        ttl: None,
        yes: true,
        protected: false,
        unprotect: false,
        force: false,
        binaries: Some(binaries.path().to_path_buf()),
        assets_bucket: None,
        disable_triggers: true,
    };
    assert_eq!(
        deploy::run(&deploy_args, &global, &printer).unwrap(),
        ExitStatus::Success,
        "{example}: gen deploy"
    );
    let (status, resources) = runtime.block_on(async {
        let described = cloudformation
            .describe_stacks()
            .stack_name(&stack)
            .send()
            .await
            .unwrap();
        let status = described.stacks()[0]
            .stack_status()
            .unwrap()
            .as_str()
            .to_owned();
        // moto reports the skipped types without a type or a logical id, and a permission
        // without a physical id.
        let resources: Vec<(String, Option<String>)> = cloudformation
            .describe_stack_resources()
            .stack_name(&stack)
            .send()
            .await
            .unwrap()
            .stack_resources()
            .iter()
            .filter_map(|resource| {
                Some((
                    resource.resource_type()?.to_owned(),
                    resource.physical_resource_id().map(str::to_owned),
                ))
            })
            .collect();
        (status, resources)
    });
    assert_eq!(status, "CREATE_COMPLETE", "{example}");
    let of_type = |wanted: &str| -> Vec<Option<&str>> {
        resources
            .iter()
            .filter(|(kind, _)| kind == wanted)
            .map(|(_, physical)| physical.as_deref())
            .collect()
    };
    assert_eq!(
        of_type("AWS::Lambda::Function").len(),
        functions.len(),
        "{example}: one function per pipeline function: {resources:?}"
    );
    assert_eq!(
        of_type("AWS::Lambda::Permission").len(),
        1,
        "{example}: the route's invoke permission: {resources:?}"
    );
    let tables = of_type("AWS::DynamoDB::Table");
    let [Some(table)] = tables.as_slice() else {
        panic!("{example}: one table: {resources:?}");
    };
    let table = (*table).to_owned();
    runtime.block_on(async {
        let described = dynamodb
            .describe_table()
            .table_name(&table)
            .send()
            .await
            .unwrap();
        let keys: Vec<&str> = described
            .table()
            .unwrap()
            .key_schema()
            .iter()
            .map(aws_sdk_dynamodb::types::KeySchemaElement::attribute_name)
            .collect();
        assert_eq!(keys, ["order_id"], "{example}: the table's partition key");
        // An order in the table: destroy must delete a retained table that is not empty.
        dynamodb
            .put_item()
            .table_name(&table)
            .item("order_id", AttributeValue::S("01JDEPLOYED".into()))
            .send()
            .await
            .unwrap();
    });

    // The working tree against what it deployed: no change (exit 0), pipeline or resource.
    let diff_args = DiffArgs {
        file: file.clone(),
        against: "HEAD".into(),
        deployed: true,
        stage: STAGE.into(),
        format: DiffFormat::Text,
    };
    assert_eq!(
        diff::run(&diff_args, &global, &printer).unwrap(),
        ExitStatus::Success,
        "{example}: gen diff --deployed"
    );
    let plan = diff::plan(&diff_args, &global, &printer)
        .unwrap()
        .expect("a plan against the deployed stage");
    assert!(
        plan.pipeline_changes.is_empty() && plan.resource_changes.is_empty(),
        "{example}: the deployed stage matches its pipeline.yaml: {plan:#?}"
    );

    // Deploying the same pipeline again changes nothing.
    let change_sets = || {
        runtime.block_on(async {
            cloudformation
                .list_change_sets()
                .stack_name(&stack)
                .send()
                .await
                .map_or(0, |listed| listed.summaries().len())
        })
    };
    let before = change_sets();
    assert_eq!(
        deploy::run(&deploy_args, &global, &printer).unwrap(),
        ExitStatus::Success,
        "{example}: the second gen deploy"
    );
    assert_eq!(
        change_sets(),
        before,
        "{example}: a no-op makes no change set"
    );

    let destroy_args = DestroyArgs {
        file: file.clone(),
        stage: STAGE.into(),
        force: false,
        yes: true,
    };
    assert_eq!(
        stages::destroy(&destroy_args, &global, &printer).unwrap(),
        ExitStatus::Success,
        "{example}: gen destroy --yes"
    );
    let (stage_left, table_left) = runtime.block_on(async {
        let stage_left = generator::aws::stages::list(&cloudformation, &pipeline.name)
            .await
            .unwrap()
            .into_iter()
            .any(|stage| stage.stage == STAGE);
        let table_left = dynamodb.describe_table().table_name(&table).send().await;
        (stage_left, table_left)
    });
    assert!(!stage_left, "{example}: the stage is gone");
    assert_eq!(
        table_left
            .as_ref()
            .err()
            .and_then(|error| error.as_service_error())
            .and_then(|error| error.code()),
        Some("ResourceNotFoundException"),
        "{example}: the retained table `{table}` was deleted: {table_left:?}"
    );
}

/// Small stand-ins for the built handlers (`lambda-<pipeline>-<function>`): moto stores code,
/// it does not run it.
fn stand_in_binaries(directory: &Path, pipeline: &str, functions: &[&str]) -> PathBuf {
    for function in functions {
        std::fs::write(
            directory.join(crate_name(pipeline, function)),
            format!("#!/bin/sh\n# {function}\n"),
        )
        .unwrap();
    }
    directory.to_path_buf()
}
