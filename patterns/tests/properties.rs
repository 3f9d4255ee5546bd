//! Properties: no pattern or event panics the validator or the matcher, and matching and the
//! summary are deterministic.

use patterns::Pattern;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

/// Keys and strings drawn from the pattern language, so generated values hit operators.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("prefix".to_owned()),
        Just("suffix".to_owned()),
        Just("equals-ignore-case".to_owned()),
        Just("wildcard".to_owned()),
        Just("anything-but".to_owned()),
        Just("numeric".to_owned()),
        Just("exists".to_owned()),
        Just("cidr".to_owned()),
        Just("$or".to_owned()),
        Just("detail".to_owned()),
        Just(">=".to_owned()),
        Just("<".to_owned()),
        Just("=".to_owned()),
        Just("10.0.0.0/8".to_owned()),
        Just("a**b".to_owned()),
        Just("x\\".to_owned()),
        "[a-z*\\\\.]{0,6}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|number| json!(number)),
        (-1.0e10..1.0e10f64).prop_map(|number| json!(number)),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((word(), inner), 0..5)
                .prop_map(|entries| Value::Object(entries.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsing_and_matching_never_panic_and_are_deterministic(pattern in json_value(), event in json_value()) {
        let first = Pattern::parse(&pattern);
        let second = Pattern::parse(&pattern);
        prop_assert_eq!(&first, &second);
        match first {
            Ok(parsed) => {
                let seen = parsed.matches(&event);
                prop_assert_eq!(parsed.matches(&event), seen);
                prop_assert_eq!(parsed.conditions(), parsed.conditions());
            }
            Err(errors) => {
                prop_assert!(!errors.is_empty());
                for error in errors {
                    prop_assert!(!error.message.is_empty() && !error.help.is_empty());
                }
            }
        }
    }

    #[test]
    fn any_text_parses_or_fails_without_panicking(text in "\\PC{0,64}") {
        let _ = Pattern::parse_str(&text);
    }
}
