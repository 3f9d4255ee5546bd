//! Pipeline → the handler crates `gen synth` writes under `generated/lambdas/`.
//!
//! ```text
//! Pipeline ─per function─▶ LambdaContext ─minijinja (templates/lambda/*.j2)─▶ GeneratedFile
//! ```
//! Each function gets a crate `lambda-<fn>` whose `main.rs` only calls `runtime::serve` with its
//! handler's constructor: the behaviour lives in the shared `runtime` crate. The templates are compiled
//! into the binary, and the output is byte-identical for the same pipeline. No I/O happens here:
//! callers write the files.

mod context;
mod filters;
mod scaffold_error;
mod templates;

#[cfg(test)]
mod tests;

pub use scaffold_error::ScaffoldError;

use crate::config::Pipeline;
use context::LambdaContext;

/// Where a route's request schema is copied in its function's crate, next to `Cargo.toml`:
/// `main.rs` compiles it in with `include_str!`, so builds read nothing outside the crate.
pub const REQUEST_SCHEMA_FILE: &str = "request.schema.json";

/// One file of the generated tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to `generated/`, `/`-separated: `lambdas/task/Cargo.toml`.
    pub path: String,
    pub contents: String,
}

/// Renders the handler crate of every function: `lambdas/<fn>/Cargo.toml` and
/// `lambdas/<fn>/src/main.rs` (a custom handler's also `lambdas/<fn>/resources/`, its typed
/// resources), sorted by path.
pub fn scaffold(pipeline: &Pipeline) -> Result<Vec<GeneratedFile>, ScaffoldError> {
    let all: Vec<templates::Template> = templates::LAMBDA
        .iter()
        .chain(&templates::CUSTOM_LAMBDA[1..])
        .copied()
        .collect();
    let environment = templates::environment(&all)?;
    let mut files = Vec::with_capacity(pipeline.functions.len() * templates::LAMBDA.len());
    for function in pipeline.functions.values() {
        let context = LambdaContext::new(pipeline, function);
        let set: &[templates::Template] = if function.code.is_some() {
            &templates::CUSTOM_LAMBDA
        } else {
            &templates::LAMBDA
        };
        for template in set {
            files.push(GeneratedFile {
                path: format!("lambdas/{}/{}", function.name, template.output),
                contents: templates::render(&environment, template.name, &function.name, &context)?,
            });
        }
        if let Some(path) = function
            .trigger
            .route()
            .and_then(|route| route.request_schema.as_ref())
        {
            let text = pipeline
                .request_schemas
                .get(&function.name)
                .ok_or_else(|| ScaffoldError::RequestSchemaUnread {
                    function: function.name.clone(),
                    path: path.clone(),
                })?;
            files.push(GeneratedFile {
                path: format!("lambdas/{}/{REQUEST_SCHEMA_FILE}", function.name),
                contents: text.clone(),
            });
        }
    }
    files.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(files)
}

/// The starter crate of a custom handler, which `gen synth` writes only when its folder is
/// missing: the folder relative to the pipeline file, and its files relative to that folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCrate {
    /// The function it belongs to.
    pub function: String,
    /// `code:`, relative to the pipeline file: `handlers/worker`.
    pub folder: String,
    pub files: Vec<GeneratedFile>,
}

/// The starter crate of every custom handler, by function.
pub fn user_crates(pipeline: &Pipeline) -> Result<Vec<UserCrate>, ScaffoldError> {
    let environment = templates::environment(&templates::HANDLER)?;
    let mut crates = Vec::new();
    for function in pipeline.functions.values() {
        let Some(code) = &function.code else {
            continue;
        };
        let context = LambdaContext::new(pipeline, function);
        let mut files = Vec::new();
        for template in &templates::HANDLER {
            files.push(GeneratedFile {
                path: template.output.to_owned(),
                contents: templates::render(&environment, template.name, &function.name, &context)?,
            });
        }
        crates.push(UserCrate {
            function: function.name.clone(),
            folder: code.clone(),
            files,
        });
    }
    Ok(crates)
}
