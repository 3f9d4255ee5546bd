//! Deploying a stage through a change set: pick `CREATE` or `UPDATE` from the stack's state
//! (recovering `ROLLBACK_COMPLETE` and `UPDATE_ROLLBACK_FAILED`), detect "no changes" before and
//! after creating the change set, show the plan, execute, follow the stack events and report
//! the first failing resource or the outputs.

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackEvent, StackStatus, Tag,
};
use serde::Serialize;

use super::call_failed;
use super::stack::{self, Pace, WaitError, in_progress, patiently};

/// What to deploy.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub stack: String,
    pub template_body: String,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// Ephemeral stages are recreated from `ROLLBACK_COMPLETE` without asking.
    pub ephemeral: bool,
    pub pace: Pace,
}

/// What a deploy reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A step worth a line: "deleting the stack left in `ROLLBACK_COMPLETE`".
    Note(&'a str),
    /// The change set is executing and will touch this many resources.
    Executing { resources: usize },
    /// One stack event, oldest first.
    Event {
        status: &'a str,
        logical_id: &'a str,
        resource_type: &'a str,
        reason: &'a str,
    },
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
    #[error(transparent)]
    Wait(#[from] WaitError),
    #[error("stack `{stack}` is busy ({status}); wait for it to finish and deploy again")]
    Busy { stack: String, status: String },
    #[error(
        "stack `{0}` is in ROLLBACK_COMPLETE (its first create failed) and must be deleted before it can be created again; rerun and confirm, or run `gen destroy` first"
    )]
    NeedsRecreate(String),
    #[error(
        "stack `{stack}` could not be recovered: it ended in {status}; look at its events in the CloudFormation console, fix the resource named there and deploy again"
    )]
    NotRecovered { stack: String, status: String },
    #[error("change set of stack `{stack}` failed: {reason}")]
    ChangeSet { stack: String, reason: String },
    #[error("stack `{stack}` failed: {reason}")]
    Failed { stack: String, reason: String },
}

/// Deploys; `confirm` sees the plan and decides (it is asked again before deleting a stack in
/// `ROLLBACK_COMPLETE` that is not ephemeral); `progress` hears each step and stack event.
pub async fn deploy(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut dyn FnMut(&str, &[PlannedChange]) -> bool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DeployOutcome, DeployError> {
    // Change sets left by an interrupted run would pile up: remove the unexecuted ones first.
    let abandoned = abandon_change_sets(client, &request.stack, &request.pace).await?;
    if abandoned > 0 {
        progress(Progress::Note(&format!(
            "deleted {abandoned} change set(s) left by an interrupted deploy"
        )));
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
        .change_set_type(change_set_type)
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
    let delete_change_set = async || {
        let _ = client
            .delete_change_set()
            .stack_name(&request.stack)
            .change_set_name(&name)
            .send()
            .await;
    };
    let changes = match wait_change_set(client, &request.stack, &name, &request.pace).await? {
        ChangeSetReady::Ready(changes) => changes,
        ChangeSetReady::Empty => {
            delete_change_set().await;
            return Ok(DeployOutcome::NoChanges);
        }
    };
    if !confirm("apply these changes?", &changes) {
        delete_change_set().await;
        return Ok(DeployOutcome::Cancelled);
    }
    let started = DateTime::from(std::time::SystemTime::now());
    client
        .execute_change_set()
        .stack_name(&request.stack)
        .change_set_name(&name)
        .send()
        .await
        .map_err(|e| call_failed("ExecuteChangeSet", e))?;
    progress(Progress::Executing {
        resources: changes.len(),
    });
    follow(client, &request.stack, started, &request.pace, progress).await
}

/// Same template and same parameters as deployed: no change set needed (fast no-op).
async fn unchanged(client: &Client, request: &DeployRequest) -> Result<bool, DeployError> {
    let pace = &request.pace;
    let deployed = patiently(pace, || {
        client.get_template().stack_name(&request.stack).send()
    })
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
    let stacks = patiently(pace, || {
        client.describe_stacks().stack_name(&request.stack).send()
    })
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
    pace: &Pace,
) -> Result<ChangeSetReady, DeployError> {
    for _ in 0..pace.max_polls {
        let described = patiently(pace, || {
            client
                .describe_change_set()
                .stack_name(stack)
                .change_set_name(name)
                .send()
        })
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
            _ => tokio::time::sleep(pace.poll).await,
        }
    }
    Err(DeployError::ChangeSet {
        stack: stack.to_owned(),
        reason: format!("not ready after {:?}", pace.poll * pace.max_polls),
    })
}

/// The events of `stack` since `started` that are not in `seen`, oldest first. Pages back
/// until it reaches an event already seen or older than `started`, so a burst of events
/// between two polls is never skipped.
async fn new_events(
    client: &Client,
    stack: &str,
    started: DateTime,
    seen: &mut std::collections::BTreeSet<String>,
    pace: &Pace,
) -> Result<Vec<StackEvent>, DeployError> {
    let mut fresh = Vec::new();
    let mut token: Option<String> = None;
    'pages: loop {
        let listed = patiently(pace, || {
            client
                .describe_stack_events()
                .stack_name(stack)
                .set_next_token(token.clone())
                .send()
        })
        .await
        .map_err(|e| call_failed("DescribeStackEvents", e))?;
        for event in listed.stack_events() {
            let id = event.event_id().unwrap_or_default();
            if event.timestamp().is_some_and(|t| *t < started) || seen.contains(id) {
                break 'pages;
            }
            fresh.push(event.clone());
        }
        token = listed.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    fresh.reverse();
    seen.extend(
        fresh
            .iter()
            .map(|event| event.event_id().unwrap_or_default().to_owned()),
    );
    Ok(fresh)
}

/// Streams the events after `started` until the stack settles; reports outputs or the first
/// failure (the earliest `*_FAILED` event of a resource, not the last one: later failures are
/// mostly resources cancelled because of it).
async fn follow(
    client: &Client,
    stack: &str,
    started: DateTime,
    pace: &Pace,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DeployOutcome, DeployError> {
    let mut seen = std::collections::BTreeSet::new();
    let mut first_failure: Option<(String, String)> = None;
    for _ in 0..pace.max_polls {
        let status = stack::status(client, stack, pace).await?;
        for event in new_events(client, stack, started, &mut seen, pace).await? {
            let state = event.resource_status().map_or("", |s| s.as_str());
            let id = event.logical_resource_id().unwrap_or_default();
            let reason = event.resource_status_reason().unwrap_or_default();
            progress(Progress::Event {
                status: state,
                logical_id: id,
                resource_type: event.resource_type().unwrap_or_default(),
                reason,
            });
            if state.ends_with("_FAILED") && first_failure.is_none() && id != stack {
                first_failure = Some((id.to_owned(), reason.to_owned()));
            }
        }
        let Some(status) = status else {
            return Ok(DeployOutcome::Failed {
                status: "DELETED".to_owned(),
                first_failure,
            });
        };
        if in_progress(&status) {
            tokio::time::sleep(pace.poll).await;
            continue;
        }
        if matches!(
            status,
            StackStatus::CreateComplete | StackStatus::UpdateComplete
        ) {
            let stacks = patiently(pace, || client.describe_stacks().stack_name(stack).send())
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
    Err(WaitError::TimedOut {
        stack: stack.to_owned(),
        status: "in progress".to_owned(),
        waited: pace.poll * pace.max_polls,
    }
    .into())
}

/// Decides the change-set type from the stack's state, recovering the states that block a
/// deploy; `None` when the template and parameters equal what is deployed.
async fn prepare(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut dyn FnMut(&str, &[PlannedChange]) -> bool,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Option<ChangeSetType>, DeployError> {
    let stack = &request.stack;
    let not_recovered = |status: Option<StackStatus>| DeployError::NotRecovered {
        stack: stack.clone(),
        status: status.map_or_else(|| "DELETED".to_owned(), |s| s.as_str().to_owned()),
    };
    match stack::status(client, stack, &request.pace).await? {
        None | Some(StackStatus::ReviewInProgress) => Ok(Some(ChangeSetType::Create)),
        Some(StackStatus::RollbackComplete) => {
            if !request.ephemeral
                && !confirm(
                    "the stack is in ROLLBACK_COMPLETE: delete it and create it again?",
                    &[],
                )
            {
                return Err(DeployError::NeedsRecreate(stack.clone()));
            }
            progress(Progress::Note(
                "deleting the stack left in ROLLBACK_COMPLETE by its failed first create",
            ));
            client
                .delete_stack()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| call_failed("DeleteStack", e))?;
            match stack::settled(client, stack, &request.pace).await? {
                None => Ok(Some(ChangeSetType::Create)),
                other => Err(not_recovered(other)),
            }
        }
        Some(StackStatus::UpdateRollbackFailed) => {
            progress(Progress::Note(
                "continuing the rollback left in UPDATE_ROLLBACK_FAILED",
            ));
            client
                .continue_update_rollback()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| call_failed("ContinueUpdateRollback", e))?;
            match stack::settled(client, stack, &request.pace).await? {
                Some(StackStatus::UpdateRollbackComplete) => Ok(Some(ChangeSetType::Update)),
                other => Err(not_recovered(other)),
            }
        }
        Some(status) if in_progress(&status) => Err(DeployError::Busy {
            stack: stack.clone(),
            status: status.as_str().to_owned(),
        }),
        Some(_) if unchanged(client, request).await? => Ok(None),
        Some(_) => Ok(Some(ChangeSetType::Update)),
    }
}

/// Deletes the change sets `gen deploy` made on `stack` that were never executed (an
/// interrupted deploy); returns how many. Executed ones are history and stay.
pub async fn abandon_change_sets(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<usize, DeployError> {
    let listed = match patiently(pace, || client.list_change_sets().stack_name(stack).send()).await
    {
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
