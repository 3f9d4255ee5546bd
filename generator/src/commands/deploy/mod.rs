//! `gen deploy`: build, upload by hash, then a change set — shown, confirmed, executed and
//! followed to the end; outputs at the end, or the first failing resource and its reason.

mod code;
mod objects;
mod ownership;
mod report;
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
use crate::config::naming::stack_name;
use crate::printer::Printer;
use crate::synth::{SynthOptions, synthesize};
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
    let branch = git_branch(&args.file);
    let stage = match stage::resolve(&args.stage, branch.as_deref()) {
        Ok(stage) => stage,
        Err(message) => return fail(printer, &message),
    };
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
    let expires_at = stage::expiry(args.ttl);
    let target = AwsTarget::new(global, &pipeline.region);
    let pace = Pace::default();
    let runtime = small_runtime()?;
    let mut stack = stack_name(&pipeline.name, &stage);
    let outcome = runtime.block_on(async {
        let sdk = target.sdk_config().await;
        let s3 = s3_client(&sdk);
        let client = aws_sdk_cloudformation::Client::new(&sdk);
        let existing =
            ownership::existing(&client, &pipeline.name, &stage, branch.as_deref(), args.force)
                .await?;
        if let Some(existing) = &existing {
            // A stage deployed before stacks were named `<pipeline>--<stage>` keeps its stack.
            stack.clone_from(&existing.stack);
        }
        let protected = stage::protected(args, existing.as_ref());
        let mut view = DeployView::new(printer, &stack);
        let assets =
            assets_bucket(&sdk, &client, &s3, args, &target, &pace, &mut view).await?;
        let code = upload(&s3, &assets, &artifacts, args.assets_bucket.is_some(), printer).await?;
        let (parameters, tags) = parameters_and_tags(
            &pipeline,
            &stage,
            args,
            &assets.bucket,
            branch,
            expires_at,
            code,
            existing.as_ref(),
        );
        let template_body = template.to_json();
        let template_url = objects::template_url(
            &s3,
            &assets,
            target.endpoint_url.as_deref(),
            &target.region,
            &pipeline.name,
            &template_body,
        )
        .await?;
        let request = DeployRequest {
            stack: stack.clone(),
            template_body,
            template_url,
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
            let had = existing.map(|stage| stage.termination_protection);
            stage::termination_protection(&client, &stack, had, protected, printer).await;
            // What is deployed now, for `gen diff --deployed` to compare with.
            objects::record_pipeline(&s3, &assets, (&pipeline.name, &stage), source, printer).await;
        }
        Ok(outcome)
    });
    // A prompt interrupted by Ctrl-C leaves its thread blocked on stdin: do not wait for it.
    runtime.shutdown_background();
    report::report(&stack, &stage, outcome, printer)
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every failure of the command returns through it"
)]
pub(super) fn fail(printer: &Printer, message: &str) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {message}\n"));
    Ok(ExitStatus::Failure)
}
