//! `ListObjectVersions` beyond one page of whole keys: a delimiter rolling keys up into common
//! prefixes, and pages that end between two versions of one key, resumed with `key-marker` and
//! `version-id-marker`. Run against the engine and moto by `conformance_s3`'s macro.

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::list_object_versions::ListObjectVersionsOutput;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};

use super::{BUCKET, create_bucket};

async fn write(client: &Client, key: &str, body: &'static str) -> String {
    client
        .put_object()
        .bucket(BUCKET)
        .key(key)
        .body(ByteStream::from_static(body.as_bytes()))
        .send()
        .await
        .unwrap_or_else(|error| panic!("PutObject {key}: {error:?}"))
        .version_id
        .expect("a version id")
}

async fn page(
    client: &Client,
    markers: Option<(String, Option<String>)>,
) -> ListObjectVersionsOutput {
    let (key_marker, version_marker) = markers.unzip();
    client
        .list_object_versions()
        .bucket(BUCKET)
        .delimiter("/")
        .max_keys(2)
        .set_key_marker(key_marker)
        .set_version_id_marker(version_marker.flatten())
        .send()
        .await
        .expect("ListObjectVersions")
}

pub(super) async fn version_pages_end_between_versions_of_a_key(client: &Client) {
    create_bucket(client).await;
    client
        .put_bucket_versioning()
        .bucket(BUCKET)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("PutBucketVersioning");
    let first = write(client, "doc", "one").await;
    let second = write(client, "doc", "two").await;
    let third = write(client, "doc", "three").await;
    write(client, "logs/a", "a").await;
    write(client, "logs/b", "b").await;
    let readme = write(client, "readme", "r").await;

    let mut listed = Vec::new();
    let mut prefixes = Vec::new();
    let mut latest = Vec::new();
    let mut markers = None;
    let mut pages = 0;
    loop {
        let output = page(client, markers.clone()).await;
        pages += 1;
        for version in output.versions() {
            let id = version.version_id().expect("a version id").to_owned();
            if version.is_latest() == Some(true) {
                latest.push(id.clone());
            }
            listed.push((version.key().expect("a key").to_owned(), id));
        }
        prefixes.extend(
            output
                .common_prefixes()
                .iter()
                .map(|prefix| prefix.prefix().expect("a prefix").to_owned()),
        );
        if output.is_truncated() != Some(true) {
            break;
        }
        let key = output.next_key_marker().expect("NextKeyMarker").to_owned();
        markers = Some((key, output.next_version_id_marker().map(str::to_owned)));
        assert!(pages < 10, "the listing does not end");
    }
    let doc = |id: &String| ("doc".to_owned(), id.clone());
    assert_eq!(
        listed,
        [
            doc(&third),
            doc(&second),
            doc(&first),
            ("readme".to_owned(), readme.clone())
        ]
    );
    assert_eq!(prefixes, ["logs/"]);
    assert_eq!(latest, [third, readme]);
    assert_eq!(
        pages, 3,
        "two entries a page: 2 versions; 1 version and 1 prefix; 1 version"
    );
}
