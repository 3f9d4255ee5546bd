//! A pattern in user terms: one line per field, sorted (`gen diff`, `gen graph`).

use crate::model::{AnythingBut, Field, Matcher, Object, Range};

pub(crate) fn of(root: &Object) -> Vec<(String, String)> {
    let mut lines = Vec::new();
    collect(root, "", &mut lines);
    lines.sort();
    lines
}

/// `prefix` is `""` at the root, else the path so far followed by `.`.
fn collect(object: &Object, prefix: &str, lines: &mut Vec<(String, String)>) {
    for (key, field) in &object.fields {
        let path = format!("{prefix}{key}");
        match field {
            Field::Object(inner) => collect(inner, &format!("{path}."), lines),
            Field::Leaf(matchers) => lines.push((path, describe(matchers))),
        }
    }
    for branches in &object.ors {
        for (index, branch) in branches.iter().enumerate() {
            collect(branch, &format!("{prefix}or[{index}]."), lines);
        }
    }
}

fn describe(matchers: &[Matcher]) -> String {
    let all_values = matchers.iter().all(|matcher| {
        matches!(
            matcher,
            Matcher::String(_) | Matcher::Number(_) | Matcher::Bool(_) | Matcher::Null
        )
    });
    if all_values && matchers.len() > 1 {
        let values: Vec<String> = matchers.iter().map(value).collect();
        return format!("is one of {}", values.join(", "));
    }
    let parts: Vec<String> = matchers.iter().map(one).collect();
    parts.join(" or ")
}

fn value(matcher: &Matcher) -> String {
    match matcher {
        Matcher::String(text) => text_value(text),
        Matcher::Number(number) => number.to_string(),
        Matcher::Bool(flag) => flag.to_string(),
        Matcher::Null => "null".to_owned(),
        other => one(other),
    }
}

/// A string as written, quoted when empty or padded so it stays visible.
fn text_value(text: &str) -> String {
    if text.is_empty() || text.trim() != text {
        format!("{text:?}")
    } else {
        text.to_owned()
    }
}

fn list(texts: &[String]) -> String {
    let shown: Vec<String> = texts.iter().map(|text| text_value(text)).collect();
    if shown.len() == 1 {
        shown[0].clone()
    } else {
        format!("one of {}", shown.join(", "))
    }
}

fn one(matcher: &Matcher) -> String {
    match matcher {
        Matcher::String(_) | Matcher::Number(_) | Matcher::Bool(_) | Matcher::Null => {
            format!("is {}", value(matcher))
        }
        Matcher::Prefix(text) => format!("starts with {}", text_value(text)),
        Matcher::PrefixIgnoreCase(text) => format!("starts with {} (any case)", text_value(text)),
        Matcher::Suffix(text) => format!("ends with {}", text_value(text)),
        Matcher::SuffixIgnoreCase(text) => format!("ends with {} (any case)", text_value(text)),
        Matcher::EqualsIgnoreCase(text) => format!("is {} (any case)", text_value(text)),
        Matcher::Wildcard(wildcard) => format!("matches {wildcard}"),
        Matcher::AnythingBut(excluded) => match excluded {
            AnythingBut::Strings(texts) => format!("is not {}", list(texts)),
            AnythingBut::Numbers(numbers) => {
                let shown: Vec<String> = numbers.iter().map(ToString::to_string).collect();
                if shown.len() == 1 {
                    format!("is not {}", shown[0])
                } else {
                    format!("is not one of {}", shown.join(", "))
                }
            }
            AnythingBut::Prefixes(texts) => format!("does not start with {}", list(texts)),
            AnythingBut::Suffixes(texts) => format!("does not end with {}", list(texts)),
            AnythingBut::IgnoreCase(texts) => format!("is not {} (any case)", list(texts)),
            AnythingBut::Wildcards(wildcards) => {
                let texts: Vec<String> = wildcards.iter().map(ToString::to_string).collect();
                format!("does not match {}", list(&texts))
            }
        },
        Matcher::Numeric(Range::Equals(number)) => format!("= {number}"),
        Matcher::Numeric(Range::Bounds { lower, upper }) => {
            let lower = lower.as_ref().map(|(bound, inclusive)| {
                format!("{} {bound}", if *inclusive { "≥" } else { ">" })
            });
            let upper = upper.as_ref().map(|(bound, inclusive)| {
                format!("{} {bound}", if *inclusive { "≤" } else { "<" })
            });
            match (lower, upper) {
                (Some(lower), Some(upper)) => format!("{lower} and {upper}"),
                (Some(bound), None) | (None, Some(bound)) => bound,
                (None, None) => "is a number".to_owned(),
            }
        }
        Matcher::Exists(true) => "exists".to_owned(),
        Matcher::Exists(false) => "does not exist".to_owned(),
        Matcher::Cidr(block) => format!("is an address in {block}"),
    }
}
