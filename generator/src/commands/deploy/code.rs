//! The code zips of a deploy: built or read, cached, and uploaded to the assets bucket.

use std::path::Path;

use super::DeployView;
use crate::aws::stack::Pace;
use crate::aws::{AwsTarget, assets, bootstrap};
use crate::cli::DeployArgs;
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::package::{self, Artifact, Uploaded, ZipCache};
use crate::printer::Printer;

/// The code zips: from `--binaries DIR`, or built with cargo lambda. Zips of binaries seen
/// before come from the cache under the target directory.
pub(super) fn artifacts(
    pipeline: &Pipeline,
    args: &DeployArgs,
    printer: &Printer,
) -> Result<Vec<Artifact>, String> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| Path::new("target").to_path_buf(), Into::into);
    let cache = ZipCache::new(target.join("gen").join("zips"));
    let binary_path = |function: &str| match &args.binaries {
        Some(directory) => directory.join(package::crate_name(function)),
        None => package::built_binary(&target, function),
    };
    if args.binaries.is_none() {
        build(pipeline, printer)?;
    }
    pipeline
        .functions
        .keys()
        .map(|function| {
            let binary = package::read_binary(&binary_path(function), function)?;
            cache.artifact(&pipeline.name, function, &binary)
        })
        .collect::<Result<_, _>>()
        .map_err(|error: package::PackageError| error.to_string())
}

/// Builds every function with cargo lambda, one run per architecture.
fn build(pipeline: &Pipeline, printer: &Printer) -> Result<(), String> {
    package::cargo_lambda_available().map_err(|error| error.to_string())?;
    let plans = package::plan_builds(
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
            .status()
            .map_err(|error| format!("cannot run cargo lambda: {error}"))?;
        if !status.success() {
            return Err(format!("cargo lambda build failed ({status})"));
        }
    }
    Ok(())
}

/// Uploads each code zip unless the bucket holds it already (same key, same checksum);
/// returns the template parameters that locate each zip: its key and its object version.
pub(super) async fn upload(
    s3: &aws_sdk_s3::Client,
    assets: &AssetsBucket,
    artifacts: &[Artifact],
    require_versions: bool,
    printer: &Printer,
) -> Result<Vec<(String, String)>, String> {
    let AssetsBucket { bucket, owner } = assets;
    let mut code = Vec::new();
    for artifact in artifacts {
        let placed = package::upload_if_new(s3, bucket, Some(owner), artifact)
            .await
            .map_err(|error| error.to_string())?;
        match placed.uploaded {
            Uploaded::New => printer.note(&format!(
                "uploaded {} ({} bytes)\n",
                artifact.key,
                artifact.zip.len()
            )),
            Uploaded::AlreadyThere => printer.note(&format!("unchanged {}\n", artifact.key)),
        }
        code.push((
            logical_id(&artifact.function, "CodeKey"),
            artifact.key.clone(),
        ));
        // Pinning needs versions. A bucket named with `--assets-bucket` that gives none is
        // refused; the bootstrapped one is versioned by its template (an emulator may not be).
        match placed.version_id {
            Some(version) => {
                code.push((logical_id(&artifact.function, "CodeVersion"), version));
            }
            None if require_versions => {
                return Err(assets::AssetsError::NotVersioned {
                    bucket: bucket.clone(),
                }
                .to_string());
            }
            None => printer.note(&format!(
                "warning: `{bucket}` gave no object version, so `{}` is not pinned\n",
                artifact.key
            )),
        }
    }
    Ok(code)
}

/// The assets bucket, and the account that must own it.
pub(super) struct AssetsBucket {
    pub(super) bucket: String,
    pub(super) owner: String,
}

/// The bucket for code zips: `--assets-bucket` (created when missing with what the
/// bootstrapped bucket has, refused when it lacks versioning or a TLS-only policy), or the
/// assets stack's, bootstrapped on first use in the account and region.
pub(super) async fn assets_bucket(
    sdk: &aws_config::SdkConfig,
    client: &aws_sdk_cloudformation::Client,
    s3: &aws_sdk_s3::Client,
    args: &DeployArgs,
    target: &AwsTarget,
    pace: &Pace,
    view: &mut DeployView<'_>,
) -> Result<AssetsBucket, String> {
    let owner = assets::account_id(sdk)
        .await
        .map_err(|error| error.to_string())?;
    let Some(bucket) = &args.assets_bucket else {
        let bucket = bootstrap::ensure(client, pace, &mut |step| view.show(step))
            .await
            .map_err(|error| error.to_string())?;
        return Ok(AssetsBucket { bucket, owner });
    };
    let tls = target
        .endpoint_url
        .as_deref()
        .is_none_or(|endpoint| endpoint.starts_with("https://"));
    if assets::ensure_bucket(s3, bucket, &owner, &target.region, tls)
        .await
        .map_err(|error| error.to_string())?
    {
        view.printer.note(&format!(
            "created assets bucket `{bucket}` (versioned, encrypted, private, TLS only)\n"
        ));
    }
    Ok(AssetsBucket {
        bucket: bucket.clone(),
        owner,
    })
}
