//! S3 errors and how the REST/XML protocol carries them: a status and an
//! `<Error><Code>..</Code><Message>..</Message></Error>` body, whose `Code` the SDK matches on.

use hyper::StatusCode;

use crate::budget::Exhausted;

/// An error an S3 operation answers with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum S3Error {
    /// The bucket does not exist.
    #[error("The specified bucket does not exist")]
    NoSuchBucket(String),
    /// The key does not exist in the bucket.
    #[error("The specified key does not exist.")]
    NoSuchKey(String),
    /// `CreateBucket` of a bucket that already exists.
    #[error("Your previous request to create the named bucket succeeded and you already own it.")]
    BucketAlreadyOwnedByYou(String),
    /// `DeleteBucket` of a bucket that still holds objects.
    #[error("The bucket you tried to delete is not empty")]
    BucketNotEmpty(String),
    /// A bucket name S3 would refuse.
    #[error("The specified bucket is not valid.")]
    InvalidBucketName(String),
    /// `If-None-Match: *` on a key that exists.
    #[error("At least one of the pre-conditions you specified did not hold")]
    PreconditionFailed,
    /// A malformed request: bad percent-encoding, bad aws-chunked framing, a bad parameter.
    #[error("{0}")]
    InvalidRequest(String),
    /// A request parameter S3 does not accept (an unknown `encoding-type`, a bad token).
    #[error("{0}")]
    InvalidArgument(String),
    /// More than 2 KB of `x-amz-meta-*` headers.
    #[error("Your metadata headers exceed the maximum allowed metadata size.")]
    MetadataTooLarge,
    /// A body past the engine's object limit (the argument, in bytes).
    #[error(
        "Your proposed upload exceeds the maximum allowed object size ({0} bytes in the local engine)."
    )]
    EntityTooLarge(u64),
    /// A write past the engine's cap on bytes held.
    #[error("Service is unable to handle request: {0}.")]
    StorageCapReached(Exhausted),
    /// Fault injection: a random throttling answer.
    #[error("Please reduce your request rate.")]
    SlowDown,
    /// Fault injection: an outage.
    #[error("Service is unable to handle request.")]
    ServiceUnavailable,
    /// An operation this engine does not implement.
    #[error("{0} is not implemented by the local engine.")]
    NotImplemented(String),
    /// `If-None-Match` or `If-Modified-Since` on a `GET`/`HEAD` that holds: `304`, no body.
    #[error("Not Modified")]
    NotModified,
    /// A `Range` that starts past the object's end.
    #[error("The requested range is not satisfiable")]
    InvalidRange {
        /// The `Range` header as sent.
        range: String,
        /// The object's length.
        size: u64,
    },
    /// An upload id that names no upload in progress (never created, completed or aborted).
    #[error(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )]
    NoSuchUpload(String),
    /// `CompleteMultipartUpload` naming a part that was not uploaded or whose `ETag` differs.
    #[error(
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    )]
    InvalidPart,
    /// `CompleteMultipartUpload` with part numbers not in ascending order.
    #[error("The list of parts was not in ascending order. Parts must be ordered by part number.")]
    InvalidPartOrder,
    /// A part other than the last smaller than 5 MiB.
    #[error("Your proposed upload is smaller than the minimum allowed size")]
    EntityTooSmall {
        /// The small part's number.
        part_number: u32,
        /// Its size.
        size: u64,
    },
    /// An XML body that does not parse or breaks the operation's rules.
    #[error(
        "The XML you provided was not well-formed or did not validate against our published schema"
    )]
    MalformedXml,
    /// A `GET` or `HEAD` of a delete marker by its version id.
    #[error("The specified method is not allowed against this resource.")]
    MethodNotAllowed,
    /// A `partNumber` past the object's parts.
    #[error("The requested partnumber is not satisfiable")]
    InvalidPartNumber,
    /// A checksum (`x-amz-checksum-*` or `Content-MD5`) that is not the body's.
    #[error("{0}")]
    BadDigest(String),
    /// A `Content-MD5` that is not base64 of 16 bytes.
    #[error("The Content-MD5 you specified was invalid.")]
    InvalidDigest,
    /// A `versionId` that names no version of the key.
    #[error("The specified version does not exist.")]
    NoSuchVersion(String),
}

impl S3Error {
    /// The `Code` element.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoSuchBucket(_) => "NoSuchBucket",
            Self::NoSuchKey(_) => "NoSuchKey",
            Self::BucketAlreadyOwnedByYou(_) => "BucketAlreadyOwnedByYou",
            Self::BucketNotEmpty(_) => "BucketNotEmpty",
            Self::InvalidBucketName(_) => "InvalidBucketName",
            Self::PreconditionFailed => "PreconditionFailed",
            Self::InvalidRequest(_) => "InvalidRequest",
            Self::InvalidArgument(_) => "InvalidArgument",
            Self::MetadataTooLarge => "MetadataTooLarge",
            Self::EntityTooLarge(_) => "EntityTooLarge",
            Self::SlowDown => "SlowDown",
            Self::ServiceUnavailable | Self::StorageCapReached(_) => "ServiceUnavailable",
            Self::NotImplemented(_) => "NotImplemented",
            Self::NotModified => "NotModified",
            Self::InvalidRange { .. } => "InvalidRange",
            Self::NoSuchUpload(_) => "NoSuchUpload",
            Self::InvalidPart => "InvalidPart",
            Self::InvalidPartOrder => "InvalidPartOrder",
            Self::EntityTooSmall { .. } => "EntityTooSmall",
            Self::MalformedXml => "MalformedXML",
            Self::NoSuchVersion(_) => "NoSuchVersion",
            Self::MethodNotAllowed => "MethodNotAllowed",
            Self::BadDigest(_) => "BadDigest",
            Self::InvalidPartNumber => "InvalidPartNumber",
            Self::InvalidDigest => "InvalidDigest",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoSuchBucket(_)
            | Self::NoSuchKey(_)
            | Self::NoSuchUpload(_)
            | Self::NoSuchVersion(_) => StatusCode::NOT_FOUND,
            Self::NotModified => StatusCode::NOT_MODIFIED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::InvalidRange { .. } | Self::InvalidPartNumber => {
                StatusCode::RANGE_NOT_SATISFIABLE
            }
            Self::BucketAlreadyOwnedByYou(_) | Self::BucketNotEmpty(_) => StatusCode::CONFLICT,
            Self::InvalidBucketName(_)
            | Self::InvalidRequest(_)
            | Self::InvalidArgument(_)
            | Self::MetadataTooLarge
            | Self::EntityTooLarge(_)
            | Self::InvalidPart
            | Self::InvalidPartOrder
            | Self::EntityTooSmall { .. }
            | Self::BadDigest(_)
            | Self::InvalidDigest
            | Self::MalformedXml => StatusCode::BAD_REQUEST,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::SlowDown | Self::ServiceUnavailable | Self::StorageCapReached(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::NotImplemented(_) => StatusCode::NOT_IMPLEMENTED,
        }
    }

    /// The extra elements naming what the error is about (`BucketName`, `Key`, `UploadId`, ...).
    fn subject(&self) -> Vec<(&'static str, String)> {
        match self {
            Self::NoSuchBucket(name)
            | Self::BucketAlreadyOwnedByYou(name)
            | Self::BucketNotEmpty(name)
            | Self::InvalidBucketName(name) => vec![("BucketName", name.clone())],
            Self::NoSuchKey(key) => vec![("Key", key.clone())],
            Self::NoSuchUpload(id) => vec![("UploadId", id.clone())],
            Self::NoSuchVersion(id) => vec![("VersionId", id.clone())],
            Self::InvalidRange { range, size } => vec![
                ("RangeRequested", range.clone()),
                ("ActualObjectSize", size.to_string()),
            ],
            Self::EntityTooSmall { part_number, size } => vec![
                ("ProposedSize", size.to_string()),
                (
                    "MinSizeAllowed",
                    super::store::multipart::MIN_PART_BYTES.to_string(),
                ),
                ("PartNumber", part_number.to_string()),
            ],
            _ => Vec::new(),
        }
    }

    /// The XML body.
    pub fn body(&self, request_id: &str) -> String {
        let mut body = String::from(super::xml::DECLARATION);
        body.push_str("<Error>");
        super::xml::element(&mut body, "Code", self.code());
        super::xml::element(&mut body, "Message", &self.to_string());
        for (name, value) in self.subject() {
            super::xml::element(&mut body, name, &value);
        }
        super::xml::element(&mut body, "RequestId", request_id);
        body.push_str("</Error>");
        body
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_is_a_404_naming_the_key() {
        let error = S3Error::NoSuchKey("a<b".into());
        assert_eq!(error.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            error.body("id"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>\
             <Message>The specified key does not exist.</Message><Key>a&lt;b</Key>\
             <RequestId>id</RequestId></Error>"
        );
    }
}
