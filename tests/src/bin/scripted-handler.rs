//! A Lambda function for testing the local engine's Lambda plumbing (Runtime API, event source
//! mappings): each SQS record's body is a script, and each record it is handed is printed to
//! stdout as one JSON line (`{"scripted": {...}}`), which `gen dev` streams as the function's log.
//!
//! A body is `COMMAND#TAG`; the tag only makes bodies distinct. Commands:
//! - `ok`: succeeds;
//! - `fail`: reported in `batchItemFailures` (partial batch failure);
//! - `crash-once`: the process exits mid-batch on the record's first delivery;
//! - `sleep-once:MS`: sleeps MS milliseconds on the record's first delivery (to time out).
//!
//! An API request (a payload 2.0 event) is a script too, its body: `sleep:MS` sleeps, then every
//! request is answered `202` with `{"path": rawPath, "body": body}`; `fail` is a function error.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::json;
use std::io::Write as _;

async fn handle(event: LambdaEvent<serde_json::Value>) -> Result<serde_json::Value, Error> {
    let (payload, context) = event.into_parts();
    if payload["version"] == "2.0" {
        return api(&payload).await;
    }
    let records: SqsEvent = serde_json::from_value(payload)?;
    let response = records_of(LambdaEvent::new(records, context)).await?;
    Ok(serde_json::to_value(response)?)
}

async fn api(event: &serde_json::Value) -> Result<serde_json::Value, Error> {
    let body = event["body"].as_str().unwrap_or_default();
    let command = body.split('#').next().unwrap_or_default();
    match command.split_once(':') {
        Some(("sleep", millis)) => {
            tokio::time::sleep(std::time::Duration::from_millis(millis.parse()?)).await;
        }
        _ if command == "fail" => return Err("scripted failure".into()),
        _ => {}
    }
    Ok(json!({
        "statusCode": 202,
        "headers": {"content-type": "application/json"},
        "body": json!({"path": event["rawPath"], "body": body}).to_string(),
    }))
}

async fn records_of(event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let request = event.context.request_id.clone();
    let size = event.payload.records.len();
    let mut response = SqsBatchResponse::default();
    for record in &event.payload.records {
        let body = record.body.as_deref().unwrap_or_default();
        let receive_count: u32 = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|count| count.parse().ok())
            .unwrap_or(0);
        let line = json!({ "scripted": {
            "request": request,
            "batch_size": size,
            "message_id": record.message_id,
            "body": body,
            "receive_count": receive_count,
            "group": record.attributes.get("MessageGroupId"),
        }});
        // One write per line, flushed: the engine reads stdout line by line, even across a crash.
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "{line}")?;
        stdout.flush()?;
        drop(stdout);
        let command = body.split('#').next().unwrap_or_default();
        match command.split_once(':') {
            Some(("sleep-once", millis)) if receive_count == 1 => {
                tokio::time::sleep(std::time::Duration::from_millis(millis.parse()?)).await;
            }
            _ if command == "crash-once" && receive_count == 1 => std::process::exit(3),
            _ if command == "fail" => {
                response.add_failure(record.message_id.clone().unwrap_or_default());
            }
            _ => {}
        }
    }
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::run(service_fn(handle)).await
}
