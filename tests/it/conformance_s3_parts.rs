//! Multipart objects and uploads through the Rust SDK: `GetObject`/`HeadObject` `partNumber`,
//! `ListMultipartUploads` paging, and
//! `UploadPartCopy` with a range. Engine only: moto's multipart result documents do not parse in
//! the Rust SDK (`MOTO_DEVIATIONS.md`, "S3: multipart result documents"); boto3 runs the same
//! scenarios against both targets.

/// Where moto differs from AWS, the engine follows AWS.
mod engine_follows_aws {
    use aws_sdk_s3::Client;
    use aws_sdk_s3::error::ProvideErrorMetadata as _;
    use aws_sdk_s3::primitives::ByteStream;
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
    use tests::Backend;

    use crate::conformance_s3::{BUCKET, client, create_bucket};

    const MIB: usize = 1024 * 1024;

    async fn complete(client: &Client, key: &str, upload: &str, etags: &[String]) {
        let parts = etags
            .iter()
            .zip(1..)
            .map(|(etag, number)| {
                CompletedPart::builder()
                    .part_number(number)
                    .e_tag(etag)
                    .build()
            })
            .collect();
        client
            .complete_multipart_upload()
            .bucket(BUCKET)
            .key(key)
            .upload_id(upload)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .expect("CompleteMultipartUpload");
    }

    async fn create_upload(client: &Client, key: &str) -> String {
        client
            .create_multipart_upload()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .expect("CreateMultipartUpload")
            .upload_id
            .expect("an upload id")
    }

    // MOTO_DEVIATIONS.md: "S3: GetObject partNumber".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_part_of_a_multipart_object_reads_alone() {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        create_bucket(&client).await;
        let upload = create_upload(&client, "parts.bin").await;
        let mut etags = Vec::new();
        for (number, body) in [(1, vec![b'a'; 5 * MIB]), (2, b"tail".to_vec())] {
            let part = client
                .upload_part()
                .bucket(BUCKET)
                .key("parts.bin")
                .upload_id(&upload)
                .part_number(number)
                .body(ByteStream::from(body))
                .send()
                .await
                .expect("UploadPart");
            etags.push(part.e_tag.expect("an ETag"));
        }
        complete(&client, "parts.bin", &upload, &etags).await;
        let second = client
            .get_object()
            .bucket(BUCKET)
            .key("parts.bin")
            .part_number(2)
            .send()
            .await
            .expect("GetObject partNumber=2");
        assert_eq!(second.parts_count(), Some(2));
        assert_eq!(
            second.content_range(),
            Some(format!("bytes {}-{}/{}", 5 * MIB, 5 * MIB + 3, 5 * MIB + 4).as_str())
        );
        let bytes = second.body.collect().await.expect("a body").into_bytes();
        assert_eq!(bytes.as_ref(), b"tail");
        let first = client
            .head_object()
            .bucket(BUCKET)
            .key("parts.bin")
            .part_number(1)
            .send()
            .await
            .expect("HeadObject partNumber=1");
        assert_eq!(
            first.content_length(),
            Some(i64::try_from(5 * MIB).expect("fits"))
        );
        let past = client
            .get_object()
            .bucket(BUCKET)
            .key("parts.bin")
            .part_number(3)
            .send()
            .await
            .expect_err("there are two parts");
        assert_eq!(past.code(), Some("InvalidPartNumber"));
        assert_eq!(
            past.raw_response()
                .map(|response| response.status().as_u16()),
            Some(416)
        );
    }

    // MOTO_DEVIATIONS.md: "S3: ListMultipartUploads delimiter and markers".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multipart_uploads_page_by_key_and_prefix() {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        create_bucket(&client).await;
        let mut ids = Vec::new();
        for key in ["a/1", "a/2", "b", "b", "c"] {
            ids.push((key, create_upload(&client, key).await));
        }
        let mut pages = Vec::new();
        let mut markers: Option<(String, Option<String>)> = None;
        loop {
            let (key_marker, upload_marker) = markers.clone().unzip();
            let page = client
                .list_multipart_uploads()
                .bucket(BUCKET)
                .delimiter("/")
                .max_uploads(2)
                .set_key_marker(key_marker)
                .set_upload_id_marker(upload_marker.flatten())
                .send()
                .await
                .expect("ListMultipartUploads");
            let uploads: Vec<usize> = page
                .uploads()
                .iter()
                .map(|upload| {
                    ids.iter()
                        .position(|(_, id)| Some(id.as_str()) == upload.upload_id())
                        .expect("an upload created here")
                })
                .collect();
            let prefixes: Vec<String> = page
                .common_prefixes()
                .iter()
                .map(|prefix| prefix.prefix().expect("a prefix").to_owned())
                .collect();
            pages.push((uploads, prefixes));
            if page.is_truncated() != Some(true) {
                break;
            }
            markers = Some((
                page.next_key_marker().expect("NextKeyMarker").to_owned(),
                page.next_upload_id_marker().map(str::to_owned),
            ));
            assert!(pages.len() < 5, "the listing does not end");
        }
        assert_eq!(
            pages,
            [
                (vec![2], vec!["a/".to_owned()]),
                (vec![3, 4], Vec::<String>::new())
            ],
            "the first `b` upload, then the second and `c`"
        );
    }

    // MOTO_DEVIATIONS.md: "S3: UploadPartCopy range past the source".
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn upload_part_copy_takes_a_range_of_the_source() {
        let backend = Backend::engine().await;
        let client = client(&backend).await;
        create_bucket(&client).await;
        let mut source = vec![b'x'; 5 * MIB];
        source.extend_from_slice(b"0123456789");
        client
            .put_object()
            .bucket(BUCKET)
            .key("source")
            .body(ByteStream::from(source))
            .send()
            .await
            .expect("PutObject");
        let upload = create_upload(&client, "copied").await;
        let copy = |number: i32, range: String| {
            client
                .upload_part_copy()
                .bucket(BUCKET)
                .key("copied")
                .upload_id(&upload)
                .part_number(number)
                .copy_source(format!("{BUCKET}/source"))
                .copy_source_range(range)
                .send()
        };
        let mut etags = Vec::new();
        for (number, range) in [
            (1, format!("bytes=0-{}", 5 * MIB - 1)),
            (2, format!("bytes={}-{}", 5 * MIB + 2, 5 * MIB + 5)),
        ] {
            let copied = copy(number, range).await.expect("UploadPartCopy");
            etags.push(
                copied
                    .copy_part_result
                    .and_then(|result| result.e_tag)
                    .expect("an ETag"),
            );
        }
        let refused = copy(3, format!("bytes=0-{}", 5 * MIB + 10))
            .await
            .expect_err("past the source's end");
        assert_eq!(refused.code(), Some("InvalidArgument"));
        complete(&client, "copied", &upload, &etags).await;
        let object = client
            .get_object()
            .bucket(BUCKET)
            .key("copied")
            .send()
            .await
            .expect("GetObject");
        let bytes = object.body.collect().await.expect("a body").into_bytes();
        assert_eq!(bytes.len(), 5 * MIB + 4);
        assert_eq!(&bytes[bytes.len() - 6..], b"xx2345");
    }
}
