//! The assets bucket's objects besides the code zips: templates too large to send inline, and
//! each stage's deployed pipeline.yaml; and a bucket named with `--assets-bucket`, which gets
//! what the bootstrapped one has (versioning, encryption, no public access, TLS only) or is
//! refused.

use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    BucketLocationConstraint, BucketVersioningStatus, ChecksumAlgorithm, CreateBucketConfiguration,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule, VersioningConfiguration,
};
use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use super::{CallFailed, call_failed};

/// Why a bucket cannot hold the assets.
#[derive(Debug, thiserror::Error)]
pub enum AssetsError {
    #[error(transparent)]
    Aws(#[from] CallFailed),
    #[error(
        "bucket `{bucket}` is not versioned, so the code it holds could be swapped unseen\nhelp: enable versioning on it (`aws s3api put-bucket-versioning --bucket {bucket} --versioning-configuration Status=Enabled`), or leave out `--assets-bucket` to use the bucket `gen bootstrap` makes"
    )]
    NotVersioned { bucket: String },
    #[error(
        "bucket `{bucket}` has no policy denying requests without TLS (`aws:SecureTransport`)\nhelp: give it the policy `gen bootstrap --show-template` shows, or leave out `--assets-bucket` to use the bucket `gen bootstrap` makes"
    )]
    NotTlsOnly { bucket: String },
}

/// The account the credentials belong to: the owner every assets bucket must have (S3 checks
/// it on each call that carries it as `ExpectedBucketOwner`).
pub async fn account_id(sdk: &aws_config::SdkConfig) -> Result<String, CallFailed> {
    let identity = super::identity::caller_identity(sdk).await?;
    if identity.account.is_empty() {
        return Err(CallFailed::new(
            "GetCallerIdentity",
            super::error::AwsProblem::Other {
                message: "the answer named no account".to_owned(),
            },
        ));
    }
    Ok(identity.account)
}

/// The SHA-256 of `bytes` as S3's checksum headers carry it (base64).
pub fn checksum_sha256(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(bytes))
}

/// Puts `body` at `key`, checksummed; S3 refuses it if the bytes arrive other than sent.
pub async fn put_checked(
    s3: &Client,
    bucket: &str,
    owner: &str,
    key: &str,
    content_type: &str,
    body: Vec<u8>,
) -> Result<Option<String>, CallFailed> {
    let put = s3
        .put_object()
        .bucket(bucket)
        .key(key)
        .content_type(content_type)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(checksum_sha256(&body))
        .expected_bucket_owner(owner)
        .body(body.into())
        .send()
        .await
        .map_err(|error| call_failed(&format!("PutObject s3://{bucket}/{key}"), error))?;
    Ok(put.version_id().map(str::to_owned))
}

/// The URL CloudFormation reads a template at. On an emulator, its endpoint with path-style
/// addressing (moto fetches only from `localhost`, not `127.0.0.1`).
pub fn object_url(endpoint: Option<&str>, region: &str, bucket: &str, key: &str) -> String {
    match endpoint {
        Some(endpoint) => format!(
            "{}/{bucket}/{key}",
            endpoint
                .trim_end_matches('/')
                .replacen("://127.0.0.1", "://localhost", 1)
        ),
        None => format!("https://{bucket}.s3.{region}.amazonaws.com/{key}"),
    }
}

/// Makes sure `bucket` (named with `--assets-bucket`) is fit for code: created when missing
/// with what the bootstrapped bucket has; refused when it exists without versioning or a
/// TLS-only policy. `tls` is false for an emulator reached over plain `http://`, where a
/// TLS-only policy would refuse every request: there it is neither set nor required.
pub async fn ensure_bucket(
    s3: &Client,
    bucket: &str,
    owner: &str,
    region: &str,
    tls: bool,
) -> Result<bool, AssetsError> {
    match s3
        .head_bucket()
        .bucket(bucket)
        .expected_bucket_owner(owner)
        .send()
        .await
    {
        Ok(_) => {
            check_bucket(s3, bucket, tls).await?;
            return Ok(false);
        }
        Err(error)
            if error
                .raw_response()
                .is_some_and(|r| r.status().as_u16() == 404) => {}
        Err(error) => return Err(call_failed(&format!("HeadBucket {bucket}"), error).into()),
    }
    let mut create = s3.create_bucket().bucket(bucket);
    // us-east-1 is the one region that refuses to be named as a location.
    if region != "us-east-1" {
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create
        .send()
        .await
        .map_err(|error| call_failed(&format!("CreateBucket {bucket}"), error))?;
    s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .map_err(|error| call_failed(&format!("PutBucketVersioning {bucket}"), error))?;
    let encryption = ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::Aes256)
                        .build()
                        .map_err(|error| call_failed("PutBucketEncryption", error))?,
                )
                .build(),
        )
        .build()
        .map_err(|error| call_failed("PutBucketEncryption", error))?;
    s3.put_bucket_encryption()
        .bucket(bucket)
        .server_side_encryption_configuration(encryption)
        .send()
        .await
        .map_err(|error| call_failed(&format!("PutBucketEncryption {bucket}"), error))?;
    s3.put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .block_public_policy(true)
                .ignore_public_acls(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .map_err(|error| call_failed(&format!("PutPublicAccessBlock {bucket}"), error))?;
    if tls {
        s3.put_bucket_policy()
            .bucket(bucket)
            .policy(tls_only_policy(bucket))
            .send()
            .await
            .map_err(|error| call_failed(&format!("PutBucketPolicy {bucket}"), error))?;
    }
    Ok(true)
}

/// Refuses an existing bucket without a TLS-only policy. (Versioning shows on the first
/// upload, which must come back with a version id: see `gen deploy`'s code upload.)
async fn check_bucket(s3: &Client, bucket: &str, tls: bool) -> Result<(), AssetsError> {
    if !tls {
        return Ok(());
    }
    let policy = match s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(policy) => policy.policy().unwrap_or_default().to_owned(),
        Err(error) if super::is_s3_code(&error, &["NoSuchBucketPolicy"]) => String::new(),
        Err(error) => return Err(call_failed(&format!("GetBucketPolicy {bucket}"), error).into()),
    };
    if !denies_insecure_transport(&policy) {
        return Err(AssetsError::NotTlsOnly {
            bucket: bucket.to_owned(),
        });
    }
    Ok(())
}

/// The bootstrapped bucket's policy: every request without TLS is denied.
fn tls_only_policy(bucket: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [deny_insecure_transport(&serde_json::json!([
            format!("arn:aws:s3:::{bucket}"),
            format!("arn:aws:s3:::{bucket}/*")
        ]))]
    })
    .to_string()
}

/// The bucket-policy statement denying every S3 request made without TLS on `resources`; the
/// assets stack's template and `--assets-bucket` buckets share it.
pub(super) fn deny_insecure_transport(resources: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}
    })
}

/// Whether a bucket policy has a statement denying `s3:*` when `aws:SecureTransport` is false.
fn denies_insecure_transport(policy: &str) -> bool {
    let Ok(policy) = serde_json::from_str::<serde_json::Value>(policy) else {
        return false;
    };
    let statements = match &policy["Statement"] {
        serde_json::Value::Array(statements) => statements.clone(),
        statement => vec![statement.clone()],
    };
    statements.iter().any(|statement| {
        statement["Effect"] == "Deny"
            && (statement["Action"] == "s3:*"
                || statement["Action"]
                    .as_array()
                    .is_some_and(|actions| actions.iter().any(|a| a == "s3:*")))
            && statement["Condition"]["Bool"]["aws:SecureTransport"]
                .as_str()
                .or_else(|| {
                    statement["Condition"]["Bool"]["aws:SecureTransport"]
                        .as_bool()
                        .map(|secure| if secure { "true" } else { "false" })
                })
                == Some("false")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_urls_point_where_cloudformation_can_read() {
        #[track_caller]
        fn case(endpoint: Option<&str>, expected: &str) {
            assert_eq!(
                object_url(endpoint, "eu-west-1", "assets", "p/t.json"),
                expected
            );
        }
        case(None, "https://assets.s3.eu-west-1.amazonaws.com/p/t.json");
        case(
            Some("http://127.0.0.1:5000"),
            "http://localhost:5000/assets/p/t.json",
        );
        case(
            Some("http://127.0.0.1:5000/"),
            "http://localhost:5000/assets/p/t.json",
        );
        case(
            Some("https://s3.example.test"),
            "https://s3.example.test/assets/p/t.json",
        );
    }

    #[test]
    fn only_a_deny_without_tls_counts_as_tls_only() {
        assert!(denies_insecure_transport(&tls_only_policy("b")));
        assert!(!denies_insecure_transport(""));
        assert!(!denies_insecure_transport(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#
        ));
        assert!(denies_insecure_transport(
            r#"{"Statement":{"Effect":"Deny","Action":["s3:*"],"Condition":{"Bool":{"aws:SecureTransport":false}}}}"#
        ));
    }

    #[test]
    fn checksums_are_base64_sha256() {
        assert_eq!(
            checksum_sha256(b"hi"),
            "j0NDRmSPa5bfid2pAcUXaxCm2Dlh3TwayItZstwyeqQ="
        );
    }
}
