//! The AWS answers moto cannot give — access denied, an expired token, throttling that outlives
//! every retry — scripted (aws-smithy-mocks), and the exact message each becomes: what `gen ls`,
//! `gen deploy` and `gen diff --deployed` print after `error: `.

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_smithy_mocks::mock;
use generator::aws::stack::{self, Pace};
use generator::aws::stages;

use super::cli_env::readable;
use super::deploy_scripted::client;

fn answer(code: &'static str, message: &'static str) -> impl Fn() -> DescribeStacksError {
    move || {
        DescribeStacksError::generic(ErrorMetadata::builder().code(code).message(message).build())
    }
}

/// `gen ls` against one scripted `DescribeStacks` answer, as the command prints it.
async fn listing_fails_with(code: &'static str, message: &'static str) -> String {
    let rules = [mock!(Client::describe_stacks).then_error(answer(code, message))];
    let error = stages::list(&client(&rules), "orders")
        .await
        .expect_err("the scripted answer is an error");
    format!("error: {error}\n")
}

#[tokio::test]
async fn access_denied_names_the_identity_the_action_and_the_resource() {
    let shown = listing_fails_with(
        "AccessDenied",
        "User: arn:aws:sts::123456789012:assumed-role/ci-deployer/build-42 is not authorized to perform: cloudformation:DescribeStacks on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/*/* because no identity-based policy allows the cloudformation:DescribeStacks action",
    )
    .await;
    insta::assert_snapshot!(readable(&shown));
}

#[tokio::test]
async fn access_denied_without_details_names_the_call() {
    let shown = listing_fails_with("AccessDenied", "Access Denied").await;
    insta::assert_snapshot!(readable(&shown));
}

#[tokio::test]
async fn an_expired_session_token_says_to_log_in_again() {
    let shown = listing_fails_with(
        "ExpiredToken",
        "The security token included in the request is expired",
    )
    .await;
    insta::assert_snapshot!(readable(&shown));
}

#[tokio::test]
async fn rejected_keys_say_which_check_shows_why() {
    let shown = listing_fails_with(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
    )
    .await;
    insta::assert_snapshot!(readable(&shown));
}

#[tokio::test]
async fn throttling_that_outlives_every_retry_says_to_wait() {
    let pace = Pace::instant();
    let rules = [mock!(Client::describe_stacks)
        .sequence()
        .error(answer("Throttling", "Rate exceeded"))
        .times(pace.throttle_retries as usize + 1)
        .build()];
    let error = stack::status(&client(&rules), "orders-dev", &pace)
        .await
        .expect_err("still throttled after the retries");
    assert!(rules.iter().all(|rule| rule.num_calls() > 0));
    insta::assert_snapshot!(readable(&format!("error: {error}\n")));
}
