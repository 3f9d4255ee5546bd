//! What DynamoDB checks of a request's `ExpressionAttributeNames` and
//! `ExpressionAttributeValues` before it runs it: neither is empty, every key has its sigil,
//! neither comes without an expression, every expression parses with them (an undefined
//! `#name` or `:value` is refused naming the parameter: `Invalid ConditionExpression: An
//! expression attribute value used in expression is not defined; attribute value: :v`), and
//! every one is used (`Value provided in ExpressionAttributeValues unused in expressions:
//! keys: {:v}`).

use std::collections::BTreeSet;

use serde_json::Value;

use super::error::DynamoError;
use super::expression::{in_field, parse_condition, parse_projection};
use super::registry::substitutions;
use super::update::Update;

/// The condition-shaped expressions a request may carry.
const CONDITIONS: [&str; 3] = [
    "ConditionExpression",
    "KeyConditionExpression",
    "FilterExpression",
];

/// Checks the expressions of one request (or of one transaction action, or one table's part of
/// a `BatchGetItem`) and their substitutions.
pub(super) fn validate(request: &Value) -> Result<(), DynamoError> {
    let maps = [
        ("ExpressionAttributeNames", '#'),
        ("ExpressionAttributeValues", ':'),
    ];
    for (field, sigil) in maps {
        let Some(map) = request.get(field).and_then(Value::as_object) else {
            continue;
        };
        if map.is_empty() {
            return Err(DynamoError::validation(format!(
                "{field} must not be empty"
            )));
        }
        if let Some(key) = map.keys().find(|key| !is_placeholder(key, sigil)) {
            return Err(DynamoError::validation(format!(
                "{field} contains invalid key: Syntax error; key: \"{key}\""
            )));
        }
    }
    let substitutions = substitutions(request);
    let mut texts: Vec<&str> = Vec::new();
    for field in CONDITIONS {
        if let Some(text) = request.get(field).and_then(Value::as_str) {
            parse_condition(text, substitutions).map_err(in_field(field))?;
            texts.push(text);
        }
    }
    if let Some(text) = request.get("UpdateExpression").and_then(Value::as_str) {
        Update::parse(text, substitutions).map_err(in_field("UpdateExpression"))?;
        texts.push(text);
    }
    if let Some(text) = request.get("ProjectionExpression").and_then(Value::as_str) {
        parse_projection(text, substitutions).map_err(in_field("ProjectionExpression"))?;
        texts.push(text);
    }
    for (field, sigil) in maps {
        let Some(map) = request.get(field).and_then(Value::as_object) else {
            continue;
        };
        if texts.is_empty() {
            return Err(DynamoError::validation(format!(
                "{field} can only be specified when using expressions"
            )));
        }
        let used = placeholders(&texts, sigil);
        let unused: BTreeSet<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|key| !used.contains(key))
            .collect();
        if !unused.is_empty() {
            return Err(DynamoError::validation(format!(
                "Value provided in {field} unused in expressions: keys: {{{}}}",
                unused.into_iter().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(())
}

fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `#name` or `:value`: the sigil, then one or more word characters.
fn is_placeholder(key: &str, sigil: char) -> bool {
    key.strip_prefix(sigil)
        .is_some_and(|rest| !rest.is_empty() && rest.chars().all(word_char))
}

/// The placeholders with `sigil` that `texts` use, as the tokenizer reads them.
fn placeholders<'t>(texts: &[&'t str], sigil: char) -> BTreeSet<&'t str> {
    let mut found = BTreeSet::new();
    for text in texts {
        let mut rest = *text;
        while let Some(start) = rest.find(sigil) {
            let after = &rest[start + sigil.len_utf8()..];
            let length = after.find(|c: char| !word_char(c)).unwrap_or(after.len());
            found.insert(&rest[start..start + sigil.len_utf8() + length]);
            rest = &after[length..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[track_caller]
    fn refused(request: &Value, message: &str) {
        let error = validate(request).expect_err("refused");
        assert_eq!(error.shape(), "ValidationException");
        assert_eq!(error.to_string(), message);
    }

    #[test]
    fn every_substitution_is_defined_and_used() {
        refused(
            &json!({"ConditionExpression": "a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}, ":v": {"S": "y"}}}),
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}",
        );
        refused(
            &json!({"UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}, "ExpressionAttributeNames": {"#z": "z", "#b": "b"}}),
            "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #z}",
        );
        refused(
            &json!({"ConditionExpression": "#n = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}}),
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n",
        );
        refused(
            &json!({"UpdateExpression": "SET a = :missing"}),
            "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing",
        );
        refused(
            &json!({"ExpressionAttributeValues": {":a": {"S": "x"}}}),
            "ExpressionAttributeValues can only be specified when using expressions",
        );
        refused(
            &json!({"ProjectionExpression": "a", "ExpressionAttributeNames": {}}),
            "ExpressionAttributeNames must not be empty",
        );
        refused(
            &json!({"ProjectionExpression": "a", "ExpressionAttributeNames": {"n": "a"}}),
            "ExpressionAttributeNames contains invalid key: Syntax error; key: \"n\"",
        );
        // A placeholder used in any of the request's expressions counts; `:a` is not `:ab`.
        validate(&json!({
            "KeyConditionExpression": "pk = :ab",
            "FilterExpression": "size(#l) > :a",
            "ProjectionExpression": "#l",
            "ExpressionAttributeNames": {"#l": "lines"},
            "ExpressionAttributeValues": {":a": {"N": "1"}, ":ab": {"S": "p"}},
        }))
        .expect("every substitution used");
    }
}
