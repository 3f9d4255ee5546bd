//! Everything `gen synth` writes under `generated/`, computed in memory: the template, the
//! schema and its reference, and the handler crates. `gen check` compares the same list with
//! the disk.

use crate::config::{self, Pipeline};
use crate::scaffold::{self, GeneratedFile, ScaffoldError};
use crate::synth::{self, SynthError, SynthOptions};

/// The folder every generated path is relative to.
pub const GENERATED_DIR: &str = "generated";
/// Where the handler crates live inside [`GENERATED_DIR`]; everything in it is owned by `gen`.
pub const LAMBDAS_DIR: &str = "lambdas";

/// Why the files could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error(transparent)]
    Synth(#[from] SynthError),
    #[error(transparent)]
    Scaffold(#[from] ScaffoldError),
}

/// The files of `generated/` for `pipeline`, sorted by path.
pub fn generated_files(
    pipeline: &Pipeline,
    options: &SynthOptions,
) -> Result<Vec<GeneratedFile>, GenerateError> {
    let template = synth::synthesize(pipeline, options)?;
    let mut files = vec![
        GeneratedFile {
            path: "template.json".to_owned(),
            contents: template.to_json(),
        },
        GeneratedFile {
            path: "pipeline.schema.json".to_owned(),
            contents: config::schema_text(),
        },
        GeneratedFile {
            path: "pipeline.reference.md".to_owned(),
            contents: config::reference_markdown(),
        },
    ];
    files.extend(scaffold::scaffold(pipeline)?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}
