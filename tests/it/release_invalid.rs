//! The runtime's release of invalid records (`runtime::aws::VisibilityRelease`), against the
//! local engine and moto: a record made visible again comes straight back, reaches its
//! dead-letter queue after `maxReceiveCount` quick receives instead of as many visibility
//! timeouts, and the handle of a message that has left the queue is refused.

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{Message, MessageSystemAttributeName, QueueAttributeName};
use runtime::aws::{Released, VisibilityRelease};
use tests::{Backend, sdk_config_for};

/// The SDK client the scenario arranges with, and the runtime's release under test.
struct Clients {
    sqs: Client,
    release: VisibilityRelease,
}

async fn client(backend: &Backend) -> Clients {
    let sdk = sdk_config_for(&backend.endpoint()).await;
    Clients {
        sqs: Client::new(&sdk),
        release: VisibilityRelease::new(&sdk),
    }
}

tests::conformance!(invalid_records_reach_the_dead_letter_queue_without_waiting);

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
    let Clients { sqs, release } = clients;
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
