//! The templates of a handler crate, compiled into the binary, and the environment that renders
//! them.

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Serde;
use minijinja::{Environment, UndefinedBehavior};
use serde::Serialize;

use super::ScaffoldError;
use super::filters;

/// A template and the file it renders, relative to the crate's directory.
#[derive(Debug, Clone, Copy)]
pub(super) struct Template {
    /// The template's name: its path under `templates/`.
    pub(super) name: &'static str,
    pub(super) source: &'static str,
    pub(super) output: &'static str,
}

/// The files of one `lambdas/<fn>/` crate.
pub(super) const LAMBDA: [Template; 2] = [
    Template {
        name: "lambda/Cargo.toml.j2",
        source: include_str!("../../../templates/lambda/Cargo.toml.j2"),
        output: "Cargo.toml",
    },
    Template {
        name: "lambda/main.rs.j2",
        source: include_str!("../../../templates/lambda/main.rs.j2"),
        output: "src/main.rs",
    },
];

/// The files of a custom handler's `lambdas/<fn>/` crate and its typed resources.
pub(super) const CUSTOM_LAMBDA: [Template; 4] = [
    Template {
        name: "lambda/Cargo.toml.j2",
        source: include_str!("../../../templates/lambda/Cargo.toml.j2"),
        output: "Cargo.toml",
    },
    Template {
        name: "lambda/custom_main.rs.j2",
        source: include_str!("../../../templates/lambda/custom_main.rs.j2"),
        output: "src/main.rs",
    },
    Template {
        name: "lambda/resources/Cargo.toml.j2",
        source: include_str!("../../../templates/lambda/resources/Cargo.toml.j2"),
        output: "resources/Cargo.toml",
    },
    Template {
        name: "lambda/resources/lib.rs.j2",
        source: include_str!("../../../templates/lambda/resources/lib.rs.j2"),
        output: "resources/src/lib.rs",
    },
];

/// The starter of a custom handler's own crate, written once under its `code:` folder.
pub(super) const HANDLER: [Template; 2] = [
    Template {
        name: "handler/Cargo.toml.j2",
        source: include_str!("../../../templates/handler/Cargo.toml.j2"),
        output: "Cargo.toml",
    },
    Template {
        name: "handler/lib.rs.j2",
        source: include_str!("../../../templates/handler/lib.rs.j2"),
        output: "src/lib.rs",
    },
];

/// An environment holding `templates`: strict about undefined variables (a typo is an error,
/// not an empty string), keeping each file's final newline, with block tags on lines of their
/// own leaving no trace in the output.
pub(super) fn environment(templates: &[Template]) -> Result<Environment<'static>, ScaffoldError> {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(UndefinedBehavior::Strict);
    environment.set_syntax(
        SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
            .expect("the default delimiters are valid"),
    );
    environment.add_filter("doc_comment", filters::doc_comment);
    environment.add_filter("toml_string", filters::toml_string);
    for template in templates {
        environment
            .add_template(template.name, template.source)
            .map_err(|source| ScaffoldError::Parse {
                template: template.name,
                source,
            })?;
    }
    Ok(environment)
}

/// Renders the template `name` for `function` with `context`.
pub(super) fn render(
    environment: &Environment<'static>,
    name: &'static str,
    function: &str,
    context: &impl Serialize,
) -> Result<String, ScaffoldError> {
    environment
        .get_template(name)
        .and_then(|template| template.render(Serde(context)))
        .map_err(|source| ScaffoldError::Render {
            template: name,
            function: function.to_owned(),
            source,
        })
}
