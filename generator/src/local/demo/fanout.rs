//! The request demo of a pipeline whose ingest publishes to a bus (`writes.events`): each
//! accepted order becomes the `OrderPlaced` event the ingest publishes, the bus's rules are
//! matched against it with the same matcher the engine routes with, and each `order_store`
//! consumer behind a matching rule's queue must hold the order exactly once — and every other
//! consumer not at all.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::config::Pipeline;
use crate::config::model::HandlerKind;
use crate::config::pipeline::{Bus, Function};

/// One consumer's ledger.
#[derive(Debug, Clone, Serialize)]
pub struct ConsumerLedger {
    /// The `order_store` function.
    pub function: String,
    /// The queue it takes orders from, and the rules that deliver there.
    pub queue: String,
    pub rules: Vec<String>,
    /// Its table's local name, and how many items it holds.
    pub table: String,
    pub items: usize,
    /// Accepted orders whose event its rules select, and how many of those it holds exactly once.
    pub selected: usize,
    pub written: usize,
    /// Orders it holds that its rules do not select (must be none).
    pub stray: Vec<String>,
}

/// A consumer of the bus: an `order_store` function on a queue some rule targets.
#[derive(Debug)]
pub struct Consumer<'p> {
    pub function: &'p Function,
    pub queue: &'p str,
    pub table: &'p str,
    /// The rules (and their parsed patterns) delivering to its queue.
    rules: Vec<(&'p str, patterns::Pattern)>,
}

impl Consumer<'_> {
    /// Whether the event of an order reaches this consumer.
    pub fn selects(&self, event: &Value) -> bool {
        self.rules.iter().any(|(_, pattern)| pattern.matches(event))
    }

    /// The names of the rules delivering to it.
    pub fn rule_names(&self) -> Vec<String> {
        self.rules
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect()
    }
}

/// The consumers of `bus`, in function-name order.
pub fn consumers<'p>(pipeline: &'p Pipeline, bus: &'p Bus) -> Vec<Consumer<'p>> {
    pipeline
        .functions
        .values()
        .filter(|function| function.handler == HandlerKind::OrderStore)
        .filter_map(|function| {
            let queue = function.trigger.queue_name()?;
            let table = function.writes.table.as_deref()?;
            let rules: Vec<(&str, patterns::Pattern)> = bus
                .rules
                .values()
                .filter(|rule| rule.targets.iter().any(|target| target.queue == queue))
                .filter_map(|rule| {
                    patterns::Pattern::parse(&rule.pattern)
                        .ok()
                        .map(|pattern| (rule.name.as_str(), pattern))
                })
                .collect();
            (!rules.is_empty()).then_some(Consumer {
                function,
                queue,
                table,
                rules,
            })
        })
        .collect()
}

/// The event `ingest` publishes for an accepted request: its body with the order id as
/// `detail`, `OrderPlaced`, the function's `EVENT_SOURCE`. The receipt time is left out: no
/// pattern of a demo depends on when an order arrived.
pub fn event(pipeline: &Pipeline, ingest: &Function, body: &str, order_id: &str) -> Value {
    let mut detail = serde_json::from_str::<Value>(body).unwrap_or(Value::Null);
    if let Some(fields) = detail.as_object_mut() {
        fields.insert("order_id".to_owned(), Value::String(order_id.to_owned()));
    }
    serde_json::json!({
        "version": "0",
        "id": order_id,
        "detail-type": "OrderPlaced",
        "source": crate::synth::environment::event_source(pipeline, ingest),
        "account": "000000000000",
        "time": "1970-01-01T00:00:00Z",
        "region": pipeline.region,
        "resources": [],
        "detail": detail,
    })
}

/// Each consumer's ledger, and which accepted orders reached exactly the consumers their event
/// selects: `counts` holds, per consumer function, how many items of its table carry each
/// order id; `selected` the consumers each order's event selects.
pub fn ledgers(
    consumers: &[Consumer<'_>],
    local_tables: &BTreeMap<String, String>,
    counts: &BTreeMap<String, (usize, BTreeMap<String, usize>)>,
    selected: &BTreeMap<String, BTreeSet<String>>,
) -> (Vec<ConsumerLedger>, BTreeSet<String>) {
    let mut ledgers = Vec::new();
    let mut done: BTreeSet<String> = selected.keys().cloned().collect();
    for consumer in consumers {
        let name = &consumer.function.name;
        let empty = (0, BTreeMap::new());
        let (items, in_table) = counts.get(name).unwrap_or(&empty);
        let mine: Vec<&String> = selected
            .iter()
            .filter(|(_, consumers)| consumers.contains(name))
            .map(|(id, _)| id)
            .collect();
        let written = mine
            .iter()
            .filter(|id| in_table.get(id.as_str()) == Some(&1))
            .count();
        let stray: Vec<String> = in_table
            .keys()
            .filter(|id| {
                selected
                    .get(*id)
                    .is_some_and(|consumers| !consumers.contains(name))
            })
            .cloned()
            .collect();
        for (id, consumers) in selected {
            let count = in_table.get(id).copied().unwrap_or(0);
            let right = if consumers.contains(name) {
                count == 1
            } else {
                count == 0
            };
            if !right {
                done.remove(id);
            }
        }
        ledgers.push(ConsumerLedger {
            function: name.clone(),
            queue: consumer.queue.to_owned(),
            rules: consumer.rule_names(),
            table: local_tables
                .get(consumer.table)
                .cloned()
                .unwrap_or_else(|| consumer.table.to_owned()),
            items: *items,
            selected: mine.len(),
            written,
            stray,
        });
    }
    (ledgers, done)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIPELINE: &str = "pipeline: shop
region: us-east-1
apis:
  shop: {}
queues:
  all: {}
  big: {}
tables:
  all-ledger: { partition_key: { name: order_id } }
  big-ledger: { partition_key: { name: order_id } }
buses:
  orders:
    rules:
      all:
        pattern: { source: [shop.submit], detail-type: [OrderPlaced] }
        targets: [{ queue: all, input_path: $.detail }]
      big:
        pattern: { detail: { total: [{ numeric: ['>=', 1000] }] } }
        targets: [{ queue: big, input_path: $.detail }]
functions:
  submit:
    handler: order_ingest
    trigger: { route: POST /orders }
    writes: { events: orders }
  keep-all:
    handler: order_store
    trigger: { queue: all }
    writes: { table: all-ledger }
  keep-big:
    handler: order_store
    trigger: { queue: big }
    writes: { table: big-ledger }
";

    #[test]
    fn each_order_must_reach_exactly_the_consumers_its_event_selects() {
        let pipeline = crate::config::load("pipeline.yaml", PIPELINE.as_bytes())
            .pipeline
            .expect("valid");
        let consumers = consumers(&pipeline, &pipeline.buses["orders"]);
        let names: Vec<&str> = consumers.iter().map(|c| c.function.name.as_str()).collect();
        assert_eq!(names, ["keep-all", "keep-big"]);
        let ingest = &pipeline.functions["submit"];
        let mut selected = BTreeMap::new();
        for (id, total) in [("small", 5), ("large", 5000)] {
            let event = event(&pipeline, ingest, &format!(r#"{{"total": {total}}}"#), id);
            let chosen: BTreeSet<String> = consumers
                .iter()
                .filter(|consumer| consumer.selects(&event))
                .map(|consumer| consumer.function.name.clone())
                .collect();
            selected.insert(id.to_owned(), chosen);
        }
        assert_eq!(selected["small"], BTreeSet::from(["keep-all".to_owned()]));
        assert_eq!(selected["large"].len(), 2);
        let tables = BTreeMap::new();
        let held = |ids: &[&str]| {
            (
                ids.len(),
                ids.iter()
                    .map(|id| ((*id).to_owned(), 1))
                    .collect::<BTreeMap<_, _>>(),
            )
        };
        // Right: both in `keep-all`, only the large one in `keep-big`.
        let counts = BTreeMap::from([
            ("keep-all".to_owned(), held(&["small", "large"])),
            ("keep-big".to_owned(), held(&["large"])),
        ]);
        let (right, done) = ledgers(&consumers, &tables, &counts, &selected);
        assert_eq!(done.len(), 2);
        assert!(right.iter().all(|ledger| ledger.stray.is_empty()));
        // Wrong: the small one reached `keep-big` too, the large one never reached `keep-all`.
        let counts = BTreeMap::from([
            ("keep-all".to_owned(), held(&["small"])),
            ("keep-big".to_owned(), held(&["small", "large"])),
        ]);
        let (wrong, done) = ledgers(&consumers, &tables, &counts, &selected);
        assert!(done.is_empty(), "{done:?}");
        assert_eq!(wrong[1].stray, ["small"]);
        assert_eq!(wrong[0].written, 1);
    }
}
