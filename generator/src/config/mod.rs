//! pipeline.yaml → a validated, resolved [`Pipeline`], or every problem with it.
//!
//! ```text
//! bytes ─utf8─▶ text ─yaml─▶ Node tree (spans) ─▶ JSON ─schema─▶ PipelineConfig ─resolve─▶ Pipeline
//!                                         └──── SourceMap (pointer → span) ──── rules ──┘
//! ```
//! No I/O happens here: callers read the file and pass its bytes.

pub mod model;
pub mod naming;
pub mod pipeline;
mod reference;
pub mod request_schema;
pub mod resolve;
mod rules;
mod schema;
pub mod span;
pub(crate) mod suggest;
pub mod value;
pub mod values;
mod yaml;

pub use model::PipelineConfig;
pub use pipeline::Pipeline;
pub use reference::reference_markdown;
pub use resolve::resolve;
pub use schema::{schema_json, schema_text};

use crate::diagnostic::{Diagnostic, Report};
use span::{LineIndex, Span};
use value::{Numbers, SourceMap};

/// pipeline.yaml files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

/// The outcome of loading a file: the pipeline when it has no errors, and every diagnostic.
#[derive(Debug)]
pub struct Loaded {
    pub pipeline: Option<Pipeline>,
    pub report: Report,
}

/// Checks run on a pipeline that passed every rule of its own, with the source map to point
/// into the file: how later stages (synth's limits) report what only they can see.
pub type ExtraChecks<'a> = &'a dyn Fn(&Pipeline, &SourceMap) -> Vec<Diagnostic>;

/// Loads and validates pipeline.yaml from its bytes. `file` is how the file is named in messages.
pub fn load(file: &str, bytes: &[u8]) -> Loaded {
    load_with(file, bytes, &|_, _| Vec::new())
}

/// [`load`], plus `extra` checks once the pipeline is otherwise valid.
pub fn load_with(file: &str, bytes: &[u8], extra: ExtraChecks<'_>) -> Loaded {
    let (source, diagnostics, pipeline) = match std::str::from_utf8(bytes) {
        Ok(text) => {
            let (diagnostics, pipeline) = check_text(text, extra);
            (text.to_owned(), diagnostics, pipeline)
        }
        Err(error) => {
            // Bytes before the first bad one are unchanged, so offsets still line up.
            let text = String::from_utf8_lossy(bytes).into_owned();
            (text, vec![not_utf8(bytes, error.valid_up_to())], None)
        }
    };
    let mut diagnostics = diagnostics;
    diagnostics.sort_by_key(|d| {
        (
            d.span.map_or(0, |span| span.offset),
            std::cmp::Reverse(d.severity),
        )
    });
    Loaded {
        pipeline,
        report: Report {
            file: file.to_owned(),
            source,
            diagnostics,
        },
    }
}

fn check_text(text: &str, extra: ExtraChecks<'_>) -> (Vec<Diagnostic>, Option<Pipeline>) {
    if text.len() > MAX_FILE_BYTES {
        return (
            vec![
                Diagnostic::error(
                    "file-too-large",
                    format!(
                        "the file is {:.1} MB; pipeline.yaml may be at most {} MB",
                        mb(text.len()),
                        MAX_FILE_BYTES / (1024 * 1024)
                    ),
                )
                .help("a pipeline fits in a few kilobytes: check that this is the right file"),
            ],
            None,
        );
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = LineIndex::new(text);
    let root = match yaml::parse(text, &lines) {
        Ok(root) => root,
        Err(error) => {
            let mut diagnostic =
                Diagnostic::error(error.code, error.message).at(error.span, error.label);
            if let Some(help) = error.help {
                diagnostic = diagnostic.help(help);
            }
            if let Some((span, label)) = error.related {
                diagnostic = diagnostic.related(span, label);
            }
            return (vec![diagnostic], None);
        }
    };
    if matches!(&root.value, yaml::NodeValue::Scalar { text, plain: true } if text.is_empty() || text == "~" || text == "null")
    {
        return (
            vec![
                Diagnostic::error("empty-file", "the file holds no pipeline")
                    .help("start with `pipeline: <name>`, `region: <region>` and a `functions:` section (see README.md)"),
            ],
            None,
        );
    }
    let sources = SourceMap::new(&root, text);
    let floats = value::to_json(&root, Numbers::Float);
    let mut diagnostics = schema::check(&floats, &sources);
    if !diagnostics.is_empty() {
        return (diagnostics, None);
    }
    let mut config: PipelineConfig = match serde_json::from_value(value::to_json(
        &root,
        Numbers::Exact,
    )) {
        Ok(config) => config,
        Err(error) => {
            // The schema accepted what the model rejects: a bug in the schema, reported plainly.
            let diagnostic = Diagnostic::error("model", format!("the pipeline could not be read: {error}"))
                .at(lines.line_span(1), "in this file")
                .help("this is a bug in gen: the schema accepted a value the model rejects; please report it");
            return (vec![diagnostic], None);
        }
    };
    patterns_as_written(&mut config, &floats);
    let pipeline = resolve(&config);
    diagnostics.extend(rules::check(&config, &pipeline, &sources));
    if !diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.extend(extra(&pipeline, &sources));
    }
    let valid = !diagnostics.iter().any(Diagnostic::is_error);
    (diagnostics, valid.then_some(pipeline))
}

/// Event patterns keep their numbers as JSON numbers: EventBridge compares `1000.5` in a
/// pattern as a number, so the pattern is taken from the float rendering, not the exact one
/// (which keeps decimals as text for amounts).
fn patterns_as_written(config: &mut PipelineConfig, floats: &serde_json::Value) {
    for (bus_name, bus) in &mut config.buses {
        for (rule_name, rule) in &mut bus.rules {
            let mut pointer = String::from("/buses/");
            value::push_escaped(&mut pointer, bus_name);
            pointer.push_str("/rules/");
            value::push_escaped(&mut pointer, rule_name);
            pointer.push_str("/pattern");
            if let Some(pattern) = floats.pointer(&pointer) {
                rule.pattern = pattern.clone();
            }
        }
    }
}

fn not_utf8(bytes: &[u8], valid_up_to: usize) -> Diagnostic {
    let valid = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = valid.matches('\n').count() + 1;
    let line_start = valid.rfind('\n').map_or(0, |index| index + 1);
    let column = valid[line_start..].chars().count() + 1;
    Diagnostic::error(
        "not-utf8",
        format!(
            "the file is not valid UTF-8: byte 0x{:02X} at line {line}, column {column}",
            bytes[valid_up_to]
        ),
    )
    .at(Span::point(valid_up_to, line, column), "invalid byte")
    .help("save the file as UTF-8")
}

#[expect(
    clippy::cast_precision_loss,
    reason = "a file size shown with one decimal"
)]
fn mb(bytes: usize) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}
