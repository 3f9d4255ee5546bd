//! S3 scenarios for what handler authors call beyond put/get/list: `ListObjects` (v1), range
//! reads, conditional reads, `CopyObject`, `DeleteObjects`, multipart uploads and the standard
//! headers. Run against the engine and moto by `conformance_s3`'s macro.

use aws_sdk_s3::Client;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, Delete, MetadataDirective, ObjectIdentifier,
};

use super::{BUCKET, create_bucket, get, get_object, head, put};

/// The HTTP status and the error code of a failed call.
fn status_and_code<E: ProvideErrorMetadata>(
    error: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> (Option<u16>, Option<String>) {
    (error.raw_status(), error.code().map(str::to_owned))
}

/// The HTTP status of a failed call's response.
trait RawStatus {
    fn raw_status(&self) -> Option<u16>;
}

impl<E> RawStatus for SdkError<E, aws_sdk_s3::config::http::HttpResponse> {
    fn raw_status(&self) -> Option<u16> {
        self.raw_response()
            .map(|response| response.status().as_u16())
    }
}

async fn range(client: &Client, key: &str, range: &str) -> (String, Option<String>) {
    let output = client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .range(range)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GetObject {range}: {error:?}"));
    let content_range = output.content_range().map(str::to_owned);
    let bytes = output.body.collect().await.expect("body").into_bytes();
    (
        String::from_utf8(bytes.to_vec()).expect("utf-8"),
        content_range,
    )
}

pub(super) async fn range_reads(client: &Client) {
    create_bucket(client).await;
    put(client, "digits", "0123456789").await;
    assert_eq!(
        range(client, "digits", "bytes=2-5").await,
        ("2345".to_owned(), Some("bytes 2-5/10".to_owned()))
    );
    assert_eq!(
        range(client, "digits", "bytes=7-").await,
        ("789".to_owned(), Some("bytes 7-9/10".to_owned()))
    );
    assert_eq!(
        range(client, "digits", "bytes=-3").await,
        ("789".to_owned(), Some("bytes 7-9/10".to_owned()))
    );
    assert_eq!(
        range(client, "digits", "bytes=8-100").await,
        ("89".to_owned(), Some("bytes 8-9/10".to_owned()))
    );
    let error = client
        .get_object()
        .bucket(BUCKET)
        .key("digits")
        .range("bytes=10-20")
        .send()
        .await
        .expect_err("a range past the end");
    assert_eq!(
        status_and_code(&error),
        (Some(416), Some("InvalidRange".to_owned()))
    );
}

pub(super) async fn conditional_reads(client: &Client) {
    create_bucket(client).await;
    let etag = put(client, "inv-1.json", "{}").await;
    let modified = head(client, "inv-1.json")
        .await
        .last_modified
        .expect("LastModified");
    let day = 86_400;
    let before = DateTime::from_secs(modified.secs() - day);
    let after = DateTime::from_secs(modified.secs() + day);
    let get = || client.get_object().bucket(BUCKET).key("inv-1.json");
    get().if_match(&etag).send().await.expect("If-Match holds");
    get()
        .if_none_match("\"0000\"")
        .send()
        .await
        .expect("If-None-Match of another tag holds");
    get()
        .if_modified_since(before)
        .send()
        .await
        .expect("modified since the day before");
    get()
        .if_unmodified_since(after)
        .send()
        .await
        .expect("not modified since the day after");
    let failed = get()
        .if_match("\"0000\"")
        .send()
        .await
        .expect_err("If-Match of another tag");
    assert_eq!(
        status_and_code(&failed),
        (Some(412), Some("PreconditionFailed".to_owned()))
    );
    let failed = get()
        .if_unmodified_since(before)
        .send()
        .await
        .expect_err("modified since the day before");
    assert_eq!(failed.raw_status(), Some(412));
    let not_modified = get()
        .if_none_match(&etag)
        .send()
        .await
        .expect_err("If-None-Match of its own tag");
    assert_eq!(not_modified.raw_status(), Some(304));
    let not_modified = get()
        .if_modified_since(after)
        .send()
        .await
        .expect_err("not modified since the day after");
    assert_eq!(not_modified.raw_status(), Some(304));
    let head_failed = client
        .head_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .if_match("\"0000\"")
        .send()
        .await
        .expect_err("HeadObject If-Match of another tag");
    assert_eq!(head_failed.raw_status(), Some(412));
}

pub(super) async fn copy_object_with_metadata_directive(client: &Client) {
    create_bucket(client).await;
    client
        .put_object()
        .bucket(BUCKET)
        .key("source.json")
        .content_type("application/json")
        .metadata("order-id", "ORD-1")
        .body(ByteStream::from_static(b"{\"total\":\"1.00\"}"))
        .send()
        .await
        .expect("PutObject");
    let copied = client
        .copy_object()
        .bucket(BUCKET)
        .key("copy.json")
        .copy_source(format!("{BUCKET}/source.json"))
        .send()
        .await
        .expect("CopyObject");
    let result = copied.copy_object_result().expect("CopyObjectResult");
    assert!(result.e_tag().is_some_and(|tag| tag.len() == 34));
    assert!(result.last_modified().is_some());
    assert_eq!(get(client, "copy.json").await, "{\"total\":\"1.00\"}");
    let copy = head(client, "copy.json").await;
    assert_eq!(copy.content_type(), Some("application/json"));
    assert_eq!(
        copy.metadata()
            .and_then(|metadata| metadata.get("order-id")),
        Some(&"ORD-1".to_owned())
    );

    client
        .copy_object()
        .bucket(BUCKET)
        .key("replaced.json")
        .copy_source(format!("{BUCKET}/source.json"))
        .metadata_directive(MetadataDirective::Replace)
        .content_type("text/plain")
        .metadata("stage", "test")
        .send()
        .await
        .expect("CopyObject REPLACE");
    let replaced = head(client, "replaced.json").await;
    assert_eq!(replaced.content_type(), Some("text/plain"));
    let metadata = replaced.metadata().cloned().unwrap_or_default();
    assert_eq!(metadata.get("stage").map(String::as_str), Some("test"));
    assert!(!metadata.contains_key("order-id"), "{metadata:?}");

    let to_itself = client
        .copy_object()
        .bucket(BUCKET)
        .key("source.json")
        .copy_source(format!("{BUCKET}/source.json"))
        .send()
        .await
        .expect_err("a copy onto itself without REPLACE");
    assert_eq!(
        status_and_code(&to_itself),
        (Some(400), Some("InvalidRequest".to_owned()))
    );
    let missing = client
        .copy_object()
        .bucket(BUCKET)
        .key("copy-of-nothing")
        .copy_source(format!("{BUCKET}/missing"))
        .send()
        .await
        .expect_err("a missing source");
    assert_eq!(
        status_and_code(&missing),
        (Some(404), Some("NoSuchKey".to_owned()))
    );
}

fn identifiers(keys: &[&str]) -> Delete {
    let objects = keys.iter().map(|key| {
        ObjectIdentifier::builder()
            .key(*key)
            .build()
            .expect("a key is set")
    });
    Delete::builder()
        .set_objects(Some(objects.collect()))
        .build()
        .expect("objects are set")
}

pub(super) async fn delete_objects_reports_each_key(client: &Client) {
    create_bucket(client).await;
    for key in ["a", "b", "c"] {
        put(client, key, key).await;
    }
    let output = client
        .delete_objects()
        .bucket(BUCKET)
        .delete(identifiers(&["a", "b", "never-written"]))
        .send()
        .await
        .expect("DeleteObjects");
    let mut deleted: Vec<&str> = output.deleted().iter().filter_map(|d| d.key()).collect();
    deleted.sort_unstable();
    // A key that never existed is reported deleted: deletes are idempotent.
    assert_eq!(deleted, ["a", "b", "never-written"]);
    assert!(output.errors().is_empty(), "{:?}", output.errors());

    let mut quiet = identifiers(&["c"]);
    quiet.quiet = Some(true);
    let output = client
        .delete_objects()
        .bucket(BUCKET)
        .delete(quiet)
        .send()
        .await
        .expect("DeleteObjects quiet");
    assert!(output.errors().is_empty(), "{:?}", output.errors());
    let left = client
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .expect("ListObjectsV2");
    assert_eq!(left.key_count(), Some(0));
}

const MIB: usize = 1024 * 1024;

async fn create_upload(client: &Client, key: &str) -> String {
    client
        .create_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .content_type("text/csv")
        .metadata("batch", "7")
        .send()
        .await
        .expect("CreateMultipartUpload")
        .upload_id
        .expect("an upload id")
}

async fn upload_part(
    client: &Client,
    key: &str,
    upload_id: &str,
    number: i32,
    body: Vec<u8>,
) -> String {
    client
        .upload_part()
        .bucket(BUCKET)
        .key(key)
        .upload_id(upload_id)
        .part_number(number)
        .body(ByteStream::from(body))
        .send()
        .await
        .unwrap_or_else(|error| panic!("UploadPart {number}: {error:?}"))
        .e_tag
        .expect("a part ETag")
}

fn completed(parts: &[(i32, &str)]) -> CompletedMultipartUpload {
    let parts = parts.iter().map(|(number, etag)| {
        CompletedPart::builder()
            .part_number(*number)
            .e_tag(*etag)
            .build()
    });
    CompletedMultipartUpload::builder()
        .set_parts(Some(parts.collect()))
        .build()
}

async fn multipart_upload_round_trips(client: &Client) {
    create_bucket(client).await;
    let key = "exports/orders.csv";
    let upload_id = create_upload(client, key).await;
    let first = upload_part(client, key, &upload_id, 1, vec![b'a'; 5 * MIB]).await;
    let second = upload_part(client, key, &upload_id, 2, b"tail".to_vec()).await;
    let done = client
        .complete_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .upload_id(&upload_id)
        .multipart_upload(completed(&[(1, &first), (2, &second)]))
        .send()
        .await
        .expect("CompleteMultipartUpload");
    let etag = done.e_tag().expect("an ETag");
    assert!(
        etag.ends_with("-2\""),
        "a multipart ETag ends in -<parts>: {etag}"
    );
    let object = head(client, key).await;
    assert_eq!(object.content_length(), Some(5 * 1024 * 1024 + 4));
    assert_eq!(object.content_type(), Some("text/csv"));
    assert_eq!(object.e_tag(), Some(etag));
    assert_eq!(
        object.metadata().and_then(|metadata| metadata.get("batch")),
        Some(&"7".to_owned())
    );
    let output = get_object(client, key).await;
    let body = output.body.collect().await.expect("body").into_bytes();
    assert!(body.ends_with(b"aaatail"));
}

pub(super) async fn multipart_upload_errors(client: &Client) {
    create_bucket(client).await;
    let key = "small.csv";
    let upload_id = create_upload(client, key).await;
    let first = upload_part(client, key, &upload_id, 1, b"x".to_vec()).await;
    let second = upload_part(client, key, &upload_id, 2, b"y".to_vec()).await;
    let complete = |parts: CompletedMultipartUpload| {
        client
            .complete_multipart_upload()
            .bucket(BUCKET)
            .key(key)
            .upload_id(&upload_id)
            .multipart_upload(parts)
            .send()
    };
    let too_small = complete(completed(&[(1, &first), (2, &second)]))
        .await
        .expect_err("a first part under 5 MiB");
    assert_eq!(
        status_and_code(&too_small),
        (Some(400), Some("EntityTooSmall".to_owned()))
    );
    let wrong_tag = complete(completed(&[(1, "\"00000000000000000000000000000000\"")]))
        .await
        .expect_err("a tag that is not the part's");
    assert_eq!(
        status_and_code(&wrong_tag),
        (Some(400), Some("InvalidPart".to_owned()))
    );
    client
        .abort_multipart_upload()
        .bucket(BUCKET)
        .key(key)
        .upload_id(&upload_id)
        .send()
        .await
        .expect("AbortMultipartUpload");
    let gone = client
        .list_parts()
        .bucket(BUCKET)
        .key(key)
        .upload_id(&upload_id)
        .send()
        .await
        .expect_err("an aborted upload");
    assert_eq!(
        status_and_code(&gone),
        (Some(404), Some("NoSuchUpload".to_owned()))
    );
    let missing = client.head_object().bucket(BUCKET).key(key).send().await;
    assert!(missing.is_err(), "no object after an abort");
}

pub(super) async fn list_objects_v1_with_marker(client: &Client) {
    create_bucket(client).await;
    for key in ["a/1", "a/2", "b", "c/x/1", "c/y", "d"] {
        put(client, key, key).await;
    }
    let list = |marker: Option<&str>, delimiter: Option<&str>| {
        client
            .list_objects()
            .bucket(BUCKET)
            .max_keys(2)
            .set_marker(marker.map(str::to_owned))
            .set_delimiter(delimiter.map(str::to_owned))
            .send()
    };
    let keys = |output: &aws_sdk_s3::operation::list_objects::ListObjectsOutput| {
        output
            .contents()
            .iter()
            .filter_map(|object| object.key().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let plain = list(None, None)
        .await
        .expect("ListObjects without a delimiter");
    assert_eq!(keys(&plain), ["a/1", "a/2"]);
    assert_eq!(plain.is_truncated(), Some(true));
    let rest = list(Some("a/2"), None).await.expect("after a/2");
    assert_eq!(keys(&rest), ["b", "c/x/1"]);
}

pub(super) async fn standard_headers_round_trip(client: &Client) {
    create_bucket(client).await;
    client
        .put_object()
        .bucket(BUCKET)
        .key("report.csv.gz")
        .content_type("text/csv")
        .cache_control("max-age=60")
        .content_disposition("attachment; filename=\"report.csv\"")
        .content_encoding("gzip")
        .content_language("en-GB")
        .body(ByteStream::from_static(b"not really gzip"))
        .send()
        .await
        .expect("PutObject");
    let object = head(client, "report.csv.gz").await;
    assert_eq!(object.cache_control(), Some("max-age=60"));
    assert_eq!(
        object.content_disposition(),
        Some("attachment; filename=\"report.csv\"")
    );
    assert_eq!(object.content_encoding(), Some("gzip"));
    assert_eq!(object.content_language(), Some("en-GB"));
}

/// Where moto differs from AWS, the engine follows AWS: these run against the engine alone,
/// each naming its entry in `tests/conformance/MOTO_DEVIATIONS.md`.
mod engine_follows_aws {
    use super::*;
    use crate::conformance_s3::client;
    use tests::Backend;

    async fn engine_client() -> (Backend, Client) {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        create_bucket(&client).await;
        (backend, client)
    }

    // MOTO_DEVIATIONS.md: "S3: If-Match wins over If-Unmodified-Since".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn if_match_wins_over_if_unmodified_since() {
        let (_engine, client) = engine_client().await;
        let etag = put(&client, "inv-1.json", "{}").await;
        let modified = head(&client, "inv-1.json")
            .await
            .last_modified
            .expect("LastModified");
        client
            .get_object()
            .bucket(BUCKET)
            .key("inv-1.json")
            .if_match(&etag)
            .if_unmodified_since(DateTime::from_secs(modified.secs() - 86_400))
            .send()
            .await
            .expect("200: If-Match holds, so If-Unmodified-Since is not consulted");
    }

    // MOTO_DEVIATIONS.md: "S3: CopyObject source conditions".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn copy_source_conditions_are_checked() {
        let (_engine, client) = engine_client().await;
        let etag = put(&client, "source", "x").await;
        let copy = |key: &'static str| {
            client
                .copy_object()
                .bucket(BUCKET)
                .key(key)
                .copy_source(format!("{BUCKET}/source"))
        };
        let failed = copy("a")
            .copy_source_if_match("\"0000\"")
            .send()
            .await
            .expect_err("the source's tag differs");
        assert_eq!(
            status_and_code(&failed),
            (Some(412), Some("PreconditionFailed".to_owned()))
        );
        let failed = copy("b")
            .copy_source_if_none_match(&etag)
            .send()
            .await
            .expect_err("the source's tag matches");
        assert_eq!(failed.raw_status(), Some(412));
        copy("c")
            .copy_source_if_match(&etag)
            .send()
            .await
            .expect("the source's tag matches");
    }

    // MOTO_DEVIATIONS.md: "S3: DeleteObjects quiet mode" and "S3: DeleteObjects per-key errors".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn quiet_delete_reports_only_errors() {
        let (_engine, client) = engine_client().await;
        put(&client, "a", "a").await;
        let objects = vec![
            ObjectIdentifier::builder().key("a").build().expect("key"),
            ObjectIdentifier::builder()
                .key("b")
                .version_id("not-a-version")
                .build()
                .expect("key"),
        ];
        let delete = Delete::builder()
            .set_objects(Some(objects))
            .quiet(true)
            .build()
            .expect("objects");
        let output = client
            .delete_objects()
            .bucket(BUCKET)
            .delete(delete)
            .send()
            .await
            .expect("DeleteObjects");
        assert!(output.deleted().is_empty(), "{:?}", output.deleted());
        let errors: Vec<(Option<&str>, Option<&str>)> = output
            .errors()
            .iter()
            .map(|error| (error.key(), error.code()))
            .collect();
        assert_eq!(errors, [(Some("b"), Some("NoSuchVersion"))]);
    }

    // MOTO_DEVIATIONS.md: "S3: ListObjects (v1) MaxKeys counts common prefixes".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn list_objects_v1_pages_keys_and_prefixes_together() {
        let (_engine, client) = engine_client().await;
        for key in ["a/1", "a/2", "b", "c/x/1", "c/y", "d"] {
            put(&client, key, key).await;
        }
        let list = |marker: Option<&str>, delimiter: Option<&str>| {
            client
                .list_objects()
                .bucket(BUCKET)
                .max_keys(2)
                .set_marker(marker.map(str::to_owned))
                .set_delimiter(delimiter.map(str::to_owned))
                .send()
        };
        let keys = |output: &aws_sdk_s3::operation::list_objects::ListObjectsOutput| {
            output
                .contents()
                .iter()
                .filter_map(|object| object.key().map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let prefixes = |output: &aws_sdk_s3::operation::list_objects::ListObjectsOutput| {
            output
                .common_prefixes()
                .iter()
                .filter_map(|prefix| prefix.prefix().map(str::to_owned))
                .collect::<Vec<_>>()
        };
        let first = list(None, Some("/")).await.expect("ListObjects");
        assert_eq!(
            (prefixes(&first), keys(&first)),
            (vec!["a/".to_owned()], vec!["b".to_owned()])
        );
        assert_eq!(first.is_truncated(), Some(true));
        assert_eq!(first.next_marker(), Some("b"));
        let second = list(first.next_marker(), Some("/")).await.expect("page 2");
        assert_eq!(
            (prefixes(&second), keys(&second)),
            (vec!["c/".to_owned()], vec!["d".to_owned()])
        );
        assert_eq!(second.is_truncated(), Some(false));
        // Without a delimiter S3 sends no NextMarker: the client continues after the last key.
        let plain = list(None, None)
            .await
            .expect("ListObjects without a delimiter");
        assert_eq!(plain.next_marker(), None);
    }

    // MOTO_DEVIATIONS.md: "S3: CompleteMultipartUpload part order".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn complete_refuses_parts_out_of_order() {
        let (_engine, client) = engine_client().await;
        let upload_id = create_upload(&client, "k").await;
        let first = upload_part(&client, "k", &upload_id, 1, vec![b'x'; 5 * MIB]).await;
        let second = upload_part(&client, "k", &upload_id, 2, b"y".to_vec()).await;
        for parts in [
            completed(&[(1, &first), (1, &first), (2, &second)]),
            completed(&[(2, &second), (1, &first)]),
        ] {
            let refused = client
                .complete_multipart_upload()
                .bucket(BUCKET)
                .key("k")
                .upload_id(&upload_id)
                .multipart_upload(parts)
                .send()
                .await
                .expect_err("parts not in ascending order");
            assert_eq!(
                status_and_code(&refused),
                (Some(400), Some("InvalidPartOrder".to_owned()))
            );
        }
    }

    // MOTO_DEVIATIONS.md: "S3: multipart result documents" (moto's CompleteMultipartUpload
    // answer has a root element the SDK cannot read).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multipart_upload_round_trips_on_the_engine() {
        let backend = Backend::engine().await;
        multipart_upload_round_trips(&client(&backend).await).await;
    }

    // MOTO_DEVIATIONS.md: "S3: multipart result documents" (`ListParts`).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn list_parts_pages_the_uploaded_parts() {
        let (_engine, client) = engine_client().await;
        let upload_id = create_upload(&client, "k").await;
        for number in 1..=3 {
            upload_part(&client, "k", &upload_id, number, vec![b'x'; 10]).await;
        }
        let list = |marker: Option<&str>| {
            client
                .list_parts()
                .bucket(BUCKET)
                .key("k")
                .upload_id(&upload_id)
                .max_parts(2)
                .set_part_number_marker(marker.map(str::to_owned))
                .send()
        };
        let first = list(None).await.expect("ListParts");
        let numbers: Vec<Option<i32>> = first
            .parts()
            .iter()
            .map(aws_sdk_s3::types::Part::part_number)
            .collect();
        assert_eq!(numbers, [Some(1), Some(2)]);
        assert_eq!(first.is_truncated(), Some(true));
        assert_eq!(first.next_part_number_marker(), Some("2"));
        let second = list(first.next_part_number_marker()).await.expect("page 2");
        let sizes: Vec<(Option<i32>, Option<i64>)> = second
            .parts()
            .iter()
            .map(|part| (part.part_number(), part.size()))
            .collect();
        assert_eq!(sizes, [(Some(3), Some(10))]);
        assert_eq!(second.is_truncated(), Some(false));
    }

    // MOTO_DEVIATIONS.md: "S3: GetObject response-* overrides".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn response_overrides_replace_the_stored_headers() {
        let (_engine, client) = engine_client().await;
        put(&client, "report.csv", "a,b").await;
        let overridden = client
            .get_object()
            .bucket(BUCKET)
            .key("report.csv")
            .response_content_type("text/csv")
            .response_content_disposition("attachment")
            .send()
            .await
            .expect("GetObject with response-* overrides");
        assert_eq!(overridden.content_type(), Some("text/csv"));
        assert_eq!(overridden.content_disposition(), Some("attachment"));
    }
}

async fn set_versioning(client: &Client, status: aws_sdk_s3::types::BucketVersioningStatus) {
    client
        .put_bucket_versioning()
        .bucket(BUCKET)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(status)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
}

pub(super) async fn versioning_keeps_every_version(client: &Client) {
    create_bucket(client).await;
    set_versioning(client, aws_sdk_s3::types::BucketVersioningStatus::Enabled).await;
    let write = |body: &'static str| {
        client
            .put_object()
            .bucket(BUCKET)
            .key("inv-1.json")
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
    };
    let first = write("one")
        .await
        .expect("first write")
        .version_id
        .expect("a version id");
    let second = write("two")
        .await
        .expect("second write")
        .version_id
        .expect("a version id");
    assert_ne!(first, second);
    assert_eq!(get(client, "inv-1.json").await, "two");
    let old = client
        .get_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .version_id(&first)
        .send()
        .await
        .expect("GetObject of the first version");
    assert_eq!(old.version_id(), Some(first.as_str()));
    let body = old.body.collect().await.expect("body").into_bytes();
    assert_eq!(&body[..], b"one");

    let deleted = client
        .delete_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .send()
        .await
        .expect("DeleteObject");
    assert_eq!(deleted.delete_marker(), Some(true));
    let marker = deleted
        .version_id()
        .expect("the marker's version id")
        .to_owned();
    let hidden = client
        .get_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .send()
        .await
        .expect_err("a delete marker hides the key");
    assert_eq!(
        status_and_code(&hidden),
        (Some(404), Some("NoSuchKey".to_owned()))
    );
    let versions = client
        .list_object_versions()
        .bucket(BUCKET)
        .send()
        .await
        .expect("ListObjectVersions");
    let listed: Vec<(Option<&str>, Option<bool>)> = versions
        .versions()
        .iter()
        .map(|version| (version.version_id(), version.is_latest()))
        .collect();
    assert_eq!(
        listed,
        [
            (Some(second.as_str()), Some(false)),
            (Some(first.as_str()), Some(false))
        ]
    );
    let markers: Vec<(Option<&str>, Option<bool>)> = versions
        .delete_markers()
        .iter()
        .map(|marker| (marker.version_id(), marker.is_latest()))
        .collect();
    assert_eq!(markers, [(Some(marker.as_str()), Some(true))]);

    client
        .delete_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .version_id(&marker)
        .send()
        .await
        .expect("DeleteObject of the marker");
    assert_eq!(get(client, "inv-1.json").await, "two", "the marker is gone");
}
