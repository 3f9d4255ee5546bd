//! Record lines are written as each record finishes, not when the batch ends. Alone in its test
//! binary: `tracing` caches per-callsite interest process-wide, and a test running beside this
//! one without a subscriber could race the capture subscriber's registration.

use std::time::Duration;

use aws_lambda_events::event::sqs::SqsMessage;
use runtime::batch::{BatchOptions, RecordFailure};
use runtime::config::{Settings, Variables};
use runtime::telemetry::{LogCapture, Outcome, subscriber};
use runtime::{Done, Handler, RecordContext, Service};
use tracing::instrument::WithSubscriber;

/// Sleeps for `{"sleep_s": n}` seconds.
struct Sleeper;

#[derive(serde::Deserialize)]
struct Nap {
    sleep_s: u64,
}

struct Slept(u64);

impl Done for Slept {
    fn outcome(&self) -> Outcome {
        Outcome::Handled {
            detail: format!("slept {}s", self.0),
        }
    }
}

impl Handler for Sleeper {
    const NAME: &'static str = "sleeper";
    type Message = Nap;
    type Done = Slept;

    async fn handle(&self, nap: Nap, _record: &RecordContext<'_>) -> Result<Slept, RecordFailure> {
        tokio::time::sleep(Duration::from_secs(nap.sleep_s)).await;
        Ok(Slept(nap.sleep_s))
    }
}

fn record(id: &str, body: &str) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = Some(id.to_owned());
    record.body = Some(body.to_owned());
    record
}

#[tokio::test(start_paused = true)]
async fn record_lines_are_written_as_each_record_finishes() {
    let capture = LogCapture::default();
    let sleeper = Service::new(
        Sleeper,
        Settings::read(&Variables::from_pairs([]), "sleeper").unwrap(),
    );
    sleeper
        .process(
            vec![
                record("slow", r#"{"sleep_s": 10}"#),
                record("fast", r#"{"sleep_s": 0}"#),
            ],
            BatchOptions::default(),
            "req-1",
        )
        .with_subscriber(subscriber("sleeper", "info", capture.clone()))
        .await;
    let lines = capture.lines();
    let finished: Vec<&str> = lines
        .iter()
        .filter(|line| line.get("outcome").is_some())
        .map(|line| line["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(finished, ["fast", "slow"], "in the order they finished");
    assert_eq!(
        (&lines[0]["outcome"], &lines[0]["detail"]),
        (&"handled".into(), &"slept 0s".into())
    );
    assert_eq!(lines.last().unwrap()["message"], "batch done", "{lines:#?}");
}
