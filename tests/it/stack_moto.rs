//! The committed template is accepted by CloudFormation (moto, through the real SDK):
//! a `CREATE` change set executes to `CREATE_COMPLETE` and creates the pipeline's resources.
//! moto cannot create `AWS::CloudWatch::Alarm`, so alarms are dropped for moto only, and the
//! queue triggers are deployed disabled (moto would try to invoke on every send).

use std::io::Write as _;
use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, StackStatus};
use aws_sdk_s3::primitives::ByteStream;
use tests::MotoServer;

fn bootstrap_zip() -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file(
            "bootstrap",
            zip::write::SimpleFileOptions::default().unix_permissions(0o755),
        )
        .unwrap();
    writer.write_all(b"#!/bin/sh\nexit 0\n").unwrap();
    writer.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: upload code, create through a change set, inspect what exists"
)]
async fn the_seed_template_reaches_create_complete_on_moto() {
    let moto = MotoServer::start();
    let sdk = moto.sdk_config().await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    let cloudformation = aws_sdk_cloudformation::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut template: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("generated/template.json")).unwrap(),
    )
    .unwrap();
    let resources = template["Resources"].as_object_mut().unwrap();
    resources.retain(|_, resource| resource["Type"] != "AWS::CloudWatch::Alarm");
    let expected_resources = resources.len();

    s3.create_bucket()
        .bucket("code-bucket")
        .send()
        .await
        .unwrap();
    let mut parameters = vec![
        Parameter::builder()
            .parameter_key("Stage")
            .parameter_value("test")
            .build(),
        Parameter::builder()
            .parameter_key("CodeBucket")
            .parameter_value("code-bucket")
            .build(),
        Parameter::builder()
            .parameter_key("EventSourcesEnabled")
            .parameter_value("false")
            .build(),
    ];
    let zip = bootstrap_zip();
    for key in template["Parameters"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|key| key.ends_with("CodeKey"))
    {
        let object = format!("{key}.zip");
        s3.put_object()
            .bucket("code-bucket")
            .key(&object)
            .body(ByteStream::from(zip.clone()))
            .send()
            .await
            .unwrap();
        parameters.push(
            Parameter::builder()
                .parameter_key(key)
                .parameter_value(object)
                .build(),
        );
    }

    cloudformation
        .create_change_set()
        .stack_name("orders-test")
        .change_set_name("create-1")
        .change_set_type(ChangeSetType::Create)
        .template_body(template.to_string())
        .set_parameters(Some(parameters))
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .expect("CreateChangeSet");
    cloudformation
        .execute_change_set()
        .stack_name("orders-test")
        .change_set_name("create-1")
        .send()
        .await
        .expect("ExecuteChangeSet");

    let mut status = None;
    for _ in 0..60 {
        let stacks = cloudformation
            .describe_stacks()
            .stack_name("orders-test")
            .send()
            .await
            .unwrap();
        let stack = &stacks.stacks()[0];
        status = stack.stack_status().cloned();
        if !stack
            .stack_status()
            .is_some_and(|status| status.as_str().ends_with("IN_PROGRESS"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(status, Some(StackStatus::CreateComplete));

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
