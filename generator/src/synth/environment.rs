//! The environment of each function: the runtime's configuration, and its size against
//! Lambda's 4 KB limit.

use std::collections::BTreeMap;

use runtime::config::vars;
use runtime::order::{BulkTier, DiscountTable, Money, Percent, Promo, PromoKind};

use super::SynthError;
use super::buckets::bucket_id;
use super::queues::queue_id;
use super::tables::table_id;
use super::template::Expr;
use crate::config::Pipeline;
use crate::config::model::{Discounts, HandlerKind};
use crate::config::naming::{Service, longest_physical_name};
use crate::config::pipeline::Function;

/// Lambda's limit on the total size of a function's environment variables.
pub const MAX_ENVIRONMENT_BYTES: usize = 4096;

/// The CloudWatch namespace of the EMF metrics the runtime emits (alarms read it too).
pub(super) fn metrics_namespace(pipeline: &Pipeline) -> String {
    format!("OrderPipeline/{}", pipeline.name)
}

/// The variables of `function`.
pub(super) fn variables(
    pipeline: &Pipeline,
    function: &Function,
) -> Result<BTreeMap<String, Expr>, SynthError> {
    let mut variables: BTreeMap<String, Expr> = BTreeMap::from([(
        vars::METRICS_NAMESPACE.to_owned(),
        Expr::str(metrics_namespace(pipeline)),
    )]);
    let mut estimated = trigger_variables(pipeline, function, &mut variables);
    if let Some(table) = &function.writes.table {
        variables.insert(
            vars::TABLE_NAME.to_owned(),
            Expr::reference(table_id(table)),
        );
        estimated += longest_physical_name(&pipeline.name, table, Service::Table).len();
        variables.insert(
            vars::TABLE_PARTITION_KEY.to_owned(),
            Expr::str(pipeline.tables[table].partition_key.name.clone()),
        );
    }
    if function.writes.email
        && let Some(email) = &pipeline.email
    {
        variables.insert(
            vars::EMAIL_SENDER.to_owned(),
            Expr::str(email.sender.clone()),
        );
        if let Some(set) = &email.configuration_set {
            variables.insert(
                vars::EMAIL_CONFIGURATION_SET.to_owned(),
                Expr::str(set.clone()),
            );
        }
    }
    if let Some(bucket) = &function.writes.bucket {
        variables.insert(
            vars::BUCKET_NAME.to_owned(),
            Expr::reference(bucket_id(bucket)),
        );
        estimated += longest_physical_name(&pipeline.name, bucket, Service::Bucket).len();
    }
    for (name, target) in [
        (vars::NOTIFY_QUEUE_URL, &function.writes.notify),
        (vars::REQUEUE_QUEUE_URL, &function.writes.requeue),
        (vars::ENQUEUE_QUEUE_URL, &function.writes.enqueue),
    ] {
        if let Some(queue) = target {
            variables.insert(name.to_owned(), Expr::reference(queue_id(queue)));
            estimated += queue_url_bytes(pipeline, queue);
        }
    }
    estimated += event_variables(pipeline, function, &mut variables);
    let mut table_bytes = 0;
    if function.handler == HandlerKind::OrderProcessor {
        let table =
            discount_table(pipeline.discounts.as_ref()).map_err(SynthError::DiscountTable)?;
        let json = serde_json::to_string(&table).expect("a discount table is plain data");
        table_bytes = json.len();
        variables.insert(vars::DISCOUNT_TABLE.to_owned(), Expr::Str(json));
    }
    if let Some(requeue) = &function.requeue {
        variables.insert(
            vars::REQUEUE_MAX_ATTEMPTS.to_owned(),
            Expr::str(requeue.max_attempts.to_string()),
        );
        variables.insert(
            vars::REQUEUE_DELAY_SECONDS.to_owned(),
            Expr::str(requeue.delay.as_secs().to_string()),
        );
    }
    let literal: usize = variables
        .iter()
        .map(|(key, value)| {
            key.len()
                + if let Expr::Str(text) = value {
                    text.len()
                } else {
                    0
                }
        })
        .sum();
    let bytes = literal + estimated;
    if bytes > MAX_ENVIRONMENT_BYTES {
        return Err(SynthError::Environment {
            function: function.name.clone(),
            bytes,
            table_bytes,
        });
    }
    Ok(variables)
}

/// `BATCH_CONCURRENCY` and `TRIGGER_FIFO` of a queue-triggered function (route-triggered ones
/// take one request per invocation: no batch, no FIFO), and `TRIGGER_QUEUE_URL` when its queue
/// has a dead-letter queue (the runtime sends invalid records on to it at once); returns the most
/// bytes the queue's URL, resolved at deploy time, can take.
fn trigger_variables(
    pipeline: &Pipeline,
    function: &Function,
    variables: &mut BTreeMap<String, Expr>,
) -> usize {
    let Some(trigger) = function.trigger.queue() else {
        return 0;
    };
    let queue = &pipeline.queues[&trigger.queue];
    variables.insert(
        vars::BATCH_CONCURRENCY.to_owned(),
        Expr::str(trigger.batch_size.min(100).to_string()),
    );
    variables.insert(
        vars::TRIGGER_FIFO.to_owned(),
        Expr::str(queue.fifo.to_string()),
    );
    if queue.redrive.is_none() {
        return 0;
    }
    variables.insert(
        vars::TRIGGER_QUEUE_URL.to_owned(),
        Expr::reference(queue_id(&trigger.queue)),
    );
    queue_url_bytes(pipeline, &trigger.queue)
}

/// The most bytes the URL of `queue` can take once deployed:
/// `https://sqs.<region>.amazonaws.com/<account>/<name>`.
fn queue_url_bytes(pipeline: &Pipeline, queue: &str) -> usize {
    let fifo = pipeline.queues[queue].fifo;
    "https://sqs..amazonaws.com/123456789012/".len()
        + pipeline.region.len()
        + longest_physical_name(&pipeline.name, queue, Service::Queue { fifo }).len()
}

/// `EVENT_BUS_NAME` and `EVENT_SOURCE` of a function that publishes (`writes.events`); returns
/// the most bytes the bus name, resolved at deploy time, can take.
fn event_variables(
    pipeline: &Pipeline,
    function: &Function,
    variables: &mut BTreeMap<String, Expr>,
) -> usize {
    let Some(bus) = &function.writes.events else {
        return 0;
    };
    variables.insert(
        vars::EVENT_BUS_NAME.to_owned(),
        Expr::reference(super::buses::bus_id(bus)),
    );
    variables.insert(
        vars::EVENT_SOURCE.to_owned(),
        Expr::str(event_source(pipeline, function)),
    );
    // `<stack>-<bus>`: the longest stack name, a hyphen, the bus.
    longest_physical_name(&pipeline.name, "", Service::Stack).len() + 1 + bus.len()
}

/// The `source` of the events `function` publishes: `<pipeline>.<function>`.
pub fn event_source(pipeline: &Pipeline, function: &Function) -> String {
    format!("{}.{}", pipeline.name, function.name)
}

/// The runtime's discount table from pipeline.yaml's (an empty USD table when there is none).
pub fn discount_table(discounts: Option<&Discounts>) -> Result<DiscountTable, String> {
    let Some(discounts) = discounts else {
        return DiscountTable::new("USD", [], []).map_err(|error| error.to_string());
    };
    let money =
        |amount: rust_decimal::Decimal| Money::new(amount).map_err(|error| error.to_string());
    let percent =
        |value: rust_decimal::Decimal| Percent::new(value).map_err(|error| error.to_string());
    let mut promos = Vec::new();
    for (code, promo) in &discounts.promo_codes {
        let kind = match (promo.percent, promo.amount) {
            (Some(value), None) => PromoKind::Percent(percent(value.0)?),
            (None, Some(amount)) => PromoKind::Amount(money(amount.0)?),
            _ => {
                return Err(format!(
                    "promo `{code}` needs exactly one of `percent` or `amount`"
                ));
            }
        };
        let min_subtotal = promo
            .min_subtotal
            .map(|amount| money(amount.0))
            .transpose()?;
        promos.push((code.clone(), Promo { kind, min_subtotal }));
    }
    let mut tiers = Vec::new();
    for tier in &discounts.bulk_tiers {
        tiers.push(BulkTier {
            min_subtotal: money(tier.min_subtotal.0)?,
            percent: percent(tier.percent.0)?,
        });
    }
    DiscountTable::new(discounts.currency.clone(), promos, tiers).map_err(|error| error.to_string())
}
