//! What `gen dev --demo` sends: the seed's sample orders, or a generated load, each sample
//! labelled with what must become of it.

/// What a sample is, and so what must become of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// A valid order: invoiced (with the total the discount table gives).
    Valid,
    /// Invalid as sent, repairable by the DLQ processor: repaired, requeued once, invoiced.
    Repairable,
    /// Not an order: parked with its reason.
    Poison,
}

/// One message of the workload.
#[derive(Debug, Clone)]
pub(super) struct Sample {
    pub(super) label: String,
    pub(super) body: String,
    pub(super) kind: Kind,
    /// A second copy of an order sent on purpose (at-least-once delivery, as a client retrying).
    pub(super) deliberate_duplicate: bool,
}

impl Sample {
    fn new(label: impl Into<String>, body: impl Into<String>, kind: Kind) -> Self {
        Self {
            label: label.into(),
            body: body.into(),
            kind,
            deliberate_duplicate: false,
        }
    }
}

/// What `--demo` sends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Workload {
    /// The seed's sample orders plus a duplicate, a repairable and three poison ones.
    Seed,
    /// `orders` generated orders, `poison_rate` of them invalid, `duplicate_rate` sent twice.
    Generated {
        orders: usize,
        poison_rate: f64,
        duplicate_rate: f64,
    },
}

impl Workload {
    pub(super) fn samples(self) -> Vec<Sample> {
        match self {
            Workload::Seed => seed(),
            Workload::Generated {
                orders,
                poison_rate,
                duplicate_rate,
            } => generated(orders, poison_rate, duplicate_rate),
        }
    }
}

/// The bodies of a generated load (see [`Workload::Generated`]).
pub fn generated_bodies(orders: usize, poison_rate: f64, duplicate_rate: f64) -> Vec<String> {
    generated(orders, poison_rate, duplicate_rate)
        .into_iter()
        .map(|sample| sample.body)
        .collect()
}

/// Deterministic load: the same arguments always give the same orders.
fn generated(orders: usize, poison_rate: f64, duplicate_rate: f64) -> Vec<Sample> {
    let mut rng = fastrand::Rng::with_seed(2026);
    let promos = ["SAVE10", "SAVE20", "FLAT5", "WELCOME15", "", "BOGUS"];
    let mut out = Vec::with_capacity(orders + orders / 8);
    for n in 0..orders {
        if rng.f64() < poison_rate {
            let body = match n % 3 {
                0 => format!("not an order #{n}"),
                1 => format!(
                    r#"{{"order_id": "LOAD-{n}", "items": [{{"name": "x", "price": -1, "quantity": 1}}]}}"#
                ),
                _ => format!(r#"{{"order_id": "LOAD-{n}", "items": []}}"#),
            };
            out.push(Sample::new(format!("poison #{n}"), body, Kind::Poison));
            continue;
        }
        let id = format!("LOAD-{n}");
        let price = format!("{}.{:02}", rng.u32(1..2_000), rng.u32(0..100));
        let body = format!(
            r#"{{"order_id": "{id}", "items": [{{"name": "Item {n}", "price": {price}, "quantity": {}}}], "promo_code": "{}"}}"#,
            rng.u32(1..5),
            promos[rng.usize(0..promos.len())]
        );
        if rng.f64() < duplicate_rate {
            out.push(Sample {
                deliberate_duplicate: true,
                ..Sample::new(format!("duplicate of {id}"), body.clone(), Kind::Valid)
            });
        }
        out.push(Sample::new(id, body, Kind::Valid));
    }
    out
}

fn seed() -> Vec<Sample> {
    let order = |id: &str, items: &str, promo: &str| {
        format!(r#"{{"order_id": "{id}", "items": [{items}], "promo_code": "{promo}"}}"#)
    };
    let laptop = order(
        "ORD-12345",
        r#"{"name": "Laptop", "price": 999.99, "quantity": 1}"#,
        "SAVE10",
    );
    vec![
        Sample::new("seed order, SAVE10", laptop.clone(), Kind::Valid),
        Sample::new(
            "fixed-amount promo",
            order(
                "ORD-12346",
                r#"{"sku": "MOUSE-1", "price": 24.50, "quantity": 3}"#,
                "FLAT5",
            ),
            Kind::Valid,
        ),
        Sample::new(
            "bulk tier",
            order(
                "ORD-12347",
                r#"{"name": "Monitor", "price": 349.00, "quantity": 4}"#,
                "",
            ),
            Kind::Valid,
        ),
        Sample::new(
            "unknown promo",
            order(
                "ORD-12348",
                r#"{"name": "Cable", "price": 9.99, "quantity": 2}"#,
                "BOGUS",
            ),
            Kind::Valid,
        ),
        Sample {
            deliberate_duplicate: true,
            ..Sample::new("duplicate send", laptop, Kind::Valid)
        },
        Sample::new(
            "repairable: price as text",
            r#"{"order_id": "ORD-12349", "items": [{"name": "Desk", "price": "199.00", "quantity": "1"}], "promo_code": "save10"}"#,
            Kind::Repairable,
        ),
        Sample::new("poison: not JSON", "this is not an order", Kind::Poison),
        Sample::new(
            "poison: negative price",
            order(
                "ORD-BAD-1",
                r#"{"name": "Refund", "price": -5, "quantity": 1}"#,
                "",
            ),
            Kind::Poison,
        ),
        Sample::new(
            "poison: no items",
            r#"{"order_id": "ORD-BAD-2", "items": []}"#,
            Kind::Poison,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each sample is what its kind says, by the runtime's own parser: a demo that sends a
    /// "valid" order the parser refuses would blame the pipeline for its own mistake.
    #[test]
    fn samples_are_what_they_claim() {
        let workloads = [
            Workload::Seed,
            Workload::Generated {
                orders: 300,
                poison_rate: 0.1,
                duplicate_rate: 0.1,
            },
        ];
        for workload in workloads {
            for sample in workload.samples() {
                let strict = runtime::order::parse(&sample.body);
                let repaired = runtime::order::repair(&sample.body);
                match sample.kind {
                    Kind::Valid => assert!(strict.is_ok(), "{}: {strict:?}", sample.label),
                    Kind::Repairable => {
                        assert!(strict.is_err(), "{}", sample.label);
                        assert!(repaired.is_ok(), "{}: {repaired:?}", sample.label);
                    }
                    Kind::Poison => assert!(repaired.is_err(), "{}", sample.label),
                }
            }
        }
    }

    #[test]
    fn generated_loads_are_deterministic() {
        assert_eq!(
            generated_bodies(50, 0.1, 0.1),
            generated_bodies(50, 0.1, 0.1)
        );
        let samples = generated(1_000, 0.05, 0.10);
        let duplicates = samples.iter().filter(|s| s.deliberate_duplicate).count();
        assert!((60..140).contains(&duplicates), "{duplicates}");
    }
}
