//! Reading a stack's state patiently: every describe call survives throttling (CloudFormation
//! throttles `Describe*` hard when many stacks deploy at once), and one waiter serves deploy,
//! recovery and destroy.

use std::future::Future;
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{Stack, StackStatus};

use super::{CallFailed, unless_missing};

/// How often to poll and how to back off when throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Between two polls of a stack or change set.
    pub poll: Duration,
    /// The first pause after a throttled call; doubled each time, up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Throttled calls retried before giving up.
    pub throttle_retries: u32,
    /// Polls before a wait gives up.
    pub max_polls: u32,
}

impl Default for Pace {
    fn default() -> Self {
        Self {
            // Each poll is one or two Describe calls: often enough to feel live, rarely enough
            // not to be the cause of the throttling it has to survive.
            poll: Duration::from_secs(1),
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
            throttle_retries: 10,
            // 1 s × 3,600 = one hour, CloudFormation's own limit for most resources.
            max_polls: 3_600,
        }
    }
}

impl Pace {
    /// No pauses: for scripted responses in tests.
    pub fn instant() -> Self {
        Self {
            poll: Duration::ZERO,
            backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
            throttle_retries: 10,
            max_polls: 1_000,
        }
    }
}

/// Whether an SDK error is a throttling answer, which is worth waiting out.
pub fn is_throttling<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    error.as_service_error().is_some_and(|error| {
        matches!(
            error.code(),
            Some("Throttling" | "ThrottlingException" | "RequestLimitExceeded" | "TooManyRequests")
        )
    })
}

/// Runs `call` again while it is throttled, after a pause that doubles each time (between half
/// and all of it, at random, so parallel deploys do not retry in step).
pub async fn patiently<T, E, R, F, Fut>(pace: &Pace, mut call: F) -> Result<T, SdkError<E, R>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, R>>>,
{
    let mut pause = pace.backoff;
    let mut retries = 0;
    loop {
        match call().await {
            Err(error) if retries < pace.throttle_retries && is_throttling(&error) => {
                retries += 1;
                tokio::time::sleep(pause.mul_f64(0.5 + fastrand::f64() / 2.0)).await;
                pause = (pause * 2).min(pace.max_backoff);
            }
            other => return other,
        }
    }
}

/// The stack as `DescribeStacks` reports it (status, parameters, tags, outputs); `None` when it
/// does not exist or is deleted.
pub async fn describe(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<Option<Stack>, CallFailed> {
    let described = unless_missing(
        "DescribeStacks",
        patiently(pace, || client.describe_stacks().stack_name(stack).send()).await,
    )?;
    Ok(described
        .and_then(|output| output.stacks.unwrap_or_default().into_iter().next())
        .filter(|found| found.stack_status() != Some(&StackStatus::DeleteComplete)))
}

/// The stack's status; `None` when it does not exist or is deleted.
pub async fn status(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<Option<StackStatus>, CallFailed> {
    Ok(describe(client, stack, pace)
        .await?
        .and_then(|found| found.stack_status().cloned()))
}

/// Whether a status is still moving (`*_IN_PROGRESS`).
pub fn in_progress(status: &StackStatus) -> bool {
    status.as_str().ends_with("_IN_PROGRESS")
}

/// Why a wait ended without a settled stack.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(transparent)]
    Aws(#[from] CallFailed),
    #[error("stack `{stack}` is still {status} after {waited:?}")]
    TimedOut {
        stack: String,
        status: String,
        waited: Duration,
    },
}

/// Polls until the stack is no longer in progress; its settled status, or `None` once gone.
pub async fn settled(
    client: &Client,
    stack: &str,
    pace: &Pace,
) -> Result<Option<StackStatus>, WaitError> {
    let mut last = None;
    for _ in 0..pace.max_polls {
        match status(client, stack, pace).await? {
            Some(status) if in_progress(&status) => last = Some(status),
            settled => return Ok(settled),
        }
        tokio::time::sleep(pace.poll).await;
    }
    Err(WaitError::TimedOut {
        stack: stack.to_owned(),
        status: last.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        waited: pace.poll * pace.max_polls,
    })
}
