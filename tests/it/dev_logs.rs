//! `gen dev`'s rendering of function logs, fed with lines the runtime's logger really writes:
//! one readable line per event, EMF lines folded into a tally, filters, and the raw JSON kept
//! under `--log-format json`.

use generator::local::logs::{LogFilter, MetricTally, Rendered, Style, render};
use runtime::batch::FailureKind;
use runtime::handlers::DlqOutcome;
use runtime::telemetry::{BatchMetrics, LogCapture, Outcome, RecordLine, subscriber};

const RECEIVED_AT: &str = "12:00:00.000";

fn record(message: u32, order_id: Option<&str>, outcome: Outcome) -> RecordLine {
    RecordLine {
        request_id: "8d9f2c1e-0000-4000-8000-000000000001".to_owned(),
        message_id: format!("0f6a7c52-6b1e-4c2f-9a51-00000000000{message}"),
        order_id: order_id.map(str::to_owned),
        outcome,
    }
}

/// The lines `function` writes while `log` runs, each prefixed as the worker does.
fn logged(function: &str, log: impl Fn()) -> Vec<String> {
    let capture = LogCapture::default();
    tracing::subscriber::with_default(subscriber(function, "debug", capture.clone()), log);
    capture
        .text()
        .lines()
        .map(|line| format!("[{function}] {line}"))
        .collect()
}

fn order_processor_lines() -> Vec<String> {
    let mut lines = logged("task", || {
        record(
            1,
            Some("ORD-1"),
            Outcome::Invoiced {
                key: "invoices/ORD-1.json".to_owned(),
                total: "899.99".to_owned(),
                currency: "USD".to_owned(),
            },
        )
        .log();
        record(
            2,
            Some("ORD-1"),
            Outcome::Duplicate {
                key: "invoices/ORD-1.json".to_owned(),
            },
        )
        .log();
        record(
            3,
            None,
            Outcome::Failed {
                kind: FailureKind::Invalid,
                reason: "invalid order: expected value at line 1 column 1".to_owned(),
            },
        )
        .log();
        record(
            4,
            Some("ORD-2"),
            Outcome::Failed {
                kind: FailureKind::Transient,
                reason: "object store unavailable: circuit open, next probe in 3s".to_owned(),
            },
        )
        .log();
        tracing::info!(
            request_id = "8d9f2c1e",
            received = 4_u64,
            failed = 2_u64,
            "batch done"
        );
    });
    let metrics = BatchMetrics {
        received: 4,
        validated: 3,
        written: 1,
        duplicates: 1,
        failed: 2,
        ..BatchMetrics::default()
    };
    lines.push(format!("[task] {}", metrics.emf("OrderPipeline", "task")));
    lines
}

fn dlq_processor_lines() -> Vec<String> {
    let mut lines = logged("dlq-processor", || {
        record(
            6,
            Some("ORD-2"),
            Outcome::DeadLetter(DlqOutcome::Requeued { attempt: 1 }),
        )
        .log();
        record(
            7,
            Some("ORD-R"),
            Outcome::DeadLetter(DlqOutcome::Repaired {
                repairs: vec![
                    "order_id: trimmed whitespace".to_owned(),
                    r#"items[0].price: string "12.50" → 12.50"#.to_owned(),
                ],
            }),
        )
        .log();
        record(
            8,
            Some("ORD-P"),
            Outcome::DeadLetter(DlqOutcome::Parked {
                key: "dead-letters/0f6a7c52-6b1e-4c2f-9a51-000000000008.json".to_owned(),
                reason: "invalid order: items must have 1 to 1000 entries, got 0".to_owned(),
            }),
        )
        .log();
        tracing::debug!(attempt = 2_u64, "retrying the object store");
        tracing::error!(error = "REQUEUE_QUEUE_URL is not set", "cannot start");
    });
    lines.push("[dlq-processor] thread 'main' panicked at runtime/src/service.rs:9:5".to_owned());
    lines.push(
        "[dlq-processor] (engine) restarting the function: killed mid-batch (injected crash)"
            .to_owned(),
    );
    lines
}

/// What three functions write while a few orders go through.
fn function_lines() -> Vec<String> {
    let notification = logged("notification", || {
        record(
            5,
            Some("ORD-1"),
            Outcome::Notified {
                key: "invoices/ORD-1.json".to_owned(),
                total: "899.99".to_owned(),
                currency: "USD".to_owned(),
                idempotency_key: "3f1c…".to_owned(),
            },
        )
        .log();
    });
    [order_processor_lines(), notification, dlq_processor_lines()].concat()
}

/// Every line rendered, then the tally of the folded metric lines (if any), as `gen dev` prints
/// them.
fn rendered(lines: &[String], style: Style, filter: &str) -> String {
    let filter: LogFilter = filter.parse().unwrap();
    let mut tally = MetricTally::default();
    let mut out = String::new();
    for line in lines {
        match render(line, RECEIVED_AT, style, &filter) {
            Rendered::Line(text) => {
                out.push_str(&text);
                out.push('\n');
            }
            Rendered::Metrics(figures) => tally.add(&figures),
            Rendered::Hidden => {}
        }
    }
    if tally.lines > 0 {
        out.push_str(&tally.to_string());
    }
    // Escape bytes shown as `␛`, so the colour snapshot reads as text.
    out.replace('\u{1b}', "␛")
}

fn pretty(color: bool) -> Style {
    Style::Pretty {
        color,
        function_width: "dlq-processor".len(),
    }
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{2}:\d{2}:\d{2}\.\d{3}", "[time]");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn function_logs_read_as_one_line_per_event() {
    snapshot(
        "dev_logs_plain",
        &rendered(&function_lines(), pretty(false), ""),
    );
}

#[test]
fn function_logs_are_coloured_by_level_on_a_terminal() {
    snapshot(
        "dev_logs_color",
        &rendered(&function_lines(), pretty(true), ""),
    );
}

#[test]
fn filters_pick_a_function_and_level_or_an_order() {
    snapshot(
        "dev_logs_dlq_warnings",
        &rendered(
            &function_lines(),
            pretty(false),
            "function=dlq-processor,level=warn",
        ),
    );
    snapshot(
        "dev_logs_order",
        &rendered(&function_lines(), pretty(false), "order=ORD-1"),
    );
}

#[test]
fn json_format_keeps_the_lines_as_functions_wrote_them() {
    let lines = function_lines();
    let raw = rendered(&lines, Style::Raw, "");
    let expected: Vec<&str> = lines
        .iter()
        .map(|line| {
            let text = line.split_once("] ").unwrap().1;
            if text.starts_with('{') {
                text
            } else {
                line.as_str()
            }
        })
        .collect();
    assert_eq!(raw, format!("{}\n", expected.join("\n")));
    assert!(raw.contains(r#"{"_aws":"#), "EMF lines are kept raw");
}
