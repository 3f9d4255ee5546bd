//! Function settings: Lambda's limits, SQS batching rules, and what each handler kind needs.

use super::Checker;
use crate::config::model::HandlerKind;
use crate::diagnostic::Diagnostic;

pub(super) fn check(checker: &mut Checker<'_>) {
    timeouts(checker);
    batching(checker);
    wiring(checker);
    concurrency(checker);
}

fn timeouts(checker: &mut Checker<'_>) {
    let mut found = vec![(
        vec![
            "defaults".to_owned(),
            "function".to_owned(),
            "timeout".to_owned(),
        ],
        checker.config.defaults.function.timeout,
    )];
    for (name, function) in &checker.config.functions {
        found.push((
            vec!["functions".to_owned(), name.clone(), "timeout".to_owned()],
            function.timeout,
        ));
        if let Some(requeue) = &function.requeue
            && let Some(delay) = requeue.delay.filter(|delay| delay.as_secs() > 900)
        {
            let span = checker.value(&["functions", name, "requeue", "delay"]);
            checker.push(
                Diagnostic::error(
                    "out-of-range",
                    format!(
                        "requeue delay `{delay}` of function `{name}` is above SQS's 15m limit"
                    ),
                )
                .at(span, "at most 15m")
                .help("SQS delays a message by at most 900 seconds"),
            );
        }
    }
    for (path, timeout) in found {
        let Some(timeout) = timeout else { continue };
        if (1..=900).contains(&timeout.as_secs()) {
            continue;
        }
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let span = checker.value(&path);
        checker.push(
            Diagnostic::error(
                "function-timeout",
                format!(
                    "`{}` must be between 1s and 15m, found `{timeout}`",
                    path.join(".")
                ),
            )
            .at(span, "outside 1s–15m")
            .help("Lambda runs a function for at most 900 seconds"),
        );
    }
}

fn batching(checker: &mut Checker<'_>) {
    for (name, function) in &checker.pipeline.functions {
        let Some(trigger) = function.trigger.queue() else {
            continue;
        };
        let Some(queue) = checker.pipeline.queues.get(&trigger.queue) else {
            continue;
        };
        let written_window = checker.config.functions[name].trigger.batching_window;
        if queue.fifo && trigger.batch_size > 10 {
            let span = checker.value(&["functions", name, "trigger", "batch_size"]);
            checker.push(
                Diagnostic::error(
                    "batch-size",
                    format!(
                        "batch size {} is above 10, the limit for FIFO queue `{}`",
                        trigger.batch_size, queue.name
                    ),
                )
                .at(span, "at most 10 for FIFO")
                .help("set `batch_size` between 1 and 10"),
            );
        }
        if queue.fifo && written_window.is_some() {
            let span = checker.key(&["functions", name, "trigger", "batching_window"]);
            checker.push(
                Diagnostic::error(
                    "batching-window",
                    format!(
                        "FIFO queue `{}` does not support a batching window",
                        queue.name
                    ),
                )
                .at(span, "not allowed for FIFO")
                .help("remove `batching_window`"),
            );
        } else if !queue.fifo && trigger.batch_size > 10 && trigger.batching_window.as_secs() == 0 {
            let span = checker.value(&["functions", name, "trigger", "batch_size"]);
            checker.push(
                Diagnostic::error("batching-window", format!("batch size {} above 10 needs a batching window", trigger.batch_size))
                    .at(span, "above 10")
                    .help("add `batching_window: 1s` (or more) to the trigger, or lower `batch_size` to 10"),
            );
        }
        if trigger.batching_window.as_secs() > 300 {
            let span = checker.value(&["functions", name, "trigger", "batching_window"]);
            checker.push(
                Diagnostic::error(
                    "batching-window",
                    format!(
                        "batching window `{}` is above the 5m limit",
                        trigger.batching_window
                    ),
                )
                .at(span, "at most 5m")
                .help("Lambda gathers records for at most 300 seconds"),
            );
        }
    }
}

/// Each handler kind reads and writes specific things.
#[expect(
    clippy::too_many_lines,
    reason = "one table of what each handler kind needs and refuses reads best in one place"
)]
fn wiring(checker: &mut Checker<'_>) {
    for (name, function) in &checker.config.functions {
        let writes = &function.writes;
        let entry = ["functions", name.as_str()];
        let mut require = |field: &str, present: bool, why: &str| {
            if !present {
                let span = checker.key(&entry);
                checker.out.push(
                    Diagnostic::error(
                        "handler-wiring",
                        format!(
                            "function `{name}` ({}) needs `writes.{field}`",
                            kind_name(function.handler)
                        ),
                    )
                    .at(span, format!("missing `writes.{field}`"))
                    .help(why.to_owned()),
                );
            }
        };
        match function.handler {
            HandlerKind::OrderProcessor => require(
                "bucket",
                writes.bucket.is_some(),
                "invoices are written to this bucket: add `writes: { bucket: <bucket> }`",
            ),
            HandlerKind::DlqProcessor => {
                require(
                    "bucket",
                    writes.bucket.is_some(),
                    "messages that cannot be repaired are parked in this bucket: add `writes.bucket`",
                );
                require(
                    "requeue",
                    writes.requeue.is_some(),
                    "repaired orders go back to this queue: add `writes.requeue: <source queue>`",
                );
            }
            HandlerKind::OrderIngest => match (&writes.enqueue, &writes.events) {
                (Some(_), Some(_)) => {
                    let span = checker.key(&["functions", name, "writes", "events"]);
                    checker.out.push(
                        Diagnostic::error(
                            "handler-wiring",
                            format!("function `{name}` (order_ingest) sets both `writes.enqueue` and `writes.events`"),
                        )
                        .at(span, "second destination for accepted orders")
                        .help("an accepted order goes one way: keep `enqueue` to send it to a queue, or `events` to publish an `OrderPlaced` event that rules route"),
                    );
                }
                (None, None) => {
                    let span = checker.key(&entry);
                    checker.out.push(
                        Diagnostic::error(
                            "handler-wiring",
                            format!("function `{name}` (order_ingest) needs `writes.enqueue` or `writes.events`"),
                        )
                        .at(span, "missing `writes.enqueue` or `writes.events`")
                        .help("accepted orders are sent to a queue (`writes: { enqueue: <queue> }`) or published to a bus (`writes: { events: <bus> }`): add one"),
                    );
                }
                _ => {}
            },
            HandlerKind::OrderStore => require(
                "table",
                writes.table.is_some(),
                "orders are written to this table: add `writes: { table: <table> }`",
            ),
            HandlerKind::NotificationLogger | HandlerKind::Custom => {}
        }
        let data = [
            ("table", writes.table.is_some()),
            ("email", writes.email),
            ("enqueue", writes.enqueue.is_some()),
            ("events", writes.events.is_some()),
        ];
        let forbidden: Vec<(&str, bool)> = match function.handler {
            HandlerKind::Custom => Vec::new(),
            HandlerKind::OrderProcessor => [("requeue", writes.requeue.is_some())]
                .into_iter()
                .chain(data)
                .collect(),
            HandlerKind::DlqProcessor => [("notify", writes.notify.is_some())]
                .into_iter()
                .chain(data)
                .collect(),
            HandlerKind::NotificationLogger => [
                ("bucket", writes.bucket.is_some()),
                ("notify", writes.notify.is_some()),
                ("requeue", writes.requeue.is_some()),
            ]
            .into_iter()
            .chain(data)
            .collect(),
            HandlerKind::OrderIngest => vec![
                ("bucket", writes.bucket.is_some()),
                ("notify", writes.notify.is_some()),
                ("requeue", writes.requeue.is_some()),
                ("table", writes.table.is_some()),
                ("email", writes.email),
            ],
            HandlerKind::OrderStore => vec![
                ("bucket", writes.bucket.is_some()),
                ("notify", writes.notify.is_some()),
                ("requeue", writes.requeue.is_some()),
                ("enqueue", writes.enqueue.is_some()),
                ("events", writes.events.is_some()),
            ],
        };
        for (field, present) in forbidden {
            if present {
                let span = checker.key(&["functions", name, "writes", field]);
                checker.push(
                    Diagnostic::error(
                        "handler-wiring",
                        format!(
                            "function `{name}` ({}) does not use `writes.{field}`",
                            kind_name(function.handler)
                        ),
                    )
                    .at(span, "never written by this handler")
                    .help(format!(
                        "remove `{field}`; the `{}` handler only {}",
                        kind_name(function.handler),
                        kind_does(function.handler)
                    )),
                );
            }
        }
        if function.requeue.is_some() && function.handler != HandlerKind::DlqProcessor {
            let span = checker.key(&["functions", name, "requeue"]);
            checker.push(
                Diagnostic::error(
                    "handler-wiring",
                    format!(
                        "`requeue` applies only to DLQ processors, and `{name}` is a {}",
                        kind_name(function.handler)
                    ),
                )
                .at(span, "not used")
                .help("remove `requeue`, or set `handler: dlq_processor`"),
            );
        }
        if function.handler == HandlerKind::DlqProcessor {
            dlq_processor_source(checker, name);
        }
        custom_code(checker, name);
    }
}

/// `code:` belongs to custom handlers, and names a folder inside the pipeline's own.
fn custom_code(checker: &mut Checker<'_>, name: &str) {
    let function = &checker.config.functions[name];
    let Some(code) = function.code.clone() else {
        return;
    };
    let handler = function.handler;
    let span = checker.value(&["functions", name, "code"]);
    if handler != HandlerKind::Custom {
        checker.push(
            Diagnostic::error(
                "handler-wiring",
                format!(
                    "`code` applies only to custom handlers, and `{name}` is a {}",
                    kind_name(handler)
                ),
            )
            .at(span, "not used")
            .help("remove `code`, or set `handler: custom`"),
        );
        return;
    }
    let path = std::path::Path::new(&code);
    let escapes = path.is_absolute()
        || code.starts_with('~')
        || code.contains('\\')
        || path
            .components()
            .any(|component| !matches!(component, std::path::Component::Normal(_)));
    if escapes {
        checker.push(
            Diagnostic::error(
                "custom-code-path",
                format!(
                    "`code` of function `{name}` must be a folder inside the pipeline's: `{code}`"
                ),
            )
            .at(span, "absolute, or leaves the pipeline's folder")
            .help(format!(
                "write a relative path without `..` or `.`, e.g. `handlers/{name}` (the default)"
            )),
        );
    }
}

fn dlq_processor_source(checker: &mut Checker<'_>, name: &str) {
    let function = &checker.pipeline.functions[name];
    let Some(trigger) = function.trigger.queue_name() else {
        return;
    };
    if !checker.pipeline.queues.contains_key(trigger) {
        return;
    }
    let sources: Vec<&str> = checker
        .pipeline
        .sources_of(trigger)
        .map(|queue| queue.name.as_str())
        .collect();
    if sources.is_empty() {
        let span = checker.value(&["functions", name, "trigger", "queue"]);
        checker.push(
            Diagnostic::warning("dlq-processor-source", format!("DLQ processor `{name}` reads `{trigger}`, which is no queue's `dead_letter`"))
                .at(span, "not a dead-letter queue")
                .help(format!("point a queue's `dead_letter` at `{trigger}`, or trigger `{name}` from a dead-letter queue")),
        );
    } else if let Some(requeue) = function.writes.requeue.as_deref()
        && !sources.contains(&requeue)
        && checker.pipeline.queues.contains_key(requeue)
    {
        let span = checker.value(&["functions", name, "writes", "requeue"]);
        checker.push(
                Diagnostic::warning("dlq-processor-source", format!("DLQ processor `{name}` requeues to `{requeue}`, but its dead letters come from {}", sources.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")))
                    .at(span, "not where the dead letters came from")
                    .help(format!("requeue to `{}` so repaired orders are processed again", sources[0])),
            );
    }
}

fn concurrency(checker: &mut Checker<'_>) {
    for (name, function) in &checker.pipeline.functions {
        let Some(trigger) = function.trigger.queue() else {
            if function.reserved_concurrency == Some(0) {
                let span = checker.value(&["functions", name, "reserved_concurrency"]);
                checker.push(
                    Diagnostic::warning("reserved-concurrency", format!("function `{name}` has reserved concurrency 0, so it never runs"))
                        .at(span, "throttles every invocation")
                        .help("remove `reserved_concurrency` or set it to 2 or more; every request would be answered 429"),
                );
            }
            continue;
        };
        match (function.reserved_concurrency, trigger.max_concurrency) {
            (Some(0), _) => {
                let span = checker.value(&["functions", name, "reserved_concurrency"]);
                checker.push(
                    Diagnostic::warning("reserved-concurrency", format!("function `{name}` has reserved concurrency 0, so it never runs"))
                        .at(span, "throttles every invocation")
                        .help("remove `reserved_concurrency` or set it to 2 or more; messages will pile up and go to the DLQ"),
                );
            }
            (Some(reserved), max) if max > reserved => {
                let span =
                    checker.field_or_entry(&["functions", name, "trigger"], "max_concurrency");
                checker.push(
                    Diagnostic::warning("reserved-concurrency", format!("trigger of `{name}` may use {max} concurrent invocations, but only {reserved} are reserved"))
                        .at(span, "above `reserved_concurrency`")
                        .help(format!("invocations above {reserved} are throttled and count as receives; set `max_concurrency` to {reserved} or less")),
                );
            }
            _ => {}
        }
    }
}

pub(super) fn kind_name(kind: HandlerKind) -> &'static str {
    match kind {
        HandlerKind::OrderProcessor => "order_processor",
        HandlerKind::NotificationLogger => "notification_logger",
        HandlerKind::DlqProcessor => "dlq_processor",
        HandlerKind::Custom => "custom",
        HandlerKind::OrderIngest => "order_ingest",
        HandlerKind::OrderStore => "order_store",
    }
}

fn kind_does(kind: HandlerKind) -> &'static str {
    match kind {
        HandlerKind::OrderProcessor => "writes invoices to `bucket` and notifies `notify`",
        HandlerKind::NotificationLogger => "logs what it receives",
        HandlerKind::DlqProcessor => "parks in `bucket` and requeues to `requeue`",
        HandlerKind::Custom => "uses what its `writes` name",
        HandlerKind::OrderIngest => {
            "sends accepted orders to `enqueue`, or publishes them to `events`"
        }
        HandlerKind::OrderStore => "writes orders to `table` and e-mails through `email`",
    }
}
