//! How a deploy ended: a report (stdout; JSON with `--output json`) and the exit status.

use serde::Serialize;

use super::fail;
use crate::aws::deploy::DeployOutcome;
use crate::commands::{CommandError, ExitStatus};
use crate::printer::Printer;

/// A deploy that left the stage as wanted.
#[derive(Debug, Clone, Serialize)]
pub(super) struct DeployReport {
    pub stack: String,
    pub stage: String,
    /// `NO_CHANGES`, or the stack's status after the change set (`CREATE_COMPLETE`…).
    pub status: String,
    pub outputs: std::collections::BTreeMap<String, String>,
}

impl std::fmt::Display for DeployReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (key, value) in &self.outputs {
            writeln!(f, "{key} = {value}")?;
        }
        Ok(())
    }
}

/// Prints how the deploy ended and picks the exit status.
pub(super) fn report(
    stack: &str,
    stage: &str,
    outcome: Result<DeployOutcome, String>,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    let (status, outputs) = match outcome {
        Ok(DeployOutcome::NoChanges) => {
            printer.note(&format!("stack `{stack}`: no changes\n"));
            ("NO_CHANGES".to_owned(), Vec::new())
        }
        Ok(DeployOutcome::Cancelled) => {
            printer.note("cancelled: the change set was deleted, nothing changed\n");
            return Ok(ExitStatus::Failure);
        }
        Ok(DeployOutcome::Deployed { status, outputs }) => {
            printer.note(&format!("stack `{stack}`: {status}\n"));
            (status, outputs)
        }
        Ok(failed @ DeployOutcome::Failed { .. }) => {
            return fail(
                printer,
                &format!(
                    "stack `{stack}` ended in {}",
                    failed.cause().unwrap_or_default()
                ),
            );
        }
        Err(message) => return fail(printer, &message),
    };
    printer.report(&DeployReport {
        stack: stack.to_owned(),
        stage: stage.to_owned(),
        status,
        outputs: outputs.into_iter().collect(),
    });
    Ok(ExitStatus::Success)
}
