//! Deployed stages of a pipeline: stacks named `<pipeline>--<stage>` (stacks deployed before
//! that was the name are `<pipeline>-<stage>`, and are still found) and tagged `pipeline`,
//! `stage`, `branch`, `expires-at`, `owner`, `protected`. Listing, finding one, and switching
//! CloudFormation's termination protection.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::types::{Stack, StackStatus};
use aws_sdk_s3::primitives::{DateTime, DateTimeFormat};
use serde::Serialize;

use super::call_failed;
use super::stack::{Pace, patiently};
use crate::config::naming::stack_name;

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
    /// CloudFormation's termination protection of the stack.
    pub termination_protection: bool,
    /// Every tag of the stack.
    pub tags: BTreeMap<String, String>,
    /// The stack's `CodeBucket` parameter: the assets bucket its code came from.
    #[serde(skip)]
    pub code_bucket: Option<String>,
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
    #[error(
        "refusing to destroy without a terminal to ask at\nhelp: pass `--yes` to destroy without asking"
    )]
    NoTerminal,
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
    let stage = stage_from(stack);
    (stage.tags.get("pipeline").map(String::as_str) == Some(pipeline)
        && stack.stack_status() != Some(&StackStatus::DeleteComplete))
    .then_some(stage)
}

/// A stack read as a stage, whoever deployed it.
fn stage_from(stack: &Stack) -> Stage {
    let tags: BTreeMap<String, String> = stack
        .tags()
        .iter()
        .filter_map(|tag| Some((tag.key()?.to_owned(), tag.value()?.to_owned())))
        .filter(|(_, value)| !value.is_empty())
        .collect();
    let tag = |key: &str| tags.get(key).cloned();
    let stack_name = stack.stack_name().unwrap_or_default().to_owned();
    Stage {
        stage: tag("stage").unwrap_or_else(|| stack_name.clone()),
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
        termination_protection: stack.enable_termination_protection() == Some(true),
        tags,
        code_bucket: stack
            .parameters()
            .iter()
            .find(|parameter| parameter.parameter_key() == Some("CodeBucket"))
            .and_then(|parameter| parameter.parameter_value())
            .map(str::to_owned),
    }
}

/// The stack a stage of `pipeline` lives in, whoever deployed it: `<pipeline>--<stage>`, or
/// the older `<pipeline>-<stage>` when only that exists and is tagged as this pipeline's stage.
/// `None` when neither exists.
pub async fn find(
    cloudformation: &aws_sdk_cloudformation::Client,
    pipeline: &str,
    stage: &str,
    pace: &Pace,
) -> Result<Option<Stage>, StageError> {
    let usable = |found: &Stack| {
        !matches!(
            found.stack_status(),
            None | Some(StackStatus::DeleteComplete)
        )
    };
    let current = stack_name(pipeline, stage);
    if let Some(found) = super::stack::describe(cloudformation, &current, pace)
        .await?
        .filter(usable)
    {
        return Ok(Some(stage_from(&found)));
    }
    let legacy = format!("{pipeline}-{stage}");
    Ok(super::stack::describe(cloudformation, &legacy, pace)
        .await?
        .filter(usable)
        .map(|found| stage_from(&found))
        .filter(|found| {
            found.tags.get("pipeline").map(String::as_str) == Some(pipeline)
                && found.tags.get("stage").map(String::as_str) == Some(stage)
        }))
}

/// Switches CloudFormation's termination protection of `stack` on or off.
pub async fn set_termination_protection(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
    enabled: bool,
) -> Result<(), StageError> {
    cloudformation
        .update_termination_protection()
        .stack_name(stack)
        .enable_termination_protection(enabled)
        .send()
        .await
        .map_err(|error| call_failed("UpdateTerminationProtection", error))?;
    Ok(())
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
    let pace = Pace::default();
    // A stack still in review or rolled back from its first create holds nothing deployed.
    let Some(found) = find(cloudformation, pipeline, stage, &pace)
        .await?
        .filter(|found| {
            !matches!(
                found.status.as_str(),
                "REVIEW_IN_PROGRESS" | "ROLLBACK_COMPLETE"
            )
        })
    else {
        return Ok(None);
    };
    let stack = found.stack.clone();
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
    let bucket = found.code_bucket.as_deref();
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
