//! `x-amz-checksum-*`: what current SDKs send on every write by default (CRC32) and ask for on
//! every read (`x-amz-checksum-mode: ENABLED`), and the other algorithms on request. The SDK
//! itself checks the checksum a read returns against the bytes, so a read that succeeds proves
//! the value right. Run against the engine and moto by `conformance_s3`'s macro.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata as _;
use aws_sdk_s3::operation::head_object::HeadObjectOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, ChecksumMode};

use super::{BUCKET, create_bucket};

async fn head_with_checksum(client: &Client, key: &str) -> HeadObjectOutput {
    client
        .head_object()
        .bucket(BUCKET)
        .key(key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .unwrap_or_else(|error| panic!("HeadObject {key}: {error:?}"))
}

pub(super) async fn checksums_are_checked_and_returned(client: &Client) {
    create_bucket(client).await;
    let body = "order ORD-1, total 12.50";
    // The SDK's default: a CRC32 it computes, which the target checks.
    let written = client
        .put_object()
        .bucket(BUCKET)
        .key("default")
        .body(ByteStream::from_static(body.as_bytes()))
        .send()
        .await
        .expect("PutObject with the SDK's CRC32");
    let crc32 = written
        .checksum_crc32()
        .expect("the write's CRC32 is returned")
        .to_owned();
    let read = client
        .get_object()
        .bucket(BUCKET)
        .key("default")
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .expect("GetObject");
    assert_eq!(read.checksum_crc32(), Some(crc32.as_str()));
    let bytes = read
        .body
        .collect()
        .await
        .expect("the SDK validates the body against the checksum")
        .into_bytes();
    assert_eq!(bytes.as_ref(), body.as_bytes());
    assert_eq!(
        head_with_checksum(client, "default").await.checksum_crc32(),
        Some(crc32.as_str())
    );

    for (key, algorithm) in [
        ("crc32c", ChecksumAlgorithm::Crc32C),
        ("sha1", ChecksumAlgorithm::Sha1),
        ("sha256", ChecksumAlgorithm::Sha256),
    ] {
        let written = client
            .put_object()
            .bucket(BUCKET)
            .key(key)
            .checksum_algorithm(algorithm.clone())
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
            .await
            .unwrap_or_else(|error| panic!("PutObject {key}: {error:?}"));
        let head = head_with_checksum(client, key).await;
        let (sent, returned) = match algorithm {
            ChecksumAlgorithm::Crc32C => (written.checksum_crc32_c(), head.checksum_crc32_c()),
            ChecksumAlgorithm::Sha1 => (written.checksum_sha1(), head.checksum_sha1()),
            _ => (written.checksum_sha256(), head.checksum_sha256()),
        };
        assert!(sent.is_some(), "{key}: the write's checksum is returned");
        assert_eq!(sent, returned, "{key}");
    }
}

/// Where moto differs from AWS, the engine follows AWS: these run against the engine alone,
/// each naming its entry in `tests/conformance/MOTO_DEVIATIONS.md`.
mod engine_follows_aws {
    use super::*;
    use crate::conformance_s3::client;
    use tests::Backend;

    fn status_and_code<E: aws_sdk_s3::error::ProvideErrorMetadata>(
        error: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> (Option<u16>, Option<&str>) {
        (
            error
                .raw_response()
                .map(|response| response.status().as_u16()),
            error.code(),
        )
    }

    // MOTO_DEVIATIONS.md: "S3: a checksum of other bytes".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_checksum_of_other_bytes_is_a_bad_digest() {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        create_bucket(&client).await;
        let put = || {
            client
                .put_object()
                .bucket(BUCKET)
                .key("wrong")
                .body(ByteStream::from_static(b"the bytes sent"))
        };
        let refused = put()
            .checksum_crc32_c("AAAAAA==")
            .send()
            .await
            .expect_err("a CRC32C of other bytes");
        assert_eq!(status_and_code(&refused), (Some(400), Some("BadDigest")));
        let refused = put()
            .checksum_sha256("not a digest")
            .send()
            .await
            .expect_err("not base64 of 32 bytes");
        assert_eq!(
            status_and_code(&refused),
            (Some(400), Some("InvalidRequest"))
        );
        let refused = put()
            .content_md5("XUFAKrxLKna5cZ2REBfFkg==")
            .send()
            .await
            .expect_err("the MD5 of `hello`");
        assert_eq!(status_and_code(&refused), (Some(400), Some("BadDigest")));
        client
            .head_object()
            .bucket(BUCKET)
            .key("wrong")
            .send()
            .await
            .expect_err("nothing was written");

        // CRC64NVME, which S3 also computes for a write that carries no checksum.
        let written = put()
            .checksum_algorithm(ChecksumAlgorithm::Crc64Nvme)
            .send()
            .await
            .expect("PutObject with CRC64NVME");
        let value = written.checksum_crc64_nvme().expect("returned").to_owned();
        let read = client
            .get_object()
            .bucket(BUCKET)
            .key("wrong")
            .checksum_mode(ChecksumMode::Enabled)
            .send()
            .await
            .expect("GetObject");
        assert_eq!(read.checksum_crc64_nvme(), Some(value.as_str()));
        read.body
            .collect()
            .await
            .expect("the SDK validates the body against the CRC64NVME");
    }
}
