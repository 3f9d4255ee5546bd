//! Usage × prices: the report's lines, grouped per service, with the free tier applied when
//! asked.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};

use super::assumptions::{Assumptions, BYTES_PER_GB, SECONDS_PER_MONTH};
use super::prices::{PriceError, PriceTable, RegionPrices, lookup};
use super::report::{CostLine, CostReport, SCHEMA_VERSION, ServiceCost};
use super::usage::{self, DYNAMODB_ITEM_OVERHEAD_BYTES, MONTHS_WITHOUT_EXPIRY, Usage};
use crate::config::Pipeline;
use crate::config::model::Architecture;
use crate::synth::{SynthError, SynthOptions, synthesize};

/// Why there is no estimate.
#[derive(Debug, thiserror::Error)]
pub enum CostError {
    #[error(transparent)]
    Price(#[from] PriceError),
    #[error("cannot synthesize the template whose alarms and keys are counted: {0}")]
    Synth(#[from] SynthError),
}

/// Resources the template holds that cost by the month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FixedResources {
    pub alarms: u64,
    pub dashboards: u64,
    pub kms_keys: u64,
}

impl FixedResources {
    /// Counts them in the template `gen synth` writes for `pipeline`.
    pub fn of(pipeline: &Pipeline) -> Result<Self, SynthError> {
        let template = synthesize(pipeline, &SynthOptions::default())?;
        let count = |kind: &str| {
            template
                .resources
                .values()
                .filter(|resource| resource.kind == kind)
                .count() as u64
        };
        Ok(Self {
            alarms: count("AWS::CloudWatch::Alarm"),
            dashboards: count("AWS::CloudWatch::Dashboard"),
            kms_keys: count("AWS::KMS::Key"),
        })
    }
}

/// The monthly cost of `pipeline` under `assumptions` at `table`'s prices.
pub fn estimate(
    pipeline: &Pipeline,
    assumptions: &Assumptions,
    table: &PriceTable,
) -> Result<CostReport, CostError> {
    let fixed = FixedResources::of(pipeline)?;
    let usage = usage::derive(pipeline, assumptions);
    let region = assumptions.region.as_deref().unwrap_or(&pipeline.region);
    let prices = table.region(region)?;
    let mut lines = Lines {
        prices,
        region,
        by_service: BTreeMap::new(),
    };
    api_gateway(&mut lines, &usage, assumptions)?;
    sqs(&mut lines, &usage)?;
    lambda(&mut lines, pipeline, &usage)?;
    s3(&mut lines, &usage)?;
    dynamodb(&mut lines, pipeline, &usage, assumptions)?;
    ses(&mut lines, pipeline, &usage)?;
    eventbridge(&mut lines, pipeline, &usage, assumptions)?;
    cloudwatch(&mut lines, &usage, fixed)?;
    lines.counted(
        "KMS",
        "customer managed key",
        fixed.kms_keys,
        "kms_key_month",
        "key(s) in the template (the alarm topic's encryption key, one per stage)",
    )?;
    let mut services: Vec<ServiceCost> = lines
        .by_service
        .into_iter()
        .map(|(service, lines)| ServiceCost {
            service: service.to_owned(),
            usd: lines.iter().map(|line| line.usd).sum(),
            lines,
        })
        .collect();
    if assumptions.free_tier {
        apply_free_tier(&mut services, prices);
    }
    Ok(CostReport {
        schema_version: SCHEMA_VERSION,
        pipeline: pipeline.name.clone(),
        region: region.to_owned(),
        orders_per_month: assumptions.orders_per_month,
        total_usd: services.iter().map(|service| service.usd).sum(),
        services,
        assumptions: assumptions.statements(),
        prices_date: table.date.clone(),
        free_tier: assumptions.free_tier,
    })
}

/// Lines being collected, per service in name order.
struct Lines<'a> {
    prices: &'a RegionPrices,
    region: &'a str,
    by_service: BTreeMap<&'static str, Vec<CostLine>>,
}

impl Lines<'_> {
    #[expect(
        clippy::too_many_arguments,
        reason = "one call per line reads as the table it builds"
    )]
    fn add(
        &mut self,
        service: &'static str,
        resource: &str,
        item: &str,
        quantity: Decimal,
        price_key: &str,
        fixed: bool,
        assumption: String,
    ) -> Result<(), PriceError> {
        let price = lookup(self.prices, self.region, price_key)?;
        let usd = money(quantity * price.usd);
        let quantity = quantity.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
        self.by_service.entry(service).or_default().push(CostLine {
            resource: resource.to_owned(),
            item: item.to_owned(),
            quantity,
            unit: price.unit.clone(),
            free_quantity: Decimal::ZERO,
            unit_usd: price.usd,
            usd,
            price: price_key.to_owned(),
            fixed,
            assumption,
        });
        Ok(())
    }
}

impl Lines<'_> {
    /// A fixed line for `count` resources of the template, none when there are none.
    fn counted(
        &mut self,
        service: &'static str,
        item: &str,
        count: u64,
        price_key: &str,
        what: &str,
    ) -> Result<(), PriceError> {
        if count == 0 {
            return Ok(());
        }
        self.add(
            service,
            "pipeline",
            item,
            Decimal::from(count),
            price_key,
            true,
            format!("{count} {what}"),
        )
    }
}

/// Dollars rounded to 4 decimals, half away from zero.
fn money(usd: Decimal) -> Decimal {
    usd.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

fn gigabytes(bytes: Decimal) -> Decimal {
    bytes / Decimal::from(BYTES_PER_GB)
}

fn api_gateway(
    lines: &mut Lines<'_>,
    usage: &Usage,
    assumptions: &Assumptions,
) -> Result<(), PriceError> {
    for (name, api) in &usage.apis {
        let routes = api
            .routes
            .iter()
            .map(|(route, requests)| format!("`{route}` {}", round(*requests)))
            .collect::<Vec<_>>()
            .join(", ");
        lines.add(
            "API Gateway",
            name,
            "HTTP API requests",
            api.metered,
            "apigateway_http_request",
            false,
            format!(
                "one request per order on each route ({routes}), {} bytes each: one 512 KB metering increment per request",
                assumptions.request_bytes
            ),
        )?;
    }
    Ok(())
}

/// Hours in the 30-day month.
const HOURS_PER_MONTH: u64 = SECONDS_PER_MONTH / 3600;

fn dynamodb(
    lines: &mut Lines<'_>,
    pipeline: &Pipeline,
    usage: &Usage,
    assumptions: &Assumptions,
) -> Result<(), PriceError> {
    for (name, table) in &usage.tables {
        let Some(config) = pipeline.tables.get(name) else {
            continue;
        };
        let writers = pipeline
            .functions
            .values()
            .filter(|function| function.writes.table.as_deref() == Some(name.as_str()))
            .map(|function| format!("`{}`", function.name))
            .collect::<Vec<_>>()
            .join(", ");
        let writes_said = format!(
            "{} writes of {} items ({}) by {}: {} bytes an item, {} write unit(s) a write",
            round(table.writes),
            round(table.items),
            if table.items.is_zero() {
                "none".to_owned()
            } else {
                format!("{} a new item", round(table.writes / table.items))
            },
            if writers.is_empty() {
                "no function"
            } else {
                &writers
            },
            assumptions.item_bytes,
            assumptions.item_bytes.div_ceil(1024).max(1)
        );
        match config.capacity {
            None => {
                lines.add(
                    "DynamoDB",
                    name,
                    "write request units",
                    table.write_units,
                    "dynamodb_write_request_unit",
                    false,
                    format!("on-demand: {writes_said}"),
                )?;
            }
            Some(capacity) => {
                let hours = Decimal::from(HOURS_PER_MONTH);
                let needed = table.write_units / Decimal::from(SECONDS_PER_MONTH);
                lines.add(
                    "DynamoDB",
                    name,
                    "write capacity",
                    Decimal::from(capacity.write) * hours,
                    "dynamodb_write_capacity_unit_hour",
                    true,
                    format!(
                        "provisioned {} WCU × {HOURS_PER_MONTH} h; {writes_said}, on average {} WCU a second{}",
                        capacity.write,
                        round(needed),
                        if needed > Decimal::from(capacity.write) {
                            " — more than provisioned: writes are throttled"
                        } else {
                            ""
                        }
                    ),
                )?;
                lines.add(
                    "DynamoDB",
                    name,
                    "read capacity",
                    Decimal::from(capacity.read) * hours,
                    "dynamodb_read_capacity_unit_hour",
                    true,
                    format!("provisioned {} RCU × {HOURS_PER_MONTH} h", capacity.read),
                )?;
            }
        }
        let stored = gigabytes(table.bytes_stored);
        lines.add(
            "DynamoDB",
            name,
            "storage",
            stored,
            "dynamodb_storage_gb_month",
            false,
            format!(
                "{MONTHS_WITHOUT_EXPIRY} months of items, {} bytes each with 100 bytes of overhead",
                assumptions.item_bytes + DYNAMODB_ITEM_OVERHEAD_BYTES
            ),
        )?;
        if config.point_in_time_recovery {
            lines.add(
                "DynamoDB",
                name,
                "point-in-time recovery",
                stored,
                "dynamodb_pitr_gb_month",
                false,
                "continuous backups, billed on the table's size".to_owned(),
            )?;
        }
    }
    Ok(())
}

fn eventbridge(
    lines: &mut Lines<'_>,
    pipeline: &Pipeline,
    usage: &Usage,
    assumptions: &Assumptions,
) -> Result<(), PriceError> {
    for (name, bus) in &usage.buses {
        let publishers = pipeline
            .functions
            .values()
            .filter(|function| function.writes.events.as_deref() == Some(name.as_str()))
            .map(|function| format!("`{}`", function.name))
            .collect::<Vec<_>>()
            .join(", ");
        lines.add(
            "EventBridge",
            name,
            "custom events",
            bus.metered,
            "eventbridge_event",
            false,
            format!(
                "{} events published by {}, {} bytes each: {} billed event(s) per event (64 KB chunks); rule matches and deliveries to the pipeline's queues are free",
                bus.events.normalize(),
                if publishers.is_empty() {
                    "no function"
                } else {
                    &publishers
                },
                assumptions.event_bytes,
                assumptions
                    .event_bytes
                    .div_ceil(usage::EVENTBRIDGE_METERING_BYTES)
                    .max(1)
            ),
        )?;
    }
    Ok(())
}

fn ses(lines: &mut Lines<'_>, pipeline: &Pipeline, usage: &Usage) -> Result<(), PriceError> {
    let Some(email) = &pipeline.email else {
        return Ok(());
    };
    let senders = pipeline
        .functions
        .values()
        .filter(|function| function.writes.email)
        .map(|function| format!("`{}`", function.name))
        .collect::<Vec<_>>()
        .join(", ");
    lines.add(
        "SES",
        &email.sender,
        "outbound email",
        usage.emails,
        "ses_email",
        false,
        format!(
            "one confirmation per order handled by {}",
            if senders.is_empty() {
                "no function"
            } else {
                &senders
            }
        ),
    )
}

fn sqs(lines: &mut Lines<'_>, usage: &Usage) -> Result<(), PriceError> {
    for (name, queue) in &usage.queues {
        let busy = queue.sends + queue.receives + queue.deletes;
        if !busy.is_zero() {
            lines.add("SQS", name, "requests", busy, "sqs_request", false, format!(
                "{} sends + {} receives + {} deletes: {} messages, {} failing every receive, batches of {}",
                round(queue.sends), round(queue.receives), round(queue.deletes),
                round(queue.arrivals), round(queue.failures), queue.effective_batch.normalize()
            ))?;
        }
        if !queue.idle_receives.is_zero() {
            lines.add(
                "SQS",
                name,
                "idle polling",
                queue.idle_receives,
                "sqs_request",
                true,
                "empty long polls of the event source mapping".to_owned(),
            )?;
        }
    }
    Ok(())
}

fn lambda(lines: &mut Lines<'_>, pipeline: &Pipeline, usage: &Usage) -> Result<(), PriceError> {
    for (name, function) in &usage.functions {
        let Some(config) = pipeline.functions.get(name) else {
            continue;
        };
        let (key, architecture) = match config.architecture {
            Architecture::Arm64 => ("lambda_gb_second_arm64", "arm64"),
            Architecture::X86_64 => ("lambda_gb_second_x86_64", "x86_64"),
        };
        lines.add(
            "Lambda",
            name,
            "requests",
            function.invocations,
            "lambda_request",
            false,
            if config.trigger.route().is_some() {
                format!(
                    "one invocation per API request: {} requests",
                    round(function.records)
                )
            } else {
                format!(
                    "one invocation per batch: {} records",
                    round(function.records)
                )
            },
        )?;
        lines.add(
            "Lambda",
            name,
            "duration",
            function.gb_seconds,
            key,
            false,
            format!(
                "{} invocations × {} ms{} × {} MB, {architecture}",
                round(function.invocations),
                function.batch_ms,
                if function.measured {
                    " (p50 measured by `gen dev`)"
                } else {
                    ""
                },
                config.memory_mb
            ),
        )?;
    }
    Ok(())
}

fn s3(lines: &mut Lines<'_>, usage: &Usage) -> Result<(), PriceError> {
    for (name, bucket) in &usage.buckets {
        lines.add(
            "S3",
            name,
            "PUT requests",
            bucket.puts,
            "s3_put_request",
            false,
            "one PUT per invoice and per parked dead letter".to_owned(),
        )?;
        lines.add(
            "S3",
            name,
            "storage",
            gigabytes(bucket.bytes_stored),
            "s3_storage_gb_month",
            false,
            "steady state of a month's objects kept until `expire_after`".to_owned(),
        )?;
    }
    Ok(())
}

fn cloudwatch(
    lines: &mut Lines<'_>,
    usage: &Usage,
    fixed: FixedResources,
) -> Result<(), PriceError> {
    for (name, function) in &usage.functions {
        if function.log_bytes.is_zero() {
            continue;
        }
        lines.add(
            "CloudWatch",
            name,
            "log ingestion",
            gigabytes(function.log_bytes),
            "logs_ingestion_gb",
            false,
            format!(
                "{} record lines of {} bytes and {} invocations' {} bytes (batch summary, EMF, START/END/REPORT){}",
                round(function.records),
                function.log_sizes.per_record,
                round(function.invocations),
                function.log_sizes.per_invocation,
                if function.measured {
                    ", as the `gen dev` run wrote them"
                } else {
                    ""
                }
            ),
        )?;
        lines.add(
            "CloudWatch",
            name,
            "log storage",
            gigabytes(function.log_bytes_stored),
            "logs_storage_gb_month",
            false,
            "a month's logs held for the log group's retention".to_owned(),
        )?;
    }
    for (name, api) in &usage.apis {
        if api.log_bytes.is_zero() {
            continue;
        }
        lines.add(
            "CloudWatch",
            name,
            "access log ingestion",
            gigabytes(api.log_bytes),
            "logs_ingestion_gb",
            false,
            format!(
                "{} requests' access log lines of {} bytes (the stage's JSON format for a `202`)",
                round(api.requests()),
                api.log_line_bytes
            ),
        )?;
        lines.add(
            "CloudWatch",
            name,
            "access log storage",
            gigabytes(api.log_bytes_stored),
            "logs_storage_gb_month",
            false,
            "a month's access logs held for the API log group's retention".to_owned(),
        )?;
    }
    lines.counted(
        "CloudWatch",
        "alarms",
        fixed.alarms,
        "alarm_month",
        "alarms in the template",
    )?;
    lines.counted(
        "CloudWatch",
        "dashboard",
        fixed.dashboards,
        "dashboard_month",
        "dashboard(s) in the template",
    )?;
    Ok(())
}

fn round(value: Decimal) -> Decimal {
    value
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

/// Subtracts each price's monthly free allowance once, from its lines in report order.
fn apply_free_tier(services: &mut [ServiceCost], prices: &RegionPrices) {
    let mut remaining: BTreeMap<String, Decimal> = BTreeMap::new();
    for service in services.iter_mut() {
        for line in &mut service.lines {
            let key = line.price.as_str();
            let Some(price) = prices.get(key) else {
                continue;
            };
            // The two Lambda duration prices share one allowance of GB-seconds.
            let pool = if key.starts_with("lambda_gb_second") {
                "lambda_gb_second"
            } else {
                key
            };
            let free = remaining
                .entry(pool.to_owned())
                .or_insert(price.free_per_month);
            let covered = line.quantity.min(*free);
            *free -= covered;
            line.free_quantity = covered;
            line.usd = money((line.quantity - covered) * line.unit_usd);
        }
        service.usd = service.lines.iter().map(|line| line.usd).sum();
    }
}
