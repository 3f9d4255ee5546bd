//! The JSON Schema of pipeline.yaml: generated from the model, checked with `jsonschema`, and
//! its errors turned into diagnostics that point at the source.

use std::sync::LazyLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use super::model::PipelineConfig;
use super::suggest;
use super::value::{SourceMap, push_escaped};
use crate::diagnostic::Diagnostic;

/// The schema as JSON, the way `gen schema` prints it.
pub fn schema_json() -> &'static Value {
    static SCHEMA: LazyLock<Value> = LazyLock::new(|| {
        let mut schema = schemars::schema_for!(PipelineConfig).to_value();
        strip_structural_defaults(&mut schema);
        schema
    });
    &SCHEMA
}

/// Drops `default`s that serde's `#[serde(default)]` makes schemars print for nested sections
/// (`{"memory_mb": null, ...}`): they say nothing an editor could use.
fn strip_structural_defaults(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.get("default").is_some_and(|default| {
                default.is_object() || default.is_array() || default.is_null()
            }) {
                map.remove("default");
            }
            map.values_mut().for_each(strip_structural_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_structural_defaults),
        _ => {}
    }
}

/// The schema as it is committed at `generated/pipeline.schema.json`.
pub fn schema_text() -> String {
    let mut text =
        serde_json::to_string_pretty(schema_json()).expect("a JSON value always serialises");
    text.push('\n');
    text
}

fn validator() -> &'static Validator {
    static VALIDATOR: LazyLock<Validator> = LazyLock::new(|| {
        jsonschema::validator_for(schema_json()).expect("the generated schema is valid")
    });
    &VALIDATOR
}

/// Every schema violation of `instance`, as diagnostics.
pub(crate) fn check(instance: &Value, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for error in validator().iter_errors(instance) {
        explain(&error, sources, &mut diagnostics);
    }
    diagnostics
}

#[expect(
    clippy::too_many_lines,
    reason = "one arm per schema keyword reads best as one match"
)]
fn explain(error: &ValidationError<'_>, sources: &SourceMap, out: &mut Vec<Diagnostic>) {
    let pointer = error.instance_path().as_str();
    let instance = error.instance().as_ref();
    let here = describe(pointer);
    let subschema = schema_at(pointer);
    let described = || {
        subschema
            .and_then(|schema| schema.get("description"))
            .and_then(Value::as_str)
    };
    let value_span = sources.value(pointer);
    let diagnostic = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let known = known_keys(subschema);
            for key in unexpected {
                let mut key_pointer = pointer.to_owned();
                key_pointer.push('/');
                push_escaped(&mut key_pointer, key);
                out.push(
                    Diagnostic::error("unknown-key", format!("unknown key `{key}` in {here}"))
                        .at(sources.key(&key_pointer), "not a known key")
                        .help(suggest::did_you_mean(key, known.iter().copied(), "known keys")),
                );
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let what = schema_at(&format!("{pointer}/{property}"))
                .and_then(|schema| schema.get("description"))
                .and_then(Value::as_str)
                .map_or_else(String::new, |description| format!(": {}", lower_first(description)));
            let span = if pointer.is_empty() { sources.value(pointer) } else { sources.key(pointer) };
            Diagnostic::error("missing-key", format!("{here} is missing the required key `{property}`"))
                .at(span, format!("add `{property}` here"))
                .help(format!("`{property}`{what}"))
        }
        ValidationErrorKind::Type { kind } => {
            let expected = type_names(kind);
            let mut diagnostic = Diagnostic::error(
                "wrong-type",
                format!("{here} must be {expected}, found {}", found(instance)),
            )
            .at(value_span, format!("expected {expected}"));
            if let Some(hint) = type_hint(&expected, instance).or_else(|| described().map(String::from)) {
                diagnostic = diagnostic.help(hint);
            }
            diagnostic
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options.as_array().into_iter().flatten().map(plain).collect();
            let given = plain(instance);
            Diagnostic::error("invalid-value", format!("{here} cannot be {}", found(instance)))
                .at(value_span, "not an accepted value")
                .help(suggest::did_you_mean(&given, options.iter().map(String::as_str), "accepted values"))
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => {
            out_of_range(&here, instance, value_span, "at least", limit, described())
        }
        ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => {
            out_of_range(&here, instance, value_span, "at most", limit, described())
        }
        ValidationErrorKind::MinLength { limit } => {
            Diagnostic::error("invalid-value", format!("{here} must be at least {limit} characters long"))
                .at(value_span, "too short")
        }
        ValidationErrorKind::MaxLength { limit } => Diagnostic::error(
            "invalid-value",
            format!("{here} must be at most {limit} characters long, `{}` has {}", plain(instance), plain(instance).chars().count()),
        )
        .at(value_span, "too long"),
        ValidationErrorKind::MinProperties { .. } | ValidationErrorKind::MinItems { .. } => {
            Diagnostic::error("empty", format!("{here} must not be empty"))
                .at(value_span, "empty")
                .help(described().map_or_else(|| "add at least one entry".to_owned(), String::from))
        }
        ValidationErrorKind::MaxItems { limit } | ValidationErrorKind::MaxProperties { limit } => {
            let count = instance
                .as_array()
                .map(Vec::len)
                .or_else(|| instance.as_object().map(serde_json::Map::len))
                .unwrap_or_default();
            Diagnostic::error("too-many", format!("{here} has {count} entries, at most {limit} are allowed"))
                .at(value_span, format!("more than {limit}"))
                .help(described().map_or_else(|| format!("keep at most {limit}"), String::from))
        }
        ValidationErrorKind::Pattern { .. } => {
            let title = subschema.and_then(|schema| schema.get("title")).and_then(Value::as_str);
            pattern_error(&here, instance, value_span, title, described())
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = plain(error.instance());
            let mut key_pointer = pointer.to_owned();
            key_pointer.push('/');
            push_escaped(&mut key_pointer, &key);
            let rule = match error.kind() {
                ValidationErrorKind::MaxLength { limit } => format!("at most {limit} characters"),
                _ if pointer.ends_with("promo_codes") => {
                    "letters, digits, `_` and `-`, 1 to 32 characters".to_owned()
                }
                _ => "lowercase letters, digits and single hyphens, starting with a letter".to_owned(),
            };
            Diagnostic::error("invalid-name", format!("`{key}` is not a valid name in {here}"))
                .at(sources.key(&key_pointer), "invalid name")
                .help(format!("use {rule}, e.g. `{}`", example_name(&key)))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context }
            if context.iter().all(|branch| matches!(branch.as_slice(), [only] if matches!(only.kind(), ValidationErrorKind::Constant { .. }))) =>
        {
            // A documented enum: schemars writes it as `oneOf` of `const`s.
            let options: Vec<String> = context
                .iter()
                .filter_map(|branch| match branch[0].kind() {
                    ValidationErrorKind::Constant { expected_value } => Some(plain(expected_value)),
                    _ => None,
                })
                .collect();
            Diagnostic::error("invalid-value", format!("{here} cannot be {}", found(instance)))
                .at(value_span, "not an accepted value")
                .help(suggest::did_you_mean(&plain(instance), options.iter().map(String::as_str), "accepted values"))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Explain the branch of the same JSON type as the value, if there is one.
            if let Some(branch) = context.iter().find(|errors| errors.iter().all(|e| !matches!(e.kind(), ValidationErrorKind::Type { .. })))
                && !branch.is_empty() {
                    for error in branch {
                        explain(error, sources, out);
                    }
                    return;
                }
            let title = subschema.and_then(|schema| schema.get("title")).and_then(Value::as_str).unwrap_or("value");
            let mut diagnostic = Diagnostic::error("wrong-type", format!("{here} must be {} {title}, found {}", article(title), found(instance)))
                .at(value_span, format!("expected {} {title}", article(title)));
            if let Some(description) = described() {
                diagnostic = diagnostic.help(description);
            }
            diagnostic
        }
        _ => Diagnostic::error("schema", format!("{here}: {error}")).at(value_span, "here"),
    };
    out.push(diagnostic);
}

fn out_of_range(
    here: &str,
    instance: &Value,
    span: crate::config::span::Span,
    bound: &str,
    limit: &Value,
    description: Option<&str>,
) -> Diagnostic {
    let diagnostic = Diagnostic::error(
        "out-of-range",
        format!("{here} must be {bound} {limit}, found {}", plain(instance)),
    )
    .at(span, format!("{bound} {limit}"));
    match description {
        Some(description) => diagnostic.help(description),
        None => diagnostic,
    }
}

fn pattern_error(
    here: &str,
    instance: &Value,
    span: crate::config::span::Span,
    title: Option<&str>,
    description: Option<&str>,
) -> Diagnostic {
    let value = plain(instance);
    let (message, help) = match title {
        Some(title) => (
            format!("{here}: `{value}` is not {} {title}", article(title)),
            description.unwrap_or_default().to_owned(),
        ),
        None if here.ends_with("region`") => (
            format!("{here}: `{value}` is not an AWS region"),
            "write a region code such as `us-east-1` or `eu-west-2`".to_owned(),
        ),
        None if here.ends_with("currency`") => (
            format!("{here}: `{value}` is not an ISO 4217 currency code"),
            "write three capital letters, e.g. `USD` or `EUR`".to_owned(),
        ),
        None => (
            format!("{here}: `{value}` is not a valid name"),
            format!(
                "use lowercase letters, digits and single hyphens, starting with a letter, e.g. `{}`",
                example_name(&value)
            ),
        ),
    };
    Diagnostic::error("invalid-value", message)
        .at(span, "invalid")
        .help(help)
}

/// `/functions/task/trigger` → "`functions.task.trigger`"; the root is "the pipeline".
pub(crate) fn describe(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the pipeline".to_owned();
    }
    let path: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|segment| segment.replace("~1", "/").replace("~0", "~"))
        .collect();
    format!("`{}`", path.join("."))
}

/// The subschema that applies at an instance pointer, following `$ref`s.
fn schema_at(pointer: &str) -> Option<&'static Value> {
    let root = schema_json();
    let mut schema = resolve(root, root);
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        schema = resolve(root, schema);
        let next = schema
            .get("properties")
            .and_then(|properties| properties.get(&segment))
            .or_else(|| {
                schema
                    .get("additionalProperties")
                    .filter(|value| value.is_object())
            })
            .or_else(|| schema.get("items"))?;
        schema = resolve(root, next);
    }
    Some(schema)
}

fn resolve<'a>(root: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let Some(target) = reference
                .strip_prefix('#')
                .and_then(|path| root.pointer(path))
            else {
                return schema;
            };
            schema = target;
        } else if let Some(branch) = schema
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|branches| {
                branches
                    .iter()
                    .find(|branch| branch.get("type") != Some(&Value::from("null")))
            })
            .filter(|_| schema.get("title").is_none())
        {
            schema = branch;
        } else {
            return schema;
        }
    }
    schema
}

fn known_keys(schema: Option<&Value>) -> Vec<&str> {
    schema
        .and_then(|schema| schema.get("properties"))
        .and_then(Value::as_object)
        .map(|properties| properties.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

fn type_names(kind: &TypeKind) -> String {
    let name = |ty: jsonschema::JsonType| match ty.to_string().as_str() {
        "object" => "a mapping".to_owned(),
        "array" => "a list".to_owned(),
        "integer" => "a whole number".to_owned(),
        "number" => "a number".to_owned(),
        "string" => "a string".to_owned(),
        "boolean" => "`true` or `false`".to_owned(),
        "null" => "empty".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(ty) => name(*ty),
        // `Option<T>` fields accept null too; "empty" is not what anyone means to write.
        TypeKind::Multiple(types) => types
            .iter()
            .filter(|ty| *ty != jsonschema::JsonType::Null)
            .map(name)
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn type_hint(expected: &str, instance: &Value) -> Option<String> {
    let text = instance.as_str()?;
    let lower = text.to_ascii_lowercase();
    if expected.contains("`true`") && ["yes", "no", "on", "off", "y", "n"].contains(&lower.as_str())
    {
        return Some(format!(
            "YAML 1.2 reads `{text}` as a string; write `true` or `false`"
        ));
    }
    if (expected.contains("number")) && text.trim().parse::<f64>().is_ok() {
        return Some(format!("remove the quotes: `{}`", text.trim()));
    }
    None
}

/// A value as a short phrase: "the string `abc`", "the number `5`", "a list".
fn found(instance: &Value) -> String {
    match instance {
        Value::Null => "nothing".to_owned(),
        Value::Bool(value) => format!("`{value}`"),
        Value::Number(number) => format!("`{number}`"),
        Value::String(text) => format!("the string `{}`", truncate(text)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => truncate(text),
        other => other.to_string(),
    }
}

fn truncate(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    // "AWS region" keeps its capitals; "Name of" becomes "name of".
    if text.chars().nth(1).is_some_and(char::is_uppercase) {
        return text.to_owned();
    }
    chars.next().map_or_else(String::new, |first| {
        first.to_lowercase().chain(chars).collect()
    })
}

/// A valid name close to `name`: `Task_Queue` → `task-queue`.
fn example_name(name: &str) -> String {
    let mut out = String::new();
    for character in name.chars() {
        match character {
            'a'..='z' | '0'..='9' => out.push(character),
            'A'..='Z' => out.push(character.to_ascii_lowercase()),
            _ if !out.is_empty() && !out.ends_with('-') => out.push('-'),
            _ => {}
        }
    }
    let out = out
        .trim_matches('-')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .to_owned();
    if out.is_empty() {
        "my-name".to_owned()
    } else {
        out
    }
}
