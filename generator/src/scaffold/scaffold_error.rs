//! Why the handler crates could not be rendered.

/// A template that does not parse or does not render. Both are bugs in `templates/` (the tests
/// render every template), reported with the template's name.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// The template's syntax is wrong.
    #[error("template `{template}` does not parse")]
    Parse {
        template: &'static str,
        #[source]
        source: minijinja::Error,
    },
    /// A route's request schema was not read before scaffolding: the caller loaded the pipeline
    /// without `commands::load_checked`.
    #[error("the request schema `{path}` of function `{function}` was not read")]
    RequestSchemaUnread { function: String, path: String },
    /// Rendering failed, e.g. the template uses a variable the context does not have.
    #[error("template `{template}` failed to render for function `{function}`")]
    Render {
        template: &'static str,
        function: String,
        #[source]
        source: minijinja::Error,
    },
}
