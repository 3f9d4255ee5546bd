//! `gen destroy --stage S [--yes] [--force]`: the plan, a question, then the stage goes.

use crate::aws::destroy;
use crate::aws::stack::Pace;
use crate::aws::stages::{self, StageError};
use crate::cli::{DestroyArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus};
use crate::printer::Printer;

use super::{ask_about, run};

/// `gen destroy --stage S`.
pub fn destroy(
    args: &DestroyArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    run(&args.file, global, printer, async |pipeline, clients| {
        let stage = stages::find(
            &clients.cloudformation,
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
        let plan = destroy::plan(clients, &stage).await?;
        let question = format!("destroy stage `{}` and everything above?", stage.stage);
        let answer = ask_about(printer, std::slice::from_ref(&plan), &question, args.yes).await?;
        if let Some(refusal) = answer.refusal() {
            printer.note(refusal);
            return Ok(None);
        }
        destroy::destroy(clients, &stage, &plan, args.force)
            .await
            .map(Some)
    })
}
