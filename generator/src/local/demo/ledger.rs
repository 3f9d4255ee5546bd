//! The demo's ledger: what became of every sample, checked against what must become of it.
//!
//! Without faults the rules are exact: every valid order invoiced once with the total its
//! discount table gives, the repairable ones requeued once and invoiced, every poison message
//! parked with its reason, no valid order parked, and one notification per invoiced order plus
//! one per deliberate duplicate. Under injected faults a valid order may end parked (with its
//! reason) and repeats may grow, but only by what the faults explain: the records the order
//! processor was handed again, and the DLQ processor's requeues.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use runtime::handlers::{DEAD_LETTER_PREFIX, ParkedMessage};
use runtime::order::{DiscountTable, Invoice, Money, price, repair};
use serde::Serialize;

use super::samples::{Kind, Sample};

/// Everything the demo saw once the pipeline was idle (or the wait timed out).
#[derive(Debug)]
pub(super) struct Observed {
    pub(super) samples: Vec<Sample>,
    /// Messages the pipeline refused at the front door (send errors).
    pub(super) send_failures: usize,
    /// Invoices in the bucket, by order id.
    pub(super) invoices: BTreeMap<String, Invoice>,
    pub(super) parked: Vec<ParkedMessage>,
    /// Dead letters the DLQ processor sent back (repaired, or valid after a transient failure).
    pub(super) requeued: u64,
    /// `None` when no function of the pipeline handles notifications.
    pub(super) notifications: Option<Notifications>,
    /// Records the order processor was handed more than once.
    pub(super) processor_redeliveries: u64,
    /// Whether faults were injected.
    pub(super) faults: bool,
    /// Messages still in a queue when the wait ended.
    pub(super) in_flight: u64,
    /// Messages in dead-letter queues no function reads (an end, with their alarm).
    pub(super) dead_lettered: u64,
    pub(super) drained_in: Duration,
}

/// What the notification function saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Notifications {
    /// Distinct idempotency keys handled.
    pub(super) distinct: u64,
    /// Notifications handled for a key already handled.
    pub(super) repeats: u64,
}

/// The outcome of a demo run (`--output json` prints it as is).
#[derive(Debug, Clone, Serialize)]
pub struct Ledger {
    /// Messages sent, deliberate duplicates included.
    pub sent: usize,
    /// Messages that could not be sent (any fails the run).
    pub send_failures: usize,
    /// Distinct orders that must end invoiced (valid and repairable).
    pub orders: usize,
    /// Of those, how many have an invoice.
    pub invoiced: usize,
    /// Invoices whose total is not the one the discount table gives.
    pub wrong_totals: usize,
    /// Repairable samples sent.
    pub repairable: usize,
    /// Dead letters the DLQ processor requeued (repaired, or valid after a transient failure).
    pub requeued: u64,
    /// Poison samples sent.
    pub poison: usize,
    /// Messages parked in the bucket under `dead-letters/`.
    pub parked: usize,
    /// Parked messages that are valid orders (never without faults).
    pub valid_parked: usize,
    /// Parked messages without a reason (never).
    pub parked_without_reason: usize,
    /// Distinct orders notified; `None` when the pipeline has no notification function.
    pub notified: Option<u64>,
    /// Notifications repeated with the same idempotency key.
    pub notification_repeats: u64,
    /// Repeats the workload asked for (its deliberate duplicates).
    pub deliberate_duplicates: usize,
    /// The most repeats redeliveries can explain on top: a record handed to the order processor
    /// again (it failed, crashed or ran past its deadline) notifies again with the stored total,
    /// as SQS's at-least-once delivery allows. Under faults that is expected; without them it
    /// happens when the machine is too busy for the compressed timeouts (the ledger says so).
    pub repeats_redeliveries_explain: u64,
    /// Records the order processor was handed more than once (a failed record comes back after
    /// its visibility timeout; without faults only invalid orders should).
    pub redelivered: u64,
    /// Whether faults were injected.
    pub faults: bool,
    /// Messages still queued when the wait ended.
    pub in_flight: u64,
    /// Messages that ended in a dead-letter queue no function reads (never without faults).
    pub dead_lettered: u64,
    pub drained_in_ms: u128,
    /// Order latency from send to invoice, over the orders invoiced; `None` when none was.
    pub latency: Option<Latency>,
    /// What did not end where it must; empty when every message is accounted for.
    pub problems: Vec<String>,
    /// The functions' own EMF metrics, summed over the run (what CloudWatch would chart).
    pub metrics: BTreeMap<String, f64>,
}

/// Order latency from the send of an order to the write of its invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Latency {
    /// Orders measured (each invoiced order whose send time is known).
    pub orders: usize,
    pub p50_ms: u64,
    pub p99_ms: u64,
    pub max_ms: u64,
}

impl Latency {
    /// The percentiles of `samples` (nearest rank); `None` when there are none.
    pub fn of(mut samples: Vec<Duration>) -> Option<Self> {
        samples.sort_unstable();
        let rank = |percent: usize| {
            let index = (samples.len() * percent).div_ceil(100).max(1) - 1;
            u64::try_from(samples[index].as_millis()).unwrap_or(u64::MAX)
        };
        let last = samples.last()?;
        Some(Self {
            orders: samples.len(),
            p50_ms: rank(50),
            p99_ms: rank(99),
            max_ms: u64::try_from(last.as_millis()).unwrap_or(u64::MAX),
        })
    }
}

impl Ledger {
    /// Whether every message ended where it must.
    pub fn complete(&self) -> bool {
        self.problems.is_empty()
    }

    /// Checks what was observed against what the samples must become.
    pub(super) fn account(observed: &Observed, table: &DiscountTable) -> Self {
        let mut problems = Vec::new();
        if observed.send_failures > 0 {
            problems.push(format!(
                "{} messages could not be sent",
                observed.send_failures
            ));
        }
        let invoices = check_invoices(observed, table, &mut problems);
        let parked = check_parked(observed, &mut problems);
        let count = |wanted: Kind| {
            observed
                .samples
                .iter()
                .filter(|sample| sample.kind == wanted)
                .count()
        };
        let repairable = count(Kind::Repairable);
        if !observed.faults && observed.requeued != repairable as u64 {
            problems.push(format!(
                "the DLQ processor requeued {} messages where {repairable} were repairable",
                observed.requeued
            ));
        }
        let deliberate_duplicates = observed
            .samples
            .iter()
            .filter(|sample| sample.deliberate_duplicate)
            .count();
        let repeats_redeliveries_explain = observed.processor_redeliveries + observed.requeued;
        if let Some(notifications) = observed.notifications {
            check_notifications(
                observed,
                notifications,
                deliberate_duplicates as u64,
                repeats_redeliveries_explain,
                parked.valid,
                &mut problems,
            );
        }
        if observed.dead_lettered > 0 && !observed.faults {
            problems.push(format!(
                "{} messages ended in a dead-letter queue nothing reads, in a run without faults",
                observed.dead_lettered
            ));
        }
        if observed.in_flight > 0 {
            problems.push(format!(
                "{} messages were still queued when the wait ended",
                observed.in_flight
            ));
        }
        Ledger {
            sent: observed.samples.len(),
            send_failures: observed.send_failures,
            orders: invoices.orders,
            invoiced: invoices.invoiced,
            wrong_totals: invoices.wrong_totals,
            repairable,
            requeued: observed.requeued,
            poison: count(Kind::Poison),
            parked: observed.parked.len(),
            valid_parked: parked.valid,
            parked_without_reason: parked.without_reason,
            notified: observed.notifications.map(|n| n.distinct),
            notification_repeats: observed.notifications.map_or(0, |n| n.repeats),
            deliberate_duplicates,
            repeats_redeliveries_explain,
            redelivered: observed.processor_redeliveries,
            faults: observed.faults,
            in_flight: observed.in_flight,
            dead_lettered: observed.dead_lettered,
            drained_in_ms: observed.drained_in.as_millis(),
            latency: None,
            problems,
            metrics: BTreeMap::new(),
        }
    }
}

struct InvoiceCounts {
    orders: usize,
    invoiced: usize,
    wrong_totals: usize,
}

/// Every valid and repairable order invoiced once, at the total its discount table gives (under
/// faults, parked with its reason will do); no invoice for an order nobody sent.
fn check_invoices(
    observed: &Observed,
    table: &DiscountTable,
    problems: &mut Vec<String>,
) -> InvoiceCounts {
    let parked_bodies: BTreeSet<&str> = observed
        .parked
        .iter()
        .map(|parked| parked.body.as_str())
        .collect();
    let mut expected: BTreeMap<String, (Money, &str, &str)> = BTreeMap::new();
    for sample in &observed.samples {
        if sample.kind == Kind::Poison {
            continue;
        }
        match repair(&sample.body) {
            Ok(order) => {
                let order = order.order();
                let total = price(order, table, "demo").total;
                expected.insert(
                    order.order_id().to_owned(),
                    (total, sample.label.as_str(), sample.body.as_str()),
                );
            }
            Err(error) => problems.push(format!(
                "{}: the sample itself is not an order ({error})",
                sample.label
            )),
        }
    }
    let mut counts = InvoiceCounts {
        orders: expected.len(),
        invoiced: 0,
        wrong_totals: 0,
    };
    for (order_id, (total, label, body)) in &expected {
        match observed.invoices.get(order_id) {
            Some(invoice) => {
                counts.invoiced += 1;
                if invoice.total != *total {
                    counts.wrong_totals += 1;
                    problems.push(format!(
                        "{label}: invoiced at {} where the discount table gives {total}",
                        invoice.total
                    ));
                }
            }
            None if observed.faults && parked_bodies.contains(body) => {}
            None => problems.push(format!("{label}: no invoice for `{order_id}`")),
        }
    }
    let stray: Vec<String> = observed
        .invoices
        .keys()
        .filter(|id| !expected.contains_key(*id))
        .map(|id| format!("`{id}`"))
        .collect();
    if !stray.is_empty() {
        problems.push(format!(
            "invoices for orders nobody sent: {}",
            stray.join(", ")
        ));
    }
    counts
}

struct ParkedCounts {
    valid: usize,
    without_reason: usize,
}

/// Every poison message parked with its reason; no valid order parked without a fault.
fn check_parked(observed: &Observed, problems: &mut Vec<String>) -> ParkedCounts {
    let counts = ParkedCounts {
        valid: observed
            .parked
            .iter()
            .filter(|parked| runtime::order::parse(&parked.body).is_ok())
            .count(),
        without_reason: observed
            .parked
            .iter()
            .filter(|parked| parked.reason.trim().is_empty())
            .count(),
    };
    if counts.without_reason > 0 {
        problems.push(format!(
            "{} parked messages carry no reason",
            counts.without_reason
        ));
    }
    if counts.valid > 0 && !observed.faults {
        problems.push(format!(
            "{} valid orders were parked in a run without faults",
            counts.valid
        ));
    }
    let parked_bodies: BTreeSet<&str> = observed
        .parked
        .iter()
        .map(|parked| parked.body.as_str())
        .collect();
    for sample in &observed.samples {
        if sample.kind == Kind::Poison && !parked_bodies.contains(sample.body.as_str()) {
            problems.push(format!("{}: not parked", sample.label));
        }
    }
    counts
}

/// One notification per invoiced order; repeats only as the workload and the faults explain.
fn check_notifications(
    observed: &Observed,
    notifications: Notifications,
    deliberate_duplicates: u64,
    repeats_redeliveries_explain: u64,
    valid_parked: usize,
    problems: &mut Vec<String>,
) {
    let invoice_count = observed.invoices.len() as u64;
    // Under faults an order can be invoiced and then parked before its notification went out,
    // or its notification can end in the notification queue's own dead-letter queue.
    let lost_to_faults = if observed.faults {
        valid_parked as u64 + observed.dead_lettered
    } else {
        0
    };
    if notifications.distinct + lost_to_faults < invoice_count {
        problems.push(format!(
            "{} invoiced orders were never notified",
            invoice_count - notifications.distinct
        ));
    }
    if notifications.distinct > invoice_count {
        problems.push(format!(
            "{} notifications for orders without an invoice",
            notifications.distinct - invoice_count
        ));
    }
    if notifications.repeats > deliberate_duplicates + repeats_redeliveries_explain {
        problems.push(format!(
            "{} repeated notifications, more than the {deliberate_duplicates} deliberate duplicates \
             and {repeats_redeliveries_explain} redeliveries explain",
            notifications.repeats,
        ));
    }
    if !observed.faults && notifications.repeats < deliberate_duplicates {
        problems.push(format!(
            "{} repeated notifications where {deliberate_duplicates} deliberate duplicates were sent",
            notifications.repeats
        ));
    }
}

fn plural(count: impl Into<u64>, one: &str, many: &str) -> String {
    let count = count.into();
    format!("{count} {}", if count == 1 { one } else { many })
}

impl fmt::Display for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sent        {} ({} deliberate duplicates, {} repairable, {} poison){}",
            self.sent,
            self.deliberate_duplicates,
            self.repairable,
            self.poison,
            if self.send_failures > 0 {
                format!("; {} could not be sent", self.send_failures)
            } else {
                String::new()
            }
        )?;
        writeln!(
            f,
            "invoiced    {} of {} orders{}",
            self.invoiced,
            self.orders,
            if self.wrong_totals == 0 {
                ", every total as the discount table gives".to_owned()
            } else {
                format!(", {} with a wrong total", self.wrong_totals)
            }
        )?;
        writeln!(
            f,
            "requeued    {} by the DLQ processor ({} repairable sent)",
            self.requeued, self.repairable
        )?;
        writeln!(
            f,
            "parked      {} under {DEAD_LETTER_PREFIX} with their reason ({} poison sent; {} among them)",
            self.parked,
            self.poison,
            plural(self.valid_parked as u64, "valid order", "valid orders"),
        )?;
        if let Some(notified) = self.notified {
            let beyond = self
                .notification_repeats
                .saturating_sub(self.deliberate_duplicates as u64);
            writeln!(
                f,
                "notified    {} ({} with the same idempotency key: {} deliberate{})",
                plural(notified, "order", "orders"),
                plural(self.notification_repeats, "repeat", "repeats"),
                self.deliberate_duplicates,
                if beyond > 0 {
                    format!(
                        ", {beyond} after redeliveries (at most {} explained)",
                        self.repeats_redeliveries_explain
                    )
                } else {
                    String::new()
                }
            )?;
        }
        writeln!(
            f,
            "redelivered {} to the order processor (failed, crashed or timed out before)",
            plural(self.redelivered, "record", "records")
        )?;
        writeln!(f, "in flight   {}", self.in_flight)?;
        if self.dead_lettered > 0 {
            writeln!(
                f,
                "dead-lettered {} (in dead-letter queues no function reads; their alarms fire)",
                self.dead_lettered
            )?;
        }
        write!(f, "drained in  {} ms", self.drained_in_ms)?;
        if self.drained_in_ms > 0 {
            #[expect(clippy::cast_precision_loss, reason = "a rate shown with one decimal")]
            let rate = self.sent as f64 * 1000.0 / self.drained_in_ms as f64;
            write!(f, " ({rate:.1} messages/s end to end)")?;
        }
        writeln!(f)?;
        if let Some(latency) = &self.latency {
            writeln!(
                f,
                "latency     p50 {} ms, p99 {} ms, max {} ms (send to invoice, {} orders)",
                latency.p50_ms, latency.p99_ms, latency.max_ms, latency.orders
            )?;
        }
        let metrics = crate::local::logs::figures(&self.metrics);
        if !metrics.is_empty() {
            writeln!(
                f,
                "metrics     {} (the functions' EMF lines, summed)",
                metrics.join(", ")
            )?;
        }
        if self.complete() {
            writeln!(f, "every message is accounted for")
        } else {
            writeln!(f, "NOT accounted for:")?;
            for problem in &self.problems {
                writeln!(f, "  - {problem}")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::local::demo::Workload;

    fn table() -> DiscountTable {
        serde_json::from_str(
            r#"{"currency": "USD", "promo_codes": {"SAVE10": {"percent": "10"}, "FLAT5": {"amount": "5.00"}},
                "bulk_tiers": [{"min_subtotal": "500.00", "percent": "5"}]}"#,
        )
        .unwrap()
    }

    fn parked(body: &str, reason: &str) -> ParkedMessage {
        ParkedMessage {
            message_id: "m".into(),
            reason: reason.into(),
            body: body.into(),
            source: None,
            attributes: BTreeMap::new(),
            message_attributes: BTreeMap::new(),
            parked_at: "2026-11-30T00:00:00Z".into(),
        }
    }

    /// What a perfect run of the seed workload leaves behind.
    fn perfect() -> Observed {
        let samples = Workload::Seed.samples();
        let mut invoices = BTreeMap::new();
        let mut parked_messages = Vec::new();
        for sample in &samples {
            if sample.kind == Kind::Poison {
                parked_messages.push(parked(&sample.body, "invalid order"));
            } else {
                let order = repair(&sample.body).unwrap().order().clone();
                invoices.insert(order.order_id().to_owned(), price(&order, &table(), "now"));
            }
        }
        Observed {
            send_failures: 0,
            notifications: Some(Notifications {
                distinct: invoices.len() as u64,
                repeats: 1,
            }),
            invoices,
            parked: parked_messages,
            requeued: 1,
            processor_redeliveries: 6,
            faults: false,
            in_flight: 0,
            dead_lettered: 0,
            drained_in: Duration::from_secs(3),
            samples,
        }
    }

    #[track_caller]
    fn fails_with(observed: &Observed, expected: &str) {
        let ledger = Ledger::account(observed, &table());
        assert!(!ledger.complete(), "{ledger}");
        assert!(
            ledger.problems.iter().any(|p| p.contains(expected)),
            "{:?} lacks {expected:?}",
            ledger.problems
        );
    }

    #[test]
    fn latency_percentiles_are_nearest_rank() {
        let millis = |values: &[u64]| values.iter().map(|&ms| Duration::from_millis(ms)).collect();
        assert_eq!(Latency::of(Vec::new()), None);
        assert_eq!(
            Latency::of(millis(&[7])),
            Some(Latency {
                orders: 1,
                p50_ms: 7,
                p99_ms: 7,
                max_ms: 7
            })
        );
        let hundred: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(
            Latency::of(millis(&hundred)),
            Some(Latency {
                orders: 100,
                p50_ms: 50,
                p99_ms: 99,
                max_ms: 100
            })
        );
    }

    #[test]
    fn a_perfect_run_is_accounted_for() {
        let ledger = Ledger::account(&perfect(), &table());
        assert!(ledger.complete(), "{ledger}");
        assert_eq!(
            (
                ledger.orders,
                ledger.invoiced,
                ledger.parked,
                ledger.notified
            ),
            (5, 5, 3, Some(5))
        );
        assert!(
            ledger
                .to_string()
                .contains("every message is accounted for")
        );
    }

    #[test]
    fn a_valid_order_parked_without_faults_fails_the_run() {
        let mut observed = perfect();
        observed.invoices.remove("ORD-12346");
        let body = observed.samples[1].body.clone();
        observed.parked.push(parked(&body, "store down"));
        observed.notifications = Some(Notifications {
            distinct: 4,
            repeats: 1,
        });
        fails_with(&observed, "no invoice for `ORD-12346`");
        fails_with(
            &observed,
            "1 valid orders were parked in a run without faults",
        );
        // Under faults, parked with its reason is an end; the run is accounted for.
        observed.faults = true;
        let ledger = Ledger::account(&observed, &table());
        assert!(ledger.complete(), "{ledger}");
        assert_eq!(ledger.valid_parked, 1);
    }

    #[test]
    fn each_broken_promise_is_named() {
        let mut observed = perfect();
        observed.send_failures = 2;
        fails_with(&observed, "2 messages could not be sent");

        let mut observed = perfect();
        let invoice = observed.invoices.get_mut("ORD-12345").unwrap();
        invoice.total = Money::new(rust_decimal::Decimal::new(99_999, 2)).unwrap();
        fails_with(
            &observed,
            "invoiced at 999.99 where the discount table gives",
        );

        let mut observed = perfect();
        observed.parked.pop();
        fails_with(&observed, "poison: no items: not parked");

        let mut observed = perfect();
        observed.parked[0].reason = " ".into();
        fails_with(&observed, "1 parked messages carry no reason");

        let mut observed = perfect();
        observed.requeued = 2;
        fails_with(&observed, "requeued 2 messages where 1 were repairable");

        let mut observed = perfect();
        observed.notifications = Some(Notifications {
            distinct: 4,
            repeats: 1,
        });
        fails_with(&observed, "1 invoiced orders were never notified");

        let mut observed = perfect();
        observed.notifications = Some(Notifications {
            distinct: 5,
            repeats: 16,
        });
        fails_with(
            &observed,
            "16 repeated notifications, more than the 1 deliberate",
        );

        let mut observed = perfect();
        observed.in_flight = 3;
        fails_with(&observed, "3 messages were still queued");
    }

    /// A record handed to the order processor again notifies again (at-least-once), with or
    /// without faults: a busy machine can run a batch past its compressed deadline.
    #[test]
    fn redeliveries_explain_repeats_with_or_without_faults() {
        for faults in [false, true] {
            let mut observed = perfect();
            observed.faults = faults;
            observed.processor_redeliveries = 10;
            observed.notifications = Some(Notifications {
                distinct: 5,
                repeats: 12,
            });
            let ledger = Ledger::account(&observed, &table());
            assert!(ledger.complete(), "{ledger}");
            assert!(
                ledger.to_string().contains(
                    "12 repeats with the same idempotency key: 1 deliberate, \
                     11 after redeliveries (at most 11 explained)"
                ),
                "{ledger}"
            );
            observed.notifications = Some(Notifications {
                distinct: 5,
                repeats: 13,
            });
            fails_with(
                &observed,
                "13 repeated notifications, more than the 1 deliberate duplicates and 11 redeliveries explain",
            );
        }
    }

    #[test]
    fn a_notification_dead_lettered_is_an_end_only_under_faults() {
        let mut observed = perfect();
        observed.dead_lettered = 1;
        observed.notifications = Some(Notifications {
            distinct: 4,
            repeats: 1,
        });
        fails_with(
            &observed,
            "1 messages ended in a dead-letter queue nothing reads",
        );
        observed.faults = true;
        let ledger = Ledger::account(&observed, &table());
        assert!(ledger.complete(), "{ledger}");
        assert!(ledger.to_string().contains("dead-lettered 1"), "{ledger}");
    }
}
