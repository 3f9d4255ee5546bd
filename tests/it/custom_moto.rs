//! A handler of one's own against moto through the real AWS SDK: its poison, transient and FIFO
//! records end exactly as the order processor's do, and its typed bucket writes once.

use std::collections::BTreeMap;

use aws_lambda_events::event::sqs::SqsMessage;
use runtime::batch::{BatchOptions, FailureKind, RecordFailure};
use runtime::handlers::OrderProcessor;
use runtime::resources::Bucket;
use runtime::telemetry::Outcome;
use runtime::{Done, Handler, RecordContext};
use tests::receive_all;

use crate::runtime_moto::{BUCKET, Fixture, TABLE, order};

/// Writes `{"key": …}` messages to its bucket; `down` fails as transient.
struct Writer {
    bucket: Bucket,
}

struct Written(String);

impl Done for Written {
    fn outcome(&self) -> Outcome {
        Outcome::Handled {
            detail: format!("wrote {}", self.0),
        }
    }
}

impl Handler for Writer {
    const NAME: &'static str = "writer";
    type Message = serde_json::Value;
    type Done = Written;

    async fn handle(
        &self,
        write: serde_json::Value,
        record: &RecordContext<'_>,
    ) -> Result<Written, RecordFailure> {
        let key = write["key"]
            .as_str()
            .ok_or_else(|| RecordFailure::invalid("no `key`"))?;
        if key == "down" {
            return Err(RecordFailure::transient("the downstream service is down"));
        }
        let key = format!("writes/{key}.json");
        self.bucket
            .put_if_absent(&key, record.body().as_bytes(), "application/json")
            .await?;
        Ok(Written(key))
    }
}

/// Sends `(group, body)` pairs to a new FIFO queue and receives them as event records.
async fn fifo_records(
    fixture: &Fixture,
    name: &str,
    messages: &[(&str, String)],
) -> Vec<SqsMessage> {
    let url = fixture
        .sqs
        .create_queue()
        .queue_name(format!("{name}.fifo"))
        .attributes(aws_sdk_sqs::types::QueueAttributeName::FifoQueue, "true")
        .attributes(
            aws_sdk_sqs::types::QueueAttributeName::ContentBasedDeduplication,
            "true",
        )
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .unwrap();
    for (group, body) in messages {
        fixture
            .sqs
            .send_message()
            .queue_url(&url)
            .message_group_id(*group)
            .message_body(body)
            .send()
            .await
            .expect("SendMessage");
    }
    let arn = format!("arn:aws:sqs:us-east-1:123456789012:{name}.fifo");
    receive_all(&fixture.sqs, &url, messages.len())
        .await
        .iter()
        .map(|message| tests::to_event_record(message, &arn))
        .collect()
}

/// Each record's failure kind by body, `None` when it succeeded.
fn kinds<T>(
    records: &[SqsMessage],
    report: &runtime::batch::BatchReport<T>,
) -> BTreeMap<String, Option<FailureKind>> {
    let bodies: BTreeMap<&str, &str> = records
        .iter()
        .map(|r| (r.message_id.as_deref().unwrap(), r.body.as_deref().unwrap()))
        .collect();
    report
        .results
        .iter()
        .map(|result| {
            (
                bodies[result.message_id.as_str()].to_owned(),
                result.outcome.as_ref().err().map(|failure| failure.kind),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_handler_ends_records_as_the_order_processor_does_on_moto() {
    let fixture = Fixture::start().await;
    let writer = fixture.service(
        |startup| {
            Ok(Writer {
                bucket: Bucket::from_startup(startup, "BUCKET_NAME", "results")?,
            })
        },
        &[("BUCKET_NAME", BUCKET)],
    );
    let processor = fixture.service(
        OrderProcessor::build,
        &[("BUCKET_NAME", BUCKET), ("DISCOUNT_TABLE", TABLE)],
    );
    let fifo = BatchOptions {
        concurrency: 10,
        fifo: true,
    };

    // Group A: good, poison, good (blocked); group B: good.
    let custom = [
        ("A", r#"{"key": "a1"}"#.to_owned()),
        ("A", "not json".to_owned()),
        ("A", r#"{"key": "a3"}"#.to_owned()),
        ("B", r#"{"key": "b1"}"#.to_owned()),
    ];
    let builtin = [
        ("A", order("ORD-A1", "1")),
        ("A", "not json".to_owned()),
        ("A", order("ORD-A3", "1")),
        ("B", order("ORD-B1", "1")),
    ];
    let custom_records = fifo_records(&fixture, "custom", &custom).await;
    let builtin_records = fifo_records(&fixture, "builtin", &builtin).await;
    let (custom_report, _) = writer.process(custom_records.clone(), fifo, "req-1").await;
    let (builtin_report, _) = processor
        .process(builtin_records.clone(), fifo, "req-2")
        .await;
    // Each record's ending, in the order the messages were sent.
    let shape = |sent: &[(&str, String)], kinds: BTreeMap<String, Option<FailureKind>>| {
        sent.iter()
            .map(|(_, body)| kinds[body])
            .collect::<Vec<Option<FailureKind>>>()
    };
    let expected = vec![
        None,
        Some(FailureKind::Invalid),
        Some(FailureKind::Blocked),
        None,
    ];
    assert_eq!(
        shape(&custom, kinds(&custom_records, &custom_report)),
        expected
    );
    assert_eq!(
        shape(&builtin, kinds(&builtin_records, &builtin_report)),
        expected
    );

    // A transient failure is transient for both; a repeat writes nothing twice.
    let standard = fixture
        .records(
            "standard",
            &[
                r#"{"key": "down"}"#.to_owned(),
                r#"{"key": "once"}"#.to_owned(),
            ],
        )
        .await;
    let (report, metrics) = writer
        .process(standard.clone(), BatchOptions::default(), "req-3")
        .await;
    assert_eq!(report.failed(), 1);
    assert_eq!((metrics.validated, metrics.failed), (2, 1));
    let again = standard
        .into_iter()
        .filter(|record| record.body.as_deref() == Some(r#"{"key": "once"}"#))
        .collect();
    let (report, _) = writer
        .process(again, BatchOptions::default(), "req-4")
        .await;
    assert_eq!(report.failed(), 0);
    assert!(fixture.object("writes/once.json").await.is_some());
}
