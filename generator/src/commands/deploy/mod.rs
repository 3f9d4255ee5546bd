//! `gen deploy`: build, upload by hash, then a change set — shown, confirmed, executed and
//! followed to the end; outputs at the end, or the first failing resource and its reason.

mod code;
mod stage;
mod view;

use std::io::IsTerminal;

use crate::aws::deploy::{
    DeployOutcome, DeployRequest, PlannedChange, Progress, change_set_name, deploy, discard,
};
use crate::aws::stack::Pace;
use crate::aws::{AwsTarget, s3_client};
use crate::cli::{DeployArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, parse_pipeline, read_limited, small_runtime};
use crate::package;
use crate::printer::Printer;
use crate::synth::{SynthOptions, synthesize, valid_stage};
use code::{artifacts, assets_bucket, upload};
use stage::{git_branch, parameters_and_tags};
use view::confirm;

pub use stage::stage_from_branch;
pub(crate) use view::DeployView;

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
                    crate::aws::call_failed("PutObject", error)
                ));
            }
        }
        Ok(outcome)
    });
    // A prompt interrupted by Ctrl-C leaves its thread blocked on stdin: do not wait for it.
    runtime.shutdown_background();
    report(&stack, outcome, printer)
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
