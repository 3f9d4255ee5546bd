//! A deploy's change set: create, review and discard it; clear the ones interrupted deploys left.

use std::time::{Duration, SystemTime};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, Parameter, StackStatus, Tag,
};

use super::{Confirm, DeployError, DeployRequest, PlannedChange};
use crate::aws::stack::{self, Pace, patiently};
use crate::aws::{call_failed, unless_missing};

pub(super) async fn create_change_set(
    client: &Client,
    request: &DeployRequest,
    change_set_type: ChangeSetType,
) -> Result<(), DeployError> {
    let create = client
        .create_change_set()
        .stack_name(&request.stack)
        .change_set_name(&request.change_set)
        .change_set_type(change_set_type);
    let create = match &request.template_url {
        Some(url) => create.template_url(url),
        None => create.template_body(&request.template_body),
    };
    create
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
    Ok(())
}

pub(super) enum Reviewed {
    Approved(Vec<PlannedChange>),
    Empty,
    Cancelled,
}

/// Waits for the change set and asks about it.
pub(super) async fn review(
    client: &Client,
    request: &DeployRequest,
    confirm: &mut Confirm<'_>,
) -> Result<Reviewed, DeployError> {
    match wait_change_set(client, &request.stack, &request.change_set, &request.pace).await? {
        None => Ok(Reviewed::Empty),
        Some(changes) if confirm("apply these changes?", &changes).await => {
            Ok(Reviewed::Approved(changes))
        }
        Some(_) => Ok(Reviewed::Cancelled),
    }
}

/// Deletes this deploy's change set if it was not executed, and the stack too when it is the
/// empty `REVIEW_IN_PROGRESS` shell a first change set creates. Returns whether anything was
/// deleted. Safe to call at any point, including after Ctrl-C.
pub async fn discard(client: &Client, request: &DeployRequest) -> Result<bool, DeployError> {
    let pace = &request.pace;
    let described = unless_missing(
        "DescribeChangeSet",
        patiently(pace, || {
            client
                .describe_change_set()
                .stack_name(&request.stack)
                .change_set_name(&request.change_set)
                .send()
        })
        .await,
    )?;
    let executed = described.as_ref().is_some_and(|described| {
        described
            .execution_status()
            .is_some_and(|status| status.as_str().starts_with("EXECUTE_"))
    });
    if described.is_none() || executed {
        return Ok(false);
    }
    if stack::status(client, &request.stack, pace).await? == Some(StackStatus::ReviewInProgress) {
        // Deleting the shell deletes its change sets with it.
        client
            .delete_stack()
            .stack_name(&request.stack)
            .send()
            .await
            .map_err(|e| call_failed("DeleteStack", e))?;
        return Ok(true);
    }
    client
        .delete_change_set()
        .stack_name(&request.stack)
        .change_set_name(&request.change_set)
        .send()
        .await
        .map_err(|e| call_failed("DeleteChangeSet", e))?;
    Ok(true)
}

/// Polls the change set until it is ready: its changes, or `None` when it holds none.
async fn wait_change_set(
    client: &Client,
    stack: &str,
    name: &str,
    pace: &Pace,
) -> Result<Option<Vec<PlannedChange>>, DeployError> {
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
                return Ok(Some(changes));
            }
            Some(ChangeSetStatus::Failed) => {
                let reason = described.status_reason().unwrap_or_default().to_owned();
                if reason.contains("didn't contain changes") || reason.contains("No updates") {
                    return Ok(None);
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

/// Unexecuted change sets younger than this may belong to a deploy still running elsewhere.
const ABANDONED_AFTER: Duration = Duration::from_secs(3_600);

/// Deletes the change sets `gen deploy` made on `stack` that were never executed and are over
/// an hour old (an interrupted deploy); returns how many. Executed ones are history and stay.
pub async fn abandon_change_sets(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<usize, DeployError> {
    let cutoff = DateTime::from(SystemTime::now() - ABANDONED_AFTER);
    let mut abandoned = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let Some(listed) = unless_missing(
            "ListChangeSets",
            patiently(pace, || {
                client
                    .list_change_sets()
                    .stack_name(stack)
                    .set_next_token(token.clone())
                    .send()
            })
            .await,
        )?
        else {
            return Ok(0);
        };
        abandoned.extend(
            listed
                .summaries()
                .iter()
                .filter(|summary| {
                    let ours = summary
                        .change_set_name()
                        .is_some_and(|name| name.starts_with("gen-"));
                    let executed = summary.execution_status().is_some_and(|status| {
                        status.as_str().starts_with("EXECUTE_") || status.as_str() == "OBSOLETE"
                    });
                    let old = summary.creation_time().is_some_and(|t| *t < cutoff);
                    ours && !executed && old
                })
                .filter_map(|summary| summary.change_set_name().map(str::to_owned)),
        );
        token = listed.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    for name in &abandoned {
        client
            .delete_change_set()
            .stack_name(stack)
            .change_set_name(name)
            .send()
            .await
            .map_err(|e| call_failed("DeleteChangeSet", e))?;
    }
    Ok(abandoned.len())
}
