//! Matching throughput: a typical `OrderPlaced` envelope against 300 rules (EventBridge's
//! default quota of rules per bus), and against one typical rule.

use std::hint::black_box;
use std::time::{Duration, Instant};

use patterns::Pattern;
use serde_json::{Value, json};

const RULES: usize = 300;

fn rule(index: usize) -> Pattern {
    let pattern = match index % 6 {
        0 => {
            json!({"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">=", index * 10]}]}})
        }
        1 => json!({"source": [format!("shop.service-{index}")]}),
        2 => {
            json!({"detail": {"customer": {"country": [{"anything-but": ["US", "CA"]}]}, "channel": [{"prefix": format!("web-{index}")}]}})
        }
        3 => json!({"detail": {"items": {"sku": [{"wildcard": format!("SKU-{index}-*")}]}}}),
        4 => json!({"detail-type": ["OrderPlaced"], "detail": {"$or": [
            {"total": [{"numeric": [">", 500, "<=", 5000]}]},
            {"coupon": [{"exists": true}]}
        ]}}),
        _ => {
            json!({"detail": {"customer": {"email": [{"suffix": {"equals-ignore-case": format!("@example-{index}.com")}}]}}})
        }
    };
    Pattern::parse(&pattern).expect("the bench's rules are valid")
}

fn event() -> Value {
    json!({
        "version": "0",
        "id": "0d4b2c1e-8f6a-4f7e-9b1a-3c2d5e6f7a8b",
        "detail-type": "OrderPlaced",
        "source": "shop.orders",
        "account": "123456789012",
        "time": "2026-11-30T12:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {
            "order_id": "01JDZ8K3M4N5P6Q7R8S9T0V1W2",
            "received_at": "2026-11-30T12:00:00Z",
            "total": 1250.5,
            "currency": "EUR",
            "channel": "web-checkout",
            "customer": {"id": "c-42", "country": "DE", "email": "ada@example.com"},
            "items": [
                {"sku": "SKU-3-blue", "quantity": 2, "price": 400},
                {"sku": "SKU-9-red", "quantity": 1, "price": 450.5}
            ]
        }
    })
}

fn rate(label: &str, work: impl Fn() -> usize) {
    // Warm up, then run for about a second.
    for _ in 0..1_000 {
        black_box(work());
    }
    let started = Instant::now();
    let mut iterations = 0u64;
    let mut matched = 0usize;
    while started.elapsed() < Duration::from_secs(1) {
        for _ in 0..100 {
            matched += black_box(work());
        }
        iterations += 100;
    }
    let seconds = started.elapsed().as_secs_f64();
    #[expect(clippy::cast_precision_loss, reason = "an iteration count, printed")]
    let per_second = iterations as f64 / seconds;
    println!("{label}: {per_second:.0}/s ({matched} matches over {iterations} runs)");
}

fn main() {
    let rules: Vec<Pattern> = (0..RULES).map(rule).collect();
    let event = event();
    let typical = rule(0);
    rate("one typical rule (detail-type + numeric), matches", || {
        usize::from(typical.matches(black_box(&event)))
    });
    rate(&format!("events against {RULES} rules"), || {
        rules
            .iter()
            .filter(|rule| rule.matches(black_box(&event)))
            .count()
    });
}
