//! `gen gc [--dry-run] [--yes]`: destroys the expired stages of a pipeline, never a protected
//! one; the plans are shown and asked about first.

use serde::Serialize;

use crate::aws::destroy::{self, DestroyPlan, Destroyed};
use crate::aws::stages;
use crate::cli::{GcArgs, GlobalArgs};
use crate::commands::{CommandError, ExitStatus};
use crate::printer::Printer;

use super::{ask_about, now, run};

/// `gen gc`'s result.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GcReport {
    pub pipeline: String,
    pub dry_run: bool,
    /// Expired stages that are protected, so kept.
    pub skipped_protected: Vec<String>,
    /// What was (or, in a dry run, would be) destroyed.
    pub plans: Vec<DestroyPlan>,
    pub destroyed: Vec<Destroyed>,
}

impl std::fmt::Display for GcReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for stage in &self.skipped_protected {
            writeln!(f, "kept stage `{stage}`: expired, but protected")?;
        }
        if self.dry_run {
            for plan in &self.plans {
                write!(f, "would destroy {plan}")?;
            }
        }
        for destroyed in &self.destroyed {
            write!(f, "{destroyed}")?;
        }
        if self.plans.is_empty() {
            writeln!(f, "no expired stage of pipeline `{}`", self.pipeline)?;
        }
        Ok(())
    }
}

/// `gen gc [--dry-run]`.
pub fn gc(
    args: &GcArgs,
    global: &GlobalArgs,
    printer: &Printer,
) -> Result<ExitStatus, CommandError> {
    run(&args.file, global, printer, async |pipeline, clients| {
        let now = now();
        let mut report = GcReport {
            pipeline: pipeline.name.clone(),
            dry_run: args.dry_run,
            ..GcReport::default()
        };
        let mut expired = Vec::new();
        for stage in stages::list(&clients.cloudformation, &pipeline.name).await? {
            if !stage.expired(now) {
                continue;
            }
            if stage.protected || stage.termination_protection {
                report.skipped_protected.push(stage.stage.clone());
            } else {
                report.plans.push(destroy::plan(clients, &stage).await?);
                expired.push(stage);
            }
        }
        if args.dry_run {
            return Ok(Some(report));
        }
        let question = format!(
            "destroy these {} expired stage(s) and everything above?",
            expired.len()
        );
        let answer = ask_about(printer, &report.plans, &question, args.yes).await?;
        if let Some(refusal) = answer.refusal() {
            printer.note(refusal);
            return Ok(None);
        }
        for (stage, plan) in expired.iter().zip(&report.plans) {
            // Never `force`: a stage protected since it was listed is refused here too.
            report
                .destroyed
                .push(destroy::destroy(clients, stage, plan, false).await?);
        }
        Ok(Some(report))
    })
}
