//! `gen validate`: every problem of pipeline.yaml at once, exit 0 when valid, 1 when not.

use crate::cli::ValidateArgs;
use crate::commands::{CommandError, ExitStatus, read_limited};
use crate::printer::Printer;

pub fn run(args: &ValidateArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let bytes = read_limited(&args.file)?;
    let loaded = super::load_checked(&args.file, &bytes);
    let report = &loaded.report;
    let failed = report.errors() > 0 || (args.strict && report.warnings() > 0);
    if printer.json {
        let mut json = serde_json::to_string_pretty(report).expect("a report always serialises");
        json.push('\n');
        printer.data(&json);
    } else if !report.diagnostics.is_empty() {
        printer.note(&report.render(printer.color));
        if !failed && report.warnings() > 0 {
            printer.note(
                "hint: warnings don't fail validation; pass `--strict` to make them errors\n",
            );
        }
    }
    Ok(if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
