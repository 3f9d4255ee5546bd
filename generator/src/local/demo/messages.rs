//! `gen dev --demo` for a pipeline of custom handlers: the sample messages kept beside its
//! pipeline file (`messages/*.json`, one message per file) are sent to the first custom
//! function's queue; once the pipeline is idle, each must be accounted for. A file named
//! `*.dead-letter.json` is a message expected to end in a dead-letter queue nothing reads (a poison
//! record, or a call that keeps failing); every other one must be handled.

use std::fmt;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use super::super::dev::Dev;
use crate::config::Pipeline;

/// The folder of sample messages, beside the pipeline file.
pub const MESSAGES_DIR: &str = "messages";
/// The suffix of a sample expected to end in a dead-letter queue.
const DEAD_LETTER_SUFFIX: &str = ".dead-letter.json";

/// One sample message.
#[derive(Debug, Clone)]
struct Message {
    body: String,
    dead_letter: bool,
}

/// The outcome of a demo run of sample messages (`--output json` prints it as is).
#[derive(Debug, Clone, Serialize)]
pub struct MessageLedger {
    /// The function the messages were sent to, and its queue.
    pub function: String,
    pub queue: String,
    /// Messages sent.
    pub sent: usize,
    /// Messages that could not be sent (any fails the run).
    pub send_failures: usize,
    /// Samples that must end handled, and those that must end dead-lettered.
    pub expected_handled: usize,
    pub expected_dead_letters: usize,
    /// Distinct messages the custom functions ended successfully.
    pub handled: u64,
    /// Successful ends of a message already handled (at-least-once delivery).
    pub repeats: u64,
    /// Messages in dead-letter queues no function reads.
    pub dead_lettered: u64,
    /// Messages still in a queue when the wait ended.
    pub in_flight: u64,
    pub drained_in_ms: u128,
}

impl MessageLedger {
    /// Every message accounted for: sent, and ended where its name says.
    pub fn complete(&self) -> bool {
        self.send_failures == 0
            && self.in_flight == 0
            && self.handled == self.expected_handled as u64
            && self.dead_lettered == self.expected_dead_letters as u64
    }
}

impl fmt::Display for MessageLedger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "sent        {} to `{}` (queue `{}`){}",
            self.sent,
            self.function,
            self.queue,
            if self.send_failures > 0 {
                format!("; {} could not be sent", self.send_failures)
            } else {
                String::new()
            }
        )?;
        writeln!(
            f,
            "handled     {} of {} expected ({} repeats)",
            self.handled, self.expected_handled, self.repeats
        )?;
        writeln!(
            f,
            "dead letter {} of {} expected (poison, or failing until redriven)",
            self.dead_lettered, self.expected_dead_letters
        )?;
        writeln!(f, "in flight   {}", self.in_flight)?;
        writeln!(f, "drained in  {} ms", self.drained_in_ms)?;
        writeln!(
            f,
            "{}",
            if self.complete() {
                "every message is accounted for"
            } else {
                "NOT every message is accounted for"
            }
        )
    }
}

/// Whether the demo sends sample messages: the pipeline has no order processor (whose demo
/// sends orders) and `root` holds a `messages/` folder.
pub fn applies(pipeline: &Pipeline, root: &Path) -> bool {
    let orders = pipeline
        .functions
        .values()
        .any(|f| f.handler == crate::config::model::HandlerKind::OrderProcessor);
    !orders && root.join(MESSAGES_DIR).is_dir()
}

/// Sends the samples under `root/messages/`, waits until the pipeline is idle, and accounts for
/// each.
pub async fn run(
    dev: &Dev,
    pipeline: &Pipeline,
    root: &Path,
    timeout: Duration,
) -> Result<MessageLedger, String> {
    let function = pipeline
        .functions
        .values()
        .find(|function| function.code.is_some())
        .ok_or("the pipeline has no custom function to send its sample messages to")?;
    let messages = read_messages(&root.join(MESSAGES_DIR))?;
    let queue = function
        .trigger
        .queue_name()
        .ok_or("the custom function is not triggered by a queue to send its sample messages to")?;
    let url = &dev.queue_urls[queue];
    let started = Instant::now();
    let mut send_failures = 0;
    for message in &messages {
        let sent = dev
            .sqs
            .send_message()
            .queue_url(url)
            .message_body(&message.body)
            .send()
            .await;
        if sent.is_err() {
            send_failures += 1;
        }
    }
    let drained = super::drain(dev, pipeline, timeout).await;
    let custom = || {
        pipeline
            .functions
            .values()
            .filter(|f| f.code.is_some())
            .map(|f| &dev.stats[&f.name])
    };
    let handled: u64 = custom().map(|stats| stats.distinct()).sum();
    let succeeded: u64 = custom()
        .map(|stats| stats.succeeded.load(Ordering::Relaxed))
        .sum();
    let expected_dead_letters = messages.iter().filter(|m| m.dead_letter).count();
    Ok(MessageLedger {
        function: function.name.clone(),
        queue: queue.to_owned(),
        sent: messages.len(),
        send_failures,
        expected_handled: messages.len() - expected_dead_letters,
        expected_dead_letters,
        handled,
        repeats: succeeded.saturating_sub(handled),
        dead_lettered: drained.dead_lettered,
        in_flight: drained.in_flight,
        drained_in_ms: drained.since(started).as_millis(),
    })
}

/// Every `*.json` of `folder`, by name.
fn read_messages(folder: &Path) -> Result<Vec<Message>, String> {
    let files =
        super::read_json_files(folder, "sample messages", "`*.json`, one message per file")?;
    Ok(files
        .into_iter()
        .map(|super::SampleFile { file, body }| Message {
            dead_letter: file.ends_with(DEAD_LETTER_SUFFIX),
            body,
        })
        .collect())
}
