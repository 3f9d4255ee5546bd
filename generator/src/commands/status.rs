//! `gen status`: queue depths, stored objects, table item counts, event rules' figures and the
//! SES outbox of a running `gen dev`, and the URL of its dashboard.

use std::fmt::Write as _;

use aws_sdk_sqs::types::QueueAttributeName;

use crate::cli::StatusArgs;
use crate::commands::{CommandError, ExitStatus};
use crate::local::dev::sdk_config;
use crate::local::state::DevState;
use crate::printer::Printer;
use crate::workspace::PipelineDirs;
use runtime::handlers::{DEAD_LETTER_PREFIX, INVOICE_PREFIX};

pub fn run(args: &StatusArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(state) = super::running_dev(&args.file, printer) else {
        return Ok(ExitStatus::Failure);
    };
    let runtime = super::small_runtime()?;
    let mut report = runtime.block_on(collect(&state));
    let dirs = PipelineDirs::of(&args.file, None);
    let metrics = DevState::metrics(&dirs);
    report["metrics"] = serde_json::json!(metrics);
    let rules = DevState::rules(&dirs);
    report["rules"] = serde_json::json!(rules);
    report["dashboard"] = serde_json::json!(state.dashboard);
    if printer.json {
        printer.data(&format!("{report:#}\n"));
        return Ok(ExitStatus::Success);
    }
    let mut text = format!(
        "engine {}\n",
        report["endpoint"].as_str().unwrap_or_default()
    );
    if let Some(dashboard) = &state.dashboard {
        let _ = writeln!(text, "dashboard {dashboard}");
    }
    for (name, depth) in report["queues"].as_object().into_iter().flatten() {
        let _ = writeln!(
            text,
            "queue  {name:<24} visible {:>6}  in flight {:>6}  delayed {:>6}",
            depth["visible"].as_u64().unwrap_or(0),
            depth["in_flight"].as_u64().unwrap_or(0),
            depth["delayed"].as_u64().unwrap_or(0)
        );
    }
    for (name, counts) in report["buckets"].as_object().into_iter().flatten() {
        let _ = writeln!(
            text,
            "bucket {name:<24} invoices {:>6}  parked {:>6}",
            counts["invoices"].as_u64().unwrap_or(0),
            counts["dead-letters"].as_u64().unwrap_or(0)
        );
    }
    for (name, count) in report["tables"].as_object().into_iter().flatten() {
        let _ = writeln!(
            text,
            "table  {name:<24} items {:>6}",
            count.as_u64().unwrap_or(0)
        );
    }
    for (name, local) in &state.buses {
        let _ = writeln!(text, "bus    {name:<24} {local}");
    }
    for figures in &rules {
        let _ = writeln!(
            text,
            "rule   {:<24} matched {:>6}  delivered {:>6}  failed {:>6}",
            format!("{}/{}", figures.bus, figures.rule),
            figures.matched,
            figures.delivered,
            figures.failed
        );
    }
    if let Some(outbox) = report["outbox"].as_object() {
        let _ = writeln!(
            text,
            "outbox {:<24} emails {:>5}",
            outbox["folder"].as_str().unwrap_or_default(),
            outbox["count"].as_u64().unwrap_or(0)
        );
        for latest in outbox["latest"].as_array().into_iter().flatten() {
            let _ = writeln!(
                text,
                "       {}  {} → {}",
                latest["sent_at"].as_str().unwrap_or_default(),
                latest["subject"].as_str().unwrap_or_default(),
                latest["to"].as_str().unwrap_or_default()
            );
        }
    }
    let figures = crate::local::logs::figures(&metrics);
    if !figures.is_empty() {
        let _ = writeln!(
            text,
            "metrics {} (the functions' EMF lines, summed)",
            figures.join(", ")
        );
    }
    printer.data(&text);
    Ok(ExitStatus::Success)
}

/// Depths of every queue and object counts of every bucket, as JSON.
async fn collect(state: &DevState) -> serde_json::Value {
    let sdk = sdk_config(&state.endpoint).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let mut queues = serde_json::Map::new();
    for (name, url) in &state.queues {
        let attributes = sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::All)
            .send()
            .await;
        let get = |attribute: QueueAttributeName| -> u64 {
            attributes
                .as_ref()
                .ok()
                .and_then(|output| output.attributes())
                .and_then(|a| a.get(&attribute))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0)
        };
        queues.insert(
            name.clone(),
            serde_json::json!({
                "visible": get(QueueAttributeName::ApproximateNumberOfMessages),
                "in_flight": get(QueueAttributeName::ApproximateNumberOfMessagesNotVisible),
                "delayed": get(QueueAttributeName::ApproximateNumberOfMessagesDelayed),
            }),
        );
    }
    let mut buckets = serde_json::Map::new();
    for (name, bucket) in &state.buckets {
        let mut counts = serde_json::Map::new();
        for prefix in [INVOICE_PREFIX, DEAD_LETTER_PREFIX] {
            let count = crate::local::dev::list_keys(&s3, bucket, prefix)
                .await
                .len();
            counts.insert(prefix.trim_end_matches('/').to_owned(), count.into());
        }
        buckets.insert(name.clone(), counts.into());
    }
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let mut tables = serde_json::Map::new();
    for (name, table) in &state.tables {
        let count = dynamodb
            .describe_table()
            .table_name(table)
            .send()
            .await
            .ok()
            .and_then(|output| {
                output
                    .table()
                    .and_then(aws_sdk_dynamodb::types::TableDescription::item_count)
            })
            .unwrap_or(0);
        tables.insert(name.clone(), count.into());
    }
    let mut report = serde_json::json!({
        "endpoint": state.endpoint,
        "queues": queues,
        "buckets": buckets,
        "tables": tables,
    });
    if let Some(folder) = &state.outbox {
        report["outbox"] = outbox(std::path::Path::new(folder));
    }
    report
}

/// How many messages the outbox folder holds, and the latest three (time, subject, recipients).
fn outbox(folder: &std::path::Path) -> serde_json::Value {
    let mut messages: Vec<serde_json::Value> = std::fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".json") && !name.starts_with('.')
        })
        .filter_map(|entry| serde_json::from_slice(&std::fs::read(entry.path()).ok()?).ok())
        .collect();
    messages.sort_by(|a: &serde_json::Value, b| {
        b["sent_at"]
            .as_str()
            .unwrap_or_default()
            .cmp(a["sent_at"].as_str().unwrap_or_default())
    });
    let latest: Vec<serde_json::Value> = messages
        .iter()
        .take(3)
        .map(|message| {
            let to: Vec<&str> = message["to"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .collect();
            serde_json::json!({
                "sent_at": message["sent_at"],
                "subject": message["subject"],
                "to": to.join(", "),
            })
        })
        .collect();
    serde_json::json!({
        "folder": folder.display().to_string(),
        "count": messages.len(),
        "latest": latest,
    })
}
