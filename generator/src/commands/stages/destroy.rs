//! `gen destroy --stage S [--yes] [--force]`: the plan, a question, then the stage goes.

use crate::aws::destroy::{self, Destroyed};
use crate::aws::stack::Pace;
use crate::aws::stages::{self, StageError};
use crate::aws::{AwsTarget, s3_client};
use crate::cli::{DestroyArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, small_runtime};
use crate::printer::Printer;

use super::{ask_about, fail};

/// `gen destroy --stage S`.
pub fn destroy(
    args: &DestroyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let runtime = small_runtime()?;
    let result = runtime.block_on(async {
        let sdk = target.sdk_config().await;
        let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
        let s3 = s3_client(&sdk);
        let stage = stages::find(
            &cloudformation,
            &pipeline.name,
            &args.stage,
            &Pace::default(),
        )
        .await?
        .filter(|stage| stage.tags.get("pipeline") == Some(&pipeline.name))
        .ok_or_else(|| StageError::NotFound {
            pipeline: pipeline.name.clone(),
            stage: args.stage.clone(),
        })?;
        if stage.protected && !args.force {
            return Err(StageError::Protected(stage.stage.clone()));
        }
        let plan = destroy::plan(&cloudformation, &s3, &stage).await?;
        let question = format!("destroy stage `{}` and everything above?", stage.stage);
        let answer = ask_about(printer, std::slice::from_ref(&plan), &question, args.yes).await?;
        if let Some(refusal) = answer.refusal() {
            printer.note(refusal);
            return Ok::<Option<Destroyed>, StageError>(None);
        }
        destroy::destroy(&cloudformation, &s3, &stage, &plan, args.force)
            .await
            .map(Some)
    });
    // A question interrupted by Ctrl-C leaves its thread blocked on stdin: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(Some(destroyed)) => {
            printer.report(&destroyed);
            Ok(ExitStatus::Success)
        }
        Ok(None) => Ok(ExitStatus::Failure),
        Err(error) => fail(printer, &error),
    }
}
