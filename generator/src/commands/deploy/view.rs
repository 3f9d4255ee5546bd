//! What a deploy shows at the terminal: its progress, and the plan it asks to confirm.

use std::io::IsTerminal;

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use indicatif::{ProgressBar, ProgressStyle};

use crate::aws::deploy::{PlannedChange, Progress};
use crate::printer::Printer;

/// A deploy's progress: on a terminal, a bar over the resources the change set touches with
/// the events printed above it; elsewhere (CI logs) plain lines only.
pub(crate) struct DeployView<'a> {
    pub(super) printer: &'a Printer,
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

/// Shows the plan and asks; the answer is read on a blocking thread so that Ctrl-C at the
/// prompt still reaches the deploy (and deletes its change set).
pub(super) fn confirm(
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
    crate::commands::prompt::ask(printer, question)
}
