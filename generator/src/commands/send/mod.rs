//! `gen send`: pushes generated orders into a running `gen dev` (a load generator), paced to a
//! rate or as fast as the pipeline takes them, and reports the rate it achieved. A pipeline with
//! an API gets HTTP requests on a route instead ([`api`]).

mod api;

use std::time::{Duration, Instant};

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use futures_util::stream::{self, StreamExt};

use crate::cli::SendArgs;
use crate::commands::{CommandError, ExitStatus};
use crate::local::demo::generated_bodies;
use crate::local::dev::sdk_config;
use crate::printer::Printer;

/// Orders sent to a queue without `--count`.
const DEFAULT_ORDERS: usize = 100;
/// SQS's batch limit: messages leave in `SendMessageBatch` calls of this many.
const BATCH: usize = 10;
/// Batches in flight at once, so the achieved rate is not one round trip's.
const BATCHES_AT_ONCE: usize = 8;

pub fn run(args: &SendArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(state) = super::running_dev(&args.file, printer) else {
        return Ok(ExitStatus::Failure);
    };
    let to_api = args.route.is_some()
        || !args.request.is_empty()
        || (args.queue.is_none() && !state.apis.is_empty());
    if to_api {
        return api::run(args, &state, printer);
    }
    let queue = args
        .queue
        .clone()
        .or(state.orders_queue.clone())
        .unwrap_or_default();
    let Some(url) = state.queues.get(&queue).cloned() else {
        printer.note(&format!(
            "error: the running pipeline has no queue `{queue}`\n"
        ));
        return Ok(ExitStatus::Failure);
    };
    let bodies = generated_bodies(
        args.count.unwrap_or(DEFAULT_ORDERS).max(1),
        args.poison_rate,
        args.duplicate_rate,
    );
    let runtime = super::small_runtime()?;
    let outcome = runtime.block_on(async {
        let client = aws_sdk_sqs::Client::new(&sdk_config(&state.endpoint).await);
        send(&client, &url, &bodies, args.rate, args.duration).await
    });
    let rate = outcome.rate();
    let target = args
        .rate
        .map(|rate| format!(" (asked for {rate:.0}/s)"))
        .unwrap_or_default();
    printer.note(&format!(
        "sent {} of {} messages to `{queue}` in {:.1}s: {rate:.0} messages/s{target}\n",
        outcome.sent,
        outcome.attempted,
        outcome.elapsed.as_secs_f64(),
    ));
    Ok(if outcome.sent == outcome.attempted {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// What a send run did.
#[derive(Debug, Clone, Copy)]
struct Outcome {
    attempted: usize,
    sent: usize,
    elapsed: Duration,
}

impl Outcome {
    /// Messages accepted per second.
    fn rate(self) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "a rate shown without decimals")]
        let sent = self.sent as f64;
        sent / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// Sends `bodies` once, or over and over for `duration`; batch `n` leaves no earlier than
/// `n * BATCH / rate` seconds after the start.
async fn send(
    client: &aws_sdk_sqs::Client,
    url: &str,
    bodies: &[String],
    rate: Option<f64>,
    duration: Option<Duration>,
) -> Outcome {
    let started = Instant::now();
    let batches = bodies.len().div_ceil(BATCH);
    let due = move |batch: usize| {
        rate.filter(|rate| *rate > 0.0).map(|rate| {
            #[expect(
                clippy::cast_precision_loss,
                reason = "pacing needs no precision beyond milliseconds"
            )]
            let seconds = (batch * BATCH) as f64 / rate;
            Duration::from_secs_f64(seconds)
        })
    };
    let schedule = (0..).take_while(move |&batch| match duration {
        Some(duration) => due(batch).map_or(started.elapsed() < duration, |at| at < duration),
        None => batch < batches,
    });
    let (attempted, sent) = stream::iter(schedule)
        .map(|batch| async move {
            if let Some(at) = due(batch) {
                tokio::time::sleep(at.saturating_sub(started.elapsed())).await;
            }
            let start = (batch % batches) * BATCH;
            let chunk = &bodies[start..(start + BATCH).min(bodies.len())];
            let entries: Vec<SendMessageBatchRequestEntry> = chunk
                .iter()
                .enumerate()
                .filter_map(|(index, body)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(index.to_string())
                        .message_body(body)
                        .build()
                        .ok()
                })
                .collect();
            let accepted = match client
                .send_message_batch()
                .queue_url(url)
                .set_entries(Some(entries))
                .send()
                .await
            {
                Ok(output) => chunk.len().saturating_sub(output.failed().len()),
                Err(_) => 0,
            };
            (chunk.len(), accepted)
        })
        .buffered(BATCHES_AT_ONCE)
        .fold((0, 0), |(attempted, sent), (tried, accepted)| async move {
            (attempted + tried, sent + accepted)
        })
        .await;
    Outcome {
        attempted,
        sent,
        elapsed: started.elapsed(),
    }
}
