//! `gen deploy` against scripted CloudFormation answers (aws-smithy-mocks), for what moto cannot
//! produce: a first create that failed (`ROLLBACK_COMPLETE`), a rollback that failed
//! (`UPDATE_ROLLBACK_FAILED`), states only a person can resolve, a failure whose cause is not
//! the last event, throttled describe calls, and the clean-up of change sets that are not
//! executed. The rules are sequential: a call out of the expected order fails the test.

use std::time::SystemTime;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackOutput;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::operation::list_change_sets::{
    ListChangeSetsError, ListChangeSetsOutput,
};
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSetSummary, ChangeSetType, ExecutionStatus,
    Output, ResourceChange, ResourceStatus, Stack, StackEvent, StackStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use futures_util::FutureExt as _;
use generator::aws::deploy::{
    DeployError, DeployOutcome, DeployRequest, PlannedChange, Progress, abandon_change_sets, deploy,
};
use generator::aws::stack::Pace;

const STACK: &str = "orders-ci";
const CHANGE_SET: &str = "gen-1";

/// A client that answers from `rules` in order. The SDK's own retries are off so that the
/// script is exact: what is retried here is `gen`'s doing.
pub(crate) fn client(rules: &[Rule]) -> Client {
    mock_client!(
        aws_sdk_cloudformation,
        RuleMode::Sequential,
        rules,
        |config| { config.retry_config(RetryConfig::disabled()) }
    )
}

/// Whether every scripted rule answered (in sequential mode a rule is reached only after the
/// ones before it are used up, and a call no rule expects fails the test).
fn all_called(rules: &[Rule]) -> bool {
    rules.iter().all(|rule| rule.num_calls() > 0)
}

fn request(ephemeral: bool) -> DeployRequest {
    DeployRequest {
        stack: STACK.to_owned(),
        template_body: r#"{"Resources":{}}"#.to_owned(),
        template_url: None,
        parameters: vec![("Stage".to_owned(), "ci".to_owned())],
        tags: vec![("stage".to_owned(), "ci".to_owned())],
        ephemeral,
        change_set: CHANGE_SET.to_owned(),
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

fn event(id: &str, status: ResourceStatus, reason: &str) -> StackEvent {
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
        .build()
}

/// The event before execution that marks where the new ones begin.
fn earlier() -> StackEvent {
    event(
        STACK,
        ResourceStatus::from("REVIEW_IN_PROGRESS"),
        "User Initiated",
    )
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

fn events_are(oldest_first: Vec<StackEvent>) -> Rule {
    mock!(Client::describe_stack_events).then_output(move || events(oldest_first.clone(), None))
}

fn no_change_sets() -> Rule {
    mock!(Client::list_change_sets).then_output(|| ListChangeSetsOutput::builder().build())
}

fn status_is(status: StackStatus) -> Rule {
    mock!(Client::describe_stacks).then_output(move || stacks(status.clone()))
}

/// The deployed template is not the one being deployed: an update is due.
fn deployed_template_differs() -> Rule {
    mock!(Client::get_template)
        .then_output(|| GetTemplateOutput::builder().template_body("{}").build())
}

fn deletes_stack() -> Rule {
    mock!(Client::delete_stack)
        .match_requests(|request| request.stack_name() == Some(STACK))
        .then_output(|| DeleteStackOutput::builder().build())
}

fn create_change_set(expected: ChangeSetType) -> Rule {
    mock!(Client::create_change_set)
        .match_requests(move |request| {
            request.change_set_type() == Some(&expected)
                && request.change_set_name() == Some(CHANGE_SET)
        })
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
                .execution_status(ExecutionStatus::Available)
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

/// The boundary read, then the execution.
fn execute() -> [Rule; 2] {
    [
        events_are(vec![earlier()]),
        mock!(Client::execute_change_set)
            .match_requests(|request| request.change_set_name() == Some(CHANGE_SET))
            .then_output(|| ExecuteChangeSetOutput::builder().build()),
    ]
}

async fn run(
    client: &Client,
    request: &DeployRequest,
    answer: bool,
) -> (Result<DeployOutcome, DeployError>, Vec<String>) {
    let mut lines = Vec::new();
    let mut confirm = |_: &str, _: &[PlannedChange]| futures_util::future::ready(answer).boxed();
    let outcome = deploy(client, request, &mut confirm, &mut |step| {
        lines.push(match step {
            Progress::Note(text) => text.to_owned(),
            Progress::Executing { stack, resources } => format!("executing {stack} {resources}"),
            Progress::Event {
                status,
                logical_id,
                reason,
                ..
            } => format!("{status} {logical_id} {reason}")
                .trim_end()
                .to_owned(),
            Progress::Settled => "settled".to_owned(),
        });
    })
    .await;
    (outcome, lines)
}

#[tokio::test]
async fn an_ephemeral_stage_left_in_rollback_complete_is_deleted_and_created_again() {
    let [boundary, execute] = execute();
    let rules = [
        no_change_sets(),
        status_is(StackStatus::RollbackComplete),
        deletes_stack(),
        mock!(Client::describe_stacks)
            .sequence()
            .output(|| stacks(StackStatus::DeleteInProgress))
            .error(missing)
            .build(),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        boundary,
        execute,
        status_is(StackStatus::CreateInProgress),
        events_are(vec![
            earlier(),
            event(STACK, ResourceStatus::CreateInProgress, "User Initiated"),
            event("TaskQueue", ResourceStatus::CreateInProgress, ""),
        ]),
        status_is(StackStatus::CreateComplete),
        events_are(vec![
            earlier(),
            event(STACK, ResourceStatus::CreateInProgress, "User Initiated"),
            event("TaskQueue", ResourceStatus::CreateInProgress, ""),
            event("TaskQueue", ResourceStatus::CreateComplete, ""),
            event(STACK, ResourceStatus::CreateComplete, ""),
        ]),
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
            "executing orders-ci 1",
            "CREATE_IN_PROGRESS orders-ci User Initiated",
            "CREATE_IN_PROGRESS TaskQueue",
            "CREATE_COMPLETE TaskQueue",
            "CREATE_COMPLETE orders-ci",
            "settled",
        ],
        "each event after the boundary is shown once, oldest first"
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
    let [boundary, execute] = execute();
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateRollbackFailed),
        events_are(vec![earlier()]),
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
        boundary,
        execute,
        status_is(StackStatus::UpdateComplete),
        events_are(vec![
            earlier(),
            event("TaskQueue", ResourceStatus::UpdateComplete, ""),
            event(STACK, ResourceStatus::UpdateComplete, ""),
        ]),
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
async fn a_rollback_that_fails_again_names_the_resource_and_how_to_skip_it() {
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateRollbackFailed),
        events_are(vec![earlier()]),
        mock!(Client::continue_update_rollback)
            .then_output(|| ContinueUpdateRollbackOutput::builder().build()),
        mock!(Client::describe_stacks)
            .sequence()
            .output(|| stacks(StackStatus::UpdateRollbackInProgress))
            .output(|| stacks(StackStatus::UpdateRollbackFailed))
            .build(),
        events_are(vec![
            earlier(),
            event(STACK, ResourceStatus::UpdateRollbackInProgress, ""),
            event(
                "TaskFunction",
                ResourceStatus::UpdateFailed,
                "Resource handler returned message: code bucket not found",
            ),
            event(STACK, ResourceStatus::UpdateRollbackFailed, ""),
        ]),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(false), true).await;
    let error = outcome.unwrap_err();
    assert!(
        matches!(&error, DeployError::NotRecovered { status, .. } if status == "UPDATE_ROLLBACK_FAILED"),
        "{error}"
    );
    let message = error.to_string();
    assert!(
        message.contains("because `TaskFunction` failed: Resource handler returned message: code bucket not found"),
        "{message}"
    );
    assert!(
        message.contains("--resources-to-skip TaskFunction"),
        "{message}"
    );
    assert!(all_called(&rules), "no change set was made");
}

#[tokio::test]
async fn states_only_a_person_can_resolve_are_refused_with_what_to_do() {
    for (status, hint) in [
        (
            StackStatus::DeleteFailed,
            "run `gen destroy` for this stage again",
        ),
        (
            StackStatus::RollbackFailed,
            "aws cloudformation delete-stack --stack-name orders-ci",
        ),
        (StackStatus::UpdateFailed, "CloudFormation console"),
    ] {
        let rules = [no_change_sets(), status_is(status.clone())];
        let client = client(&rules);
        let (outcome, _) = run(&client, &request(false), true).await;
        let error = outcome.unwrap_err().to_string();
        assert!(
            error.contains(status.as_str()) && error.contains(hint),
            "{status:?}: {error}"
        );
        assert!(all_called(&rules), "{status:?}: nothing was changed");
    }
}

#[tokio::test]
async fn the_first_failure_is_reported_even_when_later_events_fail_too() {
    // The bucket fails first; the queue is then cancelled and the rollback runs. The events
    // arrive in two polls, the second over two pages; paging stops at the boundary.
    let [boundary, execute] = execute();
    let rules = [
        no_change_sets(),
        mock!(Client::describe_stacks).then_error(missing),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        boundary,
        execute,
        status_is(StackStatus::CreateInProgress),
        events_are(vec![
            earlier(),
            event(STACK, ResourceStatus::CreateInProgress, "User Initiated"),
        ]),
        status_is(StackStatus::RollbackComplete),
        mock!(Client::describe_stack_events)
            .sequence()
            .output(|| {
                events(
                    vec![
                        event("TaskQueue", ResourceStatus::DeleteComplete, ""),
                        event("InvoicesBucket", ResourceStatus::DeleteComplete, ""),
                        event(STACK, ResourceStatus::RollbackComplete, ""),
                    ],
                    Some("page-2"),
                )
            })
            .output(|| {
                events(
                    vec![
                        earlier(),
                        event(STACK, ResourceStatus::CreateInProgress, "User Initiated"),
                        event(
                            "InvoicesBucket",
                            ResourceStatus::CreateFailed,
                            "orders-invoices-ci-123456789012 already exists",
                        ),
                        event(
                            "TaskQueue",
                            ResourceStatus::CreateFailed,
                            "Resource creation cancelled",
                        ),
                        event(
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
            "settled",
        ],
        "every event shown once, oldest first, across polls and pages"
    );
    assert!(all_called(&rules));
}

#[tokio::test]
async fn without_a_failing_resource_the_stack_s_own_reason_is_the_cause() {
    let [boundary, execute] = execute();
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateComplete),
        deployed_template_differs(),
        create_change_set(ChangeSetType::Update),
        change_set_ready(),
        boundary,
        execute,
        status_is(StackStatus::UpdateRollbackComplete),
        events_are(vec![
            earlier(),
            event(STACK, ResourceStatus::UpdateInProgress, "User Initiated"),
            event(
                STACK,
                ResourceStatus::UpdateRollbackInProgress,
                "Parameter validation failed: parameter value ci- for parameter name Stage does not match pattern",
            ),
            event(STACK, ResourceStatus::UpdateRollbackComplete, ""),
        ]),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(false), true).await;
    let outcome = outcome.unwrap();
    assert_eq!(
        outcome.cause().unwrap(),
        "UPDATE_ROLLBACK_COMPLETE: first failure `orders-ci`: Parameter validation failed: parameter value ci- for parameter name Stage does not match pattern"
    );
    assert!(all_called(&rules));
}

#[tokio::test]
async fn a_cancelled_first_deploy_leaves_neither_change_set_nor_empty_stack() {
    let rules = [
        no_change_sets(),
        mock!(Client::describe_stacks).then_error(missing),
        create_change_set(ChangeSetType::Create),
        change_set_ready(),
        // Declined: the change set was not executed, and the stack is the empty shell.
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateComplete)
                .execution_status(ExecutionStatus::Available)
                .build()
        }),
        status_is(StackStatus::ReviewInProgress),
        deletes_stack(),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(false), false).await;
    assert_eq!(outcome.unwrap(), DeployOutcome::Cancelled);
    assert!(all_called(&rules), "the empty stack was deleted");
}

#[tokio::test]
async fn a_failed_change_set_is_deleted_and_its_reason_reported() {
    let rules = [
        no_change_sets(),
        status_is(StackStatus::UpdateComplete),
        deployed_template_differs(),
        create_change_set(ChangeSetType::Update),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .status_reason(
                    "Template error: instance of Fn::GetAtt references undefined resource Nope",
                )
                .execution_status(ExecutionStatus::Unavailable)
                .build()
        }),
        mock!(Client::describe_change_set).then_output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::Failed)
                .execution_status(ExecutionStatus::Unavailable)
                .build()
        }),
        status_is(StackStatus::UpdateComplete),
        mock!(Client::delete_change_set)
            .match_requests(|request| request.change_set_name() == Some(CHANGE_SET))
            .then_output(|| DeleteChangeSetOutput::builder().build()),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(false), true).await;
    let error = outcome.unwrap_err().to_string();
    assert!(error.contains("undefined resource Nope"), "{error}");
    assert!(all_called(&rules), "the failed change set was deleted");
}

#[tokio::test]
async fn only_old_unexecuted_change_sets_of_gen_are_abandoned() {
    let now = SystemTime::now();
    let summary = move |name: &str, hours_ago: u64, status: ExecutionStatus| {
        ChangeSetSummary::builder()
            .change_set_name(name)
            .execution_status(status)
            .creation_time(DateTime::from(
                now - std::time::Duration::from_secs(hours_ago * 3_600),
            ))
            .build()
    };
    let rules = [
        mock!(Client::list_change_sets)
            .sequence()
            .output(move || {
                ListChangeSetsOutput::builder()
                    .summaries(summary("gen-interrupted", 5, ExecutionStatus::Available))
                    .summaries(summary(
                        "gen-running-elsewhere",
                        0,
                        ExecutionStatus::Available,
                    ))
                    .next_token("more")
                    .build()
            })
            .output(move || {
                ListChangeSetsOutput::builder()
                    .summaries(summary("gen-done", 9, ExecutionStatus::ExecuteComplete))
                    .summaries(summary("someone-else", 9, ExecutionStatus::Available))
                    .summaries(summary("gen-failed", 2, ExecutionStatus::Unavailable))
                    .build()
            })
            .build(),
        mock!(Client::delete_change_set)
            .match_requests(|request| request.change_set_name() == Some("gen-interrupted"))
            .then_output(|| DeleteChangeSetOutput::builder().build()),
        mock!(Client::delete_change_set)
            .match_requests(|request| request.change_set_name() == Some("gen-failed"))
            .then_output(|| DeleteChangeSetOutput::builder().build()),
    ];
    let with_change_sets = client(&rules);
    assert_eq!(
        abandon_change_sets(&with_change_sets, STACK, &Pace::instant())
            .await
            .unwrap(),
        2
    );
    assert!(all_called(&rules));
    // A stack that does not exist has none.
    let rules = [mock!(Client::list_change_sets).then_error(|| {
        ListChangeSetsError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Stack [orders-ci] does not exist")
                .build(),
        )
    })];
    let no_stack = client(&rules);
    assert_eq!(
        abandon_change_sets(&no_stack, STACK, &Pace::instant())
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn throttled_describe_calls_are_waited_out() {
    let [boundary, execute] = execute();
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
        boundary,
        execute,
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
                    vec![earlier(), event(STACK, ResourceStatus::CreateComplete, "")],
                    None,
                )
            })
            .build(),
    ];
    let client = client(&rules);
    let (outcome, _) = run(&client, &request(true), true).await;
    assert!(
        matches!(&outcome, Ok(DeployOutcome::Deployed { .. })),
        "{outcome:?}"
    );
    assert!(all_called(&rules));
    assert_eq!(rules[1].num_calls(), 4, "three throttled answers, then one");
    assert_eq!(rules[6].num_calls(), 3, "two throttled answers, then one");
    assert_eq!(rules[7].num_calls(), 2, "a throttled XML answer, then one");
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
    assert_eq!(rules[1].num_calls(), 3, "the first call and two retries");
}

/// CloudFormation's own answer to too many calls, as raw XML (query protocol).
fn throttling_body() -> String {
    "<ErrorResponse xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><Error>\
     <Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>\
     <RequestId>1</RequestId></ErrorResponse>"
        .to_owned()
}
