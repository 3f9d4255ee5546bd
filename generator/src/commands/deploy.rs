//! `gen deploy`: build, upload by hash, then a change set — shown, confirmed, executed and
//! followed to the end; outputs at the end, or the first failing resource and its reason.

use std::io::{IsTerminal, Write as _};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};

use crate::aws::bootstrap;
use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;

use crate::aws::deploy::{
    DeployOutcome, DeployRequest, PlannedChange, Progress, change_set_name, deploy, discard,
};
use crate::aws::stack::Pace;
use crate::aws::{AwsTarget, call_failed, s3_client};
use crate::cli::{DeployArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, parse_pipeline, read_limited, small_runtime};
use crate::config::Pipeline;
use crate::config::naming::logical_id;
use crate::package::{self, Artifact, Uploaded, ZipCache};
use crate::printer::Printer;
use crate::synth::{SynthOptions, synthesize, valid_stage};
use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};

pub fn run(
    args: &DeployArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    // Read once: what is recorded as deployed is exactly what was synthesised.
    let source = read_limited(&args.file)?;
    let Some(pipeline) = parse_pipeline(&args.file, &source, printer) else {
        return Ok(ExitStatus::Failure);
    };
    let branch = git_branch();
    let stage = if args.stage == "auto" {
        stage_from_branch(branch.as_deref().unwrap_or("dev"))
    } else {
        args.stage.clone()
    };
    if !valid_stage(&stage) {
        return fail(
            printer,
            &format!(
                "`{stage}` is not a valid stage name: use up to 16 lowercase letters, digits and hyphens"
            ),
        );
    }
    let template = match synthesize(
        &pipeline,
        &SynthOptions {
            stage: stage.clone(),
        },
    ) {
        Ok(template) => template,
        Err(error) => return fail(printer, &error.to_string()),
    };
    let artifacts = match artifacts(&pipeline, args, printer) {
        Ok(artifacts) => artifacts,
        Err(message) => return fail(printer, &message),
    };
    let expires_at = args.ttl.map(|ttl| {
        let at = std::time::SystemTime::now() + std::time::Duration::from_secs(ttl.as_secs());
        aws_sdk_s3::primitives::DateTime::from(at)
            .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
            .unwrap_or_default()
    });
    let target = AwsTarget::new(global, &pipeline.region);
    let stack = format!("{}-{stage}", pipeline.name);
    let pace = Pace::default();
    let runtime = small_runtime()?;
    let outcome = runtime.block_on(async {
        let sdk = target.sdk_config().await;
        let s3 = s3_client(&sdk);
        let client = aws_sdk_cloudformation::Client::new(&sdk);
        let mut view = DeployView::new(printer, &stack);
        let assets =
            assets_bucket(&client, &s3, args, &target.region, &pace, &mut view).await?;
        upload(&s3, &assets, &artifacts, printer).await?;
        let (parameters, tags) = parameters_and_tags(
            &pipeline, &stage, args, &assets, branch, expires_at, &artifacts,
        );
        let request = DeployRequest {
            stack: stack.clone(),
            template_body: template.to_json(),
            parameters,
            tags,
            ephemeral: args.ttl.is_some(),
            change_set: change_set_name(),
            pace,
        };
        let assume_yes = args.yes || !std::io::stdin().is_terminal();
        let mut confirm = |question: &str, changes: &[PlannedChange]| {
            confirm(printer, question, changes, assume_yes)
        };
        let mut progress = |step: Progress<'_>| view.show(step);
        // Ctrl-C — at the prompt too — deletes this deploy's change set if it was not
        // executed; once executing, the stack carries on and only the following stops.
        let outcome = tokio::select! {
            outcome = deploy(&client, &request, &mut confirm, &mut progress) => outcome.map_err(|error| error.to_string()),
            _ = tokio::signal::ctrl_c() => {
                let cleaned = match discard(&client, &request).await {
                    Ok(true) => "its unexecuted change set was deleted".to_owned(),
                    Ok(false) => "no change set was left behind; anything already executing continues in CloudFormation".to_owned(),
                    Err(error) => format!("deleting its change set `{}` failed ({error}); delete it in the CloudFormation console", request.change_set),
                };
                Err(format!("interrupted: {cleaned}"))
            }
        }?;
        if matches!(
            outcome,
            DeployOutcome::NoChanges | DeployOutcome::Deployed { .. }
        ) {
            // What is deployed now, for `gen diff --deployed` to compare with. Failing to
            // record it does not undo the deploy: warn and go on.
            let recorded = s3
                .put_object()
                .bucket(&assets)
                .key(package::deployed_pipeline_key(&pipeline.name, &stage))
                .content_type("application/yaml")
                .body(source.into())
                .send()
                .await;
            if let Err(error) = recorded {
                printer.note(&format!(
                    "warning: recording pipeline.yaml in `{assets}` failed, so `gen diff --deployed` will show resource changes only: {}\n",
                    aws_sdk_s3::error::DisplayErrorContext(error)
                ));
            }
        }
        Ok(outcome)
    });
    // A prompt interrupted by Ctrl-C leaves its thread blocked on stdin: do not wait for it.
    runtime.shutdown_background();
    report(&stack, outcome, printer)
}

/// Uploads each code zip whose hash is not in the bucket yet.
async fn upload(
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
async fn assets_bucket(
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
        Err(error) => return Err(call_failed(&format!("HeadBucket {bucket}"), error).to_string()),
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

/// A deploy's progress: on a terminal, a bar over the resources the change set touches with
/// the events printed above it; elsewhere (CI logs) plain lines only.
pub(crate) struct DeployView<'a> {
    printer: &'a Printer,
    stack: String,
    bar: Option<ProgressBar>,
    done: std::collections::BTreeSet<String>,
}

impl<'a> DeployView<'a> {
    pub(crate) fn new(printer: &'a Printer, stack: &str) -> Self {
        Self {
            printer,
            stack: stack.to_owned(),
            bar: None,
            done: std::collections::BTreeSet::new(),
        }
    }

    pub(crate) fn show(&mut self, step: Progress<'_>) {
        match step {
            Progress::Note(text) => self.line(&format!("  {text}")),
            Progress::Executing { stack, resources } => {
                self.finish();
                stack.clone_into(&mut self.stack);
                if std::io::stderr().is_terminal() {
                    let bar = ProgressBar::new(resources as u64);
                    if let Ok(style) = ProgressStyle::with_template(
                        "{spinner} {elapsed:>4} [{bar:30}] {pos}/{len} resources  {msg}",
                    ) {
                        bar.set_style(style.progress_chars("=> "));
                    }
                    bar.enable_steady_tick(std::time::Duration::from_millis(120));
                    self.bar = Some(bar);
                }
            }
            Progress::Event {
                status,
                logical_id,
                resource_type,
                reason,
            } => {
                let line = format!("  {status:<28} {logical_id} ({resource_type}) {reason}");
                self.line(line.trim_end());
                if let Some(bar) = &self.bar {
                    if logical_id != self.stack
                        && status.ends_with("_COMPLETE")
                        && self.done.insert(logical_id.to_owned())
                    {
                        bar.inc(1);
                    }
                    bar.set_message(logical_id.to_owned());
                }
            }
            Progress::Settled => self.finish(),
        }
    }

    /// Clears the bar of the execution that settled.
    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        self.done.clear();
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => self.printer.note(&format!("{text}\n")),
        }
    }
}

impl Drop for DeployView<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The code zips: from `--binaries DIR`, or built with cargo lambda. Zips of binaries seen
/// before come from the cache under the target directory.
fn artifacts(
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

/// Shows the plan and asks; the answer is read on a blocking thread so that Ctrl-C at the
/// prompt still reaches the deploy (and deletes its change set).
fn confirm(
    printer: &Printer,
    question: &str,
    changes: &[PlannedChange],
    assume_yes: bool,
) -> BoxFuture<'static, bool> {
    for change in changes {
        let replacement = if change.replacement == "True" {
            "  REPLACE"
        } else {
            ""
        };
        printer.note(&format!(
            "  {:<8} {} ({}){replacement}\n",
            change.action, change.logical_id, change.resource_type
        ));
    }
    if assume_yes {
        return futures_util::future::ready(true).boxed();
    }
    printer.note(&format!("{question} [y/N] "));
    let _ = std::io::stderr().flush();
    async {
        tokio::task::spawn_blocking(|| {
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer).is_ok()
                && matches!(answer.trim(), "y" | "Y" | "yes")
        })
        .await
        .unwrap_or(false)
    }
    .boxed()
}

fn git_branch() -> Option<String> {
    let output = std::process::Command::new("git")
        .args(["rev-parse", "--abbrev-ref", "HEAD"])
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|b| !b.is_empty() && b != "HEAD")
}

fn owner() -> String {
    std::process::Command::new("git")
        .args(["config", "user.email"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|email| !email.is_empty())
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_default()
}

/// `feature/Add-Promo_Codes` → `feature-add-promo` (lowercase, hyphens, at most 16 characters,
/// starting with a letter).
pub fn stage_from_branch(branch: &str) -> String {
    let mut stage = String::new();
    for character in branch.chars() {
        if character.is_ascii_alphanumeric() {
            stage.push(character.to_ascii_lowercase());
        } else if !stage.ends_with('-') && !stage.is_empty() {
            stage.push('-');
        }
    }
    let mut stage: String = stage
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '-')
        .chars()
        .take(16)
        .collect();
    while stage.ends_with('-') {
        stage.pop();
    }
    if stage.is_empty() {
        "dev".to_owned()
    } else {
        stage
    }
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every failure of the command returns through it"
)]
fn fail(printer: &Printer, message: &str) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {message}\n"));
    Ok(ExitStatus::Failure)
}

/// Prints how the deploy ended and picks the exit status.
fn report(
    stack: &str,
    outcome: Result<DeployOutcome, String>,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    match outcome {
        Ok(DeployOutcome::NoChanges) => {
            printer.note(&format!("stack `{stack}`: no changes\n"));
            Ok(ExitStatus::Success)
        }
        Ok(DeployOutcome::Cancelled) => {
            printer.note("cancelled: the change set was deleted, nothing changed\n");
            Ok(ExitStatus::Failure)
        }
        Ok(DeployOutcome::Deployed { status, outputs }) => {
            printer.note(&format!("stack `{stack}`: {status}\n"));
            for (key, value) in outputs {
                printer.data(&format!("{key} = {value}\n"));
            }
            Ok(ExitStatus::Success)
        }
        Ok(failed @ DeployOutcome::Failed { .. }) => fail(
            printer,
            &format!(
                "stack `{stack}` ended in {}",
                failed.cause().unwrap_or_default()
            ),
        ),
        Err(message) => fail(printer, &message),
    }
}

/// Key–value pairs: template parameters or stack tags.
type KeyValues = Vec<(String, String)>;

/// The template parameters (stage, code locations, switches) and the stack tags of a stage.
fn parameters_and_tags(
    pipeline: &Pipeline,
    stage: &str,
    args: &DeployArgs,
    assets: &str,
    branch: Option<String>,
    expires_at: Option<String>,
    artifacts: &[Artifact],
) -> (KeyValues, KeyValues) {
    let mut parameters = vec![
        ("Stage".to_owned(), stage.to_owned()),
        ("Branch".to_owned(), branch.clone().unwrap_or_default()),
        (
            "ExpiresAt".to_owned(),
            expires_at.clone().unwrap_or_default(),
        ),
        ("CodeBucket".to_owned(), assets.to_owned()),
        (
            "EventSourcesEnabled".to_owned(),
            (!args.disable_triggers).to_string(),
        ),
    ];
    parameters.extend(artifacts.iter().map(|artifact| {
        (
            logical_id(&artifact.function, "CodeKey"),
            artifact.key.clone(),
        )
    }));
    let mut tags = vec![
        ("pipeline".to_owned(), pipeline.name.clone()),
        ("stage".to_owned(), stage.to_owned()),
        ("branch".to_owned(), branch.unwrap_or_default()),
        ("expires-at".to_owned(), expires_at.unwrap_or_default()),
        ("owner".to_owned(), owner()),
        ("protected".to_owned(), args.protected.to_string()),
    ];
    tags.retain(|(_, value)| !value.is_empty());
    (parameters, tags)
}

#[cfg(test)]
mod tests {
    use super::stage_from_branch;

    #[test]
    fn branches_become_valid_stage_names() {
        assert_eq!(
            stage_from_branch("feature/Add-Promo_Codes"),
            "feature-add-prom"
        );
        assert_eq!(stage_from_branch("main"), "main");
        assert_eq!(stage_from_branch("123-fix"), "fix");
        assert_eq!(stage_from_branch("///"), "dev");
        assert!(crate::synth::valid_stage(&stage_from_branch(
            "renovate/aws-sdk-1.x"
        )));
    }
}
