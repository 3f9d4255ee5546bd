//! `gen deploy` against moto through the real SDK: create through a change set, a no-op deploy
//! that creates no change set, an update after a discount and a batch-size change, and code
//! uploaded only when its hash is new. Then the per-branch loop: `gen bootstrap`, an ephemeral
//! stage with a TTL, `gen diff --deployed`, and `gen gc` removing it with its non-empty bucket.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use generator::aws::s3_client;
use generator::cli::{BootstrapArgs, DeployArgs, DiffArgs, DiffFormat, GcArgs, GlobalArgs};
use generator::commands::{ExitStatus, bootstrap, deploy, diff, stages};
use generator::printer::Printer;
use tests::MotoServer;

use crate::gen_moto::{global, printer};

/// A moto server, the `gen` flags that point at it, SDK clients for checking what happened,
/// and a copy of the seed pipeline with stand-in binaries in a temporary directory.
struct Scene {
    _moto: MotoServer,
    _dir: tempfile::TempDir,
    global: GlobalArgs,
    printer: Printer,
    binaries: PathBuf,
    file: PathBuf,
    seed: String,
    runtime: tokio::runtime::Runtime,
    cloudformation: aws_sdk_cloudformation::Client,
    s3: aws_sdk_s3::Client,
}

impl Scene {
    fn new() -> Self {
        let moto = MotoServer::start();
        let dir = tempfile::tempdir().unwrap();
        // A deploy reads its branch from the repository that holds the pipeline file: here one
        // on a branch of its own, whatever the checkout running the tests is on (or detached).
        let git = std::process::Command::new("git")
            .args(["init", "-q", "-b", "scene-branch"])
            .arg(dir.path())
            .status()
            .unwrap();
        assert!(git.success(), "git init");
        let binaries = fake_binaries(dir.path());
        let file = dir.path().join("pipeline.yaml");
        let seed =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipeline.yaml"))
                .unwrap();
        std::fs::write(&file, &seed).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        let sdk = runtime.block_on(moto.sdk_config());
        Self {
            global: global(&moto),
            printer: printer(),
            binaries,
            file,
            seed,
            cloudformation: aws_sdk_cloudformation::Client::new(&sdk),
            s3: s3_client(&sdk),
            runtime,
            _moto: moto,
            _dir: dir,
        }
    }
}

fn args(file: &Path, binaries: &Path) -> DeployArgs {
    DeployArgs {
        file: file.to_path_buf(),
        stage: "ci".into(),
        ttl: None,
        yes: true,
        protected: false,
        unprotect: false,
        force: false,
        binaries: Some(binaries.to_path_buf()),
        assets_bucket: Some("orders-assets".into()),
        disable_triggers: true,
    }
}

/// How many code zips the assets bucket holds.
async fn count_zips(s3: &aws_sdk_s3::Client) -> usize {
    s3.list_objects_v2()
        .bucket("orders-assets")
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter(|object| {
            object
                .key()
                .is_some_and(|key| Path::new(key).extension().is_some_and(|e| e == "zip"))
        })
        .count()
}

/// Small stand-ins for the built handlers: moto stores code, it does not run it.
fn fake_binaries(dir: &Path) -> PathBuf {
    let binaries = dir.join("bin");
    std::fs::create_dir_all(&binaries).unwrap();
    for function in ["task", "notification", "dlq-processor"] {
        std::fs::write(
            binaries.join(generator::config::naming::crate_name("orders", function)),
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
    let Scene {
        _moto,
        _dir,
        global,
        printer,
        binaries,
        file,
        seed,
        runtime,
        cloudformation,
        s3,
    } = Scene::new();

    assert_eq!(
        deploy::run(&args(&file, &binaries), &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let (status, change_sets, zips) = runtime.block_on(async {
        let stack = cloudformation
            .describe_stacks()
            .stack_name("orders--ci")
            .send()
            .await
            .unwrap();
        let change_sets = cloudformation
            .list_change_sets()
            .stack_name("orders--ci")
            .send()
            .await
            .map_or(0, |o| o.summaries().len());
        let zips = count_zips(&s3).await;
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

    // A change set another deploy is reviewing right now (made moments ago, not executed) is
    // left alone; only old ones count as abandoned.
    runtime.block_on(async {
        let template = cloudformation
            .get_template()
            .stack_name("orders--ci")
            .send()
            .await
            .unwrap();
        cloudformation
            .create_change_set()
            .stack_name("orders--ci")
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
            .stack_name("orders--ci")
            .send()
            .await
            .map_or(0, |o| o.summaries().len());
        let zips = count_zips(&s3).await;
        (change_sets, zips)
    });
    assert_eq!(
        after_no_op,
        change_sets + 1,
        "a no-op deploy creates no change set and keeps the one under review"
    );
    assert_eq!(zips_after, 3);

    // A discount change reaches the function's environment, a batch-size change its trigger.
    std::fs::write(
        &file,
        seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }")
            .replacen("batch_size: 10", "batch_size: 5", 1),
    )
    .unwrap();
    assert_eq!(
        deploy::run(&args(&file, &binaries), &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let (status, table, batch_size) = runtime.block_on(async {
        let stack = cloudformation
            .describe_stacks()
            .stack_name("orders--ci")
            .send()
            .await
            .unwrap();
        let template = cloudformation
            .get_template()
            .stack_name("orders--ci")
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
        let batch_size =
            template["Resources"]["TaskEventSourceMapping"]["Properties"]["BatchSize"].clone();
        (
            stack.stacks()[0]
                .stack_status()
                .unwrap()
                .as_str()
                .to_owned(),
            table,
            batch_size,
        )
    });
    assert_eq!(status, "UPDATE_COMPLETE");
    assert!(table.contains(r#""SAVE10":{"percent":"15"}"#), "{table}");
    assert_eq!(batch_size, 5);
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: bootstrap, ephemeral deploy, diff against it, expiry, gc"
)]
fn an_ephemeral_stage_is_bootstrapped_diffed_against_and_collected_when_it_expires() {
    let Scene {
        _moto,
        _dir,
        global,
        printer,
        binaries,
        file,
        seed,
        runtime,
        cloudformation,
        s3,
    } = Scene::new();

    // Once per account and region; a second run changes nothing.
    let stage_file = BootstrapArgs {
        file: file.clone(),
        show_template: false,
    };
    for _ in 0..2 {
        assert_eq!(
            bootstrap::run(&stage_file, &global, &printer).unwrap(),
            ExitStatus::Success
        );
    }
    let assets = "gen-assets-123456789012-us-east-1";
    let change_sets = runtime.block_on(async {
        s3.head_bucket().bucket(assets).send().await.unwrap();
        cloudformation
            .list_change_sets()
            .stack_name("gen-bootstrap")
            .send()
            .await
            .unwrap()
            .summaries()
            .len()
    });
    assert_eq!(change_sets, 1, "the second run found nothing to change");

    // An ephemeral stage: code goes to the bootstrapped bucket, with the pipeline it deployed.
    let mut ephemeral = args(&file, &binaries);
    ephemeral.stage = "pr-7".into();
    ephemeral.ttl = Some("2s".parse().unwrap());
    ephemeral.assets_bucket = None;
    assert_eq!(
        deploy::run(&ephemeral, &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let recorded = runtime.block_on(async {
        let object = s3
            .get_object()
            .bucket(assets)
            .key("orders/stages/pr-7/pipeline.yaml")
            .send()
            .await
            .unwrap();
        String::from_utf8(object.body.collect().await.unwrap().to_vec()).unwrap()
    });
    assert_eq!(recorded, seed);

    // A result lands in the stage's bucket, which is retained by the stack.
    let results = runtime.block_on(async {
        let resources = cloudformation
            .describe_stack_resources()
            .stack_name("orders--pr-7")
            .send()
            .await
            .unwrap();
        let bucket = resources
            .stack_resources()
            .iter()
            .find(|r| r.resource_type() == Some("AWS::S3::Bucket"))
            .and_then(|r| r.physical_resource_id())
            .unwrap()
            .to_owned();
        s3.put_object()
            .bucket(&bucket)
            .key("invoices/o-1.json")
            .body(b"{}".to_vec().into())
            .send()
            .await
            .unwrap();
        bucket
    });

    // Another branch's stage, with a day to live.
    let mut other = args(&file, &binaries);
    other.stage = "pr-8".into();
    other.ttl = Some("1d".parse().unwrap());
    other.assets_bucket = None;
    assert_eq!(
        deploy::run(&other, &global, &printer).unwrap(),
        ExitStatus::Success
    );

    // The PR changes a discount and a batch size: diffed against the deployed stage.
    std::fs::write(
        &file,
        seed.replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }")
            .replacen("batch_size: 10", "batch_size: 5", 1),
    )
    .unwrap();
    let diff_args = DiffArgs {
        file: file.clone(),
        against: "HEAD".into(),
        deployed: true,
        stage: "pr-7".into(),
        format: DiffFormat::Markdown,
    };
    assert_eq!(
        diff::run(&diff_args, &global, &printer).unwrap(),
        ExitStatus::Changes
    );
    let plan = diff::plan(&diff_args, &global, &printer).unwrap().unwrap();
    let said: Vec<String> = plan
        .pipeline_changes
        .iter()
        .map(|change| format!("{} `{}`: {}", change.kind, change.name, change.description))
        .collect();
    assert_eq!(
        said,
        [
            "function `task`: batch_size 10 → 5",
            "promo `SAVE10`: 10% → 15%"
        ],
        "{plan:#?}"
    );
    let modified: Vec<&str> = plan
        .resource_changes
        .iter()
        .map(|change| change.logical_id.as_str())
        .collect();
    assert_eq!(modified, ["TaskEventSourceMapping", "TaskFunction"]);

    // Once `pr-7` has expired, gc destroys it and empties its bucket; `pr-8` stays.
    let listed = || {
        runtime.block_on(async {
            generator::aws::stages::list(&cloudformation, "orders")
                .await
                .unwrap()
        })
    };
    outlive(&runtime, &cloudformation, "pr-7");
    let gc = GcArgs {
        file: file.clone(),
        dry_run: false,
        yes: true,
    };
    assert_eq!(
        stages::gc(&gc, &global, &printer).unwrap(),
        ExitStatus::Success
    );
    let left: Vec<String> = listed().into_iter().map(|stage| stage.stage).collect();
    assert_eq!(left, ["pr-8"], "only the expired stage is gone");
    let bucket_gone =
        runtime.block_on(async { s3.head_bucket().bucket(&results).send().await.is_err() });
    assert!(
        bucket_gone,
        "its retained, non-empty bucket was emptied and deleted"
    );
    let assets_kept =
        runtime.block_on(async { s3.head_bucket().bucket(assets).send().await.is_ok() });
    assert!(assets_kept, "the shared assets bucket stays");
}

/// The stages of pipeline `orders`.
fn stages_of(
    runtime: &tokio::runtime::Runtime,
    cloudformation: &aws_sdk_cloudformation::Client,
) -> Vec<generator::aws::stages::Stage> {
    runtime.block_on(async {
        generator::aws::stages::list(cloudformation, "orders")
            .await
            .unwrap()
    })
}

/// Sleeps until the stage's expiry has passed.
fn outlive(
    runtime: &tokio::runtime::Runtime,
    cloudformation: &aws_sdk_cloudformation::Client,
    stage: &str,
) {
    let expiry = stages_of(runtime, cloudformation)
        .into_iter()
        .find(|found| found.stage == stage)
        .and_then(|found| found.expires_at)
        .unwrap();
    let expiry = aws_sdk_s3::primitives::DateTime::from_str(
        &expiry,
        aws_sdk_s3::primitives::DateTimeFormat::DateTime,
    )
    .unwrap();
    let left = std::time::SystemTime::try_from(expiry)
        .unwrap()
        .duration_since(std::time::SystemTime::now())
        .unwrap_or_default();
    std::thread::sleep(left + std::time::Duration::from_millis(50));
}

#[test]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: protection kept, gc skipping it, stacks of others refused"
)]
fn protection_sticks_gc_skips_it_and_stacks_of_others_are_refused() {
    let scene = Scene::new();
    let (global, printer) = (&scene.global, &scene.printer);
    let protected_of = |stage: &str| {
        stages_of(&scene.runtime, &scene.cloudformation)
            .into_iter()
            .find(|found| found.stage == stage)
            .map(|found| found.protected)
    };

    let mut prod = args(&scene.file, &scene.binaries);
    prod.stage = "prod".into();
    prod.protected = true;
    assert_eq!(
        deploy::run(&prod, global, printer).unwrap(),
        ExitStatus::Success
    );
    assert_eq!(protected_of("prod"), Some(true));
    // A routine change, deployed without --protected, goes through and leaves the stage
    // protected. (moto keeps a stack's creation tags on updates, so the tags the deploy asks
    // for are checked in `commands::deploy::stage`'s unit tests.)
    std::fs::write(
        &scene.file,
        scene
            .seed
            .replace("SAVE10: { percent: 10 }", "SAVE10: { percent: 15 }"),
    )
    .unwrap();
    prod.protected = false;
    assert_eq!(
        deploy::run(&prod, global, printer).unwrap(),
        ExitStatus::Success
    );
    assert_eq!(protected_of("prod"), Some(true));

    // An expired stage that is protected outlives gc.
    let mut preview = args(&scene.file, &scene.binaries);
    preview.stage = "preview".into();
    preview.ttl = Some("2s".parse().unwrap());
    preview.protected = true;
    assert_eq!(
        deploy::run(&preview, global, printer).unwrap(),
        ExitStatus::Success
    );
    outlive(&scene.runtime, &scene.cloudformation, "preview");
    let gc = GcArgs {
        file: scene.file.clone(),
        dry_run: false,
        yes: true,
    };
    assert_eq!(
        stages::gc(&gc, global, printer).unwrap(),
        ExitStatus::Success
    );
    assert_eq!(
        protected_of("preview"),
        Some(true),
        "gc kept the protected stage"
    );
    // Stacks named like this pipeline's stages whose tags say they are someone else's.
    let taken = [
        (
            "orders--billing",
            vec![("pipeline", "orders-billing"), ("owner", "Bo")],
        ),
        (
            "orders--theirs",
            vec![
                ("pipeline", "orders"),
                ("stage", "theirs"),
                ("branch", "not-this-branch"),
            ],
        ),
    ];
    scene.runtime.block_on(async {
        for (stack, tags) in &taken {
            scene
                .cloudformation
                .create_stack()
                .stack_name(*stack)
                .template_body(r#"{"Resources":{"Queue":{"Type":"AWS::SQS::Queue"}}}"#)
                .set_tags(Some(
                    tags.iter()
                        .map(|(key, value)| {
                            aws_sdk_cloudformation::types::Tag::builder()
                                .key(*key)
                                .value(*value)
                                .build()
                        })
                        .collect(),
                ))
                .send()
                .await
                .unwrap();
        }
    });
    for (stack, tags) in &taken {
        let mut theirs = args(&scene.file, &scene.binaries);
        theirs.stage = stack.trim_start_matches("orders--").to_owned();
        assert_eq!(
            deploy::run(&theirs, global, printer).unwrap(),
            ExitStatus::Failure,
            "{stack} is refused"
        );
        let kept = scene.runtime.block_on(async {
            scene
                .cloudformation
                .describe_stacks()
                .stack_name(*stack)
                .send()
                .await
                .unwrap()
                .stacks()[0]
                .tags()
                .len()
        });
        assert_eq!(kept, tags.len(), "{stack} is untouched");
    }
}

#[test]
fn a_template_over_the_inline_limit_deploys_through_the_assets_bucket() {
    let scene = Scene::new();
    // Forty more queues take the template past CloudFormation's 51,200-byte inline limit.
    let extra: String = (1..=40).fold(String::new(), |mut extra, n| {
        let _ = writeln!(extra, "  extra-{n:02}: {{}}");
        extra
    });
    let big = scene
        .seed
        .replacen("\nqueues:\n", &format!("\nqueues:\n{extra}"), 1);
    assert_ne!(big, scene.seed, "the extra queues went in");
    std::fs::write(&scene.file, &big).unwrap();
    let pipeline = generator::config::load(&scene.file.display().to_string(), big.as_bytes())
        .pipeline
        .unwrap();
    let template =
        generator::synth::synthesize(&pipeline, &generator::synth::SynthOptions::default())
            .unwrap()
            .to_json();
    assert!(
        template.len() > generator::synth::TEMPLATE_BODY_LIMIT,
        "{} bytes",
        template.len()
    );

    assert_eq!(
        deploy::run(
            &args(&scene.file, &scene.binaries),
            &scene.global,
            &scene.printer
        )
        .unwrap(),
        ExitStatus::Success
    );
    let (deployed, stored) = scene.runtime.block_on(async {
        let deployed = scene
            .cloudformation
            .get_template()
            .stack_name("orders--ci")
            .send()
            .await
            .unwrap();
        let stored = scene
            .s3
            .list_objects_v2()
            .bucket("orders-assets")
            .prefix("orders/templates/")
            .send()
            .await
            .unwrap()
            .contents()
            .len();
        (deployed.template_body().unwrap().to_owned(), stored)
    });
    let deployed: serde_json::Value = serde_json::from_str(&deployed).unwrap();
    assert!(
        deployed["Resources"]["Extra40Queue"].is_object(),
        "the whole template deployed"
    );
    assert_eq!(stored, 1, "the template went through the assets bucket");

    // Each function's code is pinned to the object version that was uploaded.
    let (pinned, uploaded) = scene.runtime.block_on(async {
        let stack = scene
            .cloudformation
            .describe_stacks()
            .stack_name("orders--ci")
            .send()
            .await
            .unwrap();
        let parameter = |name: &str| {
            stack.stacks()[0]
                .parameters()
                .iter()
                .find(|p| p.parameter_key() == Some(name))
                .and_then(|p| p.parameter_value())
                .unwrap_or_default()
                .to_owned()
        };
        let head = scene
            .s3
            .head_object()
            .bucket("orders-assets")
            .key(parameter("TaskCodeKey"))
            .send()
            .await
            .unwrap();
        (
            parameter("TaskCodeVersion"),
            head.version_id().map(str::to_owned),
        )
    });
    assert!(!pinned.is_empty(), "a version is pinned");
    assert_eq!(Some(pinned), uploaded);
}
