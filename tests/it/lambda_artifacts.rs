//! The Lambda artifacts `gen deploy` builds, for real: cargo lambda (with zig as the linker)
//! builds the seed pipeline's handler crates through `gen deploy`'s own build path for
//! `x86_64` and `arm64`; each `bootstrap` must be an ELF file for that machine needing at most
//! glibc 2.34 (Lambda's `provided.al2023`), zipped under 5 MB; then
//! `gen deploy` without `--binaries` ships the arm64 ones, the pipeline's, to moto.
//!
//! Ignored by `cargo test`: two release cross builds take minutes on a cold target directory.
//! `scripts/test.sh` runs it on its own, with the pinned cargo-lambda and zig of `.venv` on
//! `PATH`: `cargo test -p tests --test it -- --ignored --exact lambda_artifacts::built_and_shipped`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use generator::cli::DeployArgs;
use generator::commands::{ExitStatus, deploy};
use generator::config::model::Architecture;
use generator::config::naming::{crate_name, logical_id};
use generator::config::{self, Pipeline};
use generator::package::{self, Artifact};
use tests::MotoServer;
use tests::elf::{self, EM_AARCH64, EM_X86_64};

use crate::gen_moto::{global, printer};

/// The newest glibc Lambda's `provided.al2023` runtime has.
const MAX_GLIBC: [u32; 2] = [2, 34];
/// A zip over this is a sign of a debug or unstripped build, or of a dependency that grew. Since
/// `gen deploy` builds with `opt-level = "s"` (`package::LAMBDA_PROFILE`) the seed's arm64 zips
/// are 3.3–4.5 MB (`task`: 9.9 MB stripped binary, 4,469,665 B zip; 5,074,628 B with
/// `opt-level = 3`).
const MAX_ARM64_ZIP_BYTES: usize = 5_000_000;
/// The same crates for `x86_64`: 3.6–4.7 MB zips (`task`: 10.7 MB stripped binary, 4,734,484 B
/// zip; 6,237,467 B with `opt-level = 3`), 2026-11-30.
const MAX_X86_64_ZIP_BYTES: usize = 5_000_000;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

fn seed(root: &Path) -> Pipeline {
    let bytes = std::fs::read(root.join("pipeline.yaml")).expect("the seed pipeline.yaml");
    config::load("pipeline.yaml", &bytes)
        .pipeline
        .expect("the seed pipeline is valid")
}

/// Builds every function of `pipeline` for `architecture` through `gen deploy`'s build path,
/// checks each binary, and returns the zips `gen deploy` would upload.
fn build_and_check(root: &Path, pipeline: &Pipeline, architecture: Architecture) -> Vec<Artifact> {
    let (name, machine, max_zip) = match architecture {
        Architecture::Arm64 => ("arm64", EM_AARCH64, MAX_ARM64_ZIP_BYTES),
        Architecture::X86_64 => ("x86_64", EM_X86_64, MAX_X86_64_ZIP_BYTES),
    };
    let started = Instant::now();
    let target = package::build_handlers(
        &pipeline.name,
        pipeline
            .functions
            .keys()
            .map(|function| (function.as_str(), architecture)),
        root,
        &|line| eprint!("{line}"),
    )
    .unwrap_or_else(|error| panic!("building for {name}: {error}"));
    eprintln!(
        "built {} functions for {name} in {:.0?}",
        pipeline.functions.len(),
        started.elapsed()
    );
    pipeline
        .functions
        .keys()
        .map(|function| {
            let path = package::built_binary(&target, &pipeline.name, function);
            let binary =
                package::read_binary(&path, function, &crate_name(&pipeline.name, function))
                    .unwrap();
            let facts = elf::inspect(&binary).unwrap_or_else(|error| panic!("{function}: {error}"));
            assert_eq!(
                facts.machine, machine,
                "`{function}` for {name}: e_machine {}",
                facts.machine
            );
            let glibc = facts
                .max_glibc()
                .unwrap_or_else(|| panic!("`{function}` for {name} links no glibc: {facts:?}"));
            assert!(
                glibc <= MAX_GLIBC.as_slice(),
                "`{function}` for {name} needs glibc {glibc:?}, above provided.al2023's {MAX_GLIBC:?}"
            );
            let artifact = package::artifact(&pipeline.name, function, &binary).unwrap();
            assert!(
                artifact.zip.len() < max_zip,
                "`{function}` for {name}: zip of {} bytes, over {max_zip}",
                artifact.zip.len()
            );
            eprintln!(
                "  {function}: {name} ELF (e_machine {}), glibc up to {}, bootstrap {} bytes, zip {} bytes",
                facts.machine,
                glibc
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join("."),
                binary.len(),
                artifact.zip.len()
            );
            artifact
        })
        .collect()
}

#[test]
#[ignore = "two release cross builds with cargo lambda; scripts/test.sh runs it on its own"]
fn built_and_shipped() {
    let root = repository();
    let pipeline = seed(&root);
    assert!(
        pipeline
            .functions
            .values()
            .all(|function| function.architecture == Architecture::Arm64),
        "the seed's functions are arm64: the x86_64 build is the extra one"
    );
    build_and_check(&root, &pipeline, Architecture::X86_64);
    // The pipeline's own architecture last: `gen deploy` below runs the same build again and
    // finds nothing to compile.
    let arm64 = build_and_check(&root, &pipeline, Architecture::Arm64);

    let moto = MotoServer::start();
    let args = DeployArgs {
        file: root.join("pipeline.yaml"),
        stage: "artifacts".into(),
        ttl: None,
        yes: true,
        protected: false,
        unprotect: false,
        force: false,
        binaries: None,
        assets_bucket: Some("orders-artifacts".into()),
        disable_triggers: true,
    };
    let started = Instant::now();
    assert_eq!(
        deploy::run(&args, &global(&moto), &printer()).unwrap(),
        ExitStatus::Success
    );
    eprintln!(
        "gen deploy (its build found nothing to compile) took {:.0?}",
        started.elapsed()
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sdk = moto.sdk_config().await;
        let stack = aws_sdk_cloudformation::Client::new(&sdk)
            .describe_stacks()
            .stack_name("orders--artifacts")
            .send()
            .await
            .unwrap();
        let stack = &stack.stacks()[0];
        assert_eq!(
            stack
                .stack_status()
                .map(aws_sdk_cloudformation::types::StackStatus::as_str),
            Some("CREATE_COMPLETE")
        );
        let s3 = generator::aws::s3_client(&sdk);
        for artifact in &arm64 {
            let parameter = logical_id(&artifact.function, "CodeKey");
            let key = stack
                .parameters()
                .iter()
                .find(|p| p.parameter_key() == Some(parameter.as_str()))
                .and_then(|p| p.parameter_value());
            assert_eq!(
                key,
                Some(artifact.key.as_str()),
                "the stack runs the checked arm64 zip of `{}`",
                artifact.function
            );
            let object = s3
                .get_object()
                .bucket("orders-artifacts")
                .key(&artifact.key)
                .send()
                .await
                .unwrap();
            let bytes = object.body.collect().await.unwrap().into_bytes();
            assert_eq!(
                bytes.as_ref(),
                artifact.zip.as_slice(),
                "uploaded as checked"
            );
        }
    });
}
