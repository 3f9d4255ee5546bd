//! Deploying a stage through a change set: pick `CREATE` or `UPDATE` from the stack's state
//! (recovering `ROLLBACK_COMPLETE` and `UPDATE_ROLLBACK_FAILED`), detect "no changes" before and
//! after creating the change set, show the plan, execute, follow the stack events and report
//! the first failing resource or the outputs.

use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackStatus, Tag,
};
use serde::Serialize;

use super::call_failed;

/// What to deploy.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub stack: String,
    pub template_body: String,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// Ephemeral stages are recreated from `ROLLBACK_COMPLETE` without asking.
    pub ephemeral: bool,
}

/// One planned resource change, as CloudFormation reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedChange {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    pub replacement: String,
}

/// How a deploy ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DeployOutcome {
    /// Template and parameters equal what is deployed: nothing was created or executed.
    NoChanges,
    /// The change set was not confirmed and has been deleted.
    Cancelled,
    /// Executed; the stack's outputs.
    Deployed {
        status: String,
        outputs: Vec<(String, String)>,
    },
    /// Executed and failed: the first resource that failed and why.
    Failed {
        status: String,
        first_failure: Option<(String, String)>,
    },
}

/// Why a deploy could not run.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Aws(#[from] super::CallFailed),
    #[error("stack `{stack}` is busy ({status}); wait for it to finish and deploy again")]
    Busy { stack: String, status: String },
    #[error(
        "stack `{0}` is in ROLLBACK_COMPLETE (its first create failed) and must be deleted before it can be created again; rerun and confirm, or run `gen destroy` first"
    )]
    NeedsRecreate(String),
    #[error("change set of stack `{stack}` failed: {reason}")]
    ChangeSet { stack: String, reason: String },
}

/// Deploys; `confirm` sees the plan and decides (it is asked again before deleting a stack in
/// `ROLLBACK_COMPLETE` that is not ephemeral); `progress` receives one line per stack event.
pub async fn deploy(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut dyn FnMut(&str, &[PlannedChange]) -> bool,
    progress: &mut dyn FnMut(&str),
) -> Result<DeployOutcome, DeployError> {
    // Change sets left by an interrupted run would pile up: remove the unexecuted ones first.
    let abandoned = abandon_change_sets(client, &request.stack).await?;
    if abandoned > 0 {
        progress(&format!(
            "deleted {abandoned} change set(s) left by an interrupted deploy"
        ));
    }
    let Some(change_set_type) = prepare(client, request, confirm, progress).await? else {
        return Ok(DeployOutcome::NoChanges);
    };
    let name = format!(
        "gen-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    );
    client
        .create_change_set()
        .stack_name(&request.stack)
        .change_set_name(&name)
        .change_set_type(change_set_type.clone())
        .template_body(&request.template_body)
        .set_parameters(Some(
            request
                .parameters
                .iter()
                .map(|(k, v)| {
                    Parameter::builder()
                        .parameter_key(k)
                        .parameter_value(v)
                        .build()
                })
                .collect(),
        ))
        .set_tags(Some(
            request
                .tags
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build())
                .collect(),
        ))
        .capabilities(Capability::CapabilityIam)
        .send()
        .await
        .map_err(|e| call_failed("CreateChangeSet", e))?;
    let changes = match wait_change_set(client, &request.stack, &name).await? {
        ChangeSetReady::Ready(changes) => changes,
        ChangeSetReady::Empty => {
            let _ = client
                .delete_change_set()
                .stack_name(&request.stack)
                .change_set_name(&name)
                .send()
                .await;
            return Ok(DeployOutcome::NoChanges);
        }
    };
    if !confirm("apply these changes?", &changes) {
        let _ = client
            .delete_change_set()
            .stack_name(&request.stack)
            .change_set_name(&name)
            .send()
            .await;
        return Ok(DeployOutcome::Cancelled);
    }
    let started = aws_sdk_cloudformation::primitives::DateTime::from(std::time::SystemTime::now());
    client
        .execute_change_set()
        .stack_name(&request.stack)
        .change_set_name(&name)
        .send()
        .await
        .map_err(|e| call_failed("ExecuteChangeSet", e))?;
    follow(client, &request.stack, started, progress).await
}

async fn stack_status(client: &Client, stack: &str) -> Result<Option<StackStatus>, DeployError> {
    match client.describe_stacks().stack_name(stack).send().await {
        Ok(output) => Ok(output
            .stacks()
            .first()
            .and_then(|s| s.stack_status())
            .cloned()
            .filter(|s| *s != StackStatus::DeleteComplete)),
        Err(error) if super::is_missing_stack(error.as_service_error()) => Ok(None),
        Err(error) => Err(call_failed("DescribeStacks", error).into()),
    }
}

/// Same template and same parameters as deployed: no change set needed (fast no-op).
async fn unchanged(client: &Client, request: &DeployRequest) -> Result<bool, DeployError> {
    let deployed = client
        .get_template()
        .stack_name(&request.stack)
        .send()
        .await
        .map_err(|e| call_failed("GetTemplate", e))?;
    let same_template = deployed
        .template_body()
        .and_then(|body| serde_json::from_str::<serde_json::Value>(body).ok())
        .zip(serde_json::from_str::<serde_json::Value>(&request.template_body).ok())
        .is_some_and(|(old, new)| old == new);
    if !same_template {
        return Ok(false);
    }
    let stacks = client
        .describe_stacks()
        .stack_name(&request.stack)
        .send()
        .await
        .map_err(|e| call_failed("DescribeStacks", e))?;
    let Some(stack) = stacks.stacks().first() else {
        return Ok(false);
    };
    let deployed: std::collections::BTreeMap<&str, &str> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value()?)))
        .collect();
    let tags: std::collections::BTreeMap<&str, &str> = stack
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value()?)))
        .collect();
    Ok(request
        .parameters
        .iter()
        .all(|(k, v)| deployed.get(k.as_str()) == Some(&v.as_str()))
        && request
            .tags
            .iter()
            .all(|(k, v)| tags.get(k.as_str()) == Some(&v.as_str())))
}

enum ChangeSetReady {
    Ready(Vec<PlannedChange>),
    Empty,
}

async fn wait_change_set(
    client: &Client,
    stack: &str,
    name: &str,
) -> Result<ChangeSetReady, DeployError> {
    for _ in 0..600 {
        let described = client
            .describe_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| call_failed("DescribeChangeSet", e))?;
        match described.status() {
            Some(ChangeSetStatus::CreateComplete) => {
                let changes = described
                    .changes()
                    .iter()
                    .filter_map(|change| change.resource_change())
                    .map(|change| PlannedChange {
                        action: change
                            .action()
                            .map(|a| a.as_str().to_owned())
                            .unwrap_or_default(),
                        logical_id: change.logical_resource_id().unwrap_or_default().to_owned(),
                        resource_type: change.resource_type().unwrap_or_default().to_owned(),
                        replacement: change
                            .replacement()
                            .map(|r| r.as_str().to_owned())
                            .unwrap_or_default(),
                    })
                    .collect();
                return Ok(ChangeSetReady::Ready(changes));
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = described.status_reason().unwrap_or_default().to_owned();
                if reason.contains("didn't contain changes") || reason.contains("No updates") {
                    return Ok(ChangeSetReady::Empty);
                }
                return Err(DeployError::ChangeSet {
                    stack: stack.to_owned(),
                    reason,
                });
            }
            _ => tokio::time::sleep(Duration::from_millis(300)).await,
        }
    }
    Err(DeployError::ChangeSet {
        stack: stack.to_owned(),
        reason: "not ready after 3 minutes".to_owned(),
    })
}

/// Waits until the stack is no longer in progress (or gone).
async fn wait_settled(client: &Client, stack: &str) -> Result<Option<StackStatus>, DeployError> {
    for _ in 0..1200 {
        let status = stack_status(client, stack).await?;
        if !status
            .as_ref()
            .is_some_and(|s| s.as_str().ends_with("_IN_PROGRESS"))
        {
            return Ok(status);
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(DeployError::Busy {
        stack: stack.to_owned(),
        status: "still in progress after 10 minutes".to_owned(),
    })
}

/// Streams the events after `started` until the stack settles; reports outputs or the first
/// failure (the earliest `*_FAILED` event, not the last one).
async fn follow(
    client: &Client,
    stack: &str,
    started: aws_sdk_cloudformation::primitives::DateTime,
    progress: &mut dyn FnMut(&str),
) -> Result<DeployOutcome, DeployError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut first_failure: Option<(String, String)> = None;
    loop {
        let status = stack_status(client, stack).await?;
        if let Ok(events) = client
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
        {
            let mut fresh: Vec<_> = events
                .stack_events()
                .iter()
                .filter(|event| event.timestamp().is_some_and(|t| *t >= started))
                .filter(|event| event.event_id().is_some_and(|id| !seen.contains(id)))
                .collect();
            fresh.reverse(); // oldest first
            for event in fresh {
                seen.insert(event.event_id().unwrap_or_default().to_owned());
                let state = event
                    .resource_status()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default();
                let id = event.logical_resource_id().unwrap_or_default();
                let reason = event.resource_status_reason().unwrap_or_default();
                progress(format!("{state:<22} {id} {reason}").trim_end());
                if state.ends_with("_FAILED") && first_failure.is_none() && id != stack {
                    first_failure = Some((id.to_owned(), reason.to_owned()));
                }
            }
        }
        let Some(status) = status else {
            return Ok(DeployOutcome::Failed {
                status: "DELETED".to_owned(),
                first_failure,
            });
        };
        if status.as_str().ends_with("_IN_PROGRESS") {
            tokio::time::sleep(Duration::from_millis(400)).await;
            continue;
        }
        if matches!(
            status,
            StackStatus::CreateComplete | StackStatus::UpdateComplete
        ) {
            let stacks = client
                .describe_stacks()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| call_failed("DescribeStacks", e))?;
            let outputs = stacks
                .stacks()
                .first()
                .map(|s| {
                    s.outputs()
                        .iter()
                        .filter_map(|o| {
                            Some((o.output_key()?.to_owned(), o.output_value()?.to_owned()))
                        })
                        .collect()
                })
                .unwrap_or_default();
            return Ok(DeployOutcome::Deployed {
                status: status.as_str().to_owned(),
                outputs,
            });
        }
        return Ok(DeployOutcome::Failed {
            status: status.as_str().to_owned(),
            first_failure,
        });
    }
}

/// Decides the change-set type from the stack's state, recovering the states that block a
/// deploy; `None` when the template and parameters equal what is deployed.
async fn prepare(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut dyn FnMut(&str, &[PlannedChange]) -> bool,
    progress: &mut dyn FnMut(&str),
) -> Result<Option<ChangeSetType>, DeployError> {
    match stack_status(client, &request.stack).await? {
        None | Some(StackStatus::ReviewInProgress) => Ok(Some(ChangeSetType::Create)),
        Some(StackStatus::RollbackComplete) => {
            if !request.ephemeral
                && !confirm(
                    "the stack is in ROLLBACK_COMPLETE: delete it and create it again?",
                    &[],
                )
            {
                return Err(DeployError::NeedsRecreate(request.stack.clone()));
            }
            progress("deleting the stack left in ROLLBACK_COMPLETE");
            client
                .delete_stack()
                .stack_name(&request.stack)
                .send()
                .await
                .map_err(|e| call_failed("DeleteStack", e))?;
            wait_settled(client, &request.stack).await?;
            Ok(Some(ChangeSetType::Create))
        }
        Some(StackStatus::UpdateRollbackFailed) => {
            progress("continuing the rollback left in UPDATE_ROLLBACK_FAILED");
            client
                .continue_update_rollback()
                .stack_name(&request.stack)
                .send()
                .await
                .map_err(|e| call_failed("ContinueUpdateRollback", e))?;
            wait_settled(client, &request.stack).await?;
            Ok(Some(ChangeSetType::Update))
        }
        Some(status) if status.as_str().ends_with("_IN_PROGRESS") => Err(DeployError::Busy {
            stack: request.stack.clone(),
            status: status.as_str().to_owned(),
        }),
        Some(_) if unchanged(client, request).await? => Ok(None),
        Some(_) => Ok(Some(ChangeSetType::Update)),
    }
}

/// Deletes the change sets `gen deploy` made on `stack` that were never executed (an
/// interrupted deploy); returns how many. Executed ones are history and stay.
pub async fn abandon_change_sets(client: &Client, stack: &str) -> Result<usize, DeployError> {
    let listed = match client.list_change_sets().stack_name(stack).send().await {
        Ok(listed) => listed,
        Err(error) if super::is_missing_stack(error.as_service_error()) => {
            return Ok(0);
        }
        Err(error) => return Err(call_failed("ListChangeSets", error).into()),
    };
    let mut deleted = 0;
    for summary in listed.summaries() {
        let ours = summary
            .change_set_name()
            .is_some_and(|name| name.starts_with("gen-"));
        let executed = summary.execution_status().is_some_and(|status| {
            status.as_str().starts_with("EXECUTE_") || status.as_str() == "OBSOLETE"
        });
        if ours && !executed {
            let name = summary.change_set_name().unwrap_or_default();
            client
                .delete_change_set()
                .stack_name(stack)
                .change_set_name(name)
                .send()
                .await
                .map_err(|e| call_failed("DeleteChangeSet", e))?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
