//! Everything `gen synth` writes under `generated/`, computed in memory: the template, the
//! schema and its reference, and the handler crates. `gen check` compares the same list with
//! the disk.

use crate::config::value::SourceMap;
use crate::config::{self, Pipeline};
use crate::diagnostic::Diagnostic;
use crate::scaffold::{self, GeneratedFile, ScaffoldError};
use crate::synth::{self, SynthError, SynthOptions, TEMPLATE_URL_LIMIT};

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

/// What synthesis would refuse, as diagnostics on pipeline.yaml: the 4 KB environment limit,
/// the 500-resource limit, CloudFormation's 1 MB template limit, a discount table the runtime
/// would not accept.
pub fn synth_checks(pipeline: &Pipeline, sources: &SourceMap) -> Vec<Diagnostic> {
    let error = match synth::synthesize(pipeline, &SynthOptions::default()) {
        Ok(template) => return template_size(template.to_json().len(), sources),
        Err(error) => error,
    };
    let diagnostic = match &error {
        SynthError::Environment { function, .. } => Diagnostic::error(
            "environment-size",
            error.to_string(),
        )
        .at(
            sources.key("/discounts"),
            format!("carried in the environment of `{function}`"),
        )
        .help(
            "Lambda allows 4 KB of environment variables per function: remove promo codes or tiers",
        ),
        SynthError::DiscountTable(_) => Diagnostic::error("discount-table", error.to_string())
            .at(sources.key("/discounts"), "this table")
            .help("fix the table so the runtime accepts it"),
        SynthError::TooManyResources { .. } => {
            Diagnostic::error("too-many-resources", error.to_string())
                .at(sources.value(""), "this pipeline")
                .help("each function adds 6 resources (7 for a DLQ processor), each queue 2 to 4 (its TLS policy and alarms), each bucket 2, and the alarm topic 3")
        }
        SynthError::Stage(_) => Diagnostic::error("stage", error.to_string()),
    };
    vec![diagnostic]
}

/// A template over CloudFormation's limit for templates read from S3 cannot deploy at all.
fn template_size(bytes: usize, sources: &SourceMap) -> Vec<Diagnostic> {
    if bytes <= TEMPLATE_URL_LIMIT {
        return Vec::new();
    }
    vec![
        Diagnostic::error(
            "template-size",
            format!(
                "the CloudFormation template would be {bytes} bytes, more than the {TEMPLATE_URL_LIMIT} CloudFormation accepts"
            ),
        )
        .at(sources.value(""), "this pipeline")
        .help("split it into two pipelines"),
    ]
}
