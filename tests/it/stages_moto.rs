//! `gen ls`, `gen gc` and `gen destroy` against moto through the real SDK: an expired ephemeral
//! stage is found and destroyed with its non-empty, versioned bucket; a protected stage is
//! refused without `--force`.

use generator::aws::s3_client;
use generator::cli::{DestroyArgs, GcArgs};
use generator::commands::ExitStatus;
use generator::commands::stages;
use tests::{MotoServer, create_stack, seed_template_for_moto};

use crate::gen_moto::{global, printer};

fn pipeline_file() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml")
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: three stages created, listed, collected, destroyed"
)]
fn gc_destroys_only_expired_stages_with_their_buckets_and_destroy_respects_protection() {
    // The commands resolve credentials like any AWS tool; scripts/test.sh exports dummy ones.
    let moto = MotoServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = runtime.block_on(moto.sdk_config());
    let template = seed_template_for_moto();
    runtime.block_on(async {
        let tags = |stage: &'static str, expiry: &'static str, protected: &'static str| {
            vec![
                ("pipeline", "orders"),
                ("stage", stage),
                ("expires-at", expiry),
                ("protected", protected),
                ("owner", "dev@example.com"),
            ]
        };
        for (stage, expiry, protected) in [
            ("feature-old", "2020-01-01T00:00:00Z", "false"),
            ("feature-new", "2999-01-01T00:00:00Z", "false"),
            ("prod", "", "true"),
        ] {
            let status =
                create_stack(&sdk, &template, stage, &tags(stage, expiry, protected)).await;
            assert_eq!(
                status.map(|s| s.as_str().to_owned()).as_deref(),
                Some("CREATE_COMPLETE"),
                "{stage}"
            );
        }
        // A versioned, non-empty bucket in the expired stage.
        let s3 = s3_client(&sdk);
        let bucket = "orders-results-feature-old-123456789012";
        for body in ["one", "two", "three"] {
            s3.put_object()
                .bucket(bucket)
                .key("invoices/ORD-1.json")
                .body(body.as_bytes().to_vec().into())
                .send()
                .await
                .unwrap();
        }
    });

    let global = global(&moto);
    let listed = runtime.block_on(async {
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        generator::aws::stages::list(&cloudformation, "orders")
            .await
            .unwrap()
    });
    let names: Vec<&str> = listed.iter().map(|stage| stage.stage.as_str()).collect();
    assert_eq!(names, ["feature-new", "feature-old", "prod"]);
    assert!(listed.iter().find(|s| s.stage == "prod").unwrap().protected);

    let dry = stages::gc(
        &GcArgs {
            file: pipeline_file(),
            dry_run: true,
            yes: false,
        },
        &global,
        &printer(),
    )
    .unwrap();
    assert_eq!(dry, ExitStatus::Success);
    let (after_dry_run, bucket_after_dry_run) = runtime.block_on(async {
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        let stages: Vec<String> = generator::aws::stages::list(&cloudformation, "orders")
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.stage)
            .collect();
        let objects = s3_client(&sdk)
            .list_object_versions()
            .bucket("orders-results-feature-old-123456789012")
            .send()
            .await
            .map(|listing| listing.versions().len());
        (stages, objects.ok())
    });
    assert_eq!(
        after_dry_run,
        ["feature-new", "feature-old", "prod"],
        "a dry run destroys nothing"
    );
    // moto keeps one version where AWS keeps three; either way the object is still there.
    assert!(
        bucket_after_dry_run.is_some_and(|versions| versions >= 1),
        "a dry run leaves the expired stage's bucket and its objects: {bucket_after_dry_run:?}"
    );
    let gc = stages::gc(
        &GcArgs {
            file: pipeline_file(),
            dry_run: false,
            yes: true,
        },
        &global,
        &printer(),
    )
    .unwrap();
    assert_eq!(gc, ExitStatus::Success);

    let (remaining, bucket_exists) = runtime.block_on(async {
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        let remaining: Vec<String> = generator::aws::stages::list(&cloudformation, "orders")
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.stage)
            .collect();
        let s3 = s3_client(&sdk);
        let exists = s3
            .head_bucket()
            .bucket("orders-results-feature-old-123456789012")
            .send()
            .await
            .is_ok();
        (remaining, exists)
    });
    assert_eq!(
        remaining,
        ["feature-new", "prod"],
        "only the expired stage is gone"
    );
    assert!(
        !bucket_exists,
        "its retained bucket was emptied of every version and deleted"
    );

    let refused = stages::destroy(
        &DestroyArgs {
            file: pipeline_file(),
            stage: "prod".into(),
            force: false,
            yes: true,
        },
        &global,
        &printer(),
    )
    .unwrap();
    assert_eq!(
        refused,
        ExitStatus::Failure,
        "a protected stage needs --force"
    );
    let forced = stages::destroy(
        &DestroyArgs {
            file: pipeline_file(),
            stage: "prod".into(),
            force: true,
            yes: true,
        },
        &global,
        &printer(),
    )
    .unwrap();
    assert_eq!(forced, ExitStatus::Success);
    let missing = stages::destroy(
        &DestroyArgs {
            file: pipeline_file(),
            stage: "prod".into(),
            force: true,
            yes: true,
        },
        &global,
        &printer(),
    )
    .unwrap();
    assert_eq!(
        missing,
        ExitStatus::Failure,
        "destroying it again finds nothing"
    );
}

/// A stage's physical names are fixed, so a table the stack retains would stop the next deploy
/// of the same stage: `gen destroy` lists it with its items in the plan and deletes it after the
/// stack, as it empties and deletes retained buckets.
#[test]
fn destroy_deletes_the_tables_the_stack_retains() {
    let moto = MotoServer::start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sdk = runtime.block_on(moto.sdk_config());
    let table = "orders-orders-tables";
    let mut template = seed_template_for_moto();
    template["Resources"]["OrdersTable"] = serde_json::json!({
        "Type": "AWS::DynamoDB::Table",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "TableName": table,
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "order_id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}]
        }
    });
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    runtime.block_on(async {
        let tags = [
            ("pipeline", "orders"),
            ("stage", "tables"),
            ("protected", "false"),
            ("owner", "dev"),
        ];
        let status = create_stack(&sdk, &template, "tables", &tags).await;
        assert_eq!(
            status.map(|s| s.as_str().to_owned()).as_deref(),
            Some("CREATE_COMPLETE")
        );
        dynamodb
            .put_item()
            .table_name(table)
            .item(
                "order_id",
                aws_sdk_dynamodb::types::AttributeValue::S("ORD-1".into()),
            )
            .send()
            .await
            .expect("the stack created the table");
    });

    let plan = runtime.block_on(async {
        let clients = generator::aws::destroy::Clients::new(&sdk);
        let stage = generator::aws::stages::find(
            &clients.cloudformation,
            "orders",
            "tables",
            &generator::aws::stack::Pace::default(),
        )
        .await
        .unwrap()
        .expect("the stage exists");
        generator::aws::destroy::plan(&clients, &stage)
            .await
            .unwrap()
    });
    assert_eq!(
        plan.tables
            .iter()
            .map(|contents| contents.table.as_str())
            .collect::<Vec<_>>(),
        [table],
        "the plan names the retained table"
    );
    assert!(
        plan.to_string()
            .contains(&format!("table `{table}`: about")),
        "{plan}"
    );

    let destroyed = stages::destroy(
        &DestroyArgs {
            file: pipeline_file(),
            stage: "tables".into(),
            force: false,
            yes: true,
        },
        &global(&moto),
        &printer(),
    )
    .unwrap();
    assert_eq!(destroyed, ExitStatus::Success);
    let gone = runtime.block_on(async { dynamodb.describe_table().table_name(table).send().await });
    let code = gone
        .as_ref()
        .err()
        .and_then(|error| error.as_service_error())
        .and_then(aws_sdk_dynamodb::error::ProvideErrorMetadata::code);
    assert_eq!(
        code,
        Some("ResourceNotFoundException"),
        "the retained table was deleted after the stack: {gone:?}"
    );
}
