//! The code zips of a deploy: built or read, cached, and uploaded to the assets bucket.

use std::path::{Path, PathBuf};

use super::DeployView;
use crate::aws::stack::Pace;
use crate::aws::{AwsTarget, assets, bootstrap};
use crate::cli::DeployArgs;
use crate::config::Pipeline;
use crate::config::naming::{crate_name, logical_id};
use crate::package::{self, Artifact, Uploaded, ZipCache};
use crate::printer::Printer;
use crate::workspace::{self, PipelineDirs};

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
    package::build_handlers(
        &pipeline.name,
        pipeline
            .functions
            .values()
            .map(|f| (f.name.as_str(), f.architecture)),
        folder,
        &|line| printer.note(line),
    )
    .map_err(|error| error.to_string())
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
