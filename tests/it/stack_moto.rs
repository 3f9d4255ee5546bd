//! The committed template is accepted by CloudFormation (moto, through the real SDK):
//! a `CREATE` change set executes to `CREATE_COMPLETE` and creates the pipeline's resources.
//! moto cannot create alarms, so alarms (and the optional alarm e-mail subscription) are dropped
//! for moto only, and the queue triggers are deployed disabled (moto would try to invoke on every send).

use tests::{MotoServer, create_stack, seed_template_for_moto};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seed_template_reaches_create_complete_on_moto() {
    let moto = MotoServer::start();
    let sdk = moto.sdk_config().await;
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let template = seed_template_for_moto();
    let expected_resources = template["Resources"].as_object().unwrap().len();

    let status = create_stack(
        &sdk,
        &template,
        "test",
        &[("pipeline", "orders"), ("stage", "test")],
    )
    .await;
    assert_eq!(
        status,
        Some(aws_sdk_cloudformation::types::StackStatus::CreateComplete)
    );

    let stack_resources = cloudformation
        .describe_stack_resources()
        .stack_name("orders-test")
        .send()
        .await
        .unwrap();
    assert_eq!(stack_resources.stack_resources().len(), expected_resources);
    let queues = sqs.list_queues().send().await.unwrap();
    let mut names: Vec<&str> = queues
        .queue_urls()
        .iter()
        .map(|url| url.rsplit('/').next().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "orders-notification-dlq-test",
            "orders-notification-test",
            "orders-task-dlq-test",
            "orders-task-test"
        ]
    );
    let task = sqs
        .get_queue_attributes()
        .queue_url(
            queues
                .queue_urls()
                .iter()
                .find(|url| url.ends_with("orders-task-test"))
                .unwrap(),
        )
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::All)
        .send()
        .await
        .unwrap();
    let attributes = task.attributes().unwrap();
    assert_eq!(
        attributes[&aws_sdk_sqs::types::QueueAttributeName::VisibilityTimeout],
        "180"
    );
    let redrive: serde_json::Value =
        serde_json::from_str(&attributes[&aws_sdk_sqs::types::QueueAttributeName::RedrivePolicy])
            .unwrap();
    assert_eq!(
        redrive["maxReceiveCount"].to_string().trim_matches('"'),
        "2"
    );
    assert!(
        redrive["deadLetterTargetArn"]
            .as_str()
            .unwrap()
            .ends_with(":orders-task-dlq-test")
    );
}
