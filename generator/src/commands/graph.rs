//! `gen graph`: the pipeline drawn — mermaid (default), SVG or DOT — on stdout or to a file.

use crate::cli::{GraphArgs, GraphFormat};
use crate::commands::{CommandError, ExitStatus, load_pipeline};
use crate::graph::{Graph, dot, mermaid, svg};
use crate::printer::Printer;

pub fn run(args: &GraphArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(pipeline) = load_pipeline(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let graph = Graph::of(&pipeline);
    let rendered = match args.format {
        GraphFormat::Mermaid => mermaid::render(&graph),
        GraphFormat::Svg => svg::render(&graph),
        GraphFormat::Dot => dot::render(&graph),
    };
    match &args.output_file {
        Some(path) => std::fs::write(path, rendered).map_err(|source| CommandError::Write {
            path: path.clone(),
            source,
        })?,
        None => printer.data(&rendered),
    }
    Ok(ExitStatus::Success)
}
