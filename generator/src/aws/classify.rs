//! Sorting an SDK error into an [`AwsProblem`] by walking its source chain: the service's answer
//! (error code and message), the credential providers' errors, and the connection's errors.

use std::error::Error;
use std::io::ErrorKind;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_cloudformation::error::{ConnectorError, ErrorMetadata};

use super::context::CallContext;
use super::error::AwsProblem;

/// The problem behind `error`, seen from where the call went.
pub(super) fn classify(error: &(dyn Error + 'static), context: &CallContext) -> AwsProblem {
    let mut chain: Vec<&(dyn Error + 'static)> = Vec::new();
    let mut next = Some(error);
    while let Some(current) = next {
        chain.push(current);
        next = current.source();
    }
    // Modeled answers carry no `ErrorMetadata` in the chain: the one worth its own message.
    if chain
        .iter()
        .any(|current| current.is::<aws_sdk_s3::types::error::NoSuchBucket>())
    {
        return AwsProblem::NoSuchBucket;
    }
    if let Some(meta) = chain
        .iter()
        .find_map(|current| current.downcast_ref::<ErrorMetadata>())
    {
        return match meta.code() {
            Some(code) => from_code(code, meta.message().unwrap_or_default()),
            // S3 answers `HEAD` requests without a body, so without a code; see `head_failed`.
            None => AwsProblem::Other {
                message: meta
                    .message()
                    .unwrap_or("the service answered with an error but no code")
                    .to_owned(),
            },
        };
    }
    if let Some(credentials) = chain
        .iter()
        .find_map(|current| current.downcast_ref::<CredentialsError>())
    {
        return from_credentials(credentials, &chain, context);
    }
    if let Some(connector) = chain
        .iter()
        .find_map(|current| current.downcast_ref::<ConnectorError>())
    {
        return from_connection(connector, &chain);
    }
    AwsProblem::Other {
        message: innermost(&chain),
    }
}

/// The service answered with an error code.
fn from_code(code: &str, message: &str) -> AwsProblem {
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthorizationError" => AwsProblem::AccessDenied {
            action: token_after(message, "perform:"),
            resource: token_after(message, "resource:"),
            principal: token_after(message, "User:"),
        },
        "ExpiredToken" | "ExpiredTokenException" | "TokenRefreshRequired" => {
            AwsProblem::ExpiredToken
        }
        "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "SignatureDoesNotMatch"
        | "InvalidAccessKeyId"
        | "AuthFailure"
        | "InvalidToken" => AwsProblem::InvalidCredentials {
            code: code.to_owned(),
        },
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequests"
        | "TooManyRequestsException"
        | "SlowDown" => AwsProblem::Throttled {
            message: message.to_owned(),
        },
        "PermanentRedirect"
        | "AuthorizationHeaderMalformed"
        | "IllegalLocationConstraintException" => AwsProblem::WrongRegion {
            actual: quoted_after(message, "expecting"),
        },
        "NoSuchBucket" => AwsProblem::NoSuchBucket,
        _ => AwsProblem::Service {
            code: code.to_owned(),
            message: message.to_owned(),
        },
    }
}

/// No credential provider produced credentials.
fn from_credentials(
    error: &CredentialsError,
    chain: &[&(dyn Error + 'static)],
    context: &CallContext,
) -> AwsProblem {
    if let Some(profile) = context.unknown_profile() {
        return AwsProblem::UnknownProfile {
            profile: profile.to_owned(),
            known: context.known_profiles.clone().unwrap_or_default(),
        };
    }
    let reason = innermost(chain);
    if reason.contains("expired") {
        return AwsProblem::ExpiredToken;
    }
    match error {
        CredentialsError::CredentialsNotLoaded(_) | CredentialsError::ProviderTimedOut(_) => {
            AwsProblem::NoCredentials
        }
        _ => AwsProblem::ProfileUnusable { reason },
    }
}

/// The request did not get an answer.
fn from_connection(connector: &ConnectorError, chain: &[&(dyn Error + 'static)]) -> AwsProblem {
    let io_kind = chain
        .iter()
        .find_map(|current| current.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let messages = chain
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ");
    if messages.contains("dns error") || messages.contains("failed to lookup address") {
        return AwsProblem::NoNetwork {
            reason: "the endpoint's host name does not resolve".to_owned(),
        };
    }
    match io_kind {
        Some(ErrorKind::ConnectionRefused) => AwsProblem::Unreachable {
            reason: "connection refused".to_owned(),
        },
        Some(
            ErrorKind::NetworkUnreachable | ErrorKind::HostUnreachable | ErrorKind::NetworkDown,
        ) => AwsProblem::NoNetwork {
            reason: "the network is unreachable".to_owned(),
        },
        Some(ErrorKind::TimedOut) => AwsProblem::Unreachable {
            reason: "timed out".to_owned(),
        },
        _ if connector.is_timeout() => AwsProblem::Unreachable {
            reason: "timed out".to_owned(),
        },
        _ => AwsProblem::Unreachable {
            reason: innermost(chain),
        },
    }
}

/// The deepest message of the chain: the most specific one.
fn innermost(chain: &[&(dyn Error + 'static)]) -> String {
    chain
        .iter()
        .rev()
        .map(ToString::to_string)
        .find(|message| !message.trim().is_empty())
        .unwrap_or_default()
}

/// The word after `label` in `message` ("User: arn:… is not authorized to perform: s3:GetObject
/// on resource: arn:…"), without trailing punctuation.
fn token_after(message: &str, label: &str) -> Option<String> {
    let (_, rest) = message.split_once(label)?;
    let token = rest
        .split_whitespace()
        .next()?
        .trim_end_matches(['.', ',', ';']);
    (!token.is_empty()).then(|| token.to_owned())
}

/// The first quoted word after `label` ("the region 'us-east-1' is wrong; expecting
/// 'eu-west-1'").
fn quoted_after(message: &str, label: &str) -> Option<String> {
    let (_, rest) = message.split_once(label)?;
    let (_, quoted) = rest.split_once('\'')?;
    let (value, _) = quoted.split_once('\'')?;
    (!value.is_empty()).then(|| value.to_owned())
}

#[cfg(test)]
#[path = "classify_tests.rs"]
mod tests;
