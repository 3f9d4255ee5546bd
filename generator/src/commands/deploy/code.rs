//! The code zips of a deploy: built or read, cached, and uploaded to the assets bucket.

use std::path::{Path, PathBuf};

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

use super::DeployView;
use crate::aws::bootstrap;
use crate::aws::stack::Pace;
use crate::aws::{call_failed, head_failed};
use crate::cli::DeployArgs;
use crate::config::Pipeline;
use crate::config::naming::crate_name;
use crate::package::{self, Artifact, Uploaded, ZipCache};
use crate::printer::Printer;
use crate::workspace::{self, PipelineDirs, Workspace};

/// The code zips: from `--binaries DIR`, or built with cargo lambda. Zips of binaries seen
/// before come from the cache under the target directory.
pub(super) fn artifacts(
    pipeline: &Pipeline,
    args: &DeployArgs,
    printer: &Printer,
) -> Result<Vec<Artifact>, String> {
    let folder = PipelineDirs::of(&args.file, None).root;
    let cache = ZipCache::new(workspace::cache_dir(&folder).join("zips"));
    let name = pipeline.name.as_str();
    let binary_path: Box<dyn Fn(&str) -> PathBuf> = if let Some(directory) = &args.binaries {
        Box::new(move |function| directory.join(crate_name(name, function)))
    } else {
        let target = build(pipeline, &folder, printer)?;
        Box::new(move |function| package::built_binary(&target, name, function))
    };
    pipeline
        .functions
        .keys()
        .map(|function| {
            let package = crate_name(name, function);
            let path = binary_path(function);
            let binary = package::read_binary(&path, function, &package)?;
            cache.artifact(&pipeline.name, function, &binary)
        })
        .collect::<Result<_, _>>()
        .map_err(|error: package::PackageError| error.to_string())
}

/// Builds every function with cargo lambda, one run per architecture, in the workspace that
/// holds the pipeline's crates; returns that workspace's target directory.
fn build(pipeline: &Pipeline, folder: &Path, printer: &Printer) -> Result<PathBuf, String> {
    package::cargo_lambda_available().map_err(|error| error.to_string())?;
    let workspace = Workspace::locate(folder).map_err(|error| error.to_string())?;
    let plans = package::plan_builds(
        &pipeline.name,
        pipeline
            .functions
            .values()
            .map(|f| (f.name.as_str(), f.architecture)),
    );
    for plan in &plans {
        printer.note(&format!(
            "building {} for {}\n",
            plan.packages.len(),
            if plan.arm64 { "arm64" } else { "x86_64" }
        ));
        let status = package::build_command(plan)
            .current_dir(folder)
            .status()
            .map_err(|error| format!("cannot run cargo lambda: {error}"))?;
        if !status.success() {
            return Err(format!("cargo lambda build failed ({status})"));
        }
    }
    Ok(workspace.target_directory)
}

/// Uploads each code zip whose hash is not in the bucket yet.
pub(super) async fn upload(
    s3: &aws_sdk_s3::Client,
    assets: &str,
    artifacts: &[Artifact],
    printer: &Printer,
) -> Result<(), String> {
    for artifact in artifacts {
        match package::upload_if_new(s3, assets, artifact)
            .await
            .map_err(|error| error.to_string())?
        {
            Uploaded::New => printer.note(&format!(
                "uploaded {} ({} bytes)\n",
                artifact.key,
                artifact.zip.len()
            )),
            Uploaded::AlreadyThere => printer.note(&format!("unchanged {}\n", artifact.key)),
        }
    }
    Ok(())
}

/// The bucket for code zips: `--assets-bucket` (created when missing), or the assets stack's,
/// bootstrapped on first use in the account and region.
pub(super) async fn assets_bucket(
    client: &aws_sdk_cloudformation::Client,
    s3: &aws_sdk_s3::Client,
    args: &DeployArgs,
    region: &str,
    pace: &Pace,
    view: &mut DeployView<'_>,
) -> Result<String, String> {
    let Some(bucket) = &args.assets_bucket else {
        return bootstrap::ensure(client, pace, &mut |step| view.show(step))
            .await
            .map_err(|error| error.to_string());
    };
    match s3.head_bucket().bucket(bucket).send().await {
        Ok(_) => return Ok(bucket.clone()),
        Err(error)
            if error
                .raw_response()
                .is_some_and(|r| r.status().as_u16() == 404) => {}
        Err(error) => return Err(head_failed(&format!("HeadBucket {bucket}"), error).to_string()),
    }
    view.printer
        .note(&format!("creating assets bucket `{bucket}`\n"));
    let mut create = s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses to be named as a location.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create
        .send()
        .await
        .map_err(|error| call_failed(&format!("CreateBucket {bucket}"), error).to_string())?;
    Ok(bucket.clone())
}
