//! Semantic rules: what the schema cannot say. Each rule module adds diagnostics that point at
//! the offending key or value; every rule runs, so one `gen validate` reports everything.

mod alarms;
mod buses;
mod discounts;
mod functions;
mod names;
mod patterns;
mod queues;
mod references;
mod triggers;

use super::model::PipelineConfig;
use super::pipeline::Pipeline;
use super::span::Span;
use super::value::{SourceMap, push_escaped};
use crate::diagnostic::Diagnostic;

/// Runs every rule over a schema-valid config and its resolution.
pub(crate) fn check(
    config: &PipelineConfig,
    pipeline: &Pipeline,
    sources: &SourceMap,
) -> Vec<Diagnostic> {
    let mut checker = Checker {
        config,
        pipeline,
        sources,
        out: Vec::new(),
    };
    names::check(&mut checker);
    references::check(&mut checker);
    queues::check(&mut checker);
    functions::check(&mut checker);
    triggers::check(&mut checker);
    buses::check(&mut checker);
    discounts::check(&mut checker);
    alarms::check(&mut checker);
    checker.out
}

/// What the rules share: the config, its resolution, and where things are in the source.
struct Checker<'a> {
    config: &'a PipelineConfig,
    pipeline: &'a Pipeline,
    sources: &'a SourceMap,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    /// The span of the value at `/a/b/c`.
    fn value(&self, segments: &[&str]) -> Span {
        self.sources.value(&pointer(segments))
    }

    /// The span of the key of the entry at `/a/b/c`.
    fn key(&self, segments: &[&str]) -> Span {
        self.sources.key(&pointer(segments))
    }

    /// The span of a field if written, else of the key of the entry that lacks it.
    fn field_or_entry(&self, entry: &[&str], field: &str) -> Span {
        let mut segments = entry.to_vec();
        segments.push(field);
        let path = pointer(&segments);
        if self.sources.locate(&path) == self.sources.locate(&pointer(entry)) {
            self.key(entry)
        } else {
            self.sources.key(&path).to(self.sources.value(&path))
        }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic);
    }
}

/// Builds a JSON pointer from unescaped segments.
fn pointer(segments: &[&str]) -> String {
    let mut pointer = String::new();
    for segment in segments {
        pointer.push('/');
        push_escaped(&mut pointer, segment);
    }
    pointer
}
