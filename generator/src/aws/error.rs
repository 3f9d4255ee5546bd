//! A failed AWS call in the user's terms: one line saying what failed, `help:` lines saying what
//! to do. [`call_failed`] is the one place SDK errors become these; the SDK's own structures are
//! shown only with `--verbose` (or `RUST_LOG`), for a bug report.

use std::fmt;

use super::classify::classify;
use super::context::{self, CallContext};

/// What went wrong, sorted into the cases a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsProblem {
    /// No provider of the default chain had credentials.
    NoCredentials,
    /// `--profile` / `AWS_PROFILE` names a profile the config files do not define.
    UnknownProfile { profile: String, known: Vec<String> },
    /// A profile exists but cannot give credentials (bad `source_profile`, missing SSO login…).
    ProfileUnusable { reason: String },
    /// The session token (SSO, assumed role, STS) has expired.
    ExpiredToken,
    /// AWS does not recognise the key or its signature (`InvalidClientTokenId`…).
    InvalidCredentials { code: String },
    /// The identity may not do this; action, resource and identity when AWS named them.
    AccessDenied {
        action: Option<String>,
        resource: Option<String>,
        principal: Option<String>,
    },
    /// Still throttled after the SDK's and `gen`'s retries; the service's last word on it.
    Throttled { message: String },
    /// The bucket or stack lives in another region; `actual` when AWS said which.
    WrongRegion { actual: Option<String> },
    /// Nothing answered at the endpoint (connection refused or timed out).
    Unreachable { reason: String },
    /// The endpoint's name does not resolve, or the network is down.
    NoNetwork { reason: String },
    /// No region from the flags, pipeline.yaml, the environment or the profile.
    NoRegion,
    /// The bucket does not exist (in this account and region).
    NoSuchBucket,
    /// Any other answer of the service.
    Service { code: String, message: String },
    /// Anything else (the innermost message of the error chain).
    Other { message: String },
}

/// The operation name of resolving credentials without calling a service (`gen doctor`).
pub const RESOLVING_CREDENTIALS: &str = "resolving credentials";

/// An AWS call that failed: which one, the problem, and the chain behind it. Boxed, so that
/// the results and errors that carry one stay small; its fields read through `Deref`.
#[derive(Debug, thiserror::Error)]
pub struct CallFailed(Box<Failure>);

/// What [`CallFailed`] holds.
#[derive(Debug)]
pub struct Failure {
    pub operation: String,
    pub problem: AwsProblem,
    /// Where the call went.
    pub context: CallContext,
    /// Every message of the source chain, outermost first: shown with `--verbose`.
    pub chain: Vec<String>,
    /// The SDK's debug form of the error: shown with `--verbose`, for a bug report.
    pub debug: Option<String>,
}

/// Wraps any SDK error with the operation that raised it, classified.
pub fn call_failed<E: std::error::Error + 'static>(operation: &str, error: E) -> CallFailed {
    let mut chain = Vec::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(current) = next {
        chain.push(current.to_string());
        next = current.source();
    }
    let context = context::current();
    CallFailed(Box::new(Failure {
        operation: operation.to_owned(),
        problem: classify(&error, &context),
        context,
        chain,
        debug: Some(format!("{error:?}")),
    }))
}

/// A failed S3 `HEAD` call (`HeadBucket`, `HeadObject`): S3 answers those without a body, so
/// without an error code; the status and the `x-amz-bucket-region` header say what it would.
pub fn head_failed<E: std::error::Error + 'static>(
    operation: &str,
    error: aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> CallFailed {
    let from_status = error.raw_response().and_then(|raw| {
        let region = raw.headers().get("x-amz-bucket-region").map(str::to_owned);
        match raw.status().as_u16() {
            403 => Some(AwsProblem::AccessDenied {
                action: None,
                resource: None,
                principal: None,
            }),
            301 | 400 if region.is_some() => Some(AwsProblem::WrongRegion { actual: region }),
            301 => Some(AwsProblem::WrongRegion { actual: None }),
            _ => None,
        }
    });
    let mut failed = call_failed(operation, error);
    if let Some(problem) = from_status {
        failed.0.problem = problem;
    }
    failed
}

impl CallFailed {
    /// A failure found by `gen` itself rather than raised by the SDK (no chain).
    pub fn new(operation: &str, problem: AwsProblem) -> Self {
        Self(Box::new(Failure {
            operation: operation.to_owned(),
            problem,
            context: context::current(),
            chain: Vec::new(),
            debug: None,
        }))
    }

    /// The one line: what failed, in the user's terms.
    pub fn headline(&self) -> String {
        let operation = &self.operation;
        match &self.problem {
            AwsProblem::NoCredentials if operation == RESOLVING_CREDENTIALS => {
                "no AWS credentials found".to_owned()
            }
            AwsProblem::NoCredentials => {
                format!("no AWS credentials found (needed for `{operation}`)")
            }
            AwsProblem::UnknownProfile { profile, .. } => {
                format!("AWS profile `{profile}` does not exist")
            }
            AwsProblem::ProfileUnusable { reason } => {
                format!("the AWS profile gives no credentials: {reason}")
            }
            AwsProblem::ExpiredToken => {
                format!("the AWS session token has expired (`{operation}` was refused)")
            }
            AwsProblem::InvalidCredentials { code } => {
                format!("AWS does not accept these credentials ({code} on `{operation}`)")
            }
            AwsProblem::AccessDenied {
                action,
                resource,
                principal,
            } => {
                let who = principal
                    .as_deref()
                    .map_or_else(|| "these credentials".to_owned(), |p| format!("`{p}`"));
                let what = action
                    .as_deref()
                    .map_or_else(|| format!("`{operation}`"), |a| format!("`{a}`"));
                let on = resource
                    .as_deref()
                    .map(|r| format!(" on `{r}`"))
                    .unwrap_or_default();
                format!("access denied: {who} may not call {what}{on}")
            }
            AwsProblem::Throttled { message } if message.is_empty() => {
                format!("AWS kept throttling `{operation}` after every retry")
            }
            AwsProblem::Throttled { message } => {
                format!("AWS kept throttling `{operation}` after every retry ({message})")
            }
            AwsProblem::WrongRegion { actual } => {
                let region = self.region();
                match actual {
                    Some(actual) => format!(
                        "`{operation}`: the resource is in region `{actual}`, not `{region}`"
                    ),
                    None => {
                        format!("`{operation}`: the resource is in another region than `{region}`")
                    }
                }
            }
            AwsProblem::Unreachable { reason } => match &self.context.endpoint_url {
                Some(endpoint) => format!("nothing answers at `{endpoint}` ({reason})"),
                None => format!("cannot connect to AWS in `{}` ({reason})", self.region()),
            },
            AwsProblem::NoNetwork { reason } => format!("cannot reach AWS: {reason}"),
            AwsProblem::NoRegion => "no AWS region is set".to_owned(),
            AwsProblem::NoSuchBucket => {
                format!("`{operation}` failed: the bucket does not exist")
            }
            AwsProblem::Service { code, message } => {
                format!("`{operation}` failed: {code}: {message}")
            }
            AwsProblem::Other { message } => format!("`{operation}` failed: {message}"),
        }
    }

    /// What to do about it: one or more `help:` lines, without the prefix.
    pub fn help(&self) -> Vec<String> {
        let profile = self
            .context
            .profile
            .as_deref()
            .map_or_else(|| "NAME".to_owned(), str::to_owned);
        match &self.problem {
            AwsProblem::NoCredentials => vec![
                format!(
                    "looked in the environment (`AWS_ACCESS_KEY_ID`), profile `{}` in {}, web identity, and the container and instance metadata",
                    self.context.profile.as_deref().unwrap_or("default"),
                    config_files()
                ),
                "run `aws configure` (or `aws sso login --profile NAME`, then pass `--profile NAME`), or export `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`".to_owned(),
            ],
            AwsProblem::UnknownProfile { profile, known } if known.is_empty() => vec![
                format!("no profile is defined in {}", config_files()),
                format!(
                    "create it with `aws configure --profile {profile}` (or `aws configure sso`), or drop `--profile` and `AWS_PROFILE`"
                ),
            ],
            AwsProblem::UnknownProfile { profile, known } => vec![
                format!(
                    "{} define {}",
                    config_files(),
                    known
                        .iter()
                        .map(|name| format!("`{name}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "pass one of those to `--profile` (or `AWS_PROFILE`), or create `{profile}` with `aws configure --profile {profile}`"
                ),
            ],
            AwsProblem::ProfileUnusable { .. } => vec![format!(
                "check the profile in {}; for SSO profiles run `aws sso login --profile {profile}`",
                config_files()
            )],
            AwsProblem::ExpiredToken => vec![format!(
                "log in again: `aws sso login --profile {profile}`, or fetch new temporary credentials and export them"
            )],
            AwsProblem::InvalidCredentials { .. } => vec![
                "the access key id or secret is wrong, deactivated, or for another partition; `aws sts get-caller-identity` with the same settings shows which, and `gen doctor` checks the rest".to_owned(),
            ],
            AwsProblem::AccessDenied {
                action, principal, ..
            } => vec![format!(
                "allow {} to {} in IAM (an SCP or permission boundary may also deny it), or use a profile that has it (`--profile`); `gen doctor` shows who you are",
                action
                    .as_deref()
                    .map_or_else(|| format!("`{}`", self.operation), |a| format!("`{a}`")),
                principal
                    .as_deref()
                    .and_then(assumed_role)
                    .map_or_else(|| "this identity".to_owned(), |role| format!("role `{role}`"))
            )],
            AwsProblem::Throttled { .. } => vec![
                "too many calls at once in this account and region (parallel deploys?): wait a minute and run again".to_owned(),
            ],
            AwsProblem::WrongRegion { actual } => vec![format!(
                "pass `--region {}`, or set `region:` in pipeline.yaml to where it lives",
                actual.as_deref().unwrap_or("REGION")
            )],
            AwsProblem::Unreachable { .. } => match &self.context.endpoint_url {
                Some(_) => vec![
                    "`--endpoint-url` (or `AWS_ENDPOINT_URL`) points there: start the emulator (moto, LocalStack) or fix the address; unset it to use AWS".to_owned(),
                ],
                None => vec!["check the network, a proxy (`HTTPS_PROXY`) or a firewall".to_owned()],
            },
            AwsProblem::NoNetwork { .. } => vec![format!(
                "check the network connection and proxy (`HTTPS_PROXY`); a mistyped region (`{}`) or `--endpoint-url` host also has no address",
                self.region()
            )],
            AwsProblem::NoRegion => vec![
                "pass `--region`, set `region:` in pipeline.yaml, or export `AWS_REGION`".to_owned(),
            ],
            AwsProblem::NoSuchBucket => vec![format!(
                "check the bucket's name and that it is in this account and region (`{}`); `gen bootstrap` creates the assets bucket",
                self.region()
            )],
            AwsProblem::Service { .. } | AwsProblem::Other { .. } => {
                vec!["run again with `--verbose` for the full error chain".to_owned()]
            }
        }
    }

    fn region(&self) -> &str {
        self.context.region.as_deref().unwrap_or("(none)")
    }
}

impl std::ops::Deref for CallFailed {
    type Target = Failure;

    fn deref(&self) -> &Failure {
        &self.0
    }
}

/// The role of an assumed-role session ARN (`arn:aws:sts::1:assumed-role/ROLE/SESSION`): the
/// place to grant a permission.
fn assumed_role(principal: &str) -> Option<&str> {
    let (_, path) = principal.split_once(":assumed-role/")?;
    path.split('/').next().filter(|role| !role.is_empty())
}

/// The shared config files, as the SDK finds them.
fn config_files() -> String {
    let file = |variable: &str, default: &str| {
        std::env::var(variable)
            .ok()
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| default.to_owned())
    };
    format!(
        "`{}` and `{}`",
        file("AWS_CONFIG_FILE", "~/.aws/config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    )
}

impl fmt::Display for CallFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.headline())?;
        for help in self.help() {
            write!(f, "\nhelp: {help}")?;
        }
        if context::verbose() && !self.chain.is_empty() {
            f.write_str("\ncaused by:")?;
            for (depth, message) in self.chain.iter().enumerate() {
                write!(f, "\n  {depth}: {message}")?;
            }
            if let Some(debug) = &self.debug {
                write!(f, "\n  debug: {debug}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
