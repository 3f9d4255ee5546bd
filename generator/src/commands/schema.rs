//! `gen schema`: the JSON Schema of pipeline.yaml; `--check` fails when the committed copy is stale.

use crate::cli::{SchemaArgs, SchemaFormat};
use crate::commands::{CommandError, ExitStatus};
use crate::config;
use crate::printer::Printer;

pub fn run(args: &SchemaArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let schema = match args.format {
        SchemaFormat::Json => config::schema_text(),
        SchemaFormat::Markdown => config::reference_markdown(),
    };
    let Some(path) = &args.check else {
        printer.data(&schema);
        return Ok(ExitStatus::Success);
    };
    let path = path
        .clone()
        .unwrap_or_else(|| args.format.committed_path().into());
    let path = &path;
    let committed = std::fs::read_to_string(path).map_err(|source| CommandError::Read {
        path: path.clone(),
        source,
    })?;
    if committed == schema {
        return Ok(ExitStatus::Success);
    }
    printer.note(&format!(
        "error: `{}` is stale: it differs from the schema of this version of gen\nhint: run `gen schema{} > {}` and commit the result\n",
        path.display(),
        if args.format == SchemaFormat::Markdown { " --format markdown" } else { "" },
        path.display()
    ));
    Ok(ExitStatus::Failure)
}
