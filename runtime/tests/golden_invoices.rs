//! Golden invoices: orders priced by hand, one row each, with the arithmetic in a comment.
//!
//! Rounding is half-even to cents, once for the total; the discounts shown are the drops in the
//! rounded running balance (see `runtime::order`), so `subtotal − Σ discounts = total` always.

use runtime::order::{DiscountTable, Invoice, PromoCodeStatus, parse, price};

const TABLE: &str = r#"{
    "currency": "USD",
    "promo_codes": {
        "SAVE10": {"percent": "10"},
        "HALF": {"percent": "50"},
        "FREE": {"percent": "100"},
        "EIGHTH": {"percent": "12.5"},
        "THIRD": {"percent": "33.3333"},
        "TAKE5": {"amount": "5.00"},
        "BIG": {"amount": "250.00"},
        "TENOFF": {"amount": "10.00", "min_subtotal": "25.00"},
        "MIN50": {"percent": "20", "min_subtotal": "50.00"},
        "VIP": {"percent": "25", "min_subtotal": "2000.00"}
    },
    "bulk_tiers": [
        {"min_subtotal": "1000.00", "percent": "15"},
        {"min_subtotal": "100.00", "percent": "5"},
        {"min_subtotal": "500.00", "percent": "10"}
    ]
}"#;

const PRICED_AT: &str = "2026-11-22T21:00:00Z";

/// One item of the message body; `price` and `quantity` are JSON number text, kept exact.
fn line(name: &str, price: &str, quantity: &str) -> String {
    format!(r#"{{"name": "{name}", "price": {price}, "quantity": {quantity}}}"#)
}

/// Prices the order and checks every figure, plus the invariants every invoice keeps.
#[track_caller]
fn case(
    items: &[String],
    promo: Option<&str>,
    status: PromoCodeStatus,
    subtotal: &str,
    discounts: &[&str],
    total: &str,
) -> Invoice {
    let table: DiscountTable = serde_json::from_str(TABLE).unwrap();
    let promo = promo
        .map(|code| format!(r#", "promo_code": {code:?}"#))
        .unwrap_or_default();
    let body = format!(
        r#"{{"order_id": "ORD-1", "items": [{}]{promo}}}"#,
        items.join(", ")
    );
    let order = parse(&body).unwrap_or_else(|error| panic!("{error}\n{body}"));
    let invoice = price(&order, &table, PRICED_AT);

    assert_eq!(invoice.subtotal.to_string(), subtotal, "subtotal");
    assert_eq!(invoice.promo_code_status, status, "promo_code_status");
    let shown: Vec<String> = invoice
        .discounts
        .iter()
        .map(|discount| {
            let source = match discount {
                runtime::order::Discount::Promo { .. } => "promo",
                runtime::order::Discount::Bulk { .. } => "bulk",
            };
            format!("{source} {}", discount.amount())
        })
        .collect();
    assert_eq!(shown, discounts, "discounts");
    assert_eq!(invoice.total.to_string(), total, "total");

    // The invoice adds up, exactly.
    let lines: rust_decimal::Decimal = invoice
        .lines
        .iter()
        .map(|line| line.line_total.as_decimal())
        .sum();
    assert_eq!(lines, invoice.subtotal.as_decimal(), "Σ lines = subtotal");
    let discounted: rust_decimal::Decimal = invoice
        .discounts
        .iter()
        .map(|d| d.amount().as_decimal())
        .sum();
    assert_eq!(
        invoice.subtotal.as_decimal() - discounted,
        invoice.total.as_decimal(),
        "subtotal − discounts = total"
    );
    // The record round-trips and is keyed by the order.
    let json = serde_json::to_string(&invoice).unwrap();
    assert_eq!(
        serde_json::from_str::<Invoice>(&json).unwrap(),
        invoice,
        "JSON round trip"
    );
    assert_eq!(invoice.idempotency_key, "invoice:ORD-1");
    assert_eq!(invoice.schema_version, 1);
    invoice
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn no_discounts() {
    use PromoCodeStatus::None as NoCode;

    // 19.99 × 3 = 59.97; below the first tier (100.00).
    case(&[line("Mug", "19.99", "3")], None, NoCode, "59.97", &[], "59.97");
    // 0.00 × 5 + 1.00 × 1 = 1.00: a free item is fine.
    case(&[line("Sticker", "0", "5"), line("Pen", "1.00", "1")], None, NoCode, "1.00", &[], "1.00");
    // 1.5e1 = 15, quantity 2.0 = 2: 15 × 2 = 30.00 (number text read exactly).
    case(&[line("Cable", "1.5e1", "2.0")], None, NoCode, "30.00", &[], "30.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn percent_promos_in_any_casing() {
    use PromoCodeStatus::{Applied, None as NoCode, Unknown};

    // 40.00 × 2 = 80.00; 10 % = 8.00; 80.00 − 8.00 = 72.00.
    case(&[line("Book", "40.00", "2")], Some("SAVE10"), Applied, "80.00", &["promo 8.00"], "72.00");
    // Lower case: the same code.
    case(&[line("Book", "40.00", "2")], Some("save10"), Applied, "80.00", &["promo 8.00"], "72.00");
    // Mixed case inside whitespace: the same code.
    case(&[line("Book", "40.00", "2")], Some("  SaVe10 \t"), Applied, "80.00", &["promo 8.00"], "72.00");
    // Unknown code: no discount, 80.00.
    case(&[line("Book", "40.00", "2")], Some("SAVE99"), Unknown, "80.00", &[], "80.00");
    // Empty code means no code: 80.00.
    case(&[line("Book", "40.00", "2")], Some(""), NoCode, "80.00", &[], "80.00");
    // 33.3333 % of 30.00 = 9.99999; 30.00 − 9.99999 = 20.00001 → 20.00; shown 30.00 − 20.00 = 10.00.
    case(&[line("Lamp", "30.00", "1")], Some("THIRD"), Applied, "30.00", &["promo 10.00"], "20.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn fixed_promos_are_capped_at_the_subtotal() {
    use PromoCodeStatus::Applied;

    // 30.00 − 5.00 = 25.00.
    case(&[line("Scarf", "30.00", "1")], Some("TAKE5"), Applied, "30.00", &["promo 5.00"], "25.00");
    // 1.50 × 2 = 3.00; 5.00 capped at 3.00; total 0.00.
    case(&[line("Gum", "1.50", "2")], Some("TAKE5"), Applied, "3.00", &["promo 3.00"], "0.00");
    // 5.00 − 5.00 = 0.00 exactly.
    case(&[line("Gum", "2.50", "2")], Some("TAKE5"), Applied, "5.00", &["promo 5.00"], "0.00");
    // 120.00: 250.00 capped at 120.00 → 0.00; tier 5 % (120 ≥ 100) of 0.00 = 0.00; total 0.00.
    case(&[line("Chair", "60.00", "2")], Some("BIG"), Applied, "120.00", &["promo 120.00", "bulk 0.00"], "0.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn promo_minimums() {
    use PromoCodeStatus::{Applied, BelowMinimum};

    // MIN50 (20 %, min 50.00) at exactly 50.00: 10.00 off → 40.00.
    case(&[line("Hat", "25.00", "2")], Some("MIN50"), Applied, "50.00", &["promo 10.00"], "40.00");
    // 49.99 < 50.00: below minimum, no discount → 49.99.
    case(&[line("Hat", "49.99", "1")], Some("MIN50"), BelowMinimum, "49.99", &[], "49.99");
    // 60.00: 20 % = 12.00 → 48.00.
    case(&[line("Hat", "30.00", "2")], Some("min50"), Applied, "60.00", &["promo 12.00"], "48.00");
    // TENOFF (10.00, min 25.00) at 24.99: below minimum → 24.99.
    case(&[line("Tea", "24.99", "1")], Some("TENOFF"), BelowMinimum, "24.99", &[], "24.99");
    // TENOFF at 25.00: 25.00 − 10.00 = 15.00.
    case(&[line("Tea", "12.50", "2")], Some("TENOFF"), Applied, "25.00", &["promo 10.00"], "15.00");
    // VIP (25 %, min 2000.00) at 1500.00: below minimum; tier 15 % = 225.00 → 1275.00.
    case(&[line("Desk", "1500.00", "1")], Some("VIP"), BelowMinimum, "1500.00", &["bulk 225.00"], "1275.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn bulk_tiers_at_and_around_100_and_500() {
    use PromoCodeStatus::None as NoCode;

    // Bulk tiers: 100.00 → 5 %, 500.00 → 10 %, 1000.00 → 15 %.
    // 99.99: no tier.
    case(&[line("Bag", "99.99", "1")], None, NoCode, "99.99", &[], "99.99");
    // 100.00: 5 % = 5.00 → 95.00.
    case(&[line("Bag", "100.00", "1")], None, NoCode, "100.00", &["bulk 5.00"], "95.00");
    // 100.01: 5 % = 5.0005 → 95.0095 → 95.01; shown 100.01 − 95.01 = 5.00.
    case(&[line("Bag", "100.01", "1")], None, NoCode, "100.01", &["bulk 5.00"], "95.01");
    // 499.99: 5 % = 24.9995 → 474.9905 → 474.99; shown 25.00.
    case(&[line("Bike", "499.99", "1")], None, NoCode, "499.99", &["bulk 25.00"], "474.99");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn bulk_tiers_at_and_around_500_and_1000() {
    use PromoCodeStatus::None as NoCode;

    // Bulk tiers: 100.00 → 5 %, 500.00 → 10 %, 1000.00 → 15 %.
    // 500.00: 10 % = 50.00 → 450.00.
    case(&[line("Bike", "500.00", "1")], None, NoCode, "500.00", &["bulk 50.00"], "450.00");
    // 500.01: 10 % = 50.001 → 450.009 → 450.01; shown 50.00.
    case(&[line("Bike", "500.01", "1")], None, NoCode, "500.01", &["bulk 50.00"], "450.01");
    // 999.99: 10 % = 99.999 → 899.991 → 899.99; shown 100.00.
    case(&[line("TV", "999.99", "1")], None, NoCode, "999.99", &["bulk 100.00"], "899.99");
    // 1000.00: 15 % = 150.00 → 850.00.
    case(&[line("TV", "1000.00", "1")], None, NoCode, "1000.00", &["bulk 150.00"], "850.00");
    // 1000.01: 15 % = 150.0015 → 850.0085 → 850.01; shown 150.00.
    case(&[line("TV", "1000.01", "1")], None, NoCode, "1000.01", &["bulk 150.00"], "850.01");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn promo_and_bulk_together() {
    use PromoCodeStatus::Applied;

    // The seed order: 999.99; 10 % = 99.999 → 899.991 (shown after promo: 899.99, so promo 100.00);
    // tier by subtotal 999.99 → 10 % of 899.991 = 89.9991 → 809.9919 → 809.99; bulk 899.99 − 809.99 = 90.00.
    case(&[line("Laptop", "999.99", "1")], Some("SAVE10"), Applied, "999.99", &["promo 100.00", "bulk 90.00"], "809.99");
    // 1000.00, HALF: 500.00 off → 500.00; the tier follows the subtotal (1000 → 15 %): 75.00 → 425.00.
    case(&[line("Sofa", "1000.00", "1")], Some("HALF"), Applied, "1000.00", &["promo 500.00", "bulk 75.00"], "425.00");
    // 200.00, TAKE5: 195.00; tier 5 % of 195.00 = 9.75 → 185.25.
    case(&[line("Rug", "100.00", "2")], Some("TAKE5"), Applied, "200.00", &["promo 5.00", "bulk 9.75"], "185.25");
    // 1234.56, FREE (100 %): 1234.56 off → 0.00; tier 15 % of 0.00 = 0.00 → 0.00.
    case(&[line("Gift", "1234.56", "1")], Some("FREE"), Applied, "1234.56", &["promo 1234.56", "bulk 0.00"], "0.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn half_even_ties() {
    use PromoCodeStatus::{Applied, None as NoCode};

    // 10 % of 0.05 = 0.005; balance 0.045 → 0.04 (down to even); promo shown 0.05 − 0.04 = 0.01.
    case(&[line("Clip", "0.05", "1")], Some("SAVE10"), Applied, "0.05", &["promo 0.01"], "0.04");
    // 12.5 % of 0.04 = 0.005; balance 0.035 → 0.04 (up to even); promo shown 0.00.
    case(&[line("Clip", "0.04", "1")], Some("EIGHTH"), Applied, "0.04", &["promo 0.00"], "0.04");
    // 10 % of 0.15 = 0.015; balance 0.135 → 0.14 (up to even); promo shown 0.01.
    case(&[line("Clip", "0.15", "1")], Some("SAVE10"), Applied, "0.15", &["promo 0.01"], "0.14");
    // 10 % of 0.25 = 0.025; balance 0.225 → 0.22 (down to even); promo shown 0.03.
    case(&[line("Clip", "0.25", "1")], Some("SAVE10"), Applied, "0.25", &["promo 0.03"], "0.22");
    // 100.10: 5 % = 5.005 → 95.095 → 95.10 (up to even 0); bulk shown 5.00.
    case(&[line("Box", "100.10", "1")], None, NoCode, "100.10", &["bulk 5.00"], "95.10");
    // 100.30: 5 % = 5.015 → 95.285 → 95.28 (down to even 8); bulk shown 5.02.
    case(&[line("Box", "100.30", "1")], None, NoCode, "100.30", &["bulk 5.02"], "95.28");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn zero_prices() {
    use PromoCodeStatus::Applied;

    // 0.00 × 3 with SAVE10: 10 % of 0.00 = 0.00 → 0.00.
    case(&[line("Flyer", "0.00", "3")], Some("SAVE10"), Applied, "0.00", &["promo 0.00"], "0.00");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn golden_invoices_with_many_lines() {
    use PromoCodeStatus::None as NoCode;

    // 50 × (2.50 × 2 = 5.00) = 250.00; tier 5 % = 12.50 → 237.50.
    let same: Vec<String> = (1..=50)
        .map(|i| line(&format!("Item {i}"), "2.50", "2"))
        .collect();
    case(&same, None, NoCode, "250.00", &["bulk 12.50"], "237.50");

    // Line i (1..=50) is (i + 0.01) × i: Σ i² + 0.01 Σ i = 42925 + 12.75 = 42937.75;
    // tier 15 % = 6440.6625 → 36497.0875 → 36497.09; bulk shown 42937.75 − 36497.09 = 6440.66.
    let varied: Vec<String> = (1..=50)
        .map(|i| line(&format!("Item {i}"), &format!("{i}.01"), &i.to_string()))
        .collect();
    case(&varied, None, NoCode, "42937.75", &["bulk 6440.66"], "36497.09");
}

#[test]
#[rustfmt::skip] // one row per case reads as a table
fn golden_invoices_with_huge_quantities() {
    use PromoCodeStatus::{Applied, None as NoCode};

    // 999.99 × 1 000 000 = 999 990 000.00; tier 15 % = 149 998 500.00 → 849 991 500.00.
    case(&[line("Server", "999.99", "1000000")], None, NoCode, "999990000.00", &["bulk 149998500.00"], "849991500.00");
    // With SAVE10: 99 999 000 off → 899 991 000; 15 % = 134 998 650 → 764 992 350.00.
    case(&[line("Server", "999.99", "1000000")], Some("SAVE10"), Applied, "999990000.00", &["promo 99999000.00", "bulk 134998650.00"], "764992350.00");
    // The largest order: 1000 lines of 1 000 000 000 × 1 000 000 = 10^15 each, 10^18 in all;
    // 15 % = 1.5 × 10^17 → 8.5 × 10^17.
    let largest: Vec<String> = (0..1000)
        .map(|i| line(&format!("L{i}"), "1000000000", "1e6"))
        .collect();
    case(&largest, None, NoCode, "1000000000000000000.00", &["bulk 150000000000000000.00"], "850000000000000000.00");
}

#[test]
fn invoice_json_shape() {
    let invoice = case(
        &[line("Laptop", "999.99", "1")],
        Some("save10"),
        PromoCodeStatus::Applied,
        "999.99",
        &["promo 100.00", "bulk 90.00"],
        "809.99",
    );
    let json = serde_json::to_value(&invoice).unwrap();
    let expected = serde_json::json!({
        "schema_version": 1,
        "order_id": "ORD-1",
        "idempotency_key": "invoice:ORD-1",
        "currency": "USD",
        "lines": [{"name": "Laptop", "unit_price": "999.99", "quantity": 1, "line_total": "999.99"}],
        "subtotal": "999.99",
        "promo_code": "SAVE10",
        "promo_code_status": "applied",
        "discounts": [
            {"source": "promo", "code": "SAVE10", "percent": "10", "amount": "100.00"},
            {"source": "bulk", "tier": "subtotal ≥ 500.00", "min_subtotal": "500.00", "percent": "10", "amount": "90.00"}
        ],
        "total": "809.99",
        "priced_at": PRICED_AT
    });
    assert_eq!(json, expected);
}

#[test]
fn unmet_and_unknown_codes_are_recorded_with_a_reason() {
    let below = case(
        &[line("Hat", "49.99", "1")],
        Some("min50"),
        PromoCodeStatus::BelowMinimum,
        "49.99",
        &[],
        "49.99",
    );
    assert_eq!(below.promo_code.as_deref(), Some("MIN50"));
    assert_eq!(
        below.promo_code_reason.as_deref(),
        Some("`MIN50` needs a subtotal of at least 50.00; the subtotal is 49.99")
    );
    let unknown = case(
        &[line("Hat", "49.99", "1")],
        Some(" nope "),
        PromoCodeStatus::Unknown,
        "49.99",
        &[],
        "49.99",
    );
    assert_eq!(unknown.promo_code.as_deref(), Some("NOPE"));
    assert_eq!(
        unknown.promo_code_reason.as_deref(),
        Some("`NOPE` is not a known promo code")
    );
}

#[test]
fn sku_only_items_are_named_by_their_sku() {
    let table: DiscountTable = serde_json::from_str(TABLE).unwrap();
    let order =
        parse(r#"{"order_id": "ORD-2", "items": [{"sku": "SKU-1", "price": 10, "quantity": 1}]}"#)
            .unwrap();
    let invoice = price(&order, &table, PRICED_AT);
    assert_eq!(invoice.lines[0].name, "SKU-1");
    assert_eq!(invoice.lines[0].sku.as_deref(), Some("SKU-1"));
    assert_eq!(
        invoice.to_string(),
        "invoice ORD-2 (USD), priced at 2026-11-22T21:00:00Z\n  SKU-1 [SKU-1]: 1 × 10.00 = 10.00\n  subtotal 10.00\n  total 10.00 USD"
    );
}
