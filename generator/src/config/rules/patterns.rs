//! A rule's event pattern and its targets' inputs, checked with the same code the local engine
//! routes and transforms with (`patterns`), each problem placed at its node in pipeline.yaml.

use super::Checker;
use crate::config::model::TargetConfig;
use crate::config::value::push_escaped;
use crate::diagnostic::Diagnostic;

/// The variables EventBridge fills in itself, usable in any input template.
const PREDEFINED_VARIABLES: &[&str] = &patterns::input::PREDEFINED;

/// The `<name>` placeholders of an input template, in order, with their byte offsets.
pub(super) fn placeholders(template: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut rest = template;
    let mut offset = 0;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_-.".contains(c)))
            .unwrap_or(after.len());
        if name_len > 0 && after[name_len..].starts_with('>') {
            out.push((offset + start, &after[..name_len]));
        }
        offset += start + 1;
        rest = after;
    }
    out
}

/// The pattern of rule `rule` of bus `bus`: every problem AWS's rules find, each at its node
/// in pipeline.yaml.
pub(super) fn check(checker: &mut Checker<'_>, bus: &str, rule: &str, pattern: &serde_json::Value) {
    let Err(errors) = patterns::Pattern::parse(pattern) else {
        return;
    };
    let base = super::pointer(&["buses", bus, "rules", rule, "pattern"]);
    for error in errors {
        let mut pointer = base.clone();
        for segment in &error.path {
            pointer.push('/');
            match segment {
                patterns::PathSegment::Key(key) => push_escaped(&mut pointer, key),
                patterns::PathSegment::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        // An entry is underlined from its key to its value: the key may be what is wrong (an
        // unknown operator) or its value (a field that is not a list).
        let span = match error.path.last() {
            Some(patterns::PathSegment::Key(_)) => checker
                .sources
                .key(&pointer)
                .to(checker.sources.value(&pointer)),
            _ => checker.sources.value(&pointer),
        };
        checker.push(
            Diagnostic::error(
                "event-pattern",
                format!(
                    "the pattern of rule `{rule}` is not valid: {}",
                    error.message
                ),
            )
            .at(span, "here")
            .help(error.help),
        );
    }
}

/// The input of a target at `at` (`buses.<bus>.rules.<rule>.targets.<i>`): its input path, or
/// its transformer's paths and template, as EventBridge (and the local engine) reads them.
pub(super) fn check_input(checker: &mut Checker<'_>, at: &[&str], target: &TargetConfig) {
    if let Some(path) = &target.input_path
        && let Err(error) = patterns::input::InputPath::parse(path)
    {
        let span = checker.value(&[at, &["input_path"]].concat());
        checker
            .push(input_error("event-input-path", &error).at(span, "not a path EventBridge reads"));
    }
    let Some(transformer) = &target.input_transformer else {
        return;
    };
    let mut valid = true;
    for (name, path) in &transformer.input_paths {
        if let Err(error) = patterns::input::InputPath::parse(path) {
            valid = false;
            let span = checker.value(&[at, &["input_transformer", "input_paths", name]].concat());
            checker.push(
                input_error("event-input-path", &error).at(span, "not a path EventBridge reads"),
            );
        }
    }
    let template_at = [at, &["input_transformer", "template"]].concat();
    for (_, name) in placeholders(&transformer.template) {
        if transformer.input_paths.contains_key(name) || PREDEFINED_VARIABLES.contains(&name) {
            continue;
        }
        valid = false;
        let span = checker.value(&template_at);
        let known: Vec<&str> = transformer
            .input_paths
            .keys()
            .map(String::as_str)
            .chain(PREDEFINED_VARIABLES.iter().copied())
            .collect();
        checker.push(
            Diagnostic::error(
                "event-input-template",
                format!("the input template uses `<{name}>`, which `input_paths` does not name"),
            )
            .at(span, format!("`<{name}>` is not defined"))
            .help(format!(
                "add `{name}: $.detail.…` to `input_paths`; {}",
                crate::config::suggest::did_you_mean(name, known.iter().copied(), "defined names")
            )),
        );
    }
    // What is left for the transformer to refuse: names it reserves, the template's own rules.
    if valid
        && let Err(error) =
            patterns::input::InputTransformer::new(&transformer.input_paths, &transformer.template)
    {
        let span = checker.key(&[at, &["input_transformer"]].concat());
        checker
            .push(input_error("event-input-template", &error).at(span, "refused by EventBridge"));
    }
}

fn input_error(code: &'static str, error: &patterns::input::InputError) -> Diagnostic {
    Diagnostic::error(code, error.message.clone()).help(error.help.clone())
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_names_in_angle_brackets() {
        #[track_caller]
        fn case(template: &str, expected: &[&str]) {
            let names: Vec<&str> = placeholders(template).into_iter().map(|(_, n)| n).collect();
            assert_eq!(names, expected, "{template}");
        }
        case(r#"{"order": <id>, "total": <total>}"#, &["id", "total"]);
        case(
            "Order <id> of <aws.events.rule-name>",
            &["id", "aws.events.rule-name"],
        );
        case("a < b and c > d", &[]);
        case("<<id>>", &["id"]);
        case("<>", &[]);
        case("no placeholders", &[]);
    }
}
