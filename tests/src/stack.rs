//! Creating the seed pipeline's stack on moto, as `gen deploy` will: code zips uploaded, a
//! `CREATE` change set executed. moto cannot create alarms, so those are dropped for moto.

use std::io::Write as _;
use std::time::Duration;

use aws_sdk_cloudformation::types::{Capability, ChangeSetType, Parameter, StackStatus, Tag};
use aws_sdk_s3::primitives::ByteStream;

/// A zip holding an executable `bootstrap`.
///
/// # Panics
/// Never for in-memory writes.
pub fn bootstrap_zip() -> Vec<u8> {
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

/// Resource types left out on moto: alarms (moto cannot create them) and the alarm e-mail
/// subscription (created only with an `AlarmEmail`, which the tests leave empty).
const NOT_ON_MOTO: [&str; 2] = ["AWS::CloudWatch::Alarm", "AWS::SNS::Subscription"];

/// The committed `generated/template.json`, without the resource types moto cannot create
/// ([`NOT_ON_MOTO`]); cfn-lint, checkov and the snapshots prove those instead.
///
/// # Panics
/// When the committed template is missing or unreadable.
pub fn seed_template_for_moto() -> serde_json::Value {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut template: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("generated/template.json")).unwrap(),
    )
    .unwrap();
    template["Resources"]
        .as_object_mut()
        .unwrap()
        .retain(|_, resource| !NOT_ON_MOTO.iter().any(|kind| resource["Type"] == *kind));
    template
}

/// Creates stack `orders-<stage>` from `template` with the given stack tags and waits for the
/// end; returns the final status.
///
/// # Panics
/// When an SDK call fails.
pub async fn create_stack(
    sdk: &aws_config::SdkConfig,
    template: &serde_json::Value,
    stage: &str,
    tags: &[(&str, &str)],
) -> Option<StackStatus> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    let cloudformation = aws_sdk_cloudformation::Client::new(sdk);
    let _ = s3.create_bucket().bucket("code-bucket").send().await;
    let mut parameters = vec![
        Parameter::builder()
            .parameter_key("Stage")
            .parameter_value(stage)
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
            .body(ByteStream::from(bootstrap_zip()))
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
    let stack = format!("orders-{stage}");
    let stack_tags: Vec<Tag> = tags
        .iter()
        .map(|(key, value)| Tag::builder().key(*key).value(*value).build())
        .collect();
    cloudformation
        .create_change_set()
        .stack_name(&stack)
        .change_set_name("create-1")
        .change_set_type(ChangeSetType::Create)
        .template_body(template.to_string())
        .set_parameters(Some(parameters))
        .set_tags(Some(stack_tags))
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .expect("CreateChangeSet");
    cloudformation
        .execute_change_set()
        .stack_name(&stack)
        .change_set_name("create-1")
        .send()
        .await
        .expect("ExecuteChangeSet");
    let mut status = None;
    for _ in 0..60 {
        let stacks = cloudformation
            .describe_stacks()
            .stack_name(&stack)
            .send()
            .await
            .unwrap();
        status = stacks.stacks()[0].stack_status().cloned();
        if !status
            .as_ref()
            .is_some_and(|status| status.as_str().ends_with("IN_PROGRESS"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    status
}
