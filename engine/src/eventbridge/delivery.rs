//! Delivering an event to a rule's target: the body (the whole event, or what the target's input
//! path or transformer makes of it) sent in-process to the engine's SQS queue; a failed send
//! retried with exponential backoff and jitter until the target's `MaximumRetryAttempts` or
//! `MaximumEventAgeInSeconds` runs out, then sent to its dead-letter queue with EventBridge's
//! message attributes, or counted as failed.
//!
//! EventBridge's behaviour ("Event retry policy and using dead-letter queues",
//! <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html>): retries with
//! exponential backoff and jitter, by default 185 times over 24 hours; a target that no longer
//! exists is not retried but dead-lettered at once; the dead-lettered message is the event, with
//! the attributes `ERROR_CODE`, `ERROR_MESSAGE`, `EXHAUSTED_RETRY_CONDITION`, `RETRY_ATTEMPTS`,
//! `RULE_ARN` and `TARGET_ARN`. The SQS fault layer applies to deliveries as to clients' sends, so
//! an injected SQS outage exercises the retry path.

use std::sync::Arc;
use std::time::Duration;

use patterns::input::RuleContext;
use serde_json::Value;
use tokio::time::Instant;

use super::registry::{Counters, Target, TargetInput, queue_of};
use crate::faults::{Fault, Faults};
use crate::sqs::message::{AttributeValue, Attributes};
use crate::sqs::{self, Sqs, SqsError};

/// The first retry waits about this long; each next one twice as long, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// One event on its way to one target.
#[derive(Debug, Clone)]
pub struct Job {
    /// The event.
    pub event: Arc<Value>,
    /// The rule's name.
    pub rule_name: String,
    /// The rule's ARN.
    pub rule_arn: String,
    /// When the event was received (ISO 8601), for `aws.events.event.ingestion-time`.
    pub ingestion_time: String,
    /// When the event was received, for `MaximumEventAgeInSeconds`.
    pub received: Instant,
    /// The target.
    pub target: Target,
    /// The rule's counters.
    pub counters: Arc<Counters>,
}

/// Why one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AttemptError {
    /// `ERROR_CODE` of the dead-lettered message.
    code: &'static str,
    /// `ERROR_MESSAGE`.
    message: String,
    /// Whether another attempt may succeed.
    retryable: bool,
}

/// Sends events to the engine's queues.
#[derive(Debug, Clone)]
pub struct Deliveries {
    sqs: Sqs,
    faults: Faults,
}

impl Deliveries {
    /// Deliveries through `sqs`, under the SQS plan of `faults`.
    pub fn new(sqs: Sqs, faults: Faults) -> Self {
        Self { sqs, faults }
    }

    /// Makes the first attempt now; a failure worth retrying is retried in the background (the
    /// caller must be inside a tokio runtime).
    pub fn start(&self, job: Job) {
        match self.attempt(&job) {
            Ok(()) => Counters::bump(&job.counters.delivered),
            Err(error) if error.retryable => {
                let deliveries = self.clone();
                tokio::spawn(async move { deliveries.retry(job, error).await });
            }
            Err(error) => self.give_up(&job, &error, None, 0),
        }
    }

    async fn retry(&self, job: Job, mut last: AttemptError) {
        let mut retries: u32 = 0;
        loop {
            if retries >= job.target.max_attempts {
                return self.give_up(&job, &last, Some("MaximumRetryAttempts"), retries);
            }
            let wait = backoff(retries);
            if job.received.elapsed() + wait > job.target.max_age {
                return self.give_up(&job, &last, Some("MaximumEventAgeInSeconds"), retries);
            }
            tokio::time::sleep(wait).await;
            retries += 1;
            match self.attempt(&job) {
                Ok(()) => return Counters::bump(&job.counters.delivered),
                Err(error) if error.retryable => last = error,
                Err(error) => return self.give_up(&job, &error, None, retries),
            }
        }
    }

    /// The event goes to the target's dead-letter queue, if it has one; either way the delivery
    /// counts as failed.
    fn give_up(
        &self,
        job: &Job,
        error: &AttemptError,
        exhausted: Option<&str>,
        retries: u32,
    ) {
        Counters::bump(&job.counters.failed);
        let Some(dead_letter) = job.target.dead_letter_arn.as_deref().and_then(queue_of) else {
            return;
        };
        let mut attributes = Attributes::new();
        let mut put = |name: &str, value: String| {
            attributes.insert(
                name.to_owned(),
                AttributeValue {
                    data_type: "String".into(),
                    string_value: Some(value),
                    binary_value: None,
                },
            );
        };
        put("RULE_ARN", job.rule_arn.clone());
        put("TARGET_ARN", job.target.arn.clone());
        put("ERROR_CODE", error.code.to_owned());
        put("ERROR_MESSAGE", error.message.clone());
        put("RETRY_ATTEMPTS", retries.to_string());
        if let Some(condition) = exhausted {
            put("EXHAUSTED_RETRY_CONDITION", condition.to_owned());
        }
        // Nowhere left to put it when the dead-letter queue refuses too: it stays counted failed.
        let _ = self
            .sqs
            .deliver(dead_letter, job.event.to_string(), attributes, None, None);
    }

    fn attempt(&self, job: &Job) -> Result<(), AttemptError> {
        let Some(queue) = queue_of(&job.target.arn) else {
            return Err(AttemptError {
                code: "RESOURCE_NOT_FOUND",
                message: format!("{} is not a queue of the local engine", job.target.arn),
                retryable: false,
            });
        };
        if let (_, Some(fault)) = self.faults.draw(sqs::NAME) {
            return Err(AttemptError {
                code: match fault {
                    Fault::Throttled => "THROTTLING",
                    Fault::Unavailable => "SDK_CLIENT_ERROR",
                },
                message: format!(
                    "SQS answered {} (injected by the local engine's fault layer)",
                    match fault {
                        Fault::Throttled => "ThrottlingException",
                        Fault::Unavailable => "ServiceUnavailable",
                    }
                ),
                retryable: true,
            });
        }
        let body = body(job);
        let group = job.target.message_group_id.clone();
        let deduplication = job.event["id"].as_str().map(str::to_owned);
        match self
            .sqs
            .deliver(queue, body, Attributes::new(), group, deduplication)
        {
            Ok(_) => Ok(()),
            Err(SqsError::QueueDoesNotExist) => Err(AttemptError {
                code: "RESOURCE_NOT_FOUND",
                message: format!("The queue {queue} does not exist."),
                retryable: false,
            }),
            Err(error @ SqsError::OverLimit(_)) => Err(AttemptError {
                code: "SDK_CLIENT_ERROR",
                message: error.to_string(),
                retryable: true,
            }),
            Err(error) => Err(AttemptError {
                code: "SDK_CLIENT_ERROR",
                message: error.to_string(),
                retryable: false,
            }),
        }
    }
}

/// What the target's queue receives for `job`'s event.
pub fn body(job: &Job) -> String {
    let event = job.event.as_ref();
    match &job.target.input {
        TargetInput::Event => event.to_string(),
        TargetInput::Constant(text) => text.clone(),
        TargetInput::Path(path) => path
            .apply(event)
            .map_or_else(|| "null".to_owned(), |value| value.to_string()),
        TargetInput::Transformer(transformer) => transformer.apply(
            event,
            &RuleContext {
                arn: &job.rule_arn,
                name: &job.rule_name,
                ingestion_time: &job.ingestion_time,
            },
        ),
    }
}

/// The wait before retry `retries + 1`: exponential from [`FIRST_BACKOFF`], capped at
/// [`MAX_BACKOFF`], with jitter (between half and all of it).
fn backoff(retries: u32) -> Duration {
    let full = FIRST_BACKOFF
        .saturating_mul(2_u32.saturating_pow(retries.min(20)))
        .min(MAX_BACKOFF);
    let half = full / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        for retries in 0..30 {
            let wait = backoff(retries);
            let full = FIRST_BACKOFF
                .saturating_mul(2_u32.saturating_pow(retries.min(20)))
                .min(MAX_BACKOFF);
            assert!(wait >= full / 2 && wait <= full, "{retries}: {wait:?}");
        }
    }
}
