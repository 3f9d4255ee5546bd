//! The discount table's JSON form and its checks.

use runtime::order::{
    BulkTier, DiscountTable, DiscountTableError, Money, Percent, Promo, PromoKind,
};

#[track_caller]
fn invalid(json: &str, reason: &str) {
    let error = serde_json::from_str::<DiscountTable>(json)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with(reason), "{error}");
}

#[test]
fn reads_and_writes_the_documented_shape() {
    let json = r#"{
        "currency": "USD",
        "promo_codes": {
            "save10": {"percent": "10"},
            "FIVEOFF": {"amount": "5", "min_subtotal": "20.00"}
        },
        "bulk_tiers": [
            {"min_subtotal": "1000.00", "percent": "10"},
            {"min_subtotal": "500.00", "percent": "5"}
        ]
    }"#;
    let table: DiscountTable = serde_json::from_str(json).unwrap();
    assert_eq!(table.currency(), "USD");
    assert_eq!(
        table.promo_codes().keys().collect::<Vec<_>>(),
        ["FIVEOFF", "SAVE10"]
    );
    let (code, promo) = table.promo(" SaVe10\n").unwrap();
    assert_eq!(code, "SAVE10");
    assert_eq!(promo.kind, PromoKind::Percent("10".parse().unwrap()));
    assert_eq!(table.promo("SAVE 10"), None);

    let written = serde_json::to_value(&table).unwrap();
    assert_eq!(
        written,
        serde_json::json!({
            "currency": "USD",
            "promo_codes": {
                "FIVEOFF": {"amount": "5.00", "min_subtotal": "20.00"},
                "SAVE10": {"percent": "10"}
            },
            "bulk_tiers": [
                {"min_subtotal": "500.00", "percent": "5"},
                {"min_subtotal": "1000.00", "percent": "10"}
            ]
        })
    );
    assert_eq!(
        serde_json::from_value::<DiscountTable>(written).unwrap(),
        table
    );
}

#[test]
fn picks_the_highest_tier_reached() {
    let tier = |min: &str, percent: &str| BulkTier {
        min_subtotal: min.parse().unwrap(),
        percent: percent.parse().unwrap(),
    };
    let table = DiscountTable::new(
        "EUR",
        [],
        [tier("1000", "10"), tier("100", "2"), tier("500", "5")],
    )
    .unwrap();
    let reached = |subtotal: &str| {
        table
            .bulk_tier(subtotal.parse().unwrap())
            .map(|tier| tier.percent.to_string())
    };
    assert_eq!(reached("99.99"), None);
    assert_eq!(reached("100"), Some("2".to_owned()));
    assert_eq!(reached("999.99"), Some("5".to_owned()));
    assert_eq!(reached("1000.00"), Some("10".to_owned()));
    assert_eq!(reached("1000000"), Some("10".to_owned()));
}

#[test]
fn rejects_invalid_tables() {
    invalid(
        r#"{"currency": "usd"}"#,
        "currency must be an ISO 4217 code such as `USD`, got `usd`",
    );
    invalid(
        r#"{"currency": "DOLLARS"}"#,
        "currency must be an ISO 4217 code such as `USD`, got `DOLLARS`",
    );
    invalid(
        r#"{"currency": "USD", "discounts": {}}"#,
        "unknown field `discounts`",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"save10": {"percent": "10"}, "SAVE10 ": {"percent": "5"}}}"#,
        "promo codes `SAVE10 ` and `save10` are the same code",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {" ": {"percent": "10"}}}"#,
        "promo codes must not be empty",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"percent": "10", "amount": "1.00"}}}"#,
        "a promo must have exactly one of `percent` and `amount`",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"min_subtotal": "1.00"}}}"#,
        "a promo must have exactly one of `percent` and `amount`",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"percent": "150"}}}"#,
        "a percent must be between 0 and 100, got `150`",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"percent": 10}}}"#,
        r#"invalid type: integer `10`, expected a percent as a string, such as "10""#,
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"amount": "5.001"}}}"#,
        "`5.001` has more than 2 decimal places",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"amount": "-5"}}}"#,
        "an amount must not be negative, got `-5`",
    );
    invalid(
        r#"{"currency": "USD", "promo_codes": {"X": {"pct": "5"}}}"#,
        "unknown field `pct`",
    );
    invalid(
        r#"{"currency": "USD", "bulk_tiers": [{"min_subtotal": "100", "percent": "5"}, {"min_subtotal": "100.00", "percent": "6"}]}"#,
        "two bulk tiers start at the same subtotal `100.00`",
    );
}

#[test]
fn builds_in_code_with_the_same_checks() {
    let promo = Promo {
        kind: PromoKind::Amount(Money::new(5.into()).unwrap()),
        min_subtotal: None,
    };
    let table = DiscountTable::new("USD", [("take5".to_owned(), promo)], []).unwrap();
    assert!(table.promo("TAKE5").is_some());
    assert_eq!(
        DiscountTable::new(
            "USD",
            [("a".to_owned(), promo), ("A".to_owned(), promo)],
            []
        ),
        Err(DiscountTableError::DuplicatePromoCode {
            first: "a".into(),
            second: "A".into()
        })
    );
    assert!(Percent::new(101.into()).is_err());
}
