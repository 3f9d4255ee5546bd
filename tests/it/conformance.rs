//! The SQS conformance suite: each scenario is written once against `aws_sdk_sqs::Client` and
//! runs against both the embedded local engine (`gen dev`) and moto, so the engine keeps the
//! semantics the reference emulator has.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_sqs::Client;
use aws_sdk_sqs::operation::get_queue_attributes::GetQueueAttributesError;
use aws_sdk_sqs::operation::get_queue_url::GetQueueUrlError;
use aws_sdk_sqs::operation::send_message::SendMessageError;
use aws_sdk_sqs::types::{
    DeleteMessageBatchRequestEntry, Message, MessageAttributeValue, MessageSystemAttributeName,
    QueueAttributeName, SendMessageBatchRequestEntry,
};
use tests::{Backend, sdk_config_for};

async fn client(backend: &Backend) -> Client {
    Client::new(&sdk_config_for(&backend.endpoint()).await)
}

tests::conformance!(
    create_get_url_and_attributes,
    send_receive_delete,
    visibility_timeout_returns_the_message,
    redrive_to_dead_letter_queue,
    send_and_delete_in_batches,
    purge_empties_the_queue,
    message_attributes_round_trip,
    fifo_orders_groups_and_deduplicates,
    long_poll_returns_when_a_message_arrives,
    long_poll_returns_when_a_message_becomes_visible,
    missing_queue_is_queue_does_not_exist,
);

async fn create(client: &Client, name: &str, attributes: &[(QueueAttributeName, &str)]) -> String {
    let mut request = client.create_queue().queue_name(name);
    for (attribute, value) in attributes {
        request = request.attributes(attribute.clone(), *value);
    }
    request
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("a queue URL")
}

async fn attributes(client: &Client, url: &str) -> HashMap<QueueAttributeName, String> {
    client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .unwrap_or_default()
}

async fn counts(client: &Client, url: &str) -> (String, String) {
    let attributes = attributes(client, url).await;
    (
        attributes[&QueueAttributeName::ApproximateNumberOfMessages].clone(),
        attributes[&QueueAttributeName::ApproximateNumberOfMessagesNotVisible].clone(),
    )
}

async fn send(client: &Client, url: &str, body: &str) -> String {
    client
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .expect("SendMessage")
        .message_id
        .expect("a message id")
}

async fn receive(
    client: &Client,
    url: &str,
    maximum: i32,
    visibility: Option<i32>,
) -> Vec<Message> {
    client
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(maximum)
        .set_visibility_timeout(visibility)
        .message_system_attribute_names(MessageSystemAttributeName::All)
        .message_attribute_names("All")
        .send()
        .await
        .expect("ReceiveMessage")
        .messages
        .unwrap_or_default()
}

fn receive_count(message: &Message) -> &str {
    message
        .attributes()
        .and_then(|attributes| attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .map_or("", String::as_str)
}

fn bodies(messages: &[Message]) -> Vec<&str> {
    messages.iter().filter_map(Message::body).collect()
}

async fn create_get_url_and_attributes(client: &Client) {
    let url = create(
        client,
        "orders",
        &[
            (QueueAttributeName::VisibilityTimeout, "5"),
            (QueueAttributeName::MessageRetentionPeriod, "3600"),
        ],
    )
    .await;
    assert!(url.ends_with("/orders"), "{url}");
    let again = create(
        client,
        "orders",
        &[(QueueAttributeName::VisibilityTimeout, "5")],
    )
    .await;
    assert_eq!(again, url);
    let found = client
        .get_queue_url()
        .queue_name("orders")
        .send()
        .await
        .expect("GetQueueUrl");
    assert_eq!(found.queue_url(), Some(url.as_str()));
    create(client, "other", &[]).await;
    let listed = client
        .list_queues()
        .queue_name_prefix("ord")
        .send()
        .await
        .expect("ListQueues");
    assert_eq!(listed.queue_urls(), std::slice::from_ref(&url));

    let read = attributes(client, &url).await;
    assert_eq!(read[&QueueAttributeName::VisibilityTimeout], "5");
    assert_eq!(read[&QueueAttributeName::MessageRetentionPeriod], "3600");
    assert_eq!(read[&QueueAttributeName::DelaySeconds], "0");
    assert_eq!(read[&QueueAttributeName::ApproximateNumberOfMessages], "0");
    assert!(read[&QueueAttributeName::QueueArn].starts_with("arn:aws:sqs:us-east-1:"));
    assert!(read[&QueueAttributeName::QueueArn].ends_with(":orders"));

    client
        .set_queue_attributes()
        .queue_url(&url)
        .attributes(QueueAttributeName::VisibilityTimeout, "7")
        .send()
        .await
        .expect("SetQueueAttributes");
    assert_eq!(
        attributes(client, &url).await[&QueueAttributeName::VisibilityTimeout],
        "7"
    );
}

async fn send_receive_delete(client: &Client) {
    let url = create(client, "plain", &[]).await;
    let sent = client
        .send_message()
        .queue_url(&url)
        .message_body("hello")
        .send()
        .await
        .expect("SendMessage");
    assert_eq!(
        sent.md5_of_message_body(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(counts(client, &url).await, ("1".into(), "0".into()));

    let received = receive(client, &url, 10, None).await;
    assert_eq!(bodies(&received), ["hello"]);
    let message = &received[0];
    assert_eq!(message.message_id(), sent.message_id());
    assert_eq!(
        message.md5_of_body(),
        Some("5d41402abc4b2a76b9719d911017c592")
    );
    assert_eq!(receive_count(message), "1");
    let attributes = message.attributes().expect("system attributes");
    for name in [
        MessageSystemAttributeName::SentTimestamp,
        MessageSystemAttributeName::ApproximateFirstReceiveTimestamp,
    ] {
        let millis: u64 = attributes[&name].parse().expect("epoch milliseconds");
        assert!(millis > 1_600_000_000_000, "{name}: {millis}");
    }
    assert_eq!(counts(client, &url).await, ("0".into(), "1".into()));

    client
        .delete_message()
        .queue_url(&url)
        .receipt_handle(message.receipt_handle().expect("a receipt handle"))
        .send()
        .await
        .expect("DeleteMessage");
    assert_eq!(counts(client, &url).await, ("0".into(), "0".into()));
}

async fn visibility_timeout_returns_the_message(client: &Client) {
    let url = create(client, "visibility", &[]).await;
    let id = send(client, &url, "again").await;
    // 3 s: room for the next call to see it hidden even on a loaded machine.
    let first = receive(client, &url, 1, Some(3)).await;
    assert_eq!(receive_count(&first[0]), "1");
    assert!(receive(client, &url, 1, None).await.is_empty());
    // Polled, not slept: the message is back once its 3 s are over, whenever that is observed.
    let second = eventually(|| receive(client, &url, 1, None)).await;
    assert_eq!(second[0].message_id(), Some(id.as_str()));
    assert_eq!(receive_count(&second[0]), "2");
    assert_ne!(second[0].receipt_handle(), first[0].receipt_handle());
}

async fn redrive_to_dead_letter_queue(client: &Client) {
    let dead = create(client, "orders-dlq", &[]).await;
    let arn = attributes(client, &dead).await[&QueueAttributeName::QueueArn].clone();
    let policy = format!(r#"{{"deadLetterTargetArn":"{arn}","maxReceiveCount":2}}"#);
    let url = create(
        client,
        "orders-main",
        &[(QueueAttributeName::RedrivePolicy, &policy)],
    )
    .await;
    let read = attributes(client, &url).await;
    let read: serde_json::Value =
        serde_json::from_str(&read[&QueueAttributeName::RedrivePolicy]).expect("JSON policy");
    assert_eq!(read["deadLetterTargetArn"], arn.as_str());

    send(client, &url, "poison").await;
    for count in ["1", "2"] {
        let received = receive(client, &url, 1, None).await;
        assert_eq!(receive_count(&received[0]), count);
        client
            .change_message_visibility()
            .queue_url(&url)
            .receipt_handle(received[0].receipt_handle().expect("a receipt handle"))
            .visibility_timeout(0)
            .send()
            .await
            .expect("ChangeMessageVisibility");
    }
    assert!(receive(client, &url, 1, None).await.is_empty());
    assert_eq!(bodies(&receive(client, &dead, 10, None).await), ["poison"]);
}

async fn send_and_delete_in_batches(client: &Client) {
    let url = create(client, "batches", &[]).await;
    let entries = (0..3)
        .map(|index| {
            SendMessageBatchRequestEntry::builder()
                .id(format!("e{index}"))
                .message_body(format!("body-{index}"))
                .build()
                .expect("entry")
        })
        .collect();
    let sent = client
        .send_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .expect("SendMessageBatch");
    assert_eq!(sent.successful().len(), 3);
    assert!(sent.failed().is_empty());

    let received = tests::receive_all(client, &url, 3).await;
    let mut received_bodies = bodies(&received);
    received_bodies.sort_unstable();
    assert_eq!(received_bodies, ["body-0", "body-1", "body-2"]);
    let entries = received
        .iter()
        .enumerate()
        .map(|(index, message)| {
            DeleteMessageBatchRequestEntry::builder()
                .id(format!("d{index}"))
                .receipt_handle(message.receipt_handle().expect("a receipt handle"))
                .build()
                .expect("entry")
        })
        .collect();
    let deleted = client
        .delete_message_batch()
        .queue_url(&url)
        .set_entries(Some(entries))
        .send()
        .await
        .expect("DeleteMessageBatch");
    assert_eq!(deleted.successful().len(), 3);
    assert_eq!(counts(client, &url).await, ("0".into(), "0".into()));
}

async fn purge_empties_the_queue(client: &Client) {
    let url = create(client, "purged", &[]).await;
    for index in 0..3 {
        send(client, &url, &format!("m{index}")).await;
    }
    assert_eq!(counts(client, &url).await.0, "3");
    client
        .purge_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("PurgeQueue");
    assert_eq!(counts(client, &url).await, ("0".into(), "0".into()));
    assert!(receive(client, &url, 10, None).await.is_empty());
}

async fn message_attributes_round_trip(client: &Client) {
    let url = create(client, "attributed", &[]).await;
    let value = |data_type: &str, text: &str| {
        MessageAttributeValue::builder()
            .data_type(data_type)
            .string_value(text)
            .build()
            .expect("attribute")
    };
    let sent = client
        .send_message()
        .queue_url(&url)
        .message_body("{}")
        .message_attributes("kind", value("String", "order"))
        .message_attributes("attempt", value("Number", "3"))
        .send()
        .await
        .expect("SendMessage");
    let received = receive(client, &url, 1, None).await;
    let attributes = received[0]
        .message_attributes()
        .expect("message attributes");
    assert_eq!(attributes["kind"], value("String", "order"));
    assert_eq!(attributes["attempt"], value("Number", "3"));
    assert!(sent.md5_of_message_attributes().is_some());
    assert_eq!(
        received[0].md5_of_message_attributes(),
        sent.md5_of_message_attributes()
    );
}

async fn fifo_orders_groups_and_deduplicates(client: &Client) {
    let url = create(
        client,
        "orders.fifo",
        &[
            (QueueAttributeName::FifoQueue, "true"),
            (QueueAttributeName::ContentBasedDeduplication, "true"),
        ],
    )
    .await;
    let send_fifo =
        |body: &'static str, group: &'static str, deduplication: Option<&'static str>| {
            client
                .send_message()
                .queue_url(&url)
                .message_body(body)
                .message_group_id(group)
                .set_message_deduplication_id(deduplication.map(str::to_owned))
                .send()
        };
    // AWS answers with a `SequenceNumber`; moto does not, so it is not asserted here.
    send_fifo("a1", "a", None).await.expect("SendMessage");
    send_fifo("a2", "a", None).await.expect("SendMessage");
    send_fifo("b1", "b", Some("b-1"))
        .await
        .expect("SendMessage");
    // Duplicates: the same body (content hash), and the same explicit id with another body.
    send_fifo("a1", "a", None).await.expect("SendMessage");
    send_fifo("b1-retry", "b", Some("b-1"))
        .await
        .expect("SendMessage");

    let a1 = receive(client, &url, 1, None).await;
    assert_eq!(bodies(&a1), ["a1"]);
    // Group `a` has a message in flight: only group `b` delivers.
    assert_eq!(bodies(&receive(client, &url, 10, None).await), ["b1"]);
    assert!(receive(client, &url, 10, None).await.is_empty());
    client
        .delete_message()
        .queue_url(&url)
        .receipt_handle(a1[0].receipt_handle().expect("a receipt handle"))
        .send()
        .await
        .expect("DeleteMessage");
    let rest = receive(client, &url, 10, None).await;
    assert_eq!(bodies(&rest), ["a2"]);
    let group = rest[0]
        .attributes()
        .and_then(|attributes| attributes.get(&MessageSystemAttributeName::MessageGroupId));
    assert_eq!(group.map(String::as_str), Some("a"));
}

async fn long_poll_returns_when_a_message_arrives(client: &Client) {
    let url = create(client, "polled", &[]).await;
    let sender = client.clone();
    let sender_url = url.clone();
    let send_later = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        send(&sender, &sender_url, "late").await;
    });
    let received = answered_before_the_wait_ends(client, &url).await;
    send_later.await.expect("the delayed send");
    assert_eq!(bodies(&received), ["late"]);
}

async fn long_poll_returns_when_a_message_becomes_visible(client: &Client) {
    let url = create(client, "reappearing", &[]).await;
    send(client, &url, "retry").await;
    assert_eq!(receive(client, &url, 1, Some(1)).await.len(), 1);
    let received = answered_before_the_wait_ends(client, &url).await;
    assert_eq!(bodies(&received), ["retry"]);
}

/// A 20 s long poll that must be answered by a message, not by the end of its wait: the poll
/// is abandoned (and the test fails) at 15 s, a margin no loaded machine needs for an answer
/// due within a second.
async fn answered_before_the_wait_ends(client: &Client, url: &str) -> Vec<Message> {
    let poll = client
        .receive_message()
        .queue_url(url)
        .wait_time_seconds(20)
        .send();
    tokio::time::timeout(Duration::from_secs(15), poll)
        .await
        .expect("the long poll returns with the message, before its 20 s wait ends")
        .expect("ReceiveMessage")
        .messages
        .unwrap_or_default()
}

/// Polls `receive` until it returns messages, for at most 10 s.
async fn eventually<F, Fut>(mut receive: F) -> Vec<Message>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Vec<Message>>,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let messages = receive().await;
        if !messages.is_empty() {
            return messages;
        }
        assert!(Instant::now() < deadline, "no message within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn missing_queue_is_queue_does_not_exist(client: &Client) {
    let error = client
        .get_queue_url()
        .queue_name("nowhere")
        .send()
        .await
        .expect_err("no such queue");
    assert!(
        error
            .as_service_error()
            .is_some_and(GetQueueUrlError::is_queue_does_not_exist),
        "{error:?}"
    );

    let url = create(client, "present", &[]).await;
    let missing = url.replace("/present", "/nowhere");
    let error = client
        .send_message()
        .queue_url(&missing)
        .message_body("lost")
        .send()
        .await
        .expect_err("no such queue");
    assert!(
        error
            .as_service_error()
            .is_some_and(SendMessageError::is_queue_does_not_exist),
        "{error:?}"
    );
    let error = client
        .get_queue_attributes()
        .queue_url(&missing)
        .attribute_names(QueueAttributeName::All)
        .send()
        .await
        .expect_err("no such queue");
    assert!(
        error
            .as_service_error()
            .is_some_and(GetQueueAttributesError::is_queue_does_not_exist),
        "{error:?}"
    );
}

/// Engine only (moto slows to ~27 messages/s at this depth): 2,000 messages in, all out. The
/// rate is measured by `cargo bench -p tests --bench engine`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_drains_two_thousand_messages() {
    let backend = Backend::engine().await;
    let client = client(&backend).await;
    let url = create(&client, "deep", &[]).await;
    for batch in 0..200 {
        let entries = (0..10)
            .map(|index| {
                SendMessageBatchRequestEntry::builder()
                    .id(format!("e{index}"))
                    .message_body(format!("m{batch}-{index}"))
                    .build()
                    .expect("entry")
            })
            .collect();
        client
            .send_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("SendMessageBatch");
    }
    assert_eq!(counts(&client, &url).await.0, "2000");
    let mut drained = 0;
    loop {
        let messages = receive(&client, &url, 10, None).await;
        if messages.is_empty() {
            break;
        }
        drained += messages.len();
        let entries = messages
            .iter()
            .enumerate()
            .map(|(index, message)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(format!("d{index}"))
                    .receipt_handle(message.receipt_handle().expect("a receipt handle"))
                    .build()
                    .expect("entry")
            })
            .collect();
        client
            .delete_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .expect("DeleteMessageBatch");
    }
    assert_eq!(drained, 2_000);
    assert_eq!(counts(&client, &url).await, ("0".into(), "0".into()));
}
