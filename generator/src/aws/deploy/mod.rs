//! Deploying a stage through a change set: pick `CREATE` or `UPDATE` from the stack's state
//! (recovering `ROLLBACK_COMPLETE` and `UPDATE_ROLLBACK_FAILED`, refusing the states that need a
//! person), detect "no changes" before and after creating the change set, show the plan,
//! execute, follow the stack events and report the first failing resource or the outputs.
//!
//! A change set that is not executed — cancelled, failed, or interrupted — is deleted, and so
//! is the empty stack a cancelled first deploy would leave in `REVIEW_IN_PROGRESS`.

mod change_set;
mod events;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{ChangeSetType, Stack, StackStatus};
use futures_util::future::BoxFuture;
use serde::Serialize;

use super::call_failed;
use super::stack::{self, Pace, WaitError, in_progress, patiently};
use change_set::{Reviewed, create_change_set, review};
use events::{FirstFailure, follow, new_events, newest_event};

pub use change_set::{abandon_change_sets, discard};

/// What to deploy.
#[derive(Debug, Clone)]
pub struct DeployRequest {
    pub stack: String,
    /// The template; sent inline unless `template_url` is set.
    pub template_body: String,
    /// Where the same template was put in S3, for templates over the inline limit.
    pub template_url: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub tags: Vec<(String, String)>,
    /// Ephemeral stages are recreated from `ROLLBACK_COMPLETE` without asking.
    pub ephemeral: bool,
    /// The change set this deploy makes (see [`change_set_name`]); known up front so that an
    /// interrupted deploy can delete exactly its own.
    pub change_set: String,
    pub pace: Pace,
}

/// A fresh change-set name: `gen-<milliseconds since 1970>`.
pub fn change_set_name() -> String {
    format!(
        "gen-{}",
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis())
    )
}

/// What a deploy reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A step worth a line: "deleting the stack left in `ROLLBACK_COMPLETE`".
    Note(&'a str),
    /// A change set of `stack` is executing and will touch this many resources.
    Executing { stack: &'a str, resources: usize },
    /// One stack event, oldest first.
    Event {
        status: &'a str,
        logical_id: &'a str,
        resource_type: &'a str,
        reason: &'a str,
    },
    /// The stack settled: no more events will come for this execution.
    Settled,
}

/// One planned resource change, as CloudFormation reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedChange {
    pub action: String,
    pub logical_id: String,
    pub resource_type: String,
    pub replacement: String,
}

/// Asks a yes/no question about a plan; the answer may take a while (a person at a terminal),
/// so it is a future, which lets Ctrl-C interrupt it.
pub type Confirm<'a> = dyn FnMut(&str, &[PlannedChange]) -> BoxFuture<'static, bool> + 'a;

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
    /// Executed and failed: the first resource that failed and why (or the stack's own reason
    /// when no resource failed, e.g. a parameter CloudFormation refused).
    Failed {
        status: String,
        first_failure: Option<(String, String)>,
    },
}

impl DeployOutcome {
    /// For a failure: "`ROLLBACK_COMPLETE`: first failure `Bucket`: already exists".
    pub fn cause(&self) -> Option<String> {
        let DeployOutcome::Failed {
            status,
            first_failure,
        } = self
        else {
            return None;
        };
        Some(match first_failure {
            Some((id, reason)) => format!("{status}: first failure `{id}`: {reason}"),
            None => status.clone(),
        })
    }
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
    #[error("stack `{stack}` is in {status}: {hint}")]
    Stuck {
        stack: String,
        status: String,
        hint: String,
    },
    #[error("{}", not_recovered(.stack, .status, .failure.as_ref()))]
    NotRecovered {
        stack: String,
        status: String,
        /// The first resource that failed during the recovery, and why.
        failure: Option<(String, String)>,
    },
    #[error("change set of stack `{stack}` failed: {reason}")]
    ChangeSet { stack: String, reason: String },
    #[error("stack `{stack}` failed: {reason}")]
    Failed { stack: String, reason: String },
}

fn not_recovered(stack: &str, status: &str, failure: Option<&(String, String)>) -> String {
    match failure {
        Some((id, reason)) => format!(
            "stack `{stack}` could not be recovered: it ended in {status} because `{id}` failed: {reason}\nhint: fix `{id}` and deploy again, or skip it with `aws cloudformation continue-update-rollback --stack-name {stack} --resources-to-skip {id}`"
        ),
        None => format!(
            "stack `{stack}` could not be recovered: it ended in {status}; look at its events in the CloudFormation console, fix the resource named there and deploy again"
        ),
    }
}

/// What to do about a stack in a state that only a person can resolve.
fn stuck_hint(stack: &str, status: &StackStatus) -> String {
    match status {
        StackStatus::DeleteFailed => "a delete failed, usually on a resource that is not empty or still in use; run `gen destroy` for this stage again (it empties buckets first), then deploy".to_owned(),
        StackStatus::RollbackFailed => format!(
            "the rollback of its first create failed; delete it with `aws cloudformation delete-stack --stack-name {stack}` (add `--retain-resources` for what blocks it), then deploy again"
        ),
        _ => "look at its events in the CloudFormation console, resolve it there, then deploy again".to_owned(),
    }
}

/// Deploys; `confirm` sees the plan and decides (it is asked again before deleting a stack in
/// `ROLLBACK_COMPLETE` that is not ephemeral); `progress` hears each step and stack event.
pub async fn deploy(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut Confirm<'_>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DeployOutcome, DeployError> {
    // Change sets left by an interrupted run would pile up: remove the old unexecuted ones
    // (recent ones may belong to a deploy still running elsewhere).
    let abandoned = abandon_change_sets(client, &request.stack, &request.pace).await?;
    if abandoned > 0 {
        progress(Progress::Note(&format!(
            "deleted {abandoned} change set(s) left by an interrupted deploy"
        )));
    }
    let Some(change_set_type) = prepare(client, request, confirm, progress).await? else {
        return Ok(DeployOutcome::NoChanges);
    };
    create_change_set(client, request, change_set_type).await?;
    let reviewed = review(client, request, confirm).await;
    let changes = match reviewed {
        Ok(Reviewed::Approved(changes)) => changes,
        other => {
            // Not executed: the change set goes, whatever stopped it; the first error wins.
            let discarded = discard(client, request).await;
            let outcome = match other? {
                Reviewed::Empty => DeployOutcome::NoChanges,
                Reviewed::Cancelled | Reviewed::Approved(_) => DeployOutcome::Cancelled,
            };
            discarded?;
            return Ok(outcome);
        }
    };
    // The newest event before execution marks where this execution's events begin (the local
    // clock may disagree with CloudFormation's).
    let boundary = newest_event(client, &request.stack, &request.pace).await?;
    client
        .execute_change_set()
        .stack_name(&request.stack)
        .change_set_name(&request.change_set)
        .send()
        .await
        .map_err(|e| call_failed("ExecuteChangeSet", e))?;
    progress(Progress::Executing {
        stack: &request.stack,
        resources: changes.len(),
    });
    let outcome = follow(client, &request.stack, boundary, &request.pace, progress).await;
    progress(Progress::Settled);
    outcome
}

/// Same template, parameters and tags as the `deployed` stack: no change set needed (fast
/// no-op).
async fn unchanged(
    client: &Client,
    request: &DeployRequest,
    deployed: &Stack,
) -> Result<bool, DeployError> {
    let pace = &request.pace;
    let template = patiently(pace, || {
        client.get_template().stack_name(&request.stack).send()
    })
    .await
    .map_err(|e| call_failed("GetTemplate", e))?;
    let same_template = template
        .template_body()
        .and_then(|body| serde_json::from_str::<serde_json::Value>(body).ok())
        .zip(serde_json::from_str::<serde_json::Value>(&request.template_body).ok())
        .is_some_and(|(old, new)| old == new);
    if !same_template {
        return Ok(false);
    }
    let parameters: BTreeMap<&str, &str> = deployed
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value()?)))
        .collect();
    let tags: BTreeMap<&str, &str> = deployed
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value()?)))
        .collect();
    let all_in = |wanted: &[(String, String)], have: &BTreeMap<&str, &str>| {
        wanted
            .iter()
            .all(|(k, v)| have.get(k.as_str()) == Some(&v.as_str()))
    };
    Ok(all_in(&request.parameters, &parameters) && all_in(&request.tags, &tags))
}

/// Decides the change-set type from the stack's state, recovering the states that block a
/// deploy; `None` when the template and parameters equal what is deployed.
async fn prepare(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut Confirm<'_>,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<Option<ChangeSetType>, DeployError> {
    let stack = &request.stack;
    let pace = &request.pace;
    let described = stack::describe(client, stack, pace).await?;
    let Some(deployed) = described else {
        return Ok(Some(ChangeSetType::Create));
    };
    match deployed.stack_status() {
        None | Some(StackStatus::ReviewInProgress) => Ok(Some(ChangeSetType::Create)),
        Some(StackStatus::RollbackComplete) => {
            if !request.ephemeral
                && !confirm(
                    "the stack is in ROLLBACK_COMPLETE: delete it and create it again?",
                    &[],
                )
                .await
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
            match stack::settled(client, stack, pace).await? {
                None => Ok(Some(ChangeSetType::Create)),
                Some(status) => Err(DeployError::NotRecovered {
                    stack: stack.clone(),
                    status: status.as_str().to_owned(),
                    failure: None,
                }),
            }
        }
        Some(StackStatus::UpdateRollbackFailed) => {
            progress(Progress::Note(
                "continuing the rollback left in UPDATE_ROLLBACK_FAILED",
            ));
            let boundary = newest_event(client, stack, pace).await?;
            client
                .continue_update_rollback()
                .stack_name(stack)
                .send()
                .await
                .map_err(|e| call_failed("ContinueUpdateRollback", e))?;
            match stack::settled(client, stack, pace).await? {
                Some(StackStatus::UpdateRollbackComplete) => Ok(Some(ChangeSetType::Update)),
                status => {
                    let mut failure = FirstFailure::default();
                    let mut seen = BTreeSet::new();
                    for event in
                        new_events(client, stack, boundary.as_deref(), &mut seen, pace).await?
                    {
                        failure.see(stack, &event);
                    }
                    Err(DeployError::NotRecovered {
                        stack: stack.clone(),
                        status: status
                            .map_or_else(|| "DELETED".to_owned(), |s| s.as_str().to_owned()),
                        failure: failure.resource,
                    })
                }
            }
        }
        Some(status) if in_progress(status) => Err(DeployError::Busy {
            stack: stack.clone(),
            status: status.as_str().to_owned(),
        }),
        Some(
            StackStatus::CreateComplete
            | StackStatus::UpdateComplete
            | StackStatus::UpdateRollbackComplete
            | StackStatus::ImportComplete
            | StackStatus::ImportRollbackComplete,
        ) => {
            if unchanged(client, request, &deployed).await? {
                Ok(None)
            } else {
                Ok(Some(ChangeSetType::Update))
            }
        }
        Some(status) => Err(DeployError::Stuck {
            stack: stack.clone(),
            hint: stuck_hint(stack, status),
            status: status.as_str().to_owned(),
        }),
    }
}
