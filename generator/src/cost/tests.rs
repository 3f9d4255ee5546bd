//! The usage model and the estimate for the seed pipeline, each figure derived by hand.

use rust_decimal::Decimal;

use super::log_lines::LineSizes;
use super::usage::{self, Usage};
use super::{Assumptions, PriceTable, estimate};
use crate::config::{self, Pipeline};

fn seed() -> Pipeline {
    let bytes = include_bytes!("../../../pipeline.yaml");
    config::load("pipeline.yaml", bytes)
        .pipeline
        .expect("the root pipeline.yaml is valid")
}

/// The seed's usage with log lines of 400 bytes per record and 300 per invocation, round
/// figures to derive by hand (the runtime's own sizes are tested in `log_lines`).
fn seed_usage(orders: u64) -> Usage {
    let mut assumptions = Assumptions::at(orders);
    assumptions.log_line_sizes = Some(LineSizes {
        per_record: 400,
        per_invocation: 300,
    });
    usage::derive(&seed(), &assumptions)
}

fn d(value: i64) -> Decimal {
    Decimal::from(value)
}

/// The first line of `report` billing `item`.
#[track_caller]
fn line<'a>(report: &'a super::CostReport, item: &str) -> &'a super::report::CostLine {
    report
        .services
        .iter()
        .flat_map(|service| &service.lines)
        .find(|line| line.item == item)
        .unwrap_or_else(|| panic!("a line for {item}"))
}

#[track_caller]
fn close(actual: Decimal, expected: Decimal) {
    assert!(
        (actual - expected).abs() < Decimal::new(1, 2),
        "{actual} is not {expected}"
    );
}

/// Defaults: failure rate 0.01, half the dead letters repairable, 200 ms per batch (log lines of
/// 400 bytes a record + 300 an invocation, as `seed_usage` sets), 2048-byte objects, 5 pollers × 20 s long polls.
///
/// At 1,000,000 orders:
/// - `task`: 1% of the 1,000,000 fresh orders fail = 10,000; they go to `task-dlq`, whose
///   processor requeues half (5,000, repaired) to `task`: arrivals 1,005,000, all sent (the
///   client's 1,000,000 + 5,000 requeues); successes 1,005,000 − 10,000 = 995,000. Arrivals per
///   second 1,005,000 / 2,592,000 = 0.39, per 1 s window floor 0 → batches of 1. Receives
///   995,000 + 10,000 × 2 (`max_receive_count`) = 1,015,000; deletes 995,000.
/// - `task-dlq`: 10,000 redriven (not sends), all handled: 10,000 receives and deletes;
///   5,000 requeued, 5,000 parked.
/// - `notification`: one per `task` success, 995,000 fresh; 1% = 9,950 fail; successes
///   985,050; receives 985,050 + 9,950 × 3 = 1,014,900; deletes 985,050.
/// - `notification-dlq`: 9,950 redriven, no consumer: no requests.
/// - idle polling on each of the three consumed queues: 5 × 2,592,000 / 20 = 648,000.
/// - `results`: 995,000 invoices + 5,000 parked = 1,000,000 PUTs; stored 1,000,000 × 2048 ×
///   (365 d / 30 d) = 24,917,333,333.33 bytes.
/// - Lambda `task`: 1,015,000 invocations × 0.2 s × 0.25 GB = 50,750 GB-s; logs
///   1,015,000 × (400 + 300) = 710,500,000 bytes, stored × 14/30 = 331,566,666.67.
/// - `notification`: 1,014,900 × 0.05 = 50,745 GB-s; `dlq-processor`: 10,000 × 0.05 = 500.
#[test]
fn seed_usage_at_one_million_orders() {
    let usage = seed_usage(1_000_000);
    let task = &usage.queues["task"];
    assert_eq!(task.arrivals, d(1_005_000));
    assert_eq!(task.sends, d(1_005_000));
    assert_eq!(task.failures, d(10_000));
    assert_eq!(task.successes, d(995_000));
    assert_eq!(task.effective_batch, d(1));
    assert_eq!(task.receives, d(1_015_000));
    assert_eq!(task.deletes, d(995_000));
    assert_eq!(task.idle_receives, d(648_000));

    let dlq = &usage.queues["task-dlq"];
    assert_eq!((dlq.arrivals, dlq.sends), (d(10_000), d(0)));
    assert_eq!((dlq.receives, dlq.deletes), (d(10_000), d(10_000)));

    let notification = &usage.queues["notification"];
    assert_eq!(notification.sends, d(995_000));
    assert_eq!(notification.failures, d(9_950));
    assert_eq!(notification.receives, d(1_014_900));
    assert_eq!(notification.deletes, d(985_050));

    let parked = &usage.queues["notification-dlq"];
    assert_eq!((parked.arrivals, parked.requests()), (d(9_950), d(0)));

    let results = &usage.buckets["results"];
    assert_eq!(results.puts, d(1_000_000));
    close(results.bytes_stored, Decimal::new(2_491_733_333_333, 2));

    let task_fn = &usage.functions["task"];
    assert_eq!(task_fn.invocations, d(1_015_000));
    assert_eq!(task_fn.gb_seconds, d(50_750));
    assert_eq!(task_fn.log_bytes, d(710_500_000));
    close(task_fn.log_bytes_stored, Decimal::new(33_156_666_667, 2));
    assert_eq!(usage.functions["notification"].gb_seconds, d(50_745));
    assert_eq!(usage.functions["dlq-processor"].gb_seconds, d(500));
}

/// At 5,000,000 orders every flow is five times the 1M one: `task` gets 5,025,000 arrivals,
/// 5,025,000 / 2,592,000 = 1.94 a second, floor 1 → batches still of 1. So receives
/// 5 × 1,015,000 = 5,075,000, deletes 4,975,000; `notification` receives 5,074,500; `results`
/// 5,000,000 PUTs; `task` 253,750 GB-s. Idle polling stays 648,000 per queue.
#[test]
fn seed_usage_at_five_million_orders() {
    let usage = seed_usage(5_000_000);
    let task = &usage.queues["task"];
    assert_eq!(task.effective_batch, d(1));
    assert_eq!(task.receives, d(5_075_000));
    assert_eq!(task.deletes, d(4_975_000));
    assert_eq!(task.idle_receives, d(648_000));
    assert_eq!(usage.queues["notification"].receives, d(5_074_500));
    assert_eq!(usage.buckets["results"].puts, d(5_000_000));
    assert_eq!(usage.functions["task"].gb_seconds, d(253_750));
}

/// At 100,000,000 orders `task` gets 100,500,000 / 2,592,000 = 38.77 a second: batches fill to
/// `batch_size` 10, so 101,500,000 deliveries need 10,150,000 receives and invocations.
#[test]
fn batches_fill_at_high_volume() {
    let usage = seed_usage(100_000_000);
    let task = &usage.queues["task"];
    assert_eq!(task.effective_batch, d(10));
    assert_eq!(task.receives, d(10_150_000));
    assert_eq!(usage.functions["task"].invocations, d(10_150_000));
}

/// SQS at 1M: busy requests 3,015,000 (`task`) + 2,994,950 (`notification`) + 20,000
/// (`task-dlq`) = 6,029,950 and idle 3 × 648,000 = 1,944,000: 7,973,950 × $0.0000004 =
/// $3.18958 (lines rounded to 4 decimals: 1.2060 + 0.2592 + 1.1980 + 0.2592 + 0.0080 + 0.2592
/// = 3.1896). S3 PUTs 1,000,000 × $0.000005 = $5. Alarms 12 × $0.10 = $1.20; one KMS key $1.
#[test]
fn seed_cost_at_one_million_orders() {
    let report = estimate(
        &seed(),
        &Assumptions::at(1_000_000),
        &PriceTable::embedded(),
    )
    .expect("us-east-1 is priced");
    assert_eq!(report.service_usd("SQS"), Decimal::new(31_896, 4));
    assert_eq!(report.service_usd("KMS"), d(1));
    let s3 = report
        .services
        .iter()
        .find(|s| s.service == "S3")
        .expect("S3");
    assert_eq!(s3.lines[0].usd, d(5));
    let alarms = line(&report, "alarms");
    assert_eq!((alarms.quantity, alarms.usd), (d(12), Decimal::new(12, 1)));
    assert_eq!(
        report.total_usd,
        report.services.iter().map(|s| s.usd).sum::<Decimal>()
    );
}

/// Every line but the fixed ones (alarms, keys, idle polling) grows with volume: five times the
/// orders, five times the line (within the rounding of each line to 4 decimals).
#[test]
fn cost_is_linear_in_volume_apart_from_fixed_lines() {
    let table = PriceTable::embedded();
    let one = estimate(&seed(), &Assumptions::at(1_000_000), &table).expect("priced");
    let five = estimate(&seed(), &Assumptions::at(5_000_000), &table).expect("priced");
    let lines = |report: &super::CostReport| {
        report
            .services
            .iter()
            .flat_map(|s| s.lines.clone())
            .collect::<Vec<_>>()
    };
    let (one, five) = (lines(&one), lines(&five));
    assert_eq!(one.len(), five.len());
    for (small, large) in one.iter().zip(&five) {
        assert_eq!(
            (&small.resource, &small.item),
            (&large.resource, &large.item)
        );
        if small.fixed {
            assert_eq!(
                small.usd, large.usd,
                "{} {} is fixed",
                small.resource, small.item
            );
        } else {
            let gap = (large.usd - small.usd * d(5)).abs();
            assert!(
                gap <= Decimal::new(3, 4),
                "{} {}: {} vs 5 × {}",
                small.resource,
                small.item,
                large.usd,
                small.usd
            );
        }
    }
}

/// With the free tier the first 1,000,000 SQS requests, 1,000,000 Lambda requests and
/// 400,000 GB-seconds, 5 GB of logs and 10 alarms are free: at 1M orders Lambda's requests
/// (2,039,900) keep 1,039,900 billed, and its 101,995 GB-seconds are all free.
#[test]
fn free_tier_subtracts_each_allowance_once() {
    let mut assumptions = Assumptions::at(1_000_000);
    assumptions.free_tier = true;
    let report = estimate(&seed(), &assumptions, &PriceTable::embedded()).expect("priced");
    let lambda = report
        .services
        .iter()
        .find(|s| s.service == "Lambda")
        .expect("Lambda");
    let free: Decimal = lambda
        .lines
        .iter()
        .filter(|line| line.item == "requests")
        .map(|line| line.free_quantity)
        .sum();
    assert_eq!(free, d(1_000_000));
    // 1,039,900 billed requests × $0.0000002 = $0.20798.
    assert_eq!(lambda.usd, Decimal::new(2080, 4));
    let alarms = line(&report, "alarms");
    assert_eq!(
        alarms.usd,
        Decimal::new(2, 1),
        "12 alarms, 10 free: 2 × $0.10"
    );
}

/// `--region eu-central-1` at 1M orders, with the seed's log lines at 400 + 300 bytes: S3 PUTs
/// 1,000,000 × $0.0000054 = $5.40 (us-east-1: $5.00); `task`'s 710,500,000 log bytes are
/// 710,500,000 / 2^30 = 0.661704 GB × $0.63 = $0.41687 → $0.4169 (us-east-1: × $0.50 =
/// $0.3309). Lambda and SQS are priced alike in both regions.
#[test]
fn another_regions_prices() {
    let mut assumptions = Assumptions::at(1_000_000);
    assumptions.log_line_sizes = Some(LineSizes {
        per_record: 400,
        per_invocation: 300,
    });
    let table = PriceTable::embedded();
    let east = estimate(&seed(), &assumptions, &table).expect("us-east-1");
    assumptions.region = Some("eu-central-1".into());
    let frankfurt = estimate(&seed(), &assumptions, &table).expect("eu-central-1");
    assert_eq!(frankfurt.region, "eu-central-1");
    assert_eq!(line(&frankfurt, "PUT requests").usd, Decimal::new(54, 1));
    assert_eq!(line(&east, "PUT requests").usd, d(5));
    let ingestion = |report: &super::CostReport| {
        report
            .services
            .iter()
            .flat_map(|service| &service.lines)
            .find(|line| line.resource == "task" && line.item == "log ingestion")
            .expect("task's log ingestion")
            .usd
    };
    assert_eq!(ingestion(&frankfurt), Decimal::new(4169, 4));
    assert_eq!(ingestion(&east), Decimal::new(3309, 4));
    assert_eq!(frankfurt.service_usd("Lambda"), east.service_usd("Lambda"));
    assert_eq!(frankfurt.service_usd("SQS"), east.service_usd("SQS"));

    assumptions.region = Some("sa-east-1".into());
    let error = estimate(&seed(), &assumptions, &table).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no prices for region `sa-east-1`"),
        "{error}"
    );
}

/// `--measured`: `task` measured at a p50 of 14 ms with record lines of 342 bytes and 1,223
/// bytes per invocation; the other functions keep 200 ms and the runtime's sizes. At 1M orders
/// `task` has 1,015,000 invocations (see above): 1,015,000 × 0.014 s × 0.25 GB = 3,552.5
/// GB-s; logs 1,015,000 × 342 + 1,015,000 × 1,223 = 1,588,475,000 bytes.
#[test]
fn measured_durations_and_line_sizes() {
    use super::measured::{Measured, MeasuredFunction};
    let mut assumptions = Assumptions::at(1_000_000);
    assumptions.measured = Some(Measured {
        file: ".gen/measured.json".into(),
        recorded_at: "2026-11-30T13:13:17.121Z".into(),
        release: true,
        faults: false,
        functions: [(
            "task".to_owned(),
            MeasuredFunction {
                p50_ms: 14,
                invocations: 3,
                log: LineSizes {
                    per_record: 342,
                    per_invocation: 1_223,
                },
            },
        )]
        .into(),
    });
    let usage = usage::derive(&seed(), &assumptions);
    let task = &usage.functions["task"];
    assert!(task.measured);
    assert_eq!(task.gb_seconds, Decimal::new(35_525, 1));
    assert_eq!(task.log_bytes, d(1_588_475_000));
    let notification = &usage.functions["notification"];
    assert!(!notification.measured);
    // 1,014,900 invocations × 0.2 s × 0.25 GB, as without `--measured`.
    assert_eq!(notification.gb_seconds, d(50_745));
    let said = assumptions.statements().join("\n");
    assert!(
        said.contains("the median (p50) a `gen dev` run measured for each function (`task` 14 ms over 3 invocations; `.gen/measured.json` of 2026-11-30T13:13:17.121Z, optimised binaries"),
        "{said}"
    );
}

fn example(name: &str, bytes: &[u8]) -> Pipeline {
    config::load(&format!("examples/{name}/pipeline.yaml"), bytes)
        .pipeline
        .unwrap_or_else(|| panic!("examples/{name}/pipeline.yaml is valid"))
}

fn seed_002() -> Pipeline {
    example(
        "seed-002",
        include_bytes!("../../../examples/seed-002/pipeline.yaml"),
    )
}

fn seed_003() -> Pipeline {
    example(
        "seed-003",
        include_bytes!("../../../examples/seed-003/pipeline.yaml"),
    )
}

fn seed_001() -> Pipeline {
    example(
        "seed-001",
        include_bytes!("../../../examples/seed-001/pipeline.yaml"),
    )
}

/// The dollars of the first line of `resource` billing `item`.
#[track_caller]
fn usd(report: &super::CostReport, resource: &str, item: &str) -> Decimal {
    report
        .services
        .iter()
        .flat_map(|service| &service.lines)
        .find(|line| line.resource == resource && line.item == item)
        .unwrap_or_else(|| panic!("a line for {resource} {item}"))
        .usd
}

/// Seed 002 at 1,000,000 orders: orders enter at `POST /orders`, not at the queue.
/// - API `orders`: 1,000,000 requests of 1,024 bytes, one 512 KB increment each.
/// - `submit-order`: one invocation per request, 1,000,000 × 0.05 s × 0.25 GB = 12,500 GB-s.
/// - queue `orders`: 1,000,000 sent by `submit-order` (`enqueue`); 1% = 10,000 fail every
///   receive, 990,000 succeed; receives 990,000 + 10,000 × 3 = 1,020,000.
/// - table `orders`: 990,000 items; the order store with `email` writes 3 times an order
///   (put, claim, sent) = 2,970,000 writes of 700-byte items = 2,970,000 WRUs; storage
///   990,000 × (700 + 100) × 12 = 9,504,000,000 bytes.
/// - SES: 990,000 emails.
#[test]
fn seed_002_usage_enters_at_the_route() {
    let usage = usage::derive(&seed_002(), &Assumptions::at(1_000_000));
    let api = &usage.apis["orders"];
    assert_eq!(api.routes["POST /orders"], d(1_000_000));
    assert_eq!(api.metered, d(1_000_000));
    assert_eq!(api.log_bytes, d(263_000_000));
    let submit = &usage.functions["submit-order"];
    assert_eq!(
        (submit.invocations, submit.gb_seconds),
        (d(1_000_000), d(12_500))
    );
    let queue = &usage.queues["orders"];
    assert_eq!(queue.sends, d(1_000_000));
    assert_eq!(queue.successes, d(990_000));
    assert_eq!(queue.receives, d(1_020_000));
    let table = &usage.tables["orders"];
    assert_eq!(table.items, d(990_000));
    assert_eq!(table.writes, d(2_970_000));
    assert_eq!(table.write_units, d(2_970_000));
    assert_eq!(table.bytes_stored, d(9_504_000_000));
    assert_eq!(usage.emails, d(990_000));
}

/// Seed 002's new lines at 1,000,000 orders, us-east-1:
/// - API Gateway 1,000,000 × $0.000001 = $1.00;
/// - DynamoDB writes 2,970,000 × $0.000000625 = $1.85625 → $1.8563; storage
///   9,504,000,000 / 2^30 = 8.851253 GB × $0.25 = $2.2128; PITR × $0.20 = $1.7703;
/// - SES 990,000 × $0.0001 = $99.00.
///
/// Items of 3 KB take 3 write units a write: the writes line triples.
#[test]
fn seed_002_prices_api_table_and_email() {
    let table = PriceTable::embedded();
    let report = estimate(&seed_002(), &Assumptions::at(1_000_000), &table).expect("priced");
    assert_eq!(report.service_usd("API Gateway"), d(1));
    assert_eq!(
        usd(&report, "orders", "write request units"),
        Decimal::new(18_563, 4)
    );
    assert_eq!(usd(&report, "orders", "storage"), Decimal::new(22_128, 4));
    assert_eq!(
        usd(&report, "orders", "point-in-time recovery"),
        Decimal::new(17_703, 4)
    );
    assert_eq!(report.service_usd("SES"), d(99));

    let mut large = Assumptions::at(1_000_000);
    large.item_bytes = 3 * 1024;
    let report = estimate(&seed_002(), &large, &table).expect("priced");
    // 8,910,000 WRUs × $0.000000625 = $5.56875 → $5.5688.
    assert_eq!(
        usd(&report, "orders", "write request units"),
        Decimal::new(55_688, 4)
    );
}

/// Seed 001 stores without email: one write an order, 990,000 × $0.000000625 = $0.61875 →
/// $0.6188; no SES line; its dashboard is one fixed $3.00 line (three are free with
/// `--free-tier`, as are the table's first 25 GB).
#[test]
fn seed_001_writes_once_an_order_and_pays_its_dashboard() {
    let table = PriceTable::embedded();
    let report = estimate(&seed_001(), &Assumptions::at(1_000_000), &table).expect("priced");
    assert_eq!(
        usd(&report, "orders", "write request units"),
        Decimal::new(6_188, 4)
    );
    assert_eq!(report.service_usd("SES"), Decimal::ZERO);
    let dashboard = line(&report, "dashboard");
    assert!(dashboard.fixed);
    assert_eq!(dashboard.usd, d(3));

    let mut free = Assumptions::at(1_000_000);
    free.free_tier = true;
    let report = estimate(&seed_001(), &free, &table).expect("priced");
    assert_eq!(line(&report, "dashboard").usd, Decimal::ZERO);
    assert_eq!(usd(&report, "orders", "storage"), Decimal::ZERO);
}

/// A provisioned table pays its capacity all month, whatever the volume: 5 WCU × 720 h ×
/// $0.00065 = $2.34 and 10 RCU × 720 h × $0.00013 = $0.936; no request-unit line. At
/// 100,000,000 orders its 1 write an order is 38.58 WCU a second on average, more than the 5
/// provisioned, and the line says so.
#[test]
fn provisioned_tables_pay_capacity() {
    let text = String::from_utf8_lossy(include_bytes!("../../../examples/seed-001/pipeline.yaml"))
        .replace(
            "    partition_key: { name: order_id }",
            "    partition_key: { name: order_id }\n    read_capacity: 10\n    write_capacity: 5",
        );
    let pipeline = example("seed-001", text.as_bytes());
    let table = PriceTable::embedded();
    let report = estimate(&pipeline, &Assumptions::at(1_000_000), &table).expect("priced");
    let write = line(&report, "write capacity");
    assert!(write.fixed);
    assert_eq!(
        (write.quantity, write.usd),
        (d(3_600), Decimal::new(234, 2))
    );
    assert_eq!(line(&report, "read capacity").usd, Decimal::new(936, 3));
    assert!(
        report
            .services
            .iter()
            .flat_map(|service| &service.lines)
            .all(|line| line.item != "write request units")
    );
    assert!(
        !write.assumption.contains("throttled"),
        "{}",
        write.assumption
    );
    let busy = estimate(&pipeline, &Assumptions::at(100_000_000), &table).expect("priced");
    let write = line(&busy, "write capacity");
    assert!(
        write.assumption.contains("more than provisioned"),
        "{}",
        write.assumption
    );
}

/// Seed 003 at 1,000,000 orders: `submit-order` publishes 1,000,000 events to `orders`, one
/// billed event each (1536 bytes < 64 KB) = $1.00. All four rules are taken to match every
/// event, so each target queue gets 1,000,000 sends; none is an entry queue. `events-dlq` (the
/// targets' dead-letter queue) and `consumers-dlq` get nothing sent: no orders enter there.
/// `consumers-dlq` receives SQS's redrives only (4 × 10,000 failures), which are not requests.
#[test]
fn seed_003_publishes_once_and_fans_out_to_every_rule() {
    let usage = usage::derive(&seed_003(), &Assumptions::at(1_000_000));
    let bus = &usage.buses["orders"];
    assert_eq!((bus.events, bus.metered), (d(1_000_000), d(1_000_000)));
    for queue in ["inventory", "analytics", "high-value", "priority"] {
        assert_eq!(usage.queues[queue].sends, d(1_000_000), "{queue}");
        assert_eq!(usage.queues[queue].successes, d(990_000), "{queue}");
    }
    assert!(!usage.queues.contains_key("events-dlq"));
    let dlq = &usage.queues["consumers-dlq"];
    assert_eq!((dlq.arrivals, dlq.sends), (d(40_000), Decimal::ZERO));

    let report = estimate(
        &seed_003(),
        &Assumptions::at(1_000_000),
        &PriceTable::embedded(),
    )
    .expect("priced");
    assert_eq!(report.service_usd("EventBridge"), d(1));
    assert!(
        line(&report, "custom events")
            .assumption
            .starts_with("1000000 events published by `submit-order`"),
        "{}",
        line(&report, "custom events").assumption
    );

    // A 100 KB event is two 64 KB chunks: twice the bill.
    let mut large = Assumptions::at(1_000_000);
    large.event_bytes = 100 * 1024;
    let report = estimate(&seed_003(), &large, &PriceTable::embedded()).expect("priced");
    assert_eq!(report.service_usd("EventBridge"), d(2));
}

/// The reports of the API examples, every line and assumption, as `gen cost` prints them.
#[test]
fn api_example_reports() {
    let table = PriceTable::embedded();
    for (name, pipeline) in [
        ("seed-001", seed_001()),
        ("seed-002", seed_002()),
        ("seed-003", seed_003()),
    ] {
        let report = estimate(&pipeline, &Assumptions::at(1_000_000), &table).expect("priced");
        insta::assert_snapshot!(format!("cost_{name}"), report.to_string());
    }
}
