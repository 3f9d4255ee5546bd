//! `gen ls`, `gen destroy --stage S`, `gen gc [--dry-run]`: the deployed stages of a pipeline.

mod destroy;
mod gc;
mod listing;

use std::time::SystemTime;

use futures_util::FutureExt as _;

use crate::aws::stages::{self, StageError};
use crate::aws::{AwsTarget, destroy::DestroyPlan};
use crate::cli::{GlobalArgs, StageFileArgs};
use crate::commands::{CommandError, ExitStatus, load_pipeline, prompt, small_runtime};
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
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let target = AwsTarget::new(global, &pipeline.region);
    let listed = small_runtime()?.block_on(async {
        let sdk = target.sdk_config().await;
        stages::list(&aws_sdk_cloudformation::Client::new(&sdk), &pipeline.name).await
    });
    match listed {
        Ok(stages) => {
            printer.report(&Listing {
                pipeline: pipeline.name.clone(),
                stages,
                now: now().secs(),
            });
            Ok(ExitStatus::Success)
        }
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
