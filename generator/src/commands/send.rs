//! `gen send`: pushes generated orders into a running `gen dev` (a load generator).

use std::time::{Duration, Instant};

use crate::cli::SendArgs;
use crate::commands::{CommandError, ExitStatus};
use crate::local::demo::generated_bodies;
use crate::local::dev::sdk_config;
use crate::printer::Printer;

pub fn run(args: &SendArgs, printer: &Printer) -> Result<ExitStatus, CommandError> {
    let Some(state) = super::running_dev(&args.file, printer) else {
        return Ok(ExitStatus::Failure);
    };
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
    let bodies = generated_bodies(args.count, args.poison_rate, args.duplicate_rate);
    let runtime = super::small_runtime()?;
    let sent = runtime.block_on(async {
        let client = aws_sdk_sqs::Client::new(&sdk_config(&state.endpoint).await);
        let started = Instant::now();
        let mut sent = 0_usize;
        for body in &bodies {
            if let Some(rate) = args.rate {
                // Pace sends: message n leaves at n / rate seconds.
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "pacing needs no precision beyond milliseconds"
                )]
                let due = Duration::from_secs_f64(sent as f64 / rate);
                tokio::time::sleep(due.saturating_sub(started.elapsed())).await;
            }
            if client
                .send_message()
                .queue_url(&url)
                .message_body(body)
                .send()
                .await
                .is_ok()
            {
                sent += 1;
            }
        }
        (sent, started.elapsed())
    });
    let (sent, elapsed) = sent;
    printer.note(&format!(
        "sent {sent} of {} messages to `{queue}` in {:.1}s\n",
        bodies.len(),
        elapsed.as_secs_f64()
    ));
    Ok(if sent == bodies.len() {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}
