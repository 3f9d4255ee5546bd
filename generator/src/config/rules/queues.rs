//! Queue settings: ranges SQS enforces, visibility against the consumer's timeout, FIFO
//! pairing and retention of dead-letter queues.

use super::Checker;
use crate::config::pipeline::Visibility;
use crate::config::values::Duration;
use crate::diagnostic::Diagnostic;

const FOURTEEN_DAYS: u64 = 14 * 86_400;
const TWELVE_HOURS: u64 = 12 * 3_600;

pub(super) fn check(checker: &mut Checker<'_>) {
    ranges(checker);
    redrive(checker);
    visibility(checker);
    consumers(checker);
    dead_letters(checker);
}

/// A duration setting that must lie within what the service accepts.
struct Range {
    field: &'static str,
    min: u64,
    max: u64,
    what: &'static str,
}

const QUEUE_RANGES: [Range; 4] = [
    Range {
        field: "retention",
        min: 60,
        max: FOURTEEN_DAYS,
        what: "SQS keeps messages from 60s to 14d",
    },
    Range {
        field: "receive_wait",
        min: 0,
        max: 20,
        what: "SQS long polling waits from 0s to 20s",
    },
    Range {
        field: "delay",
        min: 0,
        max: 900,
        what: "SQS delays messages from 0s to 15m",
    },
    Range {
        field: "visibility_timeout",
        min: 0,
        max: TWELVE_HOURS,
        what: "SQS visibility timeouts range from 0s to 12h",
    },
];

fn ranges(checker: &mut Checker<'_>) {
    let defaults = &checker.config.defaults.queue;
    let mut found = Vec::new();
    for (field, value) in [
        ("retention", defaults.retention),
        ("receive_wait", defaults.receive_wait),
    ] {
        found.push((
            vec!["defaults".to_owned(), "queue".to_owned(), field.to_owned()],
            field,
            value,
        ));
    }
    for (name, queue) in &checker.config.queues {
        for (field, value) in [
            ("retention", queue.retention),
            ("receive_wait", queue.receive_wait),
            ("delay", queue.delay),
            ("visibility_timeout", queue.visibility_timeout),
        ] {
            found.push((
                vec!["queues".to_owned(), name.clone(), field.to_owned()],
                field,
                value,
            ));
        }
    }
    for (path, field, value) in found {
        let (Some(value), Some(range)) = (
            value,
            QUEUE_RANGES.iter().find(|range| range.field == field),
        ) else {
            continue;
        };
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        out_of_range(checker, &path, value, range);
    }
    for (name, queue) in &checker.config.queues {
        if queue.content_based_deduplication && !queue.fifo {
            let span = checker.key(&["queues", name, "content_based_deduplication"]);
            checker.push(
                Diagnostic::error(
                    "fifo-only",
                    format!("queue `{name}` is not FIFO, so it cannot deduplicate by content"),
                )
                .at(span, "FIFO-only setting")
                .help("add `fifo: true`, or remove `content_based_deduplication`"),
            );
        }
        if let Some(alarm) = &queue.alarm
            && let Some(period) = alarm.period
            && (period.as_secs() < 60 || period.as_secs() % 60 != 0)
        {
            let span = checker.value(&["queues", name, "alarm", "period"]);
            checker.push(
                Diagnostic::error(
                    "alarm-period",
                    format!("alarm period `{period}` must be a whole number of minutes"),
                )
                .at(span, "not a multiple of 60s")
                .help("SQS publishes queue metrics once a minute; use `1m`, `5m`, …"),
            );
        }
    }
}

fn out_of_range(checker: &mut Checker<'_>, path: &[&str], value: Duration, range: &Range) {
    if (range.min..=range.max).contains(&value.as_secs()) {
        return;
    }
    let span = checker.value(path);
    let (min, max) = (
        Duration::from_secs(range.min),
        Duration::from_secs(range.max),
    );
    checker.push(
        Diagnostic::error(
            "out-of-range",
            format!(
                "`{}` must be between {min} and {max}, found `{value}`",
                path.join(".")
            ),
        )
        .at(span, format!("outside {min}–{max}"))
        .help(range.what),
    );
}

fn redrive(checker: &mut Checker<'_>) {
    for (name, queue) in &checker.config.queues {
        match (&queue.dead_letter, queue.max_receive_count) {
            (Some(_), None) => {
                let span = checker.key(&["queues", name, "dead_letter"]);
                checker.push(
                    Diagnostic::error("redrive", format!("queue `{name}` has a `dead_letter` but no `max_receive_count`"))
                        .at(span, "needs `max_receive_count`")
                        .help("add `max_receive_count: 3` (how many receives before a message moves to the DLQ)"),
                );
            }
            (None, Some(_)) => {
                let span = checker.key(&["queues", name, "max_receive_count"]);
                checker.push(
                    Diagnostic::error(
                        "redrive",
                        format!("queue `{name}` has `max_receive_count` but no `dead_letter`"),
                    )
                    .at(span, "has no effect without `dead_letter`")
                    .help("add `dead_letter: <queue>`, or remove `max_receive_count`"),
                );
            }
            _ => {}
        }
        let Some(dead_letter) = queue.dead_letter.as_deref() else {
            continue;
        };
        let Some(target) = checker.pipeline.queues.get(dead_letter) else {
            continue;
        };
        let Some(source) = checker.pipeline.queues.get(name) else {
            continue;
        };
        if source.fifo != target.fifo {
            let span = checker.value(&["queues", name, "dead_letter"]);
            let (kind, other) = if source.fifo {
                ("a FIFO", "standard")
            } else {
                ("a standard", "FIFO")
            };
            checker.push(
                Diagnostic::error("fifo-dlq", format!("queue `{name}` is {kind} queue, but its dead-letter queue `{dead_letter}` is {other}"))
                    .at(span, format!("a {other} queue"))
                    .help(if source.fifo {
                        format!("set `fifo: true` on `{dead_letter}`: a FIFO queue needs a FIFO dead-letter queue")
                    } else {
                        format!("remove `fifo: true` from `{dead_letter}`: a standard queue needs a standard dead-letter queue")
                    }),
            );
        }
        if target.retention < source.retention {
            let span = checker.value(&["queues", name, "dead_letter"]);
            checker.push(
                Diagnostic::error(
                    "dlq-retention",
                    format!(
                        "dead-letter queue `{dead_letter}` keeps messages {}, less than `{name}` ({})",
                        target.retention, source.retention
                    ),
                )
                .at(span, "shorter retention")
                .help(format!(
                    "a message's age counts from its first enqueue, so it could expire on arrival; set `retention: {}` or more on `{dead_letter}`",
                    source.retention
                )),
            );
        }
    }
}

fn visibility(checker: &mut Checker<'_>) {
    for (name, queue) in &checker.pipeline.queues {
        let config = &checker.config.queues[name];
        if config.visibility_timeout.is_some() && config.visibility_multiplier.is_some() {
            let span = checker.key(&["queues", name, "visibility_multiplier"]);
            checker.push(
                Diagnostic::error("queue-visibility", format!("queue `{name}` sets both `visibility_timeout` and `visibility_multiplier`"))
                    .at(span, "conflicts with `visibility_timeout`")
                    .help("keep one: `visibility_multiplier` derives the timeout from the function's timeout"),
            );
            continue;
        }
        let Some(consumer) = checker.pipeline.consumer_of(name) else {
            continue;
        };
        let timeout = consumer.timeout.as_secs();
        let window = consumer
            .trigger
            .queue()
            .map_or(0, |trigger| trigger.batching_window.as_secs());
        let recommended = 6 * timeout + window;
        let visibility = queue.visibility_timeout.as_secs();
        let span = checker.field_or_entry(
            &["queues", name],
            match queue.visibility {
                Visibility::Explicit => "visibility_timeout",
                _ => "visibility_multiplier",
            },
        );
        if visibility > TWELVE_HOURS && !matches!(queue.visibility, Visibility::Explicit) {
            checker.push(
                Diagnostic::error(
                    "queue-visibility",
                    format!("queue `{name}`: derived visibility timeout {visibility}s exceeds 12h"),
                )
                .at(span, "derived too long")
                .help("lower `visibility_multiplier` or the function's timeout"),
            );
        } else if visibility < timeout {
            checker.push(
                Diagnostic::error(
                    "queue-visibility",
                    format!("visibility timeout {visibility}s of queue `{name}` is below the timeout {timeout}s of function `{}`", consumer.name),
                )
                .at(span, "messages reappear while still being processed")
                .help(format!("raise it, or drop it to derive 6 × {timeout}s + {window}s = {recommended}s")),
            );
        } else if visibility < recommended {
            checker.push(
                Diagnostic::warning(
                    "queue-visibility",
                    format!("visibility timeout {visibility}s of queue `{name}` is below 6 × the timeout of function `{}` + its batching window ({recommended}s)", consumer.name),
                )
                .at(span, "retries of throttled batches may redeliver early")
                .help(format!("AWS recommends at least 6 × {timeout}s + {window}s = {recommended}s")),
            );
        }
    }
}

/// Queues nothing reads, and queues read by more than one function.
fn consumers(checker: &mut Checker<'_>) {
    for name in checker.pipeline.queues.keys() {
        let readers: Vec<&str> = checker
            .pipeline
            .functions
            .values()
            .filter(|function| function.trigger.queue_name() == Some(name))
            .map(|function| function.name.as_str())
            .collect();
        let is_dead_letter = checker.pipeline.sources_of(name).next().is_some();
        let has_alarm = checker.pipeline.queues[name].alarm.is_some();
        if readers.len() > 1 {
            let span = checker.key(&["queues", name]);
            checker.out.push(
                Diagnostic::warning(
                    "queue-consumers",
                    format!(
                        "queue `{name}` triggers {} functions: {}",
                        readers.len(),
                        readers
                            .iter()
                            .map(|r| format!("`{r}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
                .at(span, "shared trigger")
                .help("each message goes to only one of them; give each function its own queue"),
            );
        } else if readers.is_empty() && is_dead_letter && !has_alarm {
            let span = checker.key(&["queues", name]);
            checker.out.push(
                Diagnostic::warning("unwatched-dlq", format!("dead letters in `{name}` go unnoticed: nothing reads it and it has no alarm"))
                    .at(span, "unwatched dead-letter queue")
                    .help("add `alarm: { above: 0 }`, or a function with `handler: dlq_processor`"),
            );
        } else if readers.is_empty() && !is_dead_letter {
            let sent_to = checker.pipeline.functions.values().any(|f| {
                f.writes.notify.as_deref() == Some(name)
                    || f.writes.requeue.as_deref() == Some(name)
            });
            if sent_to {
                let span = checker.key(&["queues", name]);
                checker.out.push(
                    Diagnostic::warning("unread-queue", format!("nothing reads queue `{name}`"))
                        .at(span, "no function is triggered by it")
                        .help("add a function with `trigger: { queue: ... }`, or read it from outside the pipeline"),
                );
            }
        }
    }
}

/// Triggered queues without a dead-letter queue: a poison message is retried until the queue's
/// retention ends, then dropped without a trace. Dead-letter queues themselves are exempt: their
/// processor parks what it cannot handle, and they keep messages longest.
fn dead_letters(checker: &mut Checker<'_>) {
    for (name, queue) in &checker.pipeline.queues {
        let is_dead_letter = checker.pipeline.sources_of(name).next().is_some();
        let Some(consumer) = checker.pipeline.consumer_of(name) else {
            continue;
        };
        if queue.redrive.is_some() || is_dead_letter {
            continue;
        }
        let span = checker.key(&["queues", name]);
        checker.push(
            Diagnostic::warning(
                "no-dead-letter",
                format!(
                    "queue `{name}` triggers function `{}` but has no dead-letter queue",
                    consumer.name
                ),
            )
            .at(span, "no `dead_letter`")
            .help(format!(
                "a poison message is retried for the whole retention ({}) and then dropped; add a queue `{name}-dlq` and set `dead_letter: {name}-dlq` with `max_receive_count: 3`",
                queue.retention
            )),
        );
    }
}
