use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ConnectorError, ErrorMetadata, SdkError};
use aws_sdk_cloudformation::operation::describe_stacks::DescribeStacksError;
use aws_sdk_s3::primitives::SdkBody;

use super::classify;
use crate::aws::context::CallContext;
use crate::aws::error::AwsProblem;

type Error = SdkError<DescribeStacksError, HttpResponse>;

fn answered(code: &str, message: &str) -> Error {
    SdkError::service_error(
        DescribeStacksError::generic(ErrorMetadata::builder().code(code).message(message).build()),
        HttpResponse::new(400.try_into().expect("a status"), SdkBody::empty()),
    )
}

fn io(kind: std::io::ErrorKind) -> Error {
    SdkError::dispatch_failure(ConnectorError::io(Box::new(std::io::Error::from(kind))))
}

fn credentials(error: CredentialsError) -> Error {
    SdkError::dispatch_failure(ConnectorError::other(Box::new(error), None))
}

#[track_caller]
fn case(error: &Error, context: &CallContext, expected: &AwsProblem) {
    assert_eq!(&classify(error, context), expected, "{error:?}");
}

#[test]
fn service_answers_are_sorted_by_code() {
    let none = CallContext::default();
    case(
        &answered(
            "AccessDenied",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:CreateChangeSet on resource: arn:aws:cloudformation:us-east-1:123456789012:stack/orders-dev/* because no identity-based policy allows the cloudformation:CreateChangeSet action",
        ),
        &none,
        &AwsProblem::AccessDenied {
            action: Some("cloudformation:CreateChangeSet".into()),
            resource: Some(
                "arn:aws:cloudformation:us-east-1:123456789012:stack/orders-dev/*".into(),
            ),
            principal: Some("arn:aws:iam::123456789012:user/ci".into()),
        },
    );
    case(
        &answered("AccessDenied", "Access Denied"),
        &none,
        &AwsProblem::AccessDenied {
            action: None,
            resource: None,
            principal: None,
        },
    );
    case(
        &answered(
            "ExpiredToken",
            "The security token included in the request is expired",
        ),
        &none,
        &AwsProblem::ExpiredToken,
    );
    case(
        &answered(
            "InvalidClientTokenId",
            "The security token included in the request is invalid.",
        ),
        &none,
        &AwsProblem::InvalidCredentials {
            code: "InvalidClientTokenId".into(),
        },
    );
    case(
        &answered("Throttling", "Rate exceeded"),
        &none,
        &AwsProblem::Throttled {
            message: "Rate exceeded".into(),
        },
    );
    case(
        &answered(
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'",
        ),
        &none,
        &AwsProblem::WrongRegion {
            actual: Some("eu-west-1".into()),
        },
    );
    case(
        &answered(
            "PermanentRedirect",
            "The bucket you are attempting to access must be addressed using the specified endpoint.",
        ),
        &none,
        &AwsProblem::WrongRegion { actual: None },
    );
    case(
        &answered("AlreadyExistsException", "Stack [x] already exists"),
        &none,
        &AwsProblem::Service {
            code: "AlreadyExistsException".into(),
            message: "Stack [x] already exists".into(),
        },
    );
}

#[test]
fn connections_that_fail_say_whether_anything_answered() {
    let none = CallContext::default();
    let refused = AwsProblem::Unreachable {
        reason: "connection refused".into(),
    };
    case(&io(std::io::ErrorKind::ConnectionRefused), &none, &refused);
    case(
        &io(std::io::ErrorKind::NetworkUnreachable),
        &none,
        &AwsProblem::NoNetwork {
            reason: "the network is unreachable".into(),
        },
    );
    case(
        &SdkError::dispatch_failure(ConnectorError::io(
            "dns error: failed to lookup address information: Name or service not known".into(),
        )),
        &none,
        &AwsProblem::NoNetwork {
            reason: "the endpoint's host name does not resolve".into(),
        },
    );
    case(
        &SdkError::dispatch_failure(ConnectorError::timeout("deadline".into())),
        &none,
        &AwsProblem::Unreachable {
            reason: "timed out".into(),
        },
    );
}

#[test]
fn credentials_that_cannot_be_found_name_the_profile_when_it_is_unknown() {
    let none = CallContext::default();
    case(
        &credentials(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        )),
        &none,
        &AwsProblem::NoCredentials,
    );
    let bogus = CallContext {
        profile: Some("bogus".into()),
        known_profiles: Some(vec!["default".into()]),
        ..CallContext::default()
    };
    case(
        &credentials(CredentialsError::not_loaded(
            "no providers in chain provided credentials",
        )),
        &bogus,
        &AwsProblem::UnknownProfile {
            profile: "bogus".into(),
            known: vec!["default".into()],
        },
    );
    case(
        &credentials(CredentialsError::provider_error(
            "the SSO session associated with this profile has expired",
        )),
        &none,
        &AwsProblem::ExpiredToken,
    );
    case(
        &credentials(CredentialsError::invalid_configuration(
            "profile `ci` did not contain credential information",
        )),
        &none,
        &AwsProblem::ProfileUnusable {
            reason: "profile `ci` did not contain credential information".into(),
        },
    );
}
