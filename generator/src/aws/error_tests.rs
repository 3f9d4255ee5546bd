use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ErrorMetadata, SdkError};
use aws_sdk_s3::operation::head_bucket::HeadBucketError;
use aws_sdk_s3::primitives::SdkBody;

use super::{AwsProblem, head_failed};

/// A `HEAD` answer as S3 gives it: a status, maybe the bucket's region, no body.
fn head_answer(status: u16, region: Option<&str>) -> SdkError<HeadBucketError, HttpResponse> {
    let mut raw = HttpResponse::new(status.try_into().expect("a status"), SdkBody::empty());
    if let Some(region) = region {
        raw.headers_mut()
            .insert("x-amz-bucket-region", region.to_owned());
    }
    SdkError::service_error(
        HeadBucketError::generic(ErrorMetadata::builder().build()),
        raw,
    )
}

#[test]
fn head_answers_without_a_body_are_read_from_their_status() {
    let moved = head_failed("HeadBucket assets", head_answer(301, Some("eu-west-1")));
    assert_eq!(
        moved.problem,
        AwsProblem::WrongRegion {
            actual: Some("eu-west-1".into())
        }
    );
    assert!(
        moved
            .to_string()
            .contains("help: pass `--region eu-west-1`"),
        "{moved}"
    );
    let denied = head_failed("HeadBucket assets", head_answer(403, Some("eu-west-1")));
    assert!(
        matches!(denied.problem, AwsProblem::AccessDenied { .. }),
        "{denied}"
    );
    let other = head_failed("HeadBucket assets", head_answer(500, None));
    assert_eq!(
        other.to_string().lines().next(),
        Some("`HeadBucket assets` failed: the service answered with an error but no code")
    );
}
