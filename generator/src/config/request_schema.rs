//! The JSON Schema files route triggers name (`trigger.request_schema`): each must lie inside
//! the pipeline's folder, exist, be JSON and be a valid JSON Schema. Unlike the rest of
//! `config`, this reads files, so the commands run it after the rules (see
//! `commands::load_checked`) and hand the texts on in [`Pipeline::request_schemas`], where
//! `gen synth` copies them into the generated crates.

use std::collections::BTreeMap;
use std::path::{Component, Path};

use super::Pipeline;
use super::value::SourceMap;
use crate::diagnostic::Diagnostic;

/// A request schema larger than this is refused: it is compiled into the function's binary.
pub const MAX_SCHEMA_BYTES: u64 = 256 * 1024;

/// Reads and checks every request schema of `pipeline`, relative to `dir` (the folder of
/// pipeline.yaml). Returns the diagnostics and, by function name, the text of each file that
/// passed.
pub fn check(
    pipeline: &Pipeline,
    sources: &SourceMap,
    dir: &Path,
) -> (Vec<Diagnostic>, BTreeMap<String, String>) {
    let mut diagnostics = Vec::new();
    let mut texts = BTreeMap::new();
    for function in pipeline.functions.values() {
        let Some(written) = function
            .trigger
            .route()
            .and_then(|route| route.request_schema.as_deref())
        else {
            continue;
        };
        let pointer = format!("/functions/{}/trigger/request_schema", function.name);
        let span = sources.value(&pointer);
        let fail = |code: &'static str, message: String, label: &str, help: String| {
            Diagnostic::error(code, message)
                .at(span, label.to_owned())
                .help(help)
        };
        let relative = Path::new(written);
        if relative.is_absolute()
            || written.contains('\\')
            || relative
                .components()
                .any(|component| !matches!(component, Component::Normal(_)))
        {
            diagnostics.push(fail(
                "request-schema",
                format!("`request_schema` of function `{}` must be a file inside the pipeline's folder: `{written}`", function.name),
                "absolute, or leaves the pipeline's folder",
                "write a relative path without `..` or `.`, e.g. `schemas/order.schema.json`".to_owned(),
            ));
            continue;
        }
        let path = dir.join(relative);
        let bytes = match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > MAX_SCHEMA_BYTES => {
                diagnostics.push(fail(
                    "request-schema",
                    format!("request schema `{written}` is {} bytes, more than {MAX_SCHEMA_BYTES}", meta.len()),
                    "too large",
                    "a request schema is compiled into the function: keep it to the request's shape".to_owned(),
                ));
                continue;
            }
            Ok(_) => std::fs::read(&path),
            Err(error) => Err(error),
        };
        let bytes = match bytes {
            Ok(bytes) => bytes,
            Err(error) => {
                diagnostics.push(fail(
                    "request-schema",
                    format!("request schema `{written}` of function `{}` cannot be read: {error}", function.name),
                    "no such file here",
                    format!("create `{}` (a JSON Schema of the request body), or fix the path: it is relative to the folder of pipeline.yaml", path.display()),
                ));
                continue;
            }
        };
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                diagnostics.push(fail(
                    "request-schema",
                    format!("request schema `{written}` is not UTF-8 text"),
                    "not text",
                    "save the file as UTF-8 JSON".to_owned(),
                ));
                continue;
            }
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => {
                diagnostics.push(fail(
                    "request-schema",
                    format!(
                        "request schema `{written}` is not JSON: {error} (line {}, column {})",
                        error.line(),
                        error.column()
                    ),
                    "not JSON",
                    format!(
                        "fix `{written}` at line {}, column {}",
                        error.line(),
                        error.column()
                    ),
                ));
                continue;
            }
        };
        if let Err(error) = jsonschema::validator_for(&value) {
            let at = error.instance_path().as_str().to_owned();
            diagnostics.push(fail(
                "request-schema",
                format!(
                    "request schema `{written}` is not a valid JSON Schema: {error}{}",
                    if at.is_empty() { String::new() } else { format!(" (at `{at}`)") }
                ),
                "not a JSON Schema",
                "fix the schema (draft 2020-12 unless `$schema` says otherwise; remote `$ref`s are not fetched)".to_owned(),
            ));
            continue;
        }
        texts.insert(function.name.clone(), text);
    }
    (diagnostics, texts)
}
