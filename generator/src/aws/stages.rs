//! Deployed stages of a pipeline: stacks named `<pipeline>-<stage>` and tagged `pipeline`,
//! `stage`, `branch`, `expires-at`, `owner`, `protected`. Listing, destroying (buckets emptied of
//! every version, then deleted — they are retained by the stack) and finding the expired ones.

use aws_sdk_cloudformation::types::{Stack, StackStatus};
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde::Serialize;

use super::call_failed;
use super::stack::{Pace, patiently};

/// One deployed stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stage {
    pub stage: String,
    pub stack: String,
    pub status: String,
    pub owner: Option<String>,
    pub branch: Option<String>,
    /// RFC 3339.
    pub created: Option<String>,
    /// RFC 3339; only ephemeral stages have one.
    pub expires_at: Option<String>,
    pub protected: bool,
}

impl Stage {
    /// Whether the stage's expiry is before `now` (RFC 3339 comparison by instant).
    pub fn expired(&self, now: DateTime) -> bool {
        self.expires_at
            .as_deref()
            .and_then(|text| DateTime::from_str(text, DateTimeFormat::DateTime).ok())
            .is_some_and(|expiry| expiry < now)
    }
}

/// Why a stage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error(transparent)]
    Aws(#[from] super::CallFailed),
    #[error("stage `{0}` is protected (tag `protected=true`): pass `--force` to destroy it anyway")]
    Protected(String),
    #[error(
        "no stage `{stage}` of pipeline `{pipeline}` is deployed\nhelp: `gen ls` lists the stages in this region; a stage deployed to another region needs `--region`"
    )]
    NotFound { pipeline: String, stage: String },
    #[error("stack `{stack}` did not finish deleting: {status}")]
    DeleteFailed { stack: String, status: String },
}

/// Every stage of `pipeline` that exists (deleted stacks are not listed).
pub async fn list(
    cloudformation: &aws_sdk_cloudformation::Client,
    pipeline: &str,
) -> Result<Vec<Stage>, StageError> {
    let mut stages = Vec::new();
    let mut token = None;
    loop {
        let page = cloudformation
            .describe_stacks()
            .set_next_token(token)
            .send()
            .await
            .map_err(|error| call_failed("DescribeStacks", error))?;
        stages.extend(
            page.stacks()
                .iter()
                .filter_map(|stack| stage_of(stack, pipeline)),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    stages.sort_by(|a, b| a.stage.cmp(&b.stage));
    Ok(stages)
}

fn stage_of(stack: &Stack, pipeline: &str) -> Option<Stage> {
    let tag = |key: &str| {
        stack
            .tags()
            .iter()
            .find(|tag| tag.key() == Some(key))
            .and_then(|tag| tag.value())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    if tag("pipeline").as_deref() != Some(pipeline)
        || stack.stack_status() == Some(&StackStatus::DeleteComplete)
    {
        return None;
    }
    let stack_name = stack.stack_name().unwrap_or_default().to_owned();
    Some(Stage {
        stage: tag("stage").unwrap_or_else(|| {
            stack_name
                .trim_start_matches(&format!("{pipeline}-"))
                .to_owned()
        }),
        stack: stack_name,
        status: stack
            .stack_status()
            .map(|status| status.as_str().to_owned())
            .unwrap_or_default(),
        owner: tag("owner"),
        branch: tag("branch"),
        created: stack
            .creation_time()
            .and_then(|time| time.fmt(DateTimeFormat::DateTime).ok()),
        expires_at: tag("expires-at"),
        protected: tag("protected").as_deref() == Some("true"),
    })
}

/// What destroying a stage removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Destroyed {
    pub stack: String,
    /// Buckets emptied and deleted, with how many object versions each held.
    pub buckets: Vec<(String, usize)>,
}

/// Deletes the stack, then empties (every version) and deletes the buckets it retained.
pub async fn destroy(
    cloudformation: &aws_sdk_cloudformation::Client,
    s3: &aws_sdk_s3::Client,
    stage: &Stage,
    force: bool,
) -> Result<Destroyed, StageError> {
    if stage.protected && !force {
        return Err(StageError::Protected(stage.stage.clone()));
    }
    let resources = cloudformation
        .describe_stack_resources()
        .stack_name(&stage.stack)
        .send()
        .await
        .map_err(|error| call_failed("DescribeStackResources", error))?;
    let buckets: Vec<String> = resources
        .stack_resources()
        .iter()
        .filter(|resource| resource.resource_type() == Some("AWS::S3::Bucket"))
        .filter_map(|resource| resource.physical_resource_id().map(str::to_owned))
        .collect();
    cloudformation
        .delete_stack()
        .stack_name(&stage.stack)
        .send()
        .await
        .map_err(|error| call_failed("DeleteStack", error))?;
    match super::stack::settled(cloudformation, &stage.stack, &Pace::default()).await {
        Ok(None) => {}
        Ok(Some(status)) => {
            return Err(StageError::DeleteFailed {
                stack: stage.stack.clone(),
                status: status.as_str().to_owned(),
            });
        }
        Err(error) => {
            return Err(StageError::DeleteFailed {
                stack: stage.stack.clone(),
                status: error.to_string(),
            });
        }
    }
    let mut destroyed = Destroyed {
        stack: stage.stack.clone(),
        buckets: Vec::new(),
    };
    for bucket in buckets {
        let count = empty_bucket(s3, &bucket).await?;
        match s3.delete_bucket().bucket(&bucket).send().await {
            Ok(_) => {}
            Err(error) if super::is_s3_code(&error, &["NoSuchBucket"]) => {}
            Err(error) => return Err(call_failed(&format!("DeleteBucket {bucket}"), error).into()),
        }
        destroyed.buckets.push((bucket, count));
    }
    Ok(destroyed)
}

/// Deletes every object version and delete marker; returns how many there were.
async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<usize, StageError> {
    let mut deleted = 0;
    loop {
        let listing = match s3.list_object_versions().bucket(bucket).send().await {
            Ok(listing) => listing,
            Err(error) if super::is_s3_code(&error, &["NoSuchBucket"]) => return Ok(deleted),
            Err(error) => {
                return Err(call_failed(&format!("ListObjectVersions {bucket}"), error).into());
            }
        };
        let identifiers: Vec<ObjectIdentifier> = listing
            .versions()
            .iter()
            .map(|version| (version.key(), version.version_id()))
            .chain(
                listing
                    .delete_markers()
                    .iter()
                    .map(|marker| (marker.key(), marker.version_id())),
            )
            .filter_map(|(key, version)| {
                ObjectIdentifier::builder()
                    .key(key?)
                    .set_version_id(version.map(str::to_owned))
                    .build()
                    .ok()
            })
            .collect();
        if identifiers.is_empty() {
            return Ok(deleted);
        }
        for chunk in identifiers.chunks(1000) {
            let delete = Delete::builder()
                .set_objects(Some(chunk.to_vec()))
                .quiet(true)
                .build()
                .map_err(|error| call_failed("DeleteObjects", error))?;
            s3.delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|error| call_failed(&format!("DeleteObjects {bucket}"), error))?;
            deleted += chunk.len();
        }
    }
}

/// What is deployed to a stage: its template, and the pipeline.yaml its last deploy recorded
/// in the assets bucket (absent for stacks deployed some other way).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployedStage {
    pub template: serde_json::Value,
    pub pipeline_file: Option<Vec<u8>>,
}

/// The deployed state of `<pipeline>-<stage>`; `None` when no such stack exists.
pub async fn deployed(
    cloudformation: &aws_sdk_cloudformation::Client,
    s3: &aws_sdk_s3::Client,
    pipeline: &str,
    stage: &str,
) -> Result<Option<DeployedStage>, StageError> {
    let stack = format!("{pipeline}-{stage}");
    let pace = Pace::default();
    // A stack still in review or rolled back from its first create holds nothing deployed.
    let Some(found) = super::stack::describe(cloudformation, &stack, &pace)
        .await?
        .filter(|found| {
            !matches!(
                found.stack_status(),
                None | Some(StackStatus::ReviewInProgress | StackStatus::RollbackComplete)
            )
        })
    else {
        return Ok(None);
    };
    let body = patiently(&pace, || {
        cloudformation.get_template().stack_name(&stack).send()
    })
    .await
    .map_err(|error| call_failed("GetTemplate", error))?;
    let template =
        serde_json::from_str(body.template_body().unwrap_or_default()).map_err(|error| {
            super::CallFailed::new(
                "GetTemplate",
                super::AwsProblem::Other {
                    message: format!("the deployed template of `{stack}` is not JSON: {error}"),
                },
            )
        })?;
    let bucket = found
        .parameters()
        .iter()
        .find(|parameter| parameter.parameter_key() == Some("CodeBucket"))
        .and_then(|parameter| parameter.parameter_value());
    let pipeline_file = match bucket {
        Some(bucket) => {
            match s3
                .get_object()
                .bucket(bucket)
                .key(crate::package::deployed_pipeline_key(pipeline, stage))
                .send()
                .await
            {
                Ok(object) => Some(
                    object
                        .body
                        .collect()
                        .await
                        .map_err(|error| call_failed("GetObject", error))?
                        .to_vec(),
                ),
                Err(error) if super::is_s3_code(&error, &["NoSuchKey", "NoSuchBucket"]) => None,
                Err(error) => return Err(call_failed("GetObject", error).into()),
            }
        }
        None => None,
    };
    Ok(Some(DeployedStage {
        template,
        pipeline_file,
    }))
}
