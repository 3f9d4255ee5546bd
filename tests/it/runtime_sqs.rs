//! The runtime's SQS adapters against the local engine and moto:
//! - the release of invalid records (`runtime::aws::VisibilityRelease`): a record made visible
//!   again comes straight back, reaches its dead-letter queue after `maxReceiveCount` quick
//!   receives instead of as many visibility timeouts, and the handle of a message that has left
//!   the queue is refused;
//! - the queue sender (`runtime::aws::SqsSender`), whose concurrent sends go out gathered into
//!   `SendMessageBatch`es: every message arrives whole (body, attributes, FIFO group and
//!   deduplication), each send gets its own message id, and a bad entry fails only its own send.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use runtime::aws::{Released, SqsSender, VisibilityRelease};
use runtime::ports::{OutgoingMessage, QueueSender};
use tests::{Backend, sdk_config_for};

/// The SDK client the scenarios arrange with, and the runtime's adapters under test.
struct Clients {
    sqs: Client,
    release: VisibilityRelease,
    sender: SqsSender,
}

async fn client(backend: &Backend) -> Clients {
    let sdk = sdk_config_for(&backend.endpoint()).await;
    Clients {
        sqs: Client::new(&sdk),
        release: VisibilityRelease::new(&sdk),
        sender: SqsSender::new(&sdk),
    }
}

tests::conformance!(
    invalid_records_reach_the_dead_letter_queue_without_waiting,
    concurrent_sends_arrive_whole_each_with_its_own_id,
    gathered_fifo_sends_keep_their_group_order_and_deduplicate,
);

async fn create(
    client: &Client,
    name: &str,
    attribute: Option<(QueueAttributeName, &str)>,
) -> String {
    client
        .create_queue()
        .queue_name(name)
        .set_attributes(attribute.map(|(name, value)| [(name, value.to_owned())].into()))
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("a queue URL")
}

async fn receive(client: &Client, url: &str) -> Vec<Message> {
    client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .expect("ReceiveMessage")
        .messages
        .unwrap_or_default()
}

fn handle_of<'a>(messages: &'a [Message], body: &str) -> &'a str {
    messages
        .iter()
        .find(|message| message.body() == Some(body))
        .and_then(Message::receipt_handle)
        .unwrap_or_else(|| panic!("`{body}` among the received messages"))
}

async fn invalid_records_reach_the_dead_letter_queue_without_waiting(clients: &Clients) {
    let Clients { sqs, release, .. } = clients;
    let dead = create(sqs, "release-dlq", None).await;
    let dead_arn = sqs
        .get_queue_attributes()
        .queue_url(&dead)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .and_then(|mut attributes| attributes.remove(&QueueAttributeName::QueueArn))
        .expect("the dead-letter queue's ARN");
    let policy = format!(r#"{{"deadLetterTargetArn":"{dead_arn}","maxReceiveCount":2}}"#);
    let url = create(
        sqs,
        "release-main",
        Some((QueueAttributeName::RedrivePolicy, &policy)),
    )
    .await;
    sqs.set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::VisibilityTimeout, "300")
        .send()
        .await
        .expect("SetQueueAttributes");
    for body in ["poison", "good"] {
        sqs.send_message()
            .queue_url(&url)
            .message_body(body)
            .send()
            .await
            .expect("SendMessage");
    }

    let first = receive(sqs, &url).await;
    assert_eq!(first.len(), 2, "both messages on the first receive");
    let released = release
        .release(&url, &[handle_of(&first, "poison").to_owned()])
        .await;
    assert_eq!(
        released,
        Released {
            released: 1,
            failed: Vec::new()
        }
    );

    let second = receive(sqs, &url).await;
    let last_handle = handle_of(&second, "poison").to_owned();
    let bodies: Vec<_> = second.iter().filter_map(Message::body).collect();
    assert_eq!(
        bodies,
        ["poison"],
        "the released record is back at once; the good one stays in flight"
    );
    let released = release
        .release(&url, std::slice::from_ref(&last_handle))
        .await;
    assert_eq!(released.released, 1, "{:?}", released.failed);

    assert!(
        receive(sqs, &url).await.is_empty(),
        "after its second receive the poison record goes to the dead-letter queue"
    );
    let stale = release.release(&url, &[last_handle]).await;
    assert_eq!(stale.released, 0);
    assert_eq!(stale.failed.len(), 1);
    assert!(
        stale.failed[0].starts_with("ReceiptHandleIsInvalid"),
        "the handle of a message no longer in the queue is refused: {:?}",
        stale.failed
    );
    let parked = receive(sqs, &dead).await;
    let bodies: Vec<_> = parked.iter().filter_map(Message::body).collect();
    assert_eq!(bodies, ["poison"]);
}

async fn receive_all(client: &Client, url: &str, expected: usize) -> Vec<Message> {
    let mut all = Vec::new();
    for _ in 0..20 {
        let messages = client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .expect("ReceiveMessage")
            .messages
            .unwrap_or_default();
        all.extend(messages);
        if all.len() >= expected {
            break;
        }
    }
    all
}

async fn concurrent_sends_arrive_whole_each_with_its_own_id(clients: &Clients) {
    let Clients { sqs, sender, .. } = clients;
    let url = create(sqs, "gathered", None).await;
    let sends = (0..23).map(|n| {
        sender.send(
            &url,
            OutgoingMessage {
                body: format!("order-{n}"),
                attributes: vec![("idempotency-key".to_owned(), format!("key-{n}"))],
                ..OutgoingMessage::default()
            },
        )
    });
    let ids: Vec<String> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|sent| sent.expect("every send succeeds"))
        .collect();
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), 23, "each send has its own message id");

    let received = receive_all(sqs, &url, 23).await;
    let mut arrived: Vec<(String, String, String)> = received
        .iter()
        .map(|message| {
            let key = message
                .message_attributes()
                .and_then(|attributes| attributes.get("idempotency-key"))
                .and_then(|value| value.string_value())
                .unwrap_or_default();
            (
                message.message_id().unwrap_or_default().to_owned(),
                message.body().unwrap_or_default().to_owned(),
                key.to_owned(),
            )
        })
        .collect();
    arrived.sort_by_key(|(_, body, _)| body[6..].parse::<u32>().unwrap_or(u32::MAX));
    let expected: Vec<(String, String, String)> = ids
        .iter()
        .enumerate()
        .map(|(n, id)| (id.clone(), format!("order-{n}"), format!("key-{n}")))
        .collect();
    assert_eq!(
        arrived, expected,
        "each message arrived once, with the id its send returned"
    );
}

async fn gathered_fifo_sends_keep_their_group_order_and_deduplicate(clients: &Clients) {
    let Clients { sqs, sender, .. } = clients;
    let url = create(
        sqs,
        "gathered.fifo",
        Some((QueueAttributeName::FifoQueue, "true")),
    )
    .await;
    let message = |n: u32| OutgoingMessage {
        body: format!("step-{n}"),
        group_id: Some("order-1".to_owned()),
        deduplication_id: Some(format!("dedup-{}", n.min(4))),
        ..OutgoingMessage::default()
    };
    // Sent together, gathered into one batch in the order the sends were made; the sixth
    // repeats the fifth's deduplication id.
    let sends = (0..6).map(|n| sender.send(&url, message(n)));
    for sent in futures_util::future::join_all(sends).await {
        sent.expect("every send succeeds");
    }
    let received = receive_all(sqs, &url, 5).await;
    let bodies: Vec<&str> = received.iter().filter_map(Message::body).collect();
    assert_eq!(
        bodies,
        ["step-0", "step-1", "step-2", "step-3", "step-4"],
        "one group, in order, the duplicate dropped"
    );
}

/// A bad entry (a delay past SQS's 900 seconds) among good ones fails its own send only, as
/// permanent. Against the engine only: moto 5.2 writes the failed entry's `SenderFault` as a
/// string, which the Rust SDK cannot read, so the whole batch fails there (see "SQS: a failed
/// batch entry's `SenderFault`" in `tests/conformance/MOTO_DEVIATIONS.md`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_entry_fails_only_its_own_send() {
    let backend = Backend::engine().await;
    let clients = client(&backend).await;
    let Clients { sqs, sender, .. } = &clients;
    let url = create(sqs, "gathered", None).await;
    let (bad, good) = tokio::join!(
        sender.send(
            &url,
            OutgoingMessage {
                body: "too late".to_owned(),
                delay_seconds: 1800,
                ..OutgoingMessage::default()
            }
        ),
        sender.send(
            &url,
            OutgoingMessage {
                body: "good".to_owned(),
                ..OutgoingMessage::default()
            }
        ),
    );
    good.expect("the good entry's send succeeds");
    let bad = bad.expect_err("the bad entry's send fails");
    assert!(bad.message.starts_with("InvalidParameterValue"), "{bad}");
    assert_eq!(bad.class, runtime::resilience::ErrorClass::Permanent);
}
