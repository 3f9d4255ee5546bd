//! `repair`: what the DLQ processor can fix, what it says it fixed, and what stays broken.

use runtime::order::{Repaired, parse, repair};

#[track_caller]
fn repaired(body: &str, expected: &[&str]) -> runtime::order::Order {
    match repair(body) {
        Ok(Repaired::Repaired { order, repairs }) => {
            let repairs: Vec<String> = repairs.iter().map(ToString::to_string).collect();
            assert_eq!(repairs, expected);
            // What the DLQ processor requeues parses strictly, to the same order.
            let requeued = serde_json::to_string(&order).unwrap();
            assert_eq!(parse(&requeued), Ok(order.clone()), "{requeued}");
            order
        }
        other => panic!("expected a repair, got {other:?}"),
    }
}

#[track_caller]
fn unrepairable(body: &str, reason: &str) {
    match repair(body) {
        Err(error) => assert_eq!(error.to_string(), reason),
        Ok(repaired) => panic!("expected {reason}, got {repaired:?}"),
    }
}

#[test]
fn a_valid_body_needs_no_repair() {
    let body = r#"{"order_id": "ORD-1", "items": [{"name": "A", "price": 12.5, "quantity": 2}], "promo_code": " save10"}"#;
    let outcome = repair(body).unwrap();
    assert!(matches!(outcome, Repaired::Valid(_)), "{outcome:?}");
    assert!(outcome.repairs().is_empty());
    assert_eq!(outcome.order(), &parse(body).unwrap());
    assert_eq!(outcome.into_order().promo_code(), Some("SAVE10"));
}

#[test]
fn numeric_strings_become_numbers() {
    let order = repaired(
        r#"{"order_id": "ORD-1", "items": [
            {"name": "A", "price": "12.50", "quantity": " 3 "},
            {"name": "B", "price": " 1e1", "quantity": "2.0"},
            {"name": "C", "price": 4, "quantity": 1}]}"#,
        &[
            r#"items[0].price: string "12.50" → 12.50"#,
            r#"items[0].quantity: string " 3 " → 3"#,
            r#"items[1].price: string " 1e1" → 10.00"#,
            r#"items[1].quantity: string "2.0" → 2"#,
        ],
    );
    let items = order.items();
    assert_eq!(
        (items[0].unit_price().to_string(), items[0].quantity()),
        ("12.50".to_owned(), 3)
    );
    assert_eq!(
        (items[1].unit_price().to_string(), items[1].quantity()),
        ("10.00".to_owned(), 2)
    );
}

#[test]
fn whitespace_is_trimmed_and_promo_codes_canonicalised() {
    let order = repaired(
        r#"{"order_id": "\tORD-1 ", "items": [{"name": " Laptop", "sku": "LAP-1 ", "price": 999.99, "quantity": 1}],
            "promo_code": " save10 "}"#,
        &[
            r#"order_id: "\tORD-1 " → "ORD-1""#,
            r#"items[0].name: " Laptop" → "Laptop""#,
            r#"items[0].sku: "LAP-1 " → "LAP-1""#,
            r#"promo_code: " save10 " → "SAVE10""#,
        ],
    );
    assert_eq!(order.order_id(), "ORD-1");
    assert_eq!(order.items()[0].name(), Some("Laptop"));
    assert_eq!(order.items()[0].sku(), Some("LAP-1"));
    assert_eq!(order.promo_code(), Some("SAVE10"));
}

#[test]
fn a_blank_promo_code_is_dropped_when_repairing() {
    repaired(
        r#"{"order_id": "ORD-1 ", "items": [{"name": "A", "price": 1, "quantity": 1}], "promo_code": "  "}"#,
        &[
            r#"order_id: "ORD-1 " → "ORD-1""#,
            r#"promo_code: "  " → null"#,
        ],
    );
}

#[test]
fn what_repair_cannot_fix_is_still_an_error() {
    let item = |fields: &str| format!(r#"{{"order_id": "ORD-1", "items": [{{{fields}}}]}}"#);
    unrepairable(
        "{",
        "body is not valid JSON: EOF while parsing an object at line 1 column 1",
    );
    unrepairable(
        r#"{"items": [{"name": "A", "price": "1", "quantity": 1}]}"#,
        "order_id is required",
    );
    unrepairable(
        r#"{"order_id": " ", "items": []}"#,
        "order_id must not be empty",
    );
    unrepairable(
        r#"{"order_id": "ORD-1", "items": []}"#,
        "items must have 1 to 1000 entries, got 0",
    );
    unrepairable(
        &item(r#""name": "A", "price": "NaN", "quantity": 1"#),
        r#"items[0].price must be a number, got string "NaN""#,
    );
    unrepairable(
        &item(r#""name": "A", "price": "$12", "quantity": 1"#),
        r#"items[0].price must be a number, got string "$12""#,
    );
    unrepairable(
        &item(r#""name": "A", "price": "", "quantity": 1"#),
        r#"items[0].price must be a number, got string """#,
    );
    unrepairable(
        &item(r#""name": "A", "price": "12.345", "quantity": 1"#),
        "items[0].price must have at most 2 decimal places, got 12.345",
    );
    unrepairable(
        &item(r#""name": "A", "price": "-3", "quantity": 1"#),
        "items[0].price must not be negative, got -3",
    );
    unrepairable(
        &item(r#""name": "A", "price": 1, "quantity": "0""#),
        "items[0].quantity must be a whole number ≥ 1, got 0",
    );
    unrepairable(
        &item(r#""name": "A", "price": 1, "quantity": "1.5""#),
        "items[0].quantity must be a whole number ≥ 1, got 1.5",
    );
    unrepairable(
        &item(r#""name": "A", "price": 1, "quantity": "1e12""#),
        "items[0].quantity must be at most 1000000, got 1e12",
    );
    unrepairable(
        &item(r#""name": "A", "price": 1, "quantity": null"#),
        "items[0].quantity must be a number, got null",
    );
    unrepairable(
        &item(r#""price": "1", "quantity": 1"#),
        "items[0] must have a name or a sku",
    );
}
