//! The edge where `gen` talks to AWS: SDK configuration from the global flags, and the stage
//! operations (`ls`, `destroy`, `gc`) on CloudFormation and S3. Nothing else in `gen` calls AWS.

pub mod assets;
pub mod bootstrap;
mod classify;
pub mod context;
pub mod deploy;
pub mod destroy;
pub mod error;
pub mod identity;
pub mod stack;
pub mod stages;

pub use error::{AwsProblem, CallFailed, call_failed, head_failed};

use aws_config::{BehaviorVersion, Region};

use aws_sdk_s3::error::ProvideErrorMetadata;

use crate::cli::GlobalArgs;

/// Where and as whom to call AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsTarget {
    pub endpoint_url: Option<String>,
    pub region: String,
    pub profile: Option<String>,
}

impl AwsTarget {
    /// From the global flags, with the pipeline's region as the default.
    pub fn new(global: &GlobalArgs, pipeline_region: &str) -> Self {
        Self {
            endpoint_url: global.endpoint_url.clone(),
            region: global
                .region
                .clone()
                .unwrap_or_else(|| pipeline_region.to_owned()),
            profile: global.profile.clone(),
        }
    }

    /// The SDK configuration for this target; also remembered for the messages of the calls
    /// this thread makes (see [`context`]).
    pub async fn sdk_config(&self) -> aws_config::SdkConfig {
        let known_profiles = match &self.profile {
            Some(_) => context::defined_profiles().await,
            None => None,
        };
        context::remember(context::CallContext {
            endpoint_url: self.endpoint_url.clone(),
            region: Some(self.region.clone()),
            profile: self.profile.clone(),
            known_profiles,
        });
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(self.region.clone()));
        if let Some(endpoint) = &self.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        loader.load().await
    }
}

/// An S3 client; path-style addressing when a custom endpoint is set (moto, the local engine).
pub fn s3_client(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::config::Builder::from(sdk);
    if sdk.endpoint_url().is_some() {
        config = config.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

/// Whether CloudFormation answered that the stack does not exist (it has no error code of its
/// own for that: a `ValidationError` whose message says so).
fn is_missing_stack<E: ProvideErrorMetadata>(error: Option<&E>) -> bool {
    error.is_some_and(|error| {
        error.code() == Some("ValidationError")
            && error
                .message()
                .is_some_and(|message| message.contains("does not exist"))
    })
}

/// A CloudFormation answer about a stack, `None` when the stack does not exist.
pub(crate) fn unless_missing<T, E, R>(
    operation: &str,
    result: Result<T, aws_sdk_cloudformation::error::SdkError<E, R>>,
) -> Result<Option<T>, CallFailed>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(answer) => Ok(Some(answer)),
        Err(error) if is_missing_stack(error.as_service_error()) => Ok(None),
        Err(error) => Err(call_failed(operation, error)),
    }
}

/// Whether S3 answered with one of these error codes (`NoSuchBucket`, `NoSuchKey`…).
pub(crate) fn is_s3_code<E: ProvideErrorMetadata, R>(
    error: &aws_sdk_s3::error::SdkError<E, R>,
    codes: &[&str],
) -> bool {
    error
        .as_service_error()
        .and_then(ProvideErrorMetadata::code)
        .is_some_and(|code| codes.contains(&code))
}
