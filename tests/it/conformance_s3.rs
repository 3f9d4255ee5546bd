//! The S3 conformance suite: each scenario is written once against `aws_sdk_s3::Client`
//! (path-style) and runs against both the local engine's object store and moto, so the store
//! keeps the semantics the reference emulator has.

use ::engine::{Engine, EngineConfig};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata as _;
use aws_sdk_s3::primitives::ByteStream;
use tests::{Backend, sdk_config_for};

async fn client(backend: &Backend) -> Client {
    let shared = sdk_config_for(&backend.endpoint()).await;
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

tests::conformance!(
    create_head_and_list_buckets,
    put_get_round_trip_with_content_type,
    conditional_put_keeps_the_first_body,
    get_missing_is_no_such_key,
    list_with_prefix_and_pagination,
    delete_object_and_bucket,
    keys_with_slashes_and_unicode,
    streamed_upload_is_decoded,
    list_with_delimiter_and_start_after,
    list_url_encoded,
    user_metadata_round_trips,
    range_reads,
    conditional_reads,
    copy_object_with_metadata_directive,
    delete_objects_reports_each_key,
    multipart_upload_errors,
    list_objects_v1_with_marker,
    standard_headers_round_trip,
    versioning_keeps_every_version,
    checksums_are_checked_and_returned,
    version_pages_end_between_versions_of_a_key,
);

#[path = "conformance_s3_listing.rs"]
mod listing;
use listing::{list_url_encoded, list_with_delimiter_and_start_after, user_metadata_round_trips};
#[path = "conformance_s3_parts.rs"]
mod parts;
#[path = "conformance_s3_versions.rs"]
mod versions;
use versions::version_pages_end_between_versions_of_a_key;
#[path = "conformance_s3_checksums.rs"]
mod checksums;
use checksums::checksums_are_checked_and_returned;
#[path = "conformance_s3_objects.rs"]
mod objects;
use objects::{
    conditional_reads, copy_object_with_metadata_directive, delete_objects_reports_each_key,
    list_objects_v1_with_marker, multipart_upload_errors, range_reads, standard_headers_round_trip,
    versioning_keeps_every_version,
};

const BUCKET: &str = "invoices";

async fn create_bucket(client: &Client) {
    client
        .create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("CreateBucket");
}

async fn put(client: &Client, key: &str, body: &str) -> String {
    client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from(body.as_bytes().to_vec()))
        .send()
        .await
        .unwrap_or_else(|error| panic!("PutObject {key}: {error:?}"))
        .e_tag
        .expect("an ETag")
}

/// `GetObject` of `key`, its headers and body unread.
async fn get_object(
    client: &Client,
    key: &str,
) -> aws_sdk_s3::operation::get_object::GetObjectOutput {
    client
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|error| panic!("GetObject {key}: {error:?}"))
}

async fn get(client: &Client, key: &str) -> String {
    let output = get_object(client, key).await;
    let bytes = output.body.collect().await.expect("body").into_bytes();
    String::from_utf8(bytes.to_vec()).expect("utf-8 body")
}

async fn head(client: &Client, key: &str) -> aws_sdk_s3::operation::head_object::HeadObjectOutput {
    client
        .head_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|error| panic!("HeadObject {key}: {error:?}"))
}

async fn list_page(
    client: &Client,
    prefix: &str,
    max_keys: Option<i32>,
    token: Option<String>,
) -> aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output {
    client
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix(prefix)
        .set_max_keys(max_keys)
        .set_continuation_token(token)
        .send()
        .await
        .expect("ListObjectsV2")
}

fn keys(output: &aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output) -> Vec<String> {
    output
        .contents()
        .iter()
        .map(|object| object.key().expect("a key").to_owned())
        .collect()
}

async fn create_head_and_list_buckets(client: &Client) {
    create_bucket(client).await;
    client
        .head_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("HeadBucket");
    let missing = client
        .head_bucket()
        .bucket("missing-bucket")
        .send()
        .await
        .expect_err("a missing bucket");
    assert!(missing.into_service_error().is_not_found());
    let buckets = client.list_buckets().send().await.expect("ListBuckets");
    let names: Vec<_> = buckets
        .buckets()
        .iter()
        .filter_map(|bucket| bucket.name())
        .collect();
    assert_eq!(names, [BUCKET]);
    assert!(buckets.buckets()[0].creation_date().is_some());
}

async fn put_get_round_trip_with_content_type(client: &Client) {
    create_bucket(client).await;
    let body = r#"{"invoice":"inv-1","total":"12.50"}"#;
    let put = client
        .put_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .content_type("application/json")
        .body(ByteStream::from_static(body.as_bytes()))
        .send()
        .await
        .expect("PutObject");
    // A quoted hex MD5.
    let etag = put.e_tag().expect("an ETag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() == 34,
        "{etag}"
    );
    let got = get_object(client, "inv-1.json").await;
    assert_eq!(got.content_type(), Some("application/json"));
    assert_eq!(got.e_tag(), Some(etag));
    assert_eq!(
        got.content_length(),
        Some(i64::try_from(body.len()).expect("small"))
    );
    assert!(got.last_modified().is_some());
    let bytes = got.body.collect().await.expect("body").into_bytes();
    assert_eq!(&bytes[..], body.as_bytes());
    let head = head(client, "inv-1.json").await;
    assert_eq!(
        head.content_length(),
        Some(i64::try_from(body.len()).expect("small"))
    );
    assert_eq!(head.e_tag(), Some(etag));
    assert_eq!(head.content_type(), Some("application/json"));
    let missing = client
        .head_object()
        .bucket(BUCKET)
        .key("missing.json")
        .send()
        .await
        .expect_err("a missing key");
    assert!(missing.into_service_error().is_not_found());
}

async fn conditional_put_keeps_the_first_body(client: &Client) {
    create_bucket(client).await;
    let conditional_put = |body: &'static str| {
        client
            .put_object()
            .bucket(BUCKET)
            .key("inv-1.json")
            .if_none_match("*")
            .body(ByteStream::from_static(body.as_bytes()))
            .send()
    };
    conditional_put("first").await.expect("the first write");
    let error = conditional_put("second")
        .await
        .expect_err("the second write is refused");
    assert_eq!(
        error
            .raw_response()
            .map(|response| response.status().as_u16()),
        Some(412)
    );
    assert_eq!(error.code(), Some("PreconditionFailed"));
    assert_eq!(get(client, "inv-1.json").await, "first");
}

async fn get_missing_is_no_such_key(client: &Client) {
    create_bucket(client).await;
    let error = client
        .get_object()
        .bucket(BUCKET)
        .key("missing.json")
        .send()
        .await
        .expect_err("a missing key");
    assert_eq!(
        error
            .raw_response()
            .map(|response| response.status().as_u16()),
        Some(404)
    );
    assert!(error.into_service_error().is_no_such_key());
}

async fn list_with_prefix_and_pagination(client: &Client) {
    create_bucket(client).await;
    for key in ["in/5", "in/1", "in/3", "in/2", "in/4", "other/1", "in"] {
        put(client, key, key).await;
    }
    let first = list_page(client, "in/", Some(2), None).await;
    assert_eq!(keys(&first), ["in/1", "in/2"]);
    assert_eq!(first.key_count(), Some(2));
    assert_eq!(first.max_keys(), Some(2));
    assert_eq!(first.is_truncated(), Some(true));
    assert_eq!(first.prefix(), Some("in/"));
    let token = first.next_continuation_token().expect("a token").to_owned();
    // S3 and the engine echo `ContinuationToken`; moto does not, so it is not asserted.
    let second = list_page(client, "in/", Some(2), Some(token)).await;
    assert_eq!(keys(&second), ["in/3", "in/4"]);
    let token = second
        .next_continuation_token()
        .expect("a token")
        .to_owned();
    let third = list_page(client, "in/", Some(2), Some(token)).await;
    assert_eq!(keys(&third), ["in/5"]);
    assert_eq!(third.is_truncated(), Some(false));
    assert_eq!(third.next_continuation_token(), None);
    let object = &third.contents()[0];
    assert_eq!(object.size(), Some(4));
    assert!(object.e_tag().is_some() && object.last_modified().is_some());
    let all = list_page(client, "", None, None).await;
    assert_eq!(
        keys(&all),
        ["in", "in/1", "in/2", "in/3", "in/4", "in/5", "other/1"]
    );
    assert_eq!(all.key_count(), Some(7));
    assert_eq!(all.is_truncated(), Some(false));
    let none = list_page(client, "nothing/", None, None).await;
    assert!(none.contents().is_empty());
    assert_eq!(none.key_count(), Some(0));
}

async fn delete_object_and_bucket(client: &Client) {
    create_bucket(client).await;
    put(client, "inv-1.json", "{}").await;
    let not_empty = client
        .delete_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect_err("a bucket with objects");
    assert_eq!(
        not_empty
            .raw_response()
            .map(|response| response.status().as_u16()),
        Some(409)
    );
    for _ in 0..2 {
        // Deleting a missing key succeeds too.
        client
            .delete_object()
            .bucket(BUCKET)
            .key("inv-1.json")
            .send()
            .await
            .expect("DeleteObject");
    }
    let error = client
        .get_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .send()
        .await
        .expect_err("a deleted key");
    assert!(error.into_service_error().is_no_such_key());
    client
        .delete_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("DeleteBucket");
    let gone = client
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .expect_err("a deleted bucket");
    assert!(gone.into_service_error().is_no_such_bucket());
}

async fn keys_with_slashes_and_unicode(client: &Client) {
    create_bucket(client).await;
    let keys_written = [
        "2026/11/22/inv-1.json",
        "dir//double",
        "ünïcødé/🦀 crab.txt",
        "spaces and+plus=equals&amp",
        "percent%2Fliteral",
        "x<y>&'\"",
    ];
    for key in keys_written {
        put(client, key, &format!("body of {key}")).await;
    }
    for key in keys_written {
        assert_eq!(get(client, key).await, format!("body of {key}"), "{key}");
    }
    let mut expected: Vec<String> = keys_written.iter().map(|key| (*key).to_owned()).collect();
    expected.sort();
    assert_eq!(keys(&list_page(client, "", None, None).await), expected);
    assert_eq!(
        keys(&list_page(client, "ünïcødé/", None, None).await),
        ["ünïcødé/🦀 crab.txt"]
    );
}

async fn streamed_upload_is_decoded(client: &Client) {
    create_bucket(client).await;
    let directory = tempfile::tempdir().expect("a temporary directory");
    let path = directory.path().join("upload.txt");
    let body = "line\r\n".repeat(5000);
    std::fs::write(&path, &body).expect("write the upload");
    client
        .put_object()
        .bucket(BUCKET)
        .key("streamed.txt")
        .body(ByteStream::from_path(&path).await.expect("a file stream"))
        .send()
        .await
        .expect("PutObject from a stream");
    assert_eq!(get(client, "streamed.txt").await, body);
}

/// Engine only: a conditional write is atomic over HTTP too, so of 100 concurrent writers of one
/// key exactly one succeeds and every other gets 412.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_conditional_put_under_concurrency() {
    let backend = Backend::engine().await;
    let client = client(&backend).await;
    create_bucket(&client).await;
    let writers: Vec<_> = (0..100)
        .map(|writer| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .put_object()
                    .bucket(BUCKET)
                    .key("inv-1.json")
                    .if_none_match("*")
                    .body(ByteStream::from(format!("writer {writer}").into_bytes()))
                    .send()
                    .await
                    .map_err(|error| error.raw_response().map(|raw| raw.status().as_u16()))
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for writer in writers {
        statuses.push(writer.await.expect("writer task"));
    }
    assert_eq!(statuses.iter().filter(|status| status.is_ok()).count(), 1);
    assert!(
        statuses
            .iter()
            .filter_map(|status| status.as_ref().err())
            .all(|status| *status == Some(412)),
        "{statuses:?}"
    );
    assert!(get(&client, "inv-1.json").await.starts_with("writer "));
}

/// Engine only: fault injection answers 503 to object calls, and recovers when switched off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_injected_faults_are_503() {
    let server = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let store = server.store().clone();
    let faults = server.faults().clone();
    let backend = Backend::Engine(server);
    let client = client(&backend).await;
    create_bucket(&client).await;
    faults.set_down(::engine::s3::NAME, true);
    let error = client
        .get_object()
        .bucket(BUCKET)
        .key("k")
        .send()
        .await
        .expect_err("an outage");
    assert_eq!(
        error
            .raw_response()
            .map(|response| response.status().as_u16()),
        Some(503)
    );
    faults.set_down(::engine::s3::NAME, false);
    let throttled = ::engine::FaultPlan {
        failure_rate: 1.0,
        ..::engine::FaultPlan::default()
    };
    faults.set(::engine::s3::NAME, throttled);
    let error = client
        .put_object()
        .bucket(BUCKET)
        .key("k")
        .body(ByteStream::from_static(b"x"))
        .send()
        .await
        .expect_err("throttled");
    assert_eq!(error.code(), Some("SlowDown"));
    faults.set(::engine::s3::NAME, ::engine::FaultPlan::default());
    put(&client, "k", "x").await;
    assert_eq!(store.list(BUCKET, ""), [("k".to_owned(), 1)]);
    assert_eq!(store.get(BUCKET, "k"), Some(b"x".to_vec()));
}
