//! Uploading a code zip unless an object with its hash is already there.

use aws_sdk_s3::Client;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::operation::head_object::HeadObjectError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};

use super::{Artifact, PackageError};
use crate::aws::{call_failed, head_failed};

/// What [`upload_if_new`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Uploaded {
    /// Nothing usable was at the key: the zip was put.
    New,
    /// An object with this key and this zip's SHA-256 checksum exists: nothing was sent.
    AlreadyThere,
}

/// Where a code zip is, for the template to pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub uploaded: Uploaded,
    /// The object's version (in a versioned bucket).
    pub version_id: Option<String>,
}

/// `HeadObject` on the artifact's key, asking for its checksum: the object is reused only when
/// S3's SHA-256 of it is the zip's; otherwise (absent, put without a checksum, or other bytes
/// under this hash's name) the zip is put, checksummed, so S3 refuses bytes that arrive
/// changed. `owner` (the account expected to own the bucket) makes S3 refuse a bucket of
/// someone else's.
pub async fn upload_if_new(
    s3: &Client,
    bucket: &str,
    owner: Option<&str>,
    artifact: &Artifact,
) -> Result<Placed, PackageError> {
    let upload_error = |failure: crate::aws::CallFailed| PackageError::Upload {
        bucket: bucket.to_owned(),
        key: artifact.key.clone(),
        failure,
    };
    let checksum = crate::aws::assets::checksum_sha256(&artifact.zip);
    match s3
        .head_object()
        .bucket(bucket)
        .key(&artifact.key)
        .checksum_mode(ChecksumMode::Enabled)
        .set_expected_bucket_owner(owner.map(str::to_owned))
        .send()
        .await
    {
        Ok(head) if head.checksum_sha256() == Some(checksum.as_str()) => {
            return Ok(Placed {
                uploaded: Uploaded::AlreadyThere,
                version_id: versioned(head.version_id()),
            });
        }
        Ok(_) => {}
        Err(error) if is_not_found(&error) => {}
        Err(error) => return Err(upload_error(head_failed("HeadObject", error))),
    }
    let put = s3
        .put_object()
        .bucket(bucket)
        .key(&artifact.key)
        .content_type("application/zip")
        .metadata("sha256", &artifact.sha256)
        .checksum_algorithm(ChecksumAlgorithm::Sha256)
        .checksum_sha256(checksum)
        .set_expected_bucket_owner(owner.map(str::to_owned))
        .body(ByteStream::from(artifact.zip.clone()))
        .send()
        .await
        .map_err(|error| upload_error(call_failed("PutObject", error)))?;
    Ok(Placed {
        uploaded: Uploaded::New,
        version_id: versioned(put.version_id()),
    })
}

/// A version id; `null` is what S3 calls the version of an object put while versioning was
/// off or suspended, which does not pin anything.
fn versioned(version: Option<&str>) -> Option<String> {
    version
        .filter(|version| *version != "null")
        .map(str::to_owned)
}

fn is_not_found(error: &SdkError<HeadObjectError, HttpResponse>) -> bool {
    match error {
        SdkError::ServiceError(service) => {
            service.err().is_not_found() || service.raw().status().as_u16() == 404
        }
        _ => false,
    }
}
