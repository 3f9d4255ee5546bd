//! Strict parsing: every rejection reason, word for word, and what is accepted.

use runtime::order::{MAX_BODY_BYTES, OrderError, parse};

/// A body with one item whose fields are `item` (JSON object members).
fn with_item(item: &str) -> String {
    format!(r#"{{"order_id": "ORD-1", "items": [{{{item}}}]}}"#)
}

#[track_caller]
fn rejects(body: &str, reason: &str) {
    match parse(body) {
        Ok(order) => panic!("accepted {order:?}, expected: {reason}"),
        Err(error) => assert_eq!(error.to_string(), reason),
    }
}

#[test]
fn rejects_bodies_that_are_not_order_objects() {
    rejects(
        "not json",
        "body is not valid JSON: expected ident at line 1 column 2",
    );
    rejects(
        "",
        "body is not valid JSON: EOF while parsing a value at line 1 column 0",
    );
    rejects(
        r#"{"order_id": "ORD-1""#,
        "body is not valid JSON: EOF while parsing an object at line 1 column 20",
    );
    rejects(
        r#"{"order_id": "A"} trailing"#,
        "body is not valid JSON: trailing characters at line 1 column 19",
    );
    rejects("[]", "body must be an object, got an array");
    rejects("null", "body must be an object, got null");
    rejects(
        r#""ORD-1""#,
        r#"body must be an object, got string "ORD-1""#,
    );
    rejects(
        r#"{"order_id": "A", "order_id": "B", "items": []}"#,
        "body is malformed: duplicate field `order_id`",
    );
    // NaN and Infinity are not JSON.
    rejects(
        &with_item(r#""name": "A", "price": NaN, "quantity": 1"#),
        "body is not valid JSON: expected value at line 1 column 56",
    );
    // Nesting is skipped without recursion: no depth makes parsing overflow the stack.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    rejects(&deep, "body must be an object, got an array");
    let nested_unknown_field = format!(
        r#"{{"order_id": "ORD-1", "extra": {}{}, "items": [{{"name": "A", "price": 1, "quantity": 1}}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(parse(&nested_unknown_field).is_ok());
}

#[test]
fn rejects_bodies_over_256_kib() {
    let valid = with_item(r#""name": "A", "price": 1, "quantity": 1"#);
    let padded = |size: usize| format!("{valid}{}", " ".repeat(size - valid.len()));
    assert!(
        parse(&padded(MAX_BODY_BYTES)).is_ok(),
        "exactly 256 KiB is accepted"
    );
    rejects(
        &padded(MAX_BODY_BYTES + 1),
        "body is 262145 bytes, over the limit of 262144 bytes",
    );
    assert_eq!(
        parse(&padded(MAX_BODY_BYTES + 1)),
        Err(OrderError::TooLarge { bytes: 262_145 })
    );
}

#[test]
fn rejects_bad_order_ids() {
    let item = r#"[{"name": "A", "price": 1, "quantity": 1}]"#;
    rejects(&format!(r#"{{"items": {item}}}"#), "order_id is required");
    rejects(
        &format!(r#"{{"order_id": null, "items": {item}}}"#),
        "order_id must be a string, got null",
    );
    rejects(
        &format!(r#"{{"order_id": 12345, "items": {item}}}"#),
        "order_id must be a string, got number 12345",
    );
    rejects(
        &format!(r#"{{"order_id": "", "items": {item}}}"#),
        "order_id must not be empty",
    );
    rejects(
        &format!(r#"{{"order_id": "   ", "items": {item}}}"#),
        "order_id must not be empty",
    );
    rejects(
        &format!(r#"{{"order_id": " ORD-1", "items": {item}}}"#),
        r#"order_id must not start or end with whitespace, got " ORD-1""#,
    );
    rejects(
        &format!(r#"{{"order_id": "ORD\n1", "items": {item}}}"#),
        r#"order_id must contain only printable characters, got "ORD\n1""#,
    );
    let long = "X".repeat(129);
    rejects(
        &format!(r#"{{"order_id": "{long}", "items": {item}}}"#),
        "order_id must be at most 128 characters, got 129",
    );
    let longest = "é".repeat(128);
    assert_eq!(
        parse(&format!(r#"{{"order_id": "{longest}", "items": {item}}}"#))
            .unwrap()
            .order_id(),
        longest
    );
}

#[test]
fn rejects_bad_item_lists() {
    rejects(r#"{"order_id": "ORD-1"}"#, "items is required");
    rejects(
        r#"{"order_id": "ORD-1", "items": {}}"#,
        "items must be an array, got an object",
    );
    rejects(
        r#"{"order_id": "ORD-1", "items": []}"#,
        "items must have 1 to 1000 entries, got 0",
    );
    rejects(
        r#"{"order_id": "ORD-1", "items": [1]}"#,
        "items[0] must be an object, got number 1",
    );
    let item = r#"{"name": "A", "price": 1, "quantity": 1}"#;
    let items = |count: usize| vec![item; count].join(",");
    assert_eq!(
        parse(&format!(
            r#"{{"order_id": "ORD-1", "items": [{}]}}"#,
            items(1000)
        ))
        .unwrap()
        .items()
        .len(),
        1000
    );
    rejects(
        &format!(r#"{{"order_id": "ORD-1", "items": [{}]}}"#, items(1001)),
        "items must have 1 to 1000 entries, got 1001",
    );
    rejects(
        r#"{"order_id": "ORD-1", "items": [{"name": "A", "name": "B", "price": 1, "quantity": 1}]}"#,
        "items[0] is malformed: duplicate field `name`",
    );
}

#[test]
fn rejects_bad_names() {
    rejects(
        &with_item(r#""price": 1, "quantity": 1"#),
        "items[0] must have a name or a sku",
    );
    rejects(
        &with_item(r#""name": null, "sku": null, "price": 1, "quantity": 1"#),
        "items[0] must have a name or a sku",
    );
    rejects(
        &with_item(r#""name": "", "price": 1, "quantity": 1"#),
        "items[0].name must not be empty",
    );
    rejects(
        &with_item(r#""sku": " ", "price": 1, "quantity": 1"#),
        "items[0].sku must not be empty",
    );
    rejects(
        &with_item(r#""name": 5, "price": 1, "quantity": 1"#),
        "items[0].name must be a string, got number 5",
    );
    rejects(
        &with_item(r#""name": "Laptop ", "price": 1, "quantity": 1"#),
        r#"items[0].name must not start or end with whitespace, got "Laptop ""#,
    );
    let long = "n".repeat(257);
    rejects(
        &with_item(&format!(r#""name": "{long}", "price": 1, "quantity": 1"#)),
        "items[0].name must be at most 256 characters, got 257",
    );
}

#[test]
fn accepts_unicode_names_and_ignores_unknown_fields() {
    let name = "日".repeat(256);
    let body = format!(
        r#"{{"order_id": "ORD-1", "customer": {{"tags": [1, 2]}}, "items": [
            {{"name": "{name}", "price": 1, "quantity": 1, "colour": "red"}},
            {{"name": "Café ☕ \u00e9\ud83d\ude00", "sku": "SKU-1", "price": 2.5, "quantity": 2}}
        ]}}"#
    );
    let order = parse(&body).unwrap();
    assert_eq!(order.items()[0].name(), Some(name.as_str()));
    assert_eq!(order.items()[1].name(), Some("Café ☕ é😀"));
    assert_eq!(order.items()[1].sku(), Some("SKU-1"));
    assert_eq!(order.items()[1].line_total().to_string(), "5.00");
    assert_eq!(order.promo_code(), None);
}

#[test]
fn rejects_bad_prices() {
    #[track_caller]
    fn price(text: &str, reason: &str) {
        rejects(
            &with_item(&format!(r#""name": "A", "price": {text}, "quantity": 1"#)),
            reason,
        );
    }
    rejects(
        &with_item(r#""name": "A", "quantity": 1"#),
        "items[0].price is required",
    );
    price("null", "items[0].price must be a number, got null");
    price("true", "items[0].price must be a number, got true");
    price("[12]", "items[0].price must be a number, got an array");
    price(
        r#""12.50""#,
        r#"items[0].price must be a number, got string "12.50""#,
    );
    price(
        r#""NaN""#,
        r#"items[0].price must be a number, got string "NaN""#,
    );
    price(
        r#""Infinity""#,
        r#"items[0].price must be a number, got string "Infinity""#,
    );
    price("-1", "items[0].price must not be negative, got -1");
    price("-0.01", "items[0].price must not be negative, got -0.01");
    price(
        "12.345",
        "items[0].price must have at most 2 decimal places, got 12.345",
    );
    price(
        "1e-7",
        "items[0].price must have at most 2 decimal places, got 1e-7",
    );
    price(
        "0.1e-400",
        "items[0].price must have at most 2 decimal places, got 0.1e-400",
    );
    price(
        "1000000000.01",
        "items[0].price must be at most 1000000000, got 1000000000.01",
    );
    price(
        "1e10",
        "items[0].price must be at most 1000000000, got 1e10",
    );
    price(
        "1e400",
        "items[0].price must be at most 1000000000, got 1e400",
    );
    price(
        &"9".repeat(100),
        &format!(
            "items[0].price must be at most 1000000000, got {}…",
            "9".repeat(40)
        ),
    );
}

#[test]
fn accepts_prices_by_value() {
    #[track_caller]
    fn price(text: &str, expected: &str) {
        let order = parse(&with_item(&format!(
            r#""name": "A", "price": {text}, "quantity": 1"#
        )))
        .unwrap();
        assert_eq!(
            order.items()[0].unit_price().to_string(),
            expected,
            "{text}"
        );
    }
    price("0", "0.00");
    price("-0", "0.00");
    price("12.340", "12.34");
    price("1.5e1", "15.00");
    price("125E-2", "1.25");
    price("999.99", "999.99");
    price("1000000000", "1000000000.00");
    price("0.10000000000000000000000000000000000000", "0.10");
}

#[test]
fn rejects_bad_quantities() {
    #[track_caller]
    fn quantity(text: &str, reason: &str) {
        rejects(
            &with_item(&format!(r#""name": "A", "price": 1, "quantity": {text}"#)),
            reason,
        );
    }
    rejects(
        &with_item(r#""name": "A", "price": 1"#),
        "items[0].quantity is required",
    );
    quantity("0", "items[0].quantity must be a whole number ≥ 1, got 0");
    quantity("-1", "items[0].quantity must be a whole number ≥ 1, got -1");
    quantity(
        "1.5",
        "items[0].quantity must be a whole number ≥ 1, got 1.5",
    );
    quantity(
        "1e-1",
        "items[0].quantity must be a whole number ≥ 1, got 1e-1",
    );
    quantity(
        "1e12",
        "items[0].quantity must be at most 1000000, got 1e12",
    );
    quantity(
        "1000001",
        "items[0].quantity must be at most 1000000, got 1000001",
    );
    quantity(
        "1e400",
        "items[0].quantity must be at most 1000000, got 1e400",
    );
    quantity(
        r#""3""#,
        r#"items[0].quantity must be a number, got string "3""#,
    );
    quantity("null", "items[0].quantity must be a number, got null");

    // The field is named with its index.
    let body = r#"{"order_id": "ORD-1", "items": [
        {"name": "A", "price": 1, "quantity": 1},
        {"name": "B", "price": 1, "quantity": 2},
        {"name": "C", "price": 1, "quantity": 0}]}"#;
    rejects(body, "items[2].quantity must be a whole number ≥ 1, got 0");
}

#[test]
fn accepts_whole_quantities_in_any_notation() {
    #[track_caller]
    fn quantity(text: &str, expected: u32) {
        let order = parse(&with_item(&format!(
            r#""name": "A", "price": 1, "quantity": {text}"#
        )))
        .unwrap();
        assert_eq!(order.items()[0].quantity(), expected, "{text}");
    }
    quantity("1", 1);
    quantity("2.0", 2);
    quantity("1e6", 1_000_000);
    quantity("1000000", 1_000_000);
    quantity("250e-1", 25);
}

#[test]
fn promo_codes_are_optional_and_canonical() {
    #[track_caller]
    fn promo(json: &str, expected: Option<&str>) {
        let body = format!(
            r#"{{"order_id": "ORD-1", "items": [{{"name": "A", "price": 1, "quantity": 1}}], "promo_code": {json}}}"#
        );
        assert_eq!(parse(&body).unwrap().promo_code(), expected, "{json}");
    }
    promo("null", None);
    promo(r#""""#, None);
    promo(r#""  ""#, None);
    promo(r#""SAVE10""#, Some("SAVE10"));
    promo(r#"" save10 ""#, Some("SAVE10"));

    let body = |json: &str| {
        format!(
            r#"{{"order_id": "ORD-1", "items": [{{"name": "A", "price": 1, "quantity": 1}}], "promo_code": {json}}}"#
        )
    };
    rejects(&body("10"), "promo_code must be a string, got number 10");
    rejects(
        &body(&format!(r#""{}""#, "P".repeat(65))),
        "promo_code must be at most 64 characters, got 65",
    );
}

#[test]
fn errors_are_typed() {
    let error = parse(&with_item(r#""name": "A", "price": 1, "quantity": 0"#)).unwrap_err();
    assert_eq!(
        error,
        OrderError::Quantity {
            field: "items[0].quantity".into(),
            found: "0".into()
        }
    );
}
