//! SQS message move tasks (a dead-letter queue's redrive) through the Rust SDK: the engine
//! follows AWS's `StartMessageMoveTask`, `ListMessageMoveTasks` and `CancelMessageMoveTask`;
//! moto 5.2 does not implement them (it answers 500), which the moto test pins so the gap is
//! noticed when moto closes it (`tests/conformance/MOTO_DEVIATIONS.md`, "SQS: message move
//! tasks").

use std::time::{Duration, Instant};

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{
    ListMessageMoveTasksResultEntry, MessageSystemAttributeName, QueueAttributeName,
};
use tests::{Backend, sdk_config_for};

async fn client(backend: &Backend) -> Client {
    Client::new(&sdk_config_for(&backend.endpoint()).await)
}

/// A source queue whose messages go to its dead-letter queue on their second receive; returns
/// (source URL, source ARN, DLQ URL, DLQ ARN).
async fn source_and_dlq(client: &Client, name: &str) -> (String, String, String, String) {
    let dlq = client
        .create_queue()
        .queue_name(format!("{name}-dlq"))
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("a URL");
    let dlq_arn = arn(client, &dlq).await;
    let policy = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}","maxReceiveCount":1}}"#);
    let source = client
        .create_queue()
        .queue_name(name)
        .attributes(QueueAttributeName::RedrivePolicy, policy)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("a URL");
    let source_arn = arn(client, &source).await;
    (source, source_arn, dlq, dlq_arn)
}

async fn arn(client: &Client, url: &str) -> String {
    client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .and_then(|attributes| attributes.get(&QueueAttributeName::QueueArn).cloned())
        .expect("QueueArn")
}

async fn visible(client: &Client, url: &str) -> u64 {
    client
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .and_then(|attributes| {
            attributes
                .get(&QueueAttributeName::ApproximateNumberOfMessages)
                .cloned()
        })
        .and_then(|count| count.parse().ok())
        .expect("ApproximateNumberOfMessages")
}

/// Sends `count` messages to `source` and receives each twice (visibility 0), so the second
/// receive moves them to the dead-letter queue.
async fn dead_letter(client: &Client, source: &str, count: usize) {
    for index in 0..count {
        client
            .send_message()
            .queue_url(source)
            .message_body(format!("order-{index}"))
            .send()
            .await
            .expect("SendMessage");
    }
    for _ in 0..3 {
        client
            .receive_message()
            .queue_url(source)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .expect("ReceiveMessage");
    }
}

/// The newest task of `source_arn`, once it is no longer running (within 10 s).
async fn finished(client: &Client, source_arn: &str) -> ListMessageMoveTasksResultEntry {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let tasks = client
            .list_message_move_tasks()
            .source_arn(source_arn)
            .send()
            .await
            .expect("ListMessageMoveTasks");
        let newest = tasks.results()[0].clone();
        if newest.status() != Some("RUNNING") || Instant::now() > deadline {
            return newest;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

mod engine {
    use super::*;

    fn code(error: &dyn aws_sdk_sqs::error::ProvideErrorMetadata) -> String {
        error.code().unwrap_or_default().to_owned()
    }

    async fn engine_client() -> (Backend, Client) {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        (backend, client)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redrive_moves_dead_letters_back_to_their_source() {
        let (_engine, client) = engine_client().await;
        let (source, source_arn, dlq, dlq_arn) = source_and_dlq(&client, "orders").await;
        dead_letter(&client, &source, 3).await;
        assert_eq!(
            (
                visible(&client, &source).await,
                visible(&client, &dlq).await
            ),
            (0, 3)
        );
        // A dead letter says where it came from.
        let peeked = client
            .receive_message()
            .queue_url(&dlq)
            .visibility_timeout(0)
            .message_system_attribute_names(MessageSystemAttributeName::DeadLetterQueueSourceArn)
            .send()
            .await
            .expect("ReceiveMessage");
        let attributes = peeked.messages()[0].attributes().expect("attributes");
        assert_eq!(
            attributes.get(&MessageSystemAttributeName::DeadLetterQueueSourceArn),
            Some(&source_arn)
        );

        let started = client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .send()
            .await
            .expect("StartMessageMoveTask");
        assert!(!started.task_handle().unwrap_or_default().is_empty());
        let task = finished(&client, &dlq_arn).await;
        assert_eq!(task.status(), Some("COMPLETED"));
        assert_eq!(task.approximate_number_of_messages_moved(), 3);
        assert_eq!(task.approximate_number_of_messages_to_move(), Some(3));
        assert_eq!(task.source_arn(), Some(dlq_arn.as_str()));
        assert_eq!(task.task_handle(), None, "only a running task has a handle");
        assert!(task.started_timestamp() > 0);
        assert_eq!(
            (
                visible(&client, &source).await,
                visible(&client, &dlq).await
            ),
            (3, 0)
        );
        // Back on the source, each starts afresh: its first receive counts 1.
        let received = client
            .receive_message()
            .queue_url(&source)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .expect("ReceiveMessage");
        let mut bodies: Vec<&str> = received
            .messages()
            .iter()
            .filter_map(|m| m.body())
            .collect();
        bodies.sort_unstable();
        assert_eq!(bodies, ["order-0", "order-1", "order-2"]);
        for message in received.messages() {
            let count = message
                .attributes()
                .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount));
            assert_eq!(count.map(String::as_str), Some("1"));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_destination_takes_the_messages_instead() {
        let (_engine, client) = engine_client().await;
        let (source, _, dlq, dlq_arn) = source_and_dlq(&client, "orders").await;
        let elsewhere = client
            .create_queue()
            .queue_name("elsewhere")
            .send()
            .await
            .expect("CreateQueue")
            .queue_url
            .expect("a URL");
        let elsewhere_arn = arn(&client, &elsewhere).await;
        dead_letter(&client, &source, 2).await;
        client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .destination_arn(&elsewhere_arn)
            .send()
            .await
            .expect("StartMessageMoveTask");
        let task = finished(&client, &dlq_arn).await;
        assert_eq!(task.status(), Some("COMPLETED"));
        assert_eq!(task.destination_arn(), Some(elsewhere_arn.as_str()));
        assert_eq!(visible(&client, &elsewhere).await, 2);
        assert_eq!(
            visible(&client, &source).await + visible(&client, &dlq).await,
            0
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn refusals_follow_aws() {
        let (_engine, client) = engine_client().await;
        let (_, source_arn, _, dlq_arn) = source_and_dlq(&client, "orders").await;
        // Not a dead-letter queue, no such queue, a rate past 500.
        let error = client
            .start_message_move_task()
            .source_arn(&source_arn)
            .send()
            .await
            .expect_err("the source is not a DLQ");
        assert_eq!(code(&error), "InvalidParameterValue", "{error:?}");
        let missing = source_arn.replace(":orders", ":nowhere");
        let error = client
            .start_message_move_task()
            .source_arn(&missing)
            .send()
            .await
            .expect_err("no such queue");
        assert_eq!(code(&error), "ResourceNotFoundException");
        assert!(error.as_service_error().is_some_and(
            aws_sdk_sqs::operation::start_message_move_task::StartMessageMoveTaskError::is_resource_not_found_exception
        ));
        let error = client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .max_number_of_messages_per_second(501)
            .send()
            .await
            .expect_err("too fast");
        assert_eq!(code(&error), "InvalidParameterValue");
        let error = client
            .list_message_move_tasks()
            .source_arn(&dlq_arn)
            .max_results(11)
            .send()
            .await
            .expect_err("MaxResults past 10");
        assert_eq!(code(&error), "InvalidParameterValue");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn only_a_running_task_is_cancelled_and_tasks_are_listed_newest_first() {
        let (_engine, client) = engine_client().await;
        let (source, _, _, dlq_arn) = source_and_dlq(&client, "orders").await;
        // One message a second: the task is still running when a second one is asked for.
        dead_letter(&client, &source, 5).await;
        let handle = client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .max_number_of_messages_per_second(1)
            .send()
            .await
            .expect("StartMessageMoveTask")
            .task_handle
            .expect("a handle");
        let error = client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .send()
            .await
            .expect_err("one running task per source");
        assert_eq!(code(&error), "InvalidParameterValue");
        let listed = client
            .list_message_move_tasks()
            .source_arn(&dlq_arn)
            .send()
            .await
            .expect("ListMessageMoveTasks");
        assert_eq!(listed.results()[0].status(), Some("RUNNING"));
        assert_eq!(listed.results()[0].task_handle(), Some(handle.as_str()));
        assert_eq!(
            listed.results()[0].max_number_of_messages_per_second(),
            Some(1)
        );

        let cancelled = client
            .cancel_message_move_task()
            .task_handle(&handle)
            .send()
            .await
            .expect("CancelMessageMoveTask");
        assert!(cancelled.approximate_number_of_messages_moved() < 5);
        let error = client
            .cancel_message_move_task()
            .task_handle(&handle)
            .send()
            .await
            .expect_err("only a running task can be cancelled");
        assert_eq!(code(&error), "AWS.SimpleQueueService.UnsupportedOperation");
        let error = client
            .cancel_message_move_task()
            .task_handle("bm8gc3VjaCB0YXNr")
            .send()
            .await
            .expect_err("no such task");
        assert_eq!(code(&error), "ResourceNotFoundException");
        let task = finished(&client, &dlq_arn).await;
        assert_eq!(task.status(), Some("CANCELLED"));
        assert_eq!(
            task.approximate_number_of_messages_moved(),
            cancelled.approximate_number_of_messages_moved()
        );
        // A new task may start once the other is over; both are listed, newest first.
        client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .send()
            .await
            .expect("StartMessageMoveTask");
        finished(&client, &dlq_arn).await;
        let listed = client
            .list_message_move_tasks()
            .source_arn(&dlq_arn)
            .max_results(10)
            .send()
            .await
            .expect("ListMessageMoveTasks");
        let statuses: Vec<_> = listed.results().iter().filter_map(|t| t.status()).collect();
        assert_eq!(statuses, ["COMPLETED", "CANCELLED"]);
        assert_eq!(visible(&client, &source).await, 5);
    }
}

mod moto {
    use super::*;

    /// moto 5.2 has no message move tasks: the call fails with a server error. When moto gains
    /// them, run the engine scenarios against it too and drop this.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn moto_does_not_implement_message_move_tasks() {
        let backend = Backend::moto();
        let client = client(&backend).await;
        let (_, _, _, dlq_arn) = source_and_dlq(&client, "orders").await;
        let error = client
            .start_message_move_task()
            .source_arn(&dlq_arn)
            .send()
            .await
            .expect_err("moto lacks StartMessageMoveTask");
        let status = error
            .raw_response()
            .map(|response| response.status().as_u16());
        assert_eq!(status, Some(500), "{error:?}");
    }
}
