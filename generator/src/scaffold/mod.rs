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

/// One file of the generated tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative to `generated/`, `/`-separated: `lambdas/task/Cargo.toml`.
    pub path: String,
    pub contents: String,
}

/// Renders the handler crate of every function: `lambdas/<fn>/Cargo.toml` and
/// `lambdas/<fn>/src/main.rs`, sorted by path.
pub fn scaffold(pipeline: &Pipeline) -> Result<Vec<GeneratedFile>, ScaffoldError> {
    let environment = templates::environment(&templates::LAMBDA)?;
    let mut files = Vec::with_capacity(pipeline.functions.len() * templates::LAMBDA.len());
    for function in pipeline.functions.values() {
        let context = LambdaContext::new(pipeline, function);
        for template in &templates::LAMBDA {
            files.push(GeneratedFile {
                path: format!("lambdas/{}/{}", function.name, template.output),
                contents: templates::render(&environment, template.name, &function.name, &context)?,
            });
        }
    }
    files.sort_by(|left, right| left.path.cmp(&right.path));
    Ok(files)
}
