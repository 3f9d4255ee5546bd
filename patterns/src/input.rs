//! What a rule's target receives instead of the whole event: an input path (`$.detail`) or an
//! input transformer (named paths and a template with `<name>` placeholders), with AWS's
//! semantics, shared by `gen validate` (which checks them) and the local engine (which applies
//! them).
//!
//! The rules follow "Amazon EventBridge input transformation"
//! (<https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html>)
//! and the API reference of `InputTransformer`
//! (<https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html>):
//!
//! - paths are the JSON path subset EventBridge evaluates: dot notation, dashes, underscores,
//!   alphanumeric characters, forward slashes, array indexes and wildcards (`*`);
//! - at most 100 variables; a variable name is 1–256 of `[A-Za-z0-9_-]`; the predefined names
//!   (`aws.events.rule-arn`, `aws.events.rule-name`, `aws.events.event.ingestion-time`,
//!   `aws.events.event`, `aws.events.event.json`) are reserved;
//! - a placeholder inside a quoted string of the template gets a string value without its
//!   quotes, and an object or array with its inner quotes removed; outside quotes it gets the
//!   value's JSON; `aws.events.event` and `aws.events.event.json` may only be the value of a
//!   JSON field (their content is not escaped);
//! - a template that is a JSON object may not use a placeholder as a key; a template may also be
//!   plain text;
//! - a path that matches nothing creates no variable: its placeholder becomes `null` outside a
//!   string of a JSON template and nothing inside a string or plain text.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

/// At most this many variables (`InputPathsMap`: "Map Entries: Maximum number of 100 items").
pub const MAX_INPUT_PATHS: usize = 100;

/// The longest variable name and the longest path (`InputPathsMap` keys and values, `InputPath`:
/// "Maximum length of 256").
pub const MAX_PATH_LENGTH: usize = 256;

/// The longest template (`InputTemplate`: "Maximum length of 8192").
pub const MAX_TEMPLATE_LENGTH: usize = 8192;

/// The variables EventBridge defines itself; no input path may take these names.
pub const PREDEFINED: [&str; 5] = [
    RULE_ARN,
    RULE_NAME,
    INGESTION_TIME,
    EVENT_WITHOUT_DETAIL,
    EVENT_JSON,
];

/// The rule's ARN.
pub const RULE_ARN: &str = "aws.events.rule-arn";
/// The rule's name.
pub const RULE_NAME: &str = "aws.events.rule-name";
/// When EventBridge received the event (ISO 8601).
pub const INGESTION_TIME: &str = "aws.events.event.ingestion-time";
/// The event without its `detail`, as JSON.
pub const EVENT_WITHOUT_DETAIL: &str = "aws.events.event";
/// The whole event, as JSON.
pub const EVENT_JSON: &str = "aws.events.event.json";

/// An input path or transformer that EventBridge would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
}

impl InputError {
    fn new(message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            help: help.into(),
        }
    }
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// `.name`
    Key(String),
    /// `[3]`
    Index(usize),
    /// `.*` or `[*]`: every member or element.
    Any,
}

/// A JSON path of the subset EventBridge evaluates (`$.detail.order-id`, `$.resources[0]`,
/// `$.detail.items[*].sku`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputPath {
    text: String,
    steps: Vec<Step>,
}

impl InputPath {
    /// Reads `text`; the error says which part EventBridge would not evaluate.
    pub fn parse(text: &str) -> Result<Self, InputError> {
        let help = "write a path such as `$.detail.order_id` or `$.resources[0]`: `$`, then `.name` (letters, digits, `-`, `_`, `/`), `[index]` or `*`";
        if text.len() > MAX_PATH_LENGTH {
            return Err(InputError::new(
                format!(
                    "the path is {} characters long; EventBridge takes at most {MAX_PATH_LENGTH}",
                    text.len()
                ),
                "shorten the path",
            ));
        }
        let Some(rest) = text.strip_prefix('$') else {
            return Err(InputError::new(
                format!("`{text}` is not a JSON path: it must start with `$`"),
                help,
            ));
        };
        let bad = |what: &str| {
            InputError::new(
                format!("`{text}` is not a JSON path EventBridge evaluates: {what}"),
                help,
            )
        };
        let mut steps = Vec::new();
        let mut chars = rest.chars().peekable();
        while let Some(character) = chars.next() {
            match character {
                '.' => {
                    let mut name = String::new();
                    while let Some(&next) = chars.peek() {
                        if next == '.' || next == '[' {
                            break;
                        }
                        name.push(next);
                        chars.next();
                    }
                    if name == "*" {
                        steps.push(Step::Any);
                    } else if name.is_empty() {
                        return Err(bad("a `.` is not followed by a name"));
                    } else if let Some(wrong) = name.chars().find(|c| !path_character(*c)) {
                        return Err(bad(&format!("`{wrong}` in the name `{name}`")));
                    } else {
                        steps.push(Step::Key(name));
                    }
                }
                '[' => {
                    let mut inside = String::new();
                    let mut closed = false;
                    for next in chars.by_ref() {
                        if next == ']' {
                            closed = true;
                            break;
                        }
                        inside.push(next);
                    }
                    if !closed {
                        return Err(bad("a `[` is not closed"));
                    }
                    if inside == "*" {
                        steps.push(Step::Any);
                    } else {
                        let index = inside
                            .parse::<usize>()
                            .map_err(|_| bad(&format!("`[{inside}]` is not an array index")))?;
                        steps.push(Step::Index(index));
                    }
                }
                other => return Err(bad(&format!("`{other}` where `.` or `[` was expected"))),
            }
        }
        Ok(Self {
            text: text.to_owned(),
            steps,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value at this path in `event`; `None` when nothing is there. A path with a wildcard
    /// gives the array of what every branch reached (`None` when none reached anything).
    pub fn apply(&self, event: &Value) -> Option<Value> {
        let wildcard = self.steps.contains(&Step::Any);
        let mut found = Vec::new();
        collect(event, &self.steps, &mut found);
        if wildcard {
            (!found.is_empty()).then(|| Value::Array(found.into_iter().cloned().collect()))
        } else {
            found.first().map(|value| (*value).clone())
        }
    }
}

impl fmt::Display for InputPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn path_character(character: char) -> bool {
    character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '/')
}

fn collect<'a>(value: &'a Value, steps: &[Step], found: &mut Vec<&'a Value>) {
    let Some((step, rest)) = steps.split_first() else {
        found.push(value);
        return;
    };
    match (step, value) {
        (Step::Key(name), Value::Object(members)) => {
            if let Some(member) = members.get(name) {
                collect(member, rest, found);
            }
        }
        (Step::Index(index), Value::Array(items)) => {
            if let Some(item) = items.get(*index) {
                collect(item, rest, found);
            }
        }
        (Step::Any, Value::Array(items)) => {
            for item in items {
                collect(item, rest, found);
            }
        }
        (Step::Any, Value::Object(members)) => {
            for member in members.values() {
                collect(member, rest, found);
            }
        }
        _ => {}
    }
}

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text copied as is.
    Text(String),
    /// `<name>`, inside a quoted string of the template or not.
    Placeholder { name: String, in_string: bool },
}

/// The rule an event matched, for the predefined variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleContext<'a> {
    /// `aws.events.rule-arn`.
    pub arn: &'a str,
    /// `aws.events.rule-name`.
    pub name: &'a str,
    /// `aws.events.event.ingestion-time`: when the event was received (ISO 8601).
    pub ingestion_time: &'a str,
}

/// An input transformer: named input paths and a template with `<name>` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputTransformer {
    paths: BTreeMap<String, InputPath>,
    pieces: Vec<Piece>,
    /// The template is JSON (an object or array): a placeholder that found nothing becomes
    /// `null` outside strings.
    json: bool,
}

impl InputTransformer {
    /// Checks `input_paths` (name → path) and `template` with EventBridge's rules; the first
    /// problem found is the error.
    pub fn new(input_paths: &BTreeMap<String, String>, template: &str) -> Result<Self, InputError> {
        if input_paths.len() > MAX_INPUT_PATHS {
            return Err(InputError::new(
                format!(
                    "{} input paths; EventBridge takes at most {MAX_INPUT_PATHS}",
                    input_paths.len()
                ),
                "extract a parent object with one path instead of each of its fields",
            ));
        }
        let mut paths = BTreeMap::new();
        for (name, path) in input_paths {
            if PREDEFINED.contains(&name.as_str()) {
                return Err(InputError::new(
                    format!("`{name}` is a variable EventBridge defines; it cannot be redefined"),
                    "give the input path another name, or use the predefined variable as is",
                ));
            }
            let valid_name = !name.is_empty()
                && name.len() <= MAX_PATH_LENGTH
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
            if !valid_name {
                return Err(InputError::new(
                    format!("`{name}` is not a valid input path name"),
                    format!(
                        "use 1 to {MAX_PATH_LENGTH} letters, digits, `_` or `-` (AWS's pattern `[A-Za-z0-9_-]+`)"
                    ),
                ));
            }
            let parsed = InputPath::parse(path).map_err(|error| InputError {
                message: format!("input path `{name}`: {}", error.message),
                help: error.help,
            })?;
            paths.insert(name.clone(), parsed);
        }
        if template.is_empty() || template.len() > MAX_TEMPLATE_LENGTH {
            return Err(InputError::new(
                format!(
                    "the template is {} characters long; EventBridge takes 1 to {MAX_TEMPLATE_LENGTH}",
                    template.len()
                ),
                "write a template such as `{\"order\": <order>}` or `Order <order> placed`",
            ));
        }
        let pieces = pieces(template);
        for piece in &pieces {
            if let Piece::Placeholder { name, in_string } = piece {
                let predefined = PREDEFINED.contains(&name.as_str());
                if !predefined && !paths.contains_key(name) {
                    let known: Vec<&str> = paths.keys().map(String::as_str).collect();
                    return Err(InputError::new(
                        format!("the template uses `<{name}>`, which no input path defines"),
                        if known.is_empty() {
                            format!("add `{name}` to the input paths, or use a predefined variable such as `<{RULE_NAME}>`")
                        } else {
                            format!(
                                "add `{name}` to the input paths, or use one of `{}`",
                                known.join("`, `")
                            )
                        },
                    ));
                }
                if *in_string && (name == EVENT_JSON || name == EVENT_WITHOUT_DETAIL) {
                    return Err(InputError::new(
                        format!("`<{name}>` is inside a quoted string of the template"),
                        format!(
                            "`<{name}>` can only be the value of a JSON field, as in `{{\"event\": <{name}>}}`: its content is not escaped"
                        ),
                    ));
                }
            }
        }
        let trimmed = template.trim_start();
        let json = trimmed.starts_with('{') || trimmed.starts_with('[');
        if json {
            check_json_template(&pieces)?;
        }
        Ok(Self {
            paths,
            pieces,
            json,
        })
    }

    /// The input paths, by name.
    pub fn paths(&self) -> &BTreeMap<String, InputPath> {
        &self.paths
    }

    /// The body the target receives for `event` (the whole envelope) matched by `rule`.
    pub fn apply(&self, event: &Value, rule: &RuleContext<'_>) -> String {
        let mut body = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => body.push_str(text),
                Piece::Placeholder { name, in_string } => {
                    let value = self.value_of(name, event, rule);
                    body.push_str(&render(value.as_ref(), *in_string, self.json));
                }
            }
        }
        body
    }

    fn value_of(&self, name: &str, event: &Value, rule: &RuleContext<'_>) -> Option<Value> {
        match name {
            RULE_ARN => Some(Value::String(rule.arn.to_owned())),
            RULE_NAME => Some(Value::String(rule.name.to_owned())),
            INGESTION_TIME => Some(Value::String(rule.ingestion_time.to_owned())),
            EVENT_JSON => Some(event.clone()),
            EVENT_WITHOUT_DETAIL => {
                let mut event = event.clone();
                if let Some(members) = event.as_object_mut() {
                    members.remove("detail");
                }
                Some(event)
            }
            _ => self.paths.get(name).and_then(|path| path.apply(event)),
        }
    }
}

/// What replaces a placeholder.
fn render(value: Option<&Value>, in_string: bool, json_template: bool) -> String {
    match value {
        None if in_string || !json_template => String::new(),
        None => "null".to_owned(),
        // Inside a string, or in plain text, a string goes in without its quotes (and, as
        // AWS documents, unescaped).
        Some(Value::String(text)) if in_string || !json_template => text.clone(),
        // An object or array inside a string loses its inner quotes, so the string stays valid.
        Some(value @ (Value::Object(_) | Value::Array(_))) if in_string => {
            value.to_string().replace('"', "")
        }
        Some(value) => value.to_string(),
    }
}

/// Splits `template` into text and `<name>` placeholders, noting which are inside a quoted
/// string (a `"` not escaped by `\` opens or closes one). A `<` that does not start a
/// placeholder is text.
fn pieces(template: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = template;
    while let Some(character) = rest.chars().next() {
        if character == '<'
            && let Some(end) = rest.find('>')
        {
            let name = &rest[1..end];
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if valid {
                if !text.is_empty() {
                    pieces.push(Piece::Text(std::mem::take(&mut text)));
                }
                pieces.push(Piece::Placeholder {
                    name: name.to_owned(),
                    in_string,
                });
                rest = &rest[end + 1..];
                escaped = false;
                continue;
            }
        }
        if escaped {
            escaped = false;
        } else if character == '\\' {
            escaped = true;
        } else if character == '"' {
            in_string = !in_string;
        }
        text.push(character);
        rest = &rest[character.len_utf8()..];
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// A JSON template must be JSON once its placeholders are filled, and may not use a placeholder
/// as an object key (the API reference's restriction for templates in curly braces).
fn check_json_template(pieces: &[Piece]) -> Result<(), InputError> {
    // Each placeholder outside strings becomes a marker string; a marker that ends up as a key is
    // a placeholder used as a key.
    let mut filled = String::new();
    let mut markers = Vec::new();
    for piece in pieces {
        match piece {
            Piece::Text(text) => filled.push_str(text),
            Piece::Placeholder { in_string: true, .. } => {}
            Piece::Placeholder {
                name,
                in_string: false,
            } => {
                let marker = format!("@@placeholder-{}@@", markers.len());
                filled.push('"');
                filled.push_str(&marker);
                filled.push('"');
                markers.push((marker, name.clone()));
            }
        }
    }
    let value: Value = serde_json::from_str(&filled).map_err(|error| {
        InputError::new(
            format!("the template starts like JSON but is not valid JSON: {error}"),
            "fix the JSON, or write plain text that does not start with `{` or `[`; put placeholders of string values inside quotes only when you want their text inside a longer string",
        )
    })?;
    if let Some(name) = placeholder_key(&value, &markers) {
        return Err(InputError::new(
            format!("the template uses `<{name}>` as an object key"),
            "a placeholder cannot be used as an object key: use it as a value, as in `{\"id\": <id>}`",
        ));
    }
    Ok(())
}

fn placeholder_key<'a>(value: &Value, markers: &'a [(String, String)]) -> Option<&'a str> {
    match value {
        Value::Object(members) => members.iter().find_map(|(key, member)| {
            markers
                .iter()
                .find(|(marker, _)| key.contains(marker.as_str()))
                .map(|(_, name)| name.as_str())
                .or_else(|| placeholder_key(member, markers))
        }),
        Value::Array(items) => items.iter().find_map(|item| placeholder_key(item, markers)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The EC2 state-change event of AWS's "Amazon EventBridge input transformation" page.
    fn ec2_event() -> Value {
        json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "123456789012",
            "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
        })
    }

    /// The page's input paths.
    fn ec2_paths() -> BTreeMap<String, String> {
        [
            ("timestamp", "$.time"),
            ("instance", "$.detail.instance-id"),
            ("state", "$.detail.state"),
            ("resource", "$.resources[0]"),
        ]
        .into_iter()
        .map(|(name, path)| (name.to_owned(), path.to_owned()))
        .collect()
    }

    const RULE: RuleContext<'static> = RuleContext {
        arn: "arn:aws:events:us-east-1:123456789012:rule/orders/high-value",
        name: "high-value",
        ingestion_time: "2015-11-11T21:29:55Z",
    };

    #[track_caller]
    fn transforms(template: &str, expected: &str) {
        let transformer = InputTransformer::new(&ec2_paths(), template).expect("a valid transformer");
        assert_eq!(transformer.apply(&ec2_event(), &RULE), expected, "{template}");
    }

    #[test]
    fn the_documented_templates_give_the_documented_outputs() {
        // "Input transform examples", eb-transform-target-input.html: a string template with
        // variables inside quotes gets their values without quotes.
        transforms(
            r#""<instance> is in state <state>""#,
            r#""i-0123456789 is in state RUNNING""#,
        );
        // Escaped quotes around a variable stay.
        transforms(
            r#""<instance> is in state \"<state>\"""#,
            r#""i-0123456789 is in state \"RUNNING\"""#,
        );
        // A JSON template: a variable outside quotes gets the JSON value, one inside the text.
        transforms(
            r#"{"instance" : <instance>, "state": <state>}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#,
        );
        transforms(
            r#"{"instance" : <instance>, "state": "<state>"}"#,
            r#"{"instance" : "i-0123456789", "state": "RUNNING"}"#,
        );
        transforms(
            r#"{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}"#,
            r#"{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}"#,
        );
        // The API reference's plain-text template.
        transforms(
            "<instance> is in state <state>",
            "i-0123456789 is in state RUNNING",
        );
        transforms(
            r#"{"myInstance": <instance>,"myStatus": "<instance> is in state \"<state>\""}"#,
            r#"{"myInstance": "i-0123456789","myStatus": "i-0123456789 is in state \"RUNNING\""}"#,
        );
    }

    #[test]
    fn predefined_variables_name_the_rule_and_the_event() {
        transforms(
            r#"{"rule": <aws.events.rule-name>, "arn": "<aws.events.rule-arn>", "at": <aws.events.event.ingestion-time>}"#,
            r#"{"rule": "high-value", "arn": "arn:aws:events:us-east-1:123456789012:rule/orders/high-value", "at": "2015-11-11T21:29:55Z"}"#,
        );
        let transformer =
            InputTransformer::new(&BTreeMap::new(), r#"{"event": <aws.events.event>, "whole": <aws.events.event.json>}"#)
                .expect("valid");
        let body: Value = serde_json::from_str(&transformer.apply(&ec2_event(), &RULE)).expect("JSON");
        assert_eq!(body["whole"], ec2_event());
        assert_eq!(body["event"]["source"], "aws.ec2");
        assert!(body["event"].get("detail").is_none(), "aws.events.event has no detail");
    }

    #[test]
    fn objects_inside_strings_lose_their_quotes_and_missing_paths_give_nothing() {
        // "Common issues": an object referenced inside a string has its inner quotes removed.
        let paths = BTreeMap::from([
            ("detail".to_owned(), "$.detail".to_owned()),
            ("missing".to_owned(), "$.detail.nothing".to_owned()),
        ]);
        let transformer =
            InputTransformer::new(&paths, r#"{"text": "Detail is <detail>", "gone": <missing>, "empty": "<missing>"}"#)
                .expect("valid");
        assert_eq!(
            transformer.apply(&ec2_event(), &RULE),
            r#"{"text": "Detail is {instance-id:i-0123456789,state:RUNNING}", "gone": null, "empty": ""}"#
        );
        let plain = InputTransformer::new(&paths, "missing: <missing>.").expect("valid");
        assert_eq!(plain.apply(&ec2_event(), &RULE), "missing: .");
    }

    #[test]
    fn numbers_keep_their_json_inside_and_outside_strings() {
        let event = json!({"detail": {"total": 1250.5, "items": [{"sku": "A"}, {"sku": "B"}]}});
        let paths = BTreeMap::from([
            ("total".to_owned(), "$.detail.total".to_owned()),
            ("skus".to_owned(), "$.detail.items[*].sku".to_owned()),
        ]);
        let transformer =
            InputTransformer::new(&paths, r#"{"total": <total>, "line": "total <total>", "skus": <skus>}"#)
                .expect("valid");
        assert_eq!(
            transformer.apply(&event, &RULE),
            r#"{"total": 1250.5, "line": "total 1250.5", "skus": ["A","B"]}"#
        );
    }

    #[track_caller]
    fn path(text: &str, expected: Option<Value>) {
        let parsed = InputPath::parse(text).unwrap_or_else(|error| panic!("{text}: {error}"));
        assert_eq!(parsed.apply(&ec2_event()), expected, "{text}");
    }

    #[test]
    fn paths_of_the_supported_subset_reach_their_values() {
        path("$", Some(ec2_event()));
        path("$.detail", Some(json!({"instance-id": "i-0123456789", "state": "RUNNING"})));
        path("$.detail.instance-id", Some(json!("i-0123456789")));
        path("$.detail-type", Some(json!("EC2 Instance State-change Notification")));
        path(
            "$.resources[0]",
            Some(json!("arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111")),
        );
        path("$.resources[1]", None);
        path("$.detail.*", Some(json!(["i-0123456789", "RUNNING"])));
        path("$.nothing.here", None);
    }

    #[track_caller]
    fn refused(text: &str, fragment: &str) {
        let error = InputPath::parse(text).expect_err(text);
        assert!(error.message.contains(fragment), "{text}: {}", error.message);
        assert!(!error.help.is_empty());
    }

    #[test]
    fn paths_outside_the_subset_are_refused_with_the_reason() {
        refused("detail.id", "must start with `$`");
        refused("$..id", "not followed by a name");
        refused("$.detail[?(@.a)]", "is not an array index");
        refused("$.detail[0", "not closed");
        refused("$.a b", "` ` in the name");
        refused(&format!("$.{}", "a".repeat(300)), "at most 256");
    }

    #[track_caller]
    fn transformer_refused(paths: &[(&str, &str)], template: &str, fragment: &str) {
        let paths: BTreeMap<String, String> = paths
            .iter()
            .map(|(name, path)| ((*name).to_owned(), (*path).to_owned()))
            .collect();
        let error = InputTransformer::new(&paths, template).expect_err(template);
        assert!(error.message.contains(fragment), "{template}: {}", error.message);
        assert!(!error.help.is_empty());
    }

    #[test]
    fn transformers_aws_refuses_are_refused() {
        transformer_refused(&[], "<order>", "no input path defines");
        transformer_refused(&[("id", "$.id")], r#"{<id>: 1}"#, "as an object key");
        transformer_refused(&[("id", "$.id")], r#"{"a": <id>"#, "not valid JSON");
        transformer_refused(&[("id", "detail")], "<id>", "input path `id`");
        transformer_refused(&[("a.b", "$.id")], "<a.b>", "not a valid input path name");
        transformer_refused(&[("aws.events.rule-name", "$.id")], "x", "cannot be redefined");
        transformer_refused(&[], r#"{"e": "<aws.events.event.json>"}"#, "inside a quoted string");
        transformer_refused(&[], "", "1 to 8192");
        let many: Vec<(String, String)> = (0..=MAX_INPUT_PATHS)
            .map(|index| (format!("v{index}"), "$.id".to_owned()))
            .collect();
        let many: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        transformer_refused(&many, "x", "at most 100");
    }

    #[test]
    fn a_lone_angle_bracket_is_text() {
        let transformer = InputTransformer::new(&ec2_paths(), "1 < 2 and <state> > 0").expect("valid");
        assert_eq!(transformer.apply(&ec2_event(), &RULE), "1 < 2 and RUNNING > 0");
    }
}
