//! Changes in pipeline.yaml's own terms: "queue `task`: `max_receive_count` 2 → 3",
//! "promo `SAVE10`: 10% → 15%", "function `task`: timeout 30s → 60s".

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use super::PipelineChange;
use crate::config::Pipeline;
use crate::config::model::KeyType;
use crate::config::model::{Discounts, PromoConfig};
use crate::config::pipeline::{Api, Email, Function, Key, Queue, Table, Trigger, Visibility};

struct Changes(Vec<PipelineChange>);

#[expect(
    clippy::needless_pass_by_value,
    reason = "flags, durations and formatted strings read best by value at the call sites"
)]
impl Changes {
    fn push(&mut self, kind: &'static str, name: &str, description: String) {
        self.0.push(PipelineChange {
            kind,
            name: name.to_owned(),
            description,
        });
    }

    /// Records `label old → new` when the two differ.
    fn field<T: PartialEq + Display>(
        &mut self,
        kind: &'static str,
        name: &str,
        label: &str,
        old: T,
        new: T,
    ) {
        if old != new {
            self.push(kind, name, format!("{label} {old} → {new}"));
        }
    }

    /// The same for optional values, shown as `none` when absent.
    fn optional<T: PartialEq + Display>(
        &mut self,
        kind: &'static str,
        name: &str,
        label: &str,
        old: Option<T>,
        new: Option<T>,
    ) {
        let show = |value: &Option<T>| {
            value
                .as_ref()
                .map_or_else(|| "none".to_owned(), ToString::to_string)
        };
        if old != new {
            self.push(
                kind,
                name,
                format!("{label} {} → {}", show(&old), show(&new)),
            );
        }
    }
}

pub(super) fn changes(old: &Pipeline, new: &Pipeline) -> Vec<PipelineChange> {
    let mut changes = Changes(Vec::new());
    changes.field("pipeline", &new.name, "name", &old.name, &new.name);
    changes.field("pipeline", &new.name, "region", &old.region, &new.region);
    each(&mut changes, "queue", &old.queues, &new.queues, queue);
    renames(&mut changes, "queue", "the messages waiting in it are lost");
    each(
        &mut changes,
        "bucket",
        &old.buckets,
        &new.buckets,
        |changes, name, old, new| {
            changes.field("bucket", name, "versioning", old.versioning, new.versioning);
            changes.optional(
                "bucket",
                name,
                "expire_after",
                old.expire_after,
                new.expire_after,
            );
        },
    );
    renames(
        &mut changes,
        "bucket",
        "the old bucket is kept with its objects, the new one starts empty",
    );
    each(
        &mut changes,
        "function",
        &old.functions,
        &new.functions,
        function,
    );
    each(&mut changes, "api", &old.apis, &new.apis, api);
    renames(
        &mut changes,
        "api",
        "its URL changes: clients calling the old one get no answer",
    );
    each(&mut changes, "table", &old.tables, &new.tables, table);
    renames(
        &mut changes,
        "table",
        "the old table is kept with its items, the new one starts empty",
    );
    changes.0.extend(super::buses::changes(old, new));
    email(&mut changes, old.email.as_ref(), new.email.as_ref());
    changes.field(
        "pipeline",
        &new.name,
        "dashboard",
        old.dashboard,
        new.dashboard,
    );
    discounts(&mut changes, old.discounts.as_ref(), new.discounts.as_ref());
    changes.0
}

/// Added, removed, and per-entry changes of two maps.
fn each<T>(
    changes: &mut Changes,
    kind: &'static str,
    old: &BTreeMap<String, T>,
    new: &BTreeMap<String, T>,
    compare: impl Fn(&mut Changes, &str, &T, &T),
) {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for name in names {
        match (old.get(name), new.get(name)) {
            (None, Some(_)) => changes.push(kind, name, "added".to_owned()),
            (Some(_), None) => changes.push(kind, name, "removed".to_owned()),
            (Some(old), Some(new)) => compare(changes, name, old, new),
            (None, None) => {}
        }
    }
}

fn queue(changes: &mut Changes, name: &str, old: &Queue, new: &Queue) {
    changes.field("queue", name, "fifo", old.fifo, new.fifo);
    changes.field("queue", name, "retention", old.retention, new.retention);
    changes.field(
        "queue",
        name,
        "receive_wait",
        old.receive_wait,
        new.receive_wait,
    );
    changes.field("queue", name, "delay", old.delay, new.delay);
    if old.visibility_timeout != new.visibility_timeout {
        let how = match &new.visibility {
            Visibility::Derived {
                multiplier,
                function_timeout,
                batching_window,
                ..
            } => {
                format!(" (derived: {multiplier} × {function_timeout} + {batching_window})")
            }
            Visibility::Explicit => " (explicit)".to_owned(),
            Visibility::Default => " (SQS default)".to_owned(),
        };
        changes.push(
            "queue",
            name,
            format!(
                "visibility {}s → {}s{how}",
                old.visibility_timeout.as_secs(),
                new.visibility_timeout.as_secs()
            ),
        );
    }
    changes.optional(
        "queue",
        name,
        "dead_letter",
        old.redrive.as_ref().map(|r| format!("`{}`", r.dead_letter)),
        new.redrive.as_ref().map(|r| format!("`{}`", r.dead_letter)),
    );
    changes.optional(
        "queue",
        name,
        "max_receive_count",
        old.redrive.as_ref().map(|r| r.max_receive_count),
        new.redrive.as_ref().map(|r| r.max_receive_count),
    );
    changes.optional(
        "queue",
        name,
        "alarm above",
        old.alarm.as_ref().map(|a| a.above),
        new.alarm.as_ref().map(|a| a.above),
    );
}

#[expect(
    clippy::too_many_lines,
    reason = "one line per setting of a function, in the order pipeline.yaml writes them"
)]
fn function(changes: &mut Changes, name: &str, old: &Function, new: &Function) {
    changes.field(
        "function",
        name,
        "handler",
        format!("{:?}", old.handler),
        format!("{:?}", new.handler),
    );
    changes.field(
        "function",
        name,
        "memory",
        format!("{} MB", old.memory_mb),
        format!("{} MB", new.memory_mb),
    );
    changes.field("function", name, "timeout", old.timeout, new.timeout);
    changes.field(
        "function",
        name,
        "architecture",
        format!("{:?}", old.architecture),
        format!("{:?}", new.architecture),
    );
    changes.optional(
        "function",
        name,
        "reserved_concurrency",
        old.reserved_concurrency,
        new.reserved_concurrency,
    );
    changes.field(
        "function",
        name,
        "log_retention_days",
        old.log_retention_days,
        new.log_retention_days,
    );
    changes.field(
        "function",
        name,
        "trigger",
        trigger(&old.trigger),
        trigger(&new.trigger),
    );
    if let (Trigger::Queue(old), Trigger::Queue(new)) = (&old.trigger, &new.trigger) {
        changes.field(
            "function",
            name,
            "batch_size",
            old.batch_size,
            new.batch_size,
        );
        changes.field(
            "function",
            name,
            "batching_window",
            old.batching_window,
            new.batching_window,
        );
        changes.field(
            "function",
            name,
            "max_concurrency",
            old.max_concurrency,
            new.max_concurrency,
        );
    }
    if let (Trigger::Route(old), Trigger::Route(new)) = (&old.trigger, &new.trigger) {
        changes.optional(
            "function",
            name,
            "request_schema",
            old.request_schema.as_ref().map(|path| format!("`{path}`")),
            new.request_schema.as_ref().map(|path| format!("`{path}`")),
        );
    }
    let quoted = |value: &Option<String>| value.as_ref().map(|name| format!("`{name}`"));
    changes.optional(
        "function",
        name,
        "writes.bucket",
        quoted(&old.writes.bucket),
        quoted(&new.writes.bucket),
    );
    changes.optional(
        "function",
        name,
        "writes.notify",
        quoted(&old.writes.notify),
        quoted(&new.writes.notify),
    );
    changes.optional(
        "function",
        name,
        "writes.requeue",
        quoted(&old.writes.requeue),
        quoted(&new.writes.requeue),
    );
    changes.optional(
        "function",
        name,
        "writes.table",
        quoted(&old.writes.table),
        quoted(&new.writes.table),
    );
    changes.field(
        "function",
        name,
        "writes.email",
        old.writes.email,
        new.writes.email,
    );
    changes.optional(
        "function",
        name,
        "writes.enqueue",
        quoted(&old.writes.enqueue),
        quoted(&new.writes.enqueue),
    );
    changes.optional(
        "function",
        name,
        "writes.events",
        quoted(&old.writes.events),
        quoted(&new.writes.events),
    );
}

/// `` `orders` `` for a queue, `` route `POST /orders` of API `shop` `` for a route.
fn trigger(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Queue(queue) => format!("`{}`", queue.queue),
        Trigger::Route(route) => format!("route `{}` of API `{}`", route.route_key(), route.api),
    }
}

fn api(changes: &mut Changes, name: &str, old: &Api, new: &Api) {
    let cors = |api: &Api| {
        api.cors.as_ref().map(|cors| {
            format!(
                "origins {}, methods {}, headers {}, max_age {}",
                cors.allow_origins.join(" "),
                cors.allow_methods.join(" "),
                if cors.allow_headers.is_empty() {
                    "none".to_owned()
                } else {
                    cors.allow_headers.join(" ")
                },
                cors.max_age
            )
        })
    };
    changes.optional("api", name, "cors", cors(old), cors(new));
    changes.field(
        "api",
        name,
        "throttling burst",
        old.throttling.burst,
        new.throttling.burst,
    );
    changes.field(
        "api",
        name,
        "throttling rate",
        format!("{}/s", old.throttling.rate),
        format!("{}/s", new.throttling.rate),
    );
}

fn table(changes: &mut Changes, name: &str, old: &Table, new: &Table) {
    let key = |key: &Key| format!("`{}` ({})", key.name, key_type(key.kind));
    let replaced =
        "REPLACE — a new table is created and the pipeline loses the items of the old one";
    if old.partition_key != new.partition_key {
        changes.push(
            "table",
            name,
            format!(
                "partition_key {} → {}: {replaced}",
                key(&old.partition_key),
                key(&new.partition_key)
            ),
        );
    }
    if old.sort_key != new.sort_key {
        let show = |sort: &Option<Key>| sort.as_ref().map_or_else(|| "none".to_owned(), key);
        changes.push(
            "table",
            name,
            format!(
                "sort_key {} → {}: {replaced}",
                show(&old.sort_key),
                show(&new.sort_key)
            ),
        );
    }
    changes.optional(
        "table",
        name,
        "ttl_attribute",
        old.ttl_attribute.as_ref().map(|a| format!("`{a}`")),
        new.ttl_attribute.as_ref().map(|a| format!("`{a}`")),
    );
    changes.field(
        "table",
        name,
        "point_in_time_recovery",
        old.point_in_time_recovery,
        new.point_in_time_recovery,
    );
    let capacity = |table: &Table| {
        table.capacity.map_or_else(
            || "on-demand".to_owned(),
            |c| format!("provisioned {} reads/{} writes per second", c.read, c.write),
        )
    };
    changes.field("table", name, "capacity", capacity(old), capacity(new));
}

fn key_type(kind: KeyType) -> &'static str {
    match kind {
        KeyType::String => "string",
        KeyType::Number => "number",
        KeyType::Binary => "binary",
    }
}

fn email(changes: &mut Changes, old: Option<&Email>, new: Option<&Email>) {
    match (old, new) {
        (None, Some(new)) => {
            changes.push("email", "email", format!("added: from `{}`", new.sender));
        }
        (Some(_), None) => changes.push("email", "email", "removed".to_owned()),
        (Some(old), Some(new)) => {
            changes.field(
                "email",
                "email",
                "sender",
                format!("`{}`", old.sender),
                format!("`{}`", new.sender),
            );
            changes.field(
                "email",
                "email",
                "identity",
                format!("`{}`", old.identity),
                format!("`{}`", new.identity),
            );
            changes.optional(
                "email",
                "email",
                "configuration_set",
                old.configuration_set.as_ref().map(|c| format!("`{c}`")),
                new.configuration_set.as_ref().map(|c| format!("`{c}`")),
            );
        }
        (None, None) => {}
    }
}

fn discounts(changes: &mut Changes, old: Option<&Discounts>, new: Option<&Discounts>) {
    let empty = BTreeMap::new();
    changes.optional(
        "discounts",
        "currency",
        "currency",
        old.map(|d| d.currency.clone()),
        new.map(|d| d.currency.clone()),
    );
    let old_promos = old.map_or(&empty, |d| &d.promo_codes);
    let new_promos = new.map_or(&empty, |d| &d.promo_codes);
    each(
        changes,
        "promo",
        old_promos,
        new_promos,
        |changes, code, old, new| {
            changes.field("promo", code, "", promo(old), promo(new));
        },
    );
    // Show what an added or removed code gives.
    for change in &mut changes.0 {
        if change.kind == "promo" {
            if let Some(promo_config) = new_promos
                .get(&change.name)
                .filter(|_| change.description == "added")
            {
                change.description = format!("added: {}", promo(promo_config));
            } else if let Some(promo_config) = old_promos
                .get(&change.name)
                .filter(|_| change.description == "removed")
            {
                change.description = format!("removed (was {})", promo(promo_config));
            } else {
                change.description = change.description.trim_start().to_owned();
            }
        }
    }
    let tiers = |discounts: Option<&Discounts>| -> Vec<String> {
        discounts.map_or_else(Vec::new, |d| {
            d.bulk_tiers
                .iter()
                .map(|tier| format!("{} from {}", tier.percent, tier.min_subtotal))
                .collect()
        })
    };
    let (old_tiers, new_tiers) = (tiers(old), tiers(new));
    if old_tiers != new_tiers {
        let show = |tiers: &[String]| {
            if tiers.is_empty() {
                "none".to_owned()
            } else {
                tiers.join(", ")
            }
        };
        changes.push(
            "bulk tiers",
            "bulk_tiers",
            format!("{} → {}", show(&old_tiers), show(&new_tiers)),
        );
    }
}

/// `10%`, `5.00 off`, `10% from 100.00`.
fn promo(promo: &PromoConfig) -> String {
    let kind = match (promo.percent, promo.amount) {
        (Some(percent), _) => percent.to_string(),
        (None, Some(amount)) => format!("{amount} off"),
        (None, None) => "nothing".to_owned(),
    };
    match promo.min_subtotal {
        Some(minimum) => format!("{kind} from {minimum}"),
        None => kind,
    }
}

/// A removed and an added entry of the same kind with close names is most likely a rename:
/// say so, and say what replacing it costs.
fn renames(changes: &mut Changes, kind: &'static str, cost: &str) {
    let added: Vec<String> = changes
        .0
        .iter()
        .filter(|c| c.kind == kind && c.description == "added")
        .map(|c| c.name.clone())
        .collect();
    let removed: Vec<String> = changes
        .0
        .iter()
        .filter(|c| c.kind == kind && c.description == "removed")
        .map(|c| c.name.clone())
        .collect();
    for old in removed {
        let Some(new) = crate::config::suggest::closest(&old, added.iter().map(String::as_str))
        else {
            continue;
        };
        let new = new.to_owned();
        changes.0.retain(|c| {
            !(c.kind == kind
                && ((c.name == old && c.description == "removed")
                    || (c.name == new && c.description == "added")))
        });
        changes.push(
            kind,
            &old,
            format!("renamed to `{new}`: REPLACE — a new {kind} is created and {cost}"),
        );
    }
}
