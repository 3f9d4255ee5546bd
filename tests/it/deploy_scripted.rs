//! `gen deploy` against scripted CloudFormation answers (aws-smithy-mocks), for what moto cannot
//! produce: a first create that failed (`ROLLBACK_COMPLETE`), a rollback that failed
//! (`UPDATE_ROLLBACK_FAILED`), a failure whose cause is not the last event, and throttled
//! describe calls. The rules are sequential: a call out of the expected order fails the test.

use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackOutput;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::list_change_sets::ListChangeSetsOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSetType, Output, ResourceChange, ResourceStatus,
    Stack, StackEvent, StackStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use generator::aws::deploy::{DeployError, DeployOutcome, DeployRequest, Progress, deploy};
use generator::aws::stack::Pace;

const STACK: &str = "orders-ci";

/// A client that answers from `rules` in order. The SDK's own retries are off so that the
/// script is exact: what is retried here is `gen`'s doing.
fn client(rules: &[Rule]) -> Client {
    mock_client!(
        aws_sdk_cloudformation,
        RuleMode::Sequential,
        rules,
        |config| { config.retry_config(RetryConfig::disabled()) }
    )
}

/// Whether every scripted rule answered (in sequential mode a rule is reached only after the
/// ones before it are used up).
fn all_called(rules: &[Rule]) -> bool {
    rules.iter().all(|rule| rule.num_calls() > 0)
}

fn request(ephemeral: bool) -> DeployRequest {
    DeployRequest {
        stack: STACK.to_owned(),
        template_body: r#"{"Resources":{}}"#.to_owned(),
        parameters: vec![("Stage".to_owned(), "ci".to_owned())],
        tags: vec![("stage".to_owned(), "ci".to_owned())],
        ephemeral,
        pace: Pace::instant(),
    }
}

fn stacks(status: StackStatus) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name(STACK)
                .stack_status(status)
                .outputs(
                    Output::builder()
                        .output_key("TaskQueueUrl")
                        .output_value("https://sqs/task-ci")
                        .build(),
                )
                .build(),
        )
        .build()
}

fn missing() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("ValidationError")
            .message(format!("Stack with id {STACK} does not exist"))
            .build(),
    )
}

fn throttled() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("Throttling")
            .message("Rate exceeded")
            .build(),
    )
}

/// A stack event `seconds` after now (events must follow the change set's execution).
fn event(seconds: i64, id: &str, status: ResourceStatus, reason: &str) -> StackEvent {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    StackEvent::builder()
        .event_id(format!("{id}-{}", status.as_str()))
        .stack_name(STACK)
        .logical_resource_id(id)
        .resource_type(if id == STACK {
            "AWS::CloudFormation::Stack"
        } else {
            "AWS::SQS::Queue"
        })
        .resource_status(status)
        .resource_status_reason(reason)
        .timestamp(DateTime::from_secs(
            i64::try_from(now.as_secs()).unwrap() + seconds,
        ))
        .build()
}

/// Newest first, as CloudFormation lists them.
fn events(
    mut oldest_first: Vec<StackEvent>,
    next_token: Option<&str>,
) -> DescribeStackEventsOutput {
    oldest_first.reverse();
    DescribeStackEventsOutput::builder()
        .set_stack_events(Some(oldest_first))
        .set_next_token(next_token.map(str::to_owned))
        .build()
}

fn no_change_sets() -> Rule {
    mock!(Client::list_change_sets).then_output(|| ListChangeSetsOutput::builder().build())
}

fn status_is(status: StackStatus) -> Rule {
    mock!(Client::describe_stacks).then_output(move || stacks(status.clone()))
}

fn create_change_set(expected: ChangeSetType) -> Rule {
    mock!(Client::create_change_set)
        .match_requests(move |request| request.change_set_type() == Some(&expected))
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build())
}

fn change_set_ready() -> Rule {
    mock!(Client::describe_change_set)
        .sequence()
        .output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreatePending)
                .build()
        })
        .output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .changes(
                    Change::builder()
                        .resource_change(
                            ResourceChange::builder()
                                .action(ChangeAction::Add)
                                .logical_resource_id("TaskQueue")
                                .resource_type("AWS::SQS::Queue")
                                .build(),
                        )
                        .build(),
                )
                .build()
        })
        .build()
}

fn execute() -> Rule {
    mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build())
}

async fn run(
    client: &Client,
    request: &DeployRequest,
    answer: bool,
) -> (Result<DeployOutcome, DeployError>, Vec<String>) {
    let mut lines = Vec::new();
    let mut confirm = |_: &str, _: &[generator::aws::deploy::PlannedChange]| answer;
    let outcome = deploy(client, request, &mut confirm, &mut |step| {
        lines.push(match step {
            Progress::Note(text) => text.to_owned(),
            Progress::Executing { resources } => format!("executing {resources}"),
            Progress::Event {
                status,
                logical_id,
                reason,
                ..
            } => format!("{status} {logical_id} {reason}")
                .trim_end()
                .to_owned(),
        });
    })
    .await;
    (outcome, lines)
}

#[tokio::test]
async fn an_ephemeral_stage_left_in_rollback_complete_is_deleted_and_created_again() {
    let rules = [
        no_change_sets(),
        status_is(StackStatus::RollbackComplete),
        mock!(Client::delete_stack)
            .match_requests(|request| request.stack_name() == Some(STACK))
            .then_output(|| DeleteStackOutput::builder().build()),
        mock!(Client::describe_stacks)
            .sequence()
            .output(|| stacks(StackStatus::DeleteInProgress))
            .error(missing)
            .build(),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        execute(),
        status_is(StackStatus::CreateInProgress),
        mock!(Client::describe_stack_events).then_output(|| {
            events(
                vec![
                    event(1, STACK, ResourceStatus::CreateInProgress, "User Initiated"),
                    event(2, "TaskQueue", ResourceStatus::CreateInProgress, ""),
                ],
                None,
            )
        }),
        status_is(StackStatus::CreateComplete),
        mock!(Client::describe_stack_events).then_output(|| {
            events(
                vec![
                    event(1, STACK, ResourceStatus::CreateInProgress, "User Initiated"),
                    event(2, "TaskQueue", ResourceStatus::CreateInProgress, ""),
                    event(3, "TaskQueue", ResourceStatus::CreateComplete, ""),
                    event(4, STACK, ResourceStatus::CreateComplete, ""),
                ],
                None,
            )
        }),
        status_is(StackStatus::CreateComplete),
    ];
    let client = client(&rules);
    let (outcome, lines) = run(&client, &request(true), true).await;
    assert_eq!(
        outcome.unwrap(),
        DeployOutcome::Deployed {
            status: "CREATE_COMPLETE".to_owned(),
            outputs: vec![("TaskQueueUrl".to_owned(), "https://sqs/task-ci".to_owned())],
        }
    );
    assert_eq!(
        lines,
        [
            "deleting the stack left in ROLLBACK_COMPLETE by its failed first create",
            "executing 1",
            "CREATE_IN_PROGRESS orders-ci User Initiated",
            "CREATE_IN_PROGRESS TaskQueue",
            "CREATE_COMPLETE TaskQueue",
            "CREATE_COMPLETE orders-ci",
        ],
        "each event is shown once, oldest first"
    );
    assert!(all_called(&rules), "every scripted call was made");
}

#[tokio::test]
async fn a_kept_stage_in_rollback_complete_is_deleted_only_when_confirmed() {
    let rules = [no_change_sets(), status_is(StackStatus::RollbackComplete)];
    let client = client(&rules);
    let (outcome, lines) = run(&client, &request(false), false).await;
    let error = outcome.unwrap_err();
    assert!(matches!(error, DeployError::NeedsRecreate(_)), "{error}");
    assert!(
        error
            .to_string()
            .contains("rerun and confirm, or run `gen destroy`"),
        "the error says how to go on: {error}"
    );
    assert!(lines.is_empty(), "nothing was deleted: {lines:?}");
}

#[tokio::test]
async fn update_rollback_failed_is_continued_then_the_update_is_applied() {
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateRollbackFailed),
        mock!(Client::continue_update_rollback)
            .match_requests(|request| request.stack_name() == Some(STACK))
            .then_output(|| ContinueUpdateRollbackOutput::builder().build()),
        mock!(Client::describe_stacks)
            .sequence()
            .output(|| stacks(StackStatus::UpdateRollbackInProgress))
            .output(|| stacks(StackStatus::UpdateRollbackCompleteCleanupInProgress))
            .output(|| stacks(StackStatus::UpdateRollbackComplete))
            .build(),
        create_change_set(ChangeSetType::Update),
        change_set_ready(),
        execute(),
        status_is(StackStatus::UpdateComplete),
        mock!(Client::describe_stack_events).then_output(|| {
            events(
                vec![
                    event(1, "TaskQueue", ResourceStatus::UpdateComplete, ""),
                    event(2, STACK, ResourceStatus::UpdateComplete, ""),
                ],
                None,
            )
        }),
        status_is(StackStatus::UpdateComplete),
    ];
    let client = client(&rules);
    let (outcome, lines) = run(&client, &request(false), true).await;
    assert!(
        matches!(&outcome, Ok(DeployOutcome::Deployed { status, .. }) if status == "UPDATE_COMPLETE"),
        "{outcome:?}"
    );
    assert_eq!(
        lines[0],
        "continuing the rollback left in UPDATE_ROLLBACK_FAILED"
    );
    assert!(all_called(&rules));
}

#[tokio::test]
async fn a_rollback_that_fails_again_is_reported_not_retried() {
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateRollbackFailed),
        mock!(Client::continue_update_rollback)
            .then_output(|| ContinueUpdateRollbackOutput::builder().build()),
        mock!(Client::describe_stacks)
            .sequence()
            .output(|| stacks(StackStatus::UpdateRollbackInProgress))
            .output(|| stacks(StackStatus::UpdateRollbackFailed))
            .build(),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(false), true).await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(&error, DeployError::NotRecovered { status, .. } if status == "UPDATE_ROLLBACK_FAILED"),
        "{error}"
    );
    assert!(all_called(&rules), "no change set was made");
}

#[tokio::test]
async fn the_first_failure_is_reported_even_when_later_events_fail_too() {
    // The bucket fails first; the queue is then cancelled and the rollback runs. The events
    // arrive in two polls, the second over two pages.
    let rules = [
        no_change_sets(),
        mock!(Client::describe_stacks).then_error(missing),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        execute(),
        status_is(StackStatus::CreateInProgress),
        mock!(Client::describe_stack_events).then_output(|| {
            events(
                vec![event(1, STACK, ResourceStatus::CreateInProgress, "User Initiated")],
                None,
            )
        }),
        status_is(StackStatus::RollbackComplete),
        mock!(Client::describe_stack_events)
            .sequence()
            .output(|| {
                events(
                    vec![
                        event(5, "TaskQueue", ResourceStatus::DeleteComplete, ""),
                        event(6, "InvoicesBucket", ResourceStatus::DeleteComplete, ""),
                        event(7, STACK, ResourceStatus::RollbackComplete, ""),
                    ],
                    Some("page-2"),
                )
            })
            .output(|| {
                events(
                    vec![
                        event(1, STACK, ResourceStatus::CreateInProgress, "User Initiated"),
                        event(
                            2,
                            "InvoicesBucket",
                            ResourceStatus::CreateFailed,
                            "orders-invoices-ci-123456789012 already exists",
                        ),
                        event(
                            3,
                            "TaskQueue",
                            ResourceStatus::CreateFailed,
                            "Resource creation cancelled",
                        ),
                        event(
                            4,
                            STACK,
                            ResourceStatus::RollbackInProgress,
                            "The following resource(s) failed to create: [InvoicesBucket, TaskQueue].",
                        ),
                    ],
                    None,
                )
            })
            .build(),
    ];
    let client = client(&rules);
    let (outcome, lines) = run(&client, &request(false), true).await;
    assert_eq!(
        outcome.unwrap(),
        DeployOutcome::Failed {
            status: "ROLLBACK_COMPLETE".to_owned(),
            first_failure: Some((
                "InvoicesBucket".to_owned(),
                "orders-invoices-ci-123456789012 already exists".to_owned()
            )),
        }
    );
    assert_eq!(
        lines[1..],
        [
            "CREATE_IN_PROGRESS orders-ci User Initiated",
            "CREATE_FAILED InvoicesBucket orders-invoices-ci-123456789012 already exists",
            "CREATE_FAILED TaskQueue Resource creation cancelled",
            "ROLLBACK_IN_PROGRESS orders-ci The following resource(s) failed to create: [InvoicesBucket, TaskQueue].",
            "DELETE_COMPLETE TaskQueue",
            "DELETE_COMPLETE InvoicesBucket",
            "ROLLBACK_COMPLETE orders-ci",
        ],
        "every event shown once, oldest first, across polls and pages"
    );
    assert!(all_called(&rules));
}

#[tokio::test]
async fn throttled_describe_calls_are_waited_out() {
    let rules = [
        no_change_sets(),
        mock!(Client::describe_stacks)
            .sequence()
            .error(throttled)
            .times(3)
            .error(missing)
            .build(),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        execute(),
        mock!(Client::describe_stacks)
            .sequence()
            .error(throttled)
            .times(2)
            .output(|| stacks(StackStatus::CreateComplete))
            .build(),
        mock!(Client::describe_stack_events)
            .sequence()
            .http_status(400, Some(throttling_body()))
            .output(|| {
                events(
                    vec![event(1, STACK, ResourceStatus::CreateComplete, "")],
                    None,
                )
            })
            .build(),
        mock!(Client::describe_stacks)
            .sequence()
            .error(throttled)
            .output(|| stacks(StackStatus::CreateComplete))
            .build(),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(true), true).await;
    assert!(
        matches!(&outcome, Ok(DeployOutcome::Deployed { .. })),
        "{outcome:?}"
    );
    assert!(all_called(&rules));
}

#[tokio::test]
async fn throttling_that_never_ends_is_an_error_naming_the_call() {
    let rules = [
        no_change_sets(),
        mock!(Client::describe_stacks)
            .sequence()
            .error(throttled)
            .times(3)
            .build(),
    ];
    let client = client(&rules);
    let mut request = request(true);
    request.pace.throttle_retries = 2;
    let (outcome, _) = run(&client, &request, true).await;
    let error = outcome.unwrap_err().to_string();
    assert!(
        error.contains("DescribeStacks") && error.contains("Rate exceeded"),
        "{error}"
    );
}

/// CloudFormation's own answer to too many calls, as raw XML (query protocol).
fn throttling_body() -> String {
    "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>\
     <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
     <RequestId>1</RequestId></ErrorResponse>"
        .to_owned()
}
