//! The pattern corpus (`tests/corpus.json`): AWS's documented examples and the edges around
//! them, each with its source. Every valid case is matched against its event; every invalid
//! pattern must be refused with the listed problems at the listed paths.

use std::collections::BTreeSet;

use patterns::Pattern;
use serde_json::{Map, Value, json};

fn corpus() -> Value {
    let text = include_str!("corpus.json");
    serde_json::from_str(text).expect("tests/corpus.json is JSON")
}

/// The envelope every case's event is laid over (what `PutEvents` adds).
fn envelope(event: &Value) -> Value {
    let mut full: Map<String, Value> = json!({
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "OrderPlaced",
        "source": "shop.orders",
        "account": "123456789012",
        "time": "2026-11-30T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {}
    })
    .as_object()
    .cloned()
    .expect("an object");
    for (key, value) in event.as_object().expect("a case's event is an object") {
        full.insert(key.clone(), value.clone());
    }
    Value::Object(full)
}

fn text(case: &Value, key: &str) -> String {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("a case without `{key}`: {case}"))
        .to_owned()
}

#[test]
fn every_case_matches_as_aws_documents() {
    let corpus = corpus();
    let cases = corpus["cases"].as_array().expect("`cases` is a list");
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in cases {
        let name = text(case, "name");
        assert!(names.insert(name.clone()), "two cases named `{name}`");
        assert!(!text(case, "source").is_empty(), "`{name}` cites no source");
        let pattern = match Pattern::parse(&case["pattern"]) {
            Ok(pattern) => pattern,
            Err(errors) => {
                failures.push(format!("{name}: refused: {errors:?}"));
                continue;
            }
        };
        let expected = case["matches"].as_bool().expect("`matches` is a boolean");
        let event = envelope(&case["event"]);
        let seen = pattern.matches(&event);
        if seen != expected {
            failures.push(format!("{name}: expected match = {expected}, saw {seen}"));
        }
        // Matching is deterministic, and the text form parses to the same pattern.
        assert_eq!(pattern.matches(&event), seen, "{name}: not deterministic");
        let reparsed =
            Pattern::parse_str(&case["pattern"].to_string()).expect("the same text parses");
        assert_eq!(reparsed, pattern, "{name}: parse and parse_str differ");
    }
    assert!(
        cases.len() >= 80,
        "the corpus has {} cases; the issue asks for 80",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_invalid_pattern_is_refused_at_its_paths() {
    let corpus = corpus();
    let invalid = corpus["invalid"].as_array().expect("`invalid` is a list");
    let mut failures = Vec::new();
    for case in invalid {
        let name = text(case, "name");
        assert!(!text(case, "source").is_empty(), "`{name}` cites no source");
        let result = match &case["text"] {
            Value::String(text) => Pattern::parse_str(text),
            _ => Pattern::parse(&case["pattern"]),
        };
        let Err(errors) = result else {
            failures.push(format!("{name}: accepted"));
            continue;
        };
        let seen: Vec<(String, String)> = errors
            .iter()
            .map(|error| (error.path_text(), error.message.clone()))
            .collect();
        for error in &errors {
            assert!(
                !error.help.is_empty(),
                "{name}: an error without help: {error:?}"
            );
        }
        let expected: Vec<(String, String)> = case["errors"]
            .as_array()
            .expect("`errors` is a list")
            .iter()
            .map(|error| (text(error, "path"), text(error, "message")))
            .collect();
        let same = seen.len() == expected.len()
            && seen.iter().zip(&expected).all(
                |((path, message), (expected_path, expected_message))| {
                    path == expected_path && message.contains(expected_message.as_str())
                },
            );
        if !same {
            failures.push(format!("{name}: expected {expected:?}, saw {seen:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} invalid case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn conditions_read_in_user_terms() {
    let pattern = Pattern::parse_str(
        r#"{
            "source": ["shop.orders"],
            "detail-type": ["OrderPlaced", "OrderUpdated"],
            "detail": {
                "total": [{"numeric": [">", 0, "<=", 500]}],
                "country": [{"anything-but": ["US", "CA"]}],
                "$or": [
                    {"coupon": [{"exists": true}]},
                    {"channel": [{"prefix": {"equals-ignore-case": "web"}}, ""]}
                ]
            }
        }"#,
    )
    .expect("a valid pattern");
    assert_eq!(
        pattern.conditions(),
        [
            ("detail-type", "is one of OrderPlaced, OrderUpdated"),
            ("detail.country", "is not one of US, CA"),
            ("detail.or[0].coupon", "exists"),
            (
                "detail.or[1].channel",
                "starts with web (any case) or is \"\""
            ),
            ("detail.total", "> 0 and ≤ 500"),
            ("source", "is shop.orders"),
        ]
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
    );
}
