//! The assets stack, once per account and region: one bucket for the code zips (keyed by their
//! sha256, so stages and pipelines share identical code) and the deployed pipeline files.
//! Its name comes from the account the template runs in, so no STS call is needed.

use aws_sdk_cloudformation::Client;
use serde_json::json;

use super::unless_missing;
use futures_util::FutureExt as _;

use super::deploy::{DeployError, DeployRequest, Progress, change_set_name, deploy};
use super::stack::{Pace, patiently};

/// The assets stack's name, the same in every account and region.
pub const STACK: &str = "gen-bootstrap";

/// The bucket's logical id, also the output that names it.
const BUCKET: &str = "AssetsBucket";

/// Why the assets bucket has no access logs, as the template's checkov and cdk-nag metadata say.
const NO_ACCESS_LOGS: &str = "Holds build artifacts only; access logging needs a second bucket, CloudTrail data events cover audits.";

/// The assets stack's template: an encrypted, private, TLS-only bucket, retained when the
/// stack is deleted (stacks of every stage point at its objects).
pub fn template() -> String {
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "gen assets: code zips by sha256 and deployed pipeline files",
        "Resources": {
            "AssetsBucket": {
                "Type": "AWS::S3::Bucket",
                "DeletionPolicy": "RetainExceptOnCreate",
                "UpdateReplacePolicy": "Retain",
                // The same reviewed reason for checkov's and cdk-nag's access logging rule.
                "Metadata": {
                    "checkov": {"skip": [{"id": "CKV_AWS_18", "comment": NO_ACCESS_LOGS}]},
                    "cdk_nag": {"rules_to_suppress": [{"id": "AwsSolutions-S1", "reason": NO_ACCESS_LOGS}]}
                },
                "Properties": {
                    "BucketName": {"Fn::Sub": "gen-assets-${AWS::AccountId}-${AWS::Region}"},
                    "BucketEncryption": {"ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]},
                    "PublicAccessBlockConfiguration": {
                        "BlockPublicAcls": true,
                        "BlockPublicPolicy": true,
                        "IgnorePublicAcls": true,
                        "RestrictPublicBuckets": true
                    },
                    "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
                    // Zips are written once under their hash; versions keep the history of
                    // each stage's deployed pipeline.yaml for a month.
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "LifecycleConfiguration": {"Rules": [{
                        "Id": "tidy",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30}
                    }]}
                }
            },
            "AssetsBucketPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "AssetsBucket"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [super::assets::deny_insecure_transport(&json!([
                            {"Fn::GetAtt": ["AssetsBucket", "Arn"]},
                            {"Fn::Sub": "${AssetsBucket.Arn}/*"}
                        ]))]
                    }
                }
            }
        },
        "Outputs": {
            BUCKET: {"Value": {"Ref": "AssetsBucket"}}
        }
    });
    let mut text = serde_json::to_string_pretty(&template).expect("a template is plain data");
    text.push('\n');
    text
}

/// The assets bucket, when the assets stack is deployed. Read from the stack's resource rather
/// than its output, which emulators do not always fill in after a change set.
pub async fn assets_bucket(client: &Client, pace: &Pace) -> Result<Option<String>, DeployError> {
    let Some(described) = unless_missing(
        "DescribeStackResource",
        patiently(pace, || {
            client
                .describe_stack_resource()
                .stack_name(STACK)
                .logical_resource_id(BUCKET)
                .send()
        })
        .await,
    )?
    else {
        return Ok(None);
    };
    Ok(described
        .stack_resource_detail()
        .filter(|detail| {
            detail.resource_status().is_some_and(|status| {
                status.as_str().ends_with("_COMPLETE") && !status.as_str().starts_with("DELETE")
            })
        })
        .and_then(|detail| detail.physical_resource_id())
        .map(str::to_owned))
}

/// Deploys (or updates) the assets stack and returns its bucket.
pub async fn bootstrap(
    client: &Client,
    pace: &Pace,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<String, DeployError> {
    let request = DeployRequest {
        stack: STACK.to_owned(),
        template_body: template(),
        template_url: None,
        parameters: Vec::new(),
        tags: vec![("managed-by".to_owned(), "gen".to_owned())],
        // Holds nothing that a failed first create could have filled.
        ephemeral: true,
        change_set: change_set_name(),
        pace: *pace,
    };
    // The only question asked is answered yes, so the outcome is a success or a failure.
    let outcome = deploy(
        client,
        &request,
        &mut |_, _| futures_util::future::ready(true).boxed(),
        progress,
    )
    .await?;
    if let Some(cause) = outcome.cause() {
        return Err(DeployError::Failed {
            stack: STACK.to_owned(),
            reason: cause,
        });
    }
    assets_bucket(client, pace)
        .await?
        .ok_or_else(|| DeployError::Failed {
            stack: STACK.to_owned(),
            reason: format!("its `{BUCKET}` resource is not there"),
        })
}

/// The assets bucket, bootstrapping the assets stack first when it is missing. When another
/// deploy is bootstrapping at the same moment (parallel CI jobs in a fresh account) and wins,
/// its bucket is used.
pub async fn ensure(
    client: &Client,
    pace: &Pace,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<String, DeployError> {
    if let Some(bucket) = assets_bucket(client, pace).await? {
        return Ok(bucket);
    }
    progress(Progress::Note(&format!(
        "bootstrapping: creating stack `{STACK}` with the assets bucket (once per account and region)"
    )));
    match bootstrap(client, pace, progress).await {
        Ok(bucket) => Ok(bucket),
        Err(error) => {
            super::stack::settled(client, STACK, pace).await?;
            assets_bucket(client, pace).await?.ok_or(error)
        }
    }
}
