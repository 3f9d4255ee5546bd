//! The stack events of a deploy: where they begin, the new ones, the first failure among them.

use std::collections::BTreeSet;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{StackEvent, StackStatus};

use super::{DeployError, DeployOutcome, Progress};
use crate::aws::stack::{self, Pace, WaitError, in_progress, patiently};
use crate::aws::unless_missing;

/// The id of the stack's newest event, if it has any.
pub(super) async fn newest_event(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<Option<String>, DeployError> {
    let listed = unless_missing(
        "DescribeStackEvents",
        patiently(pace, || {
            client.describe_stack_events().stack_name(stack).send()
        })
        .await,
    )?;
    Ok(listed
        .as_ref()
        .and_then(|listed| listed.stack_events().first())
        .and_then(StackEvent::event_id)
        .map(str::to_owned))
}

/// The events of `stack` newer than `boundary` that are not in `seen`, oldest first. Pages
/// back until it reaches an event already seen or the boundary, so a burst of events between
/// two polls is never skipped.
pub(super) async fn new_events(
    client: &Client,
    stack: &str,
    boundary: Option<&str>,
    seen: &mut BTreeSet<String>,
    pace: &Pace,
) -> Result<Vec<StackEvent>, DeployError> {
    let mut fresh = Vec::new();
    let mut token: Option<String> = None;
    'pages: loop {
        let Some(listed) = unless_missing(
            "DescribeStackEvents",
            patiently(pace, || {
                client
                    .describe_stack_events()
                    .stack_name(stack)
                    .set_next_token(token.clone())
                    .send()
            })
            .await,
        )?
        else {
            break;
        };
        for event in listed.stack_events() {
            let id = event.event_id().unwrap_or_default();
            if Some(id) == boundary || seen.contains(id) {
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

/// The first failure among events, oldest first: a resource's `*_FAILED` event; failing that,
/// the first reason the stack itself gave for failing or rolling back.
#[derive(Debug, Default)]
pub(super) struct FirstFailure {
    pub(super) resource: Option<(String, String)>,
    stack: Option<(String, String)>,
}

impl FirstFailure {
    pub(super) fn see(&mut self, stack: &str, event: &StackEvent) {
        let status = event.resource_status().map_or("", |s| s.as_str());
        let id = event.logical_resource_id().unwrap_or_default();
        let reason = event.resource_status_reason().unwrap_or_default();
        if id == stack {
            let failing = status.ends_with("_FAILED") || status.contains("ROLLBACK_IN_PROGRESS");
            if failing && !reason.is_empty() && self.stack.is_none() {
                self.stack = Some((id.to_owned(), reason.to_owned()));
            }
        } else if status.ends_with("_FAILED") && self.resource.is_none() {
            self.resource = Some((id.to_owned(), reason.to_owned()));
        }
    }

    fn into_first(self) -> Option<(String, String)> {
        self.resource.or(self.stack)
    }
}

/// Streams the events after `boundary` until the stack settles; reports outputs or the first
/// failure (the earliest `*_FAILED` event of a resource, not the last one: later failures are
/// mostly resources cancelled because of it).
pub(super) async fn follow(
    client: &Client,
    stack: &str,
    boundary: Option<String>,
    pace: &Pace,
    progress: &mut dyn FnMut(Progress<'_>),
) -> Result<DeployOutcome, DeployError> {
    let mut seen = BTreeSet::new();
    let mut failure = FirstFailure::default();
    for _ in 0..pace.max_polls {
        let described = stack::describe(client, stack, pace).await?;
        for event in new_events(client, stack, boundary.as_deref(), &mut seen, pace).await? {
            progress(Progress::Event {
                status: event.resource_status().map_or("", |s| s.as_str()),
                logical_id: event.logical_resource_id().unwrap_or_default(),
                resource_type: event.resource_type().unwrap_or_default(),
                reason: event.resource_status_reason().unwrap_or_default(),
            });
            failure.see(stack, &event);
        }
        let Some((status, described)) =
            described.and_then(|found| Some((found.stack_status()?.clone(), found)))
        else {
            return Ok(DeployOutcome::Failed {
                status: "DELETED".to_owned(),
                first_failure: failure.into_first(),
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
            let outputs = described
                .outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                .collect();
            return Ok(DeployOutcome::Deployed {
                status: status.as_str().to_owned(),
                outputs,
            });
        }
        return Ok(DeployOutcome::Failed {
            status: status.as_str().to_owned(),
            first_failure: failure.into_first(),
        });
    }
    Err(WaitError::TimedOut {
        stack: stack.to_owned(),
        status: "in progress".to_owned(),
        waited: pace.poll * pace.max_polls,
    }
    .into())
}
