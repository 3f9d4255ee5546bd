//! Who and where `gen` is calling AWS as: the credentials the default chain resolves, the
//! identity they belong to (STS `GetCallerIdentity`), and the region when no flag or pipeline
//! names one. `gen doctor` reports these.

use aws_credential_types::provider::ProvideCredentials as _;
use serde::Serialize;

use super::{AwsProblem, CallFailed, call_failed};

/// The credentials found, without their secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CredentialsFound {
    /// The access key id, shortened to its first four and last four characters.
    pub access_key: String,
    /// Temporary credentials (with a session token) expire; RFC 3339.
    pub expires_at: Option<String>,
}

/// What STS says the credentials are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
}

/// Resolves credentials through the configured chain (environment, profile, SSO, web identity,
/// container, instance metadata).
pub async fn credentials(sdk: &aws_config::SdkConfig) -> Result<CredentialsFound, CallFailed> {
    const OPERATION: &str = super::error::RESOLVING_CREDENTIALS;
    let Some(provider) = sdk.credentials_provider() else {
        return Err(CallFailed::new(OPERATION, AwsProblem::NoCredentials));
    };
    let credentials = provider
        .provide_credentials()
        .await
        .map_err(|error| call_failed(OPERATION, error))?;
    Ok(CredentialsFound {
        access_key: shorten(credentials.access_key_id()),
        expires_at: credentials.expiry().and_then(|expiry| {
            aws_sdk_s3::primitives::DateTime::from(expiry)
                .fmt(aws_sdk_s3::primitives::DateTimeFormat::DateTime)
                .ok()
        }),
    })
}

/// The account and ARN the credentials belong to.
pub async fn caller_identity(sdk: &aws_config::SdkConfig) -> Result<Identity, CallFailed> {
    let answer = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(|error| call_failed("GetCallerIdentity", error))?;
    Ok(Identity {
        account: answer.account().unwrap_or_default().to_owned(),
        arn: answer.arn().unwrap_or_default().to_owned(),
    })
}

/// The region of the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`) or the profile.
pub async fn default_region(profile: Option<&str>) -> Option<String> {
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(profile) = profile {
        chain = chain.profile_name(profile);
    }
    chain
        .build()
        .region()
        .await
        .map(|region| region.to_string())
}

/// The first and last four characters of an access key id (`AKIA…MPLE`); short ones (emulators'
/// dummy keys) keep at most half.
fn shorten(key: &str) -> String {
    let characters: Vec<char> = key.chars().collect();
    let shown = (characters.len() / 2).min(4);
    let head: String = characters[..shown].iter().collect();
    if characters.len() >= 16 {
        let tail: String = characters[characters.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else {
        format!("{head}…")
    }
}
