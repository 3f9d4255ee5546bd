//! `gen ls`, `gen destroy --stage S`, `gen gc [--dry-run]`: the deployed stages of a pipeline.

mod destroy;
mod gc;
mod listing;

use std::time::SystemTime;

use futures_util::FutureExt as _;

use std::path::Path;

use serde::Serialize;

use crate::aws::AwsTarget;
use crate::aws::destroy::{Clients, DestroyPlan};
use crate::aws::stages::{self, StageError};
use crate::cli::{GlobalArgs, StageFileArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, prompt, small_runtime};
use crate::config::Pipeline;
use crate::printer::Printer;

pub use destroy::destroy;
pub use gc::{GcReport, gc};
pub use listing::Listing;

/// `gen ls`.
pub fn ls(
    args: &StageFileArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    run(&args.file, global, printer, async |pipeline, clients| {
        Ok(Some(Listing {
            pipeline: pipeline.name.clone(),
            region: global
                .region
                .clone()
                .unwrap_or_else(|| pipeline.region.clone()),
            stages: stages::list(&clients.cloudformation, &pipeline.name).await?,
            now: now().secs(),
        }))
    })
}

/// Loads the pipeline, runs `work` with clients for its account and region, and prints the
/// report it returns; exit 1 when the pipeline is invalid, or `work` declines (`None`) or fails.
fn run<R: Serialize + std::fmt::Display>(
    file: &Path,
    global: &GlobalArgs,
    printer: &Printer,
    work: impl AsyncFnOnce(&Pipeline, &Clients) -> Result<Option<R>, StageError>,
) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let runtime = small_runtime()?;
    let result = runtime.block_on(async {
        let sdk = target.sdk_config().await;
        let clients = Clients::new(&sdk);
        work(&pipeline, &clients).await
    });
    // A question interrupted by Ctrl-C leaves its thread blocked on stdin: do not wait for it.
    runtime.shutdown_background();
    match result {
        Ok(Some(report)) => {
            printer.report(&report);
            Ok(ExitStatus::Success)
        }
        Ok(None) => Ok(ExitStatus::Failure),
        Err(error) => fail(printer, &error),
    }
}

/// How the question before destroying was answered.
enum Answer {
    Yes,
    No,
    /// Ctrl-C at the question.
    Interrupted,
}

/// Shows the plans on stderr, then asks `question` unless `yes`; without a terminal to ask
/// at and without `yes`, refuses.
async fn ask_about(
    printer: &Printer,
    plans: &[DestroyPlan],
    question: &str,
    yes: bool,
) -> Result<Answer, StageError> {
    for plan in plans {
        printer.note(&plan.to_string());
    }
    if yes || plans.is_empty() {
        return Ok(Answer::Yes);
    }
    if !prompt::at_terminal() {
        return Err(StageError::NoTerminal);
    }
    // Ctrl-C is listened for from the first poll: poll once before asking, so that a Ctrl-C
    // the moment the question shows is caught rather than killing the process.
    let mut interrupted = Box::pin(tokio::signal::ctrl_c());
    if (&mut interrupted).now_or_never().is_some() {
        return Ok(Answer::Interrupted);
    }
    tokio::select! {
        answer = prompt::ask(printer, question) => Ok(if answer { Answer::Yes } else { Answer::No }),
        _ = interrupted => Ok(Answer::Interrupted),
    }
}

impl Answer {
    /// What to say when the answer was not yes.
    fn refusal(&self) -> Option<&'static str> {
        match self {
            Answer::Yes => None,
            Answer::No => Some("cancelled: nothing was destroyed\n"),
            Answer::Interrupted => Some("\ninterrupted: nothing was destroyed\n"),
        }
    }
}

fn now() -> aws_sdk_s3::primitives::DateTime {
    aws_sdk_s3::primitives::DateTime::from(SystemTime::now())
}

#[expect(
    clippy::unnecessary_wraps,
    reason = "every failure of these commands returns through it"
)]
fn fail(printer: &Printer, error: &StageError) -> Result<ExitStatus, CommandError> {
    printer.note(&format!("error: {error}\n"));
    Ok(ExitStatus::Failure)
}
