//! Uploading a code zip unless an object with its hash is already there.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::primitives::ByteStream;

use super::{Artifact, PackageError};
use crate::aws::{call_failed, head_failed};

/// What [`upload_if_new`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploaded {
    /// The key was absent: the zip was put.
    New,
    /// An object with this key (so this hash) exists: nothing was sent.
    AlreadyThere,
}

/// `HeadObject` on the artifact's key; puts the zip (`application/zip`, metadata `sha256`) only
/// when S3 answers 404.
pub async fn upload_if_new(
    s3: &Client,
    bucket: &str,
    artifact: &Artifact,
) -> Result<Uploaded, PackageError> {
    let upload_error = |failure: crate::aws::CallFailed| PackageError::Upload {
        bucket: bucket.to_owned(),
        key: artifact.key.clone(),
        failure,
    };
    match s3
        .head_object()
        .bucket(bucket)
        .key(&artifact.key)
        .send()
        .await
    {
        Ok(_) => return Ok(Uploaded::AlreadyThere),
        Err(error) if is_not_found(&error) => {}
        Err(error) => return Err(upload_error(head_failed("HeadObject", error))),
    }
    s3.put_object()
        .bucket(bucket)
        .key(&artifact.key)
        .content_type("application/zip")
        .metadata("sha256", &artifact.sha256)
        .body(ByteStream::from(artifact.zip.clone()))
        .send()
        .await
        .map_err(|error| upload_error(call_failed("PutObject", error)))?;
    Ok(Uploaded::New)
}

fn is_not_found(error: &SdkError<HeadObjectError, HttpResponse>) -> bool {
    match error {
        SdkError::ServiceError(service) => {
            service.err().is_not_found() || service.raw().status().as_u16() == 404
        }
        _ => false,
    }
}
