//! S3 scenarios for what boto3 and handler authors send beyond the built-in handlers: listings
//! with a delimiter, `start-after` and `encoding-type=url`, and user metadata. Run against the
//! engine and moto by `conformance_s3`'s macro.

use std::collections::HashMap;

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::list_objects_v2::ListObjectsV2Output;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::EncodingType;

use super::{BUCKET, create_bucket, get_object, head, keys, put};

fn prefixes(output: &ListObjectsV2Output) -> Vec<String> {
    output
        .common_prefixes()
        .iter()
        .map(|prefix| prefix.prefix().expect("a prefix").to_owned())
        .collect()
}

pub(super) async fn list_with_delimiter_and_start_after(client: &Client) {
    create_bucket(client).await;
    for key in ["a/1", "a/2", "b", "c/x/1", "c/y", "d"] {
        put(client, key, key).await;
    }
    let list = |token: Option<String>, start_after: Option<&str>| {
        client
            .list_objects_v2()
            .bucket(BUCKET)
            .delimiter("/")
            .max_keys(2)
            .set_continuation_token(token)
            .set_start_after(start_after.map(str::to_owned))
            .send()
    };
    let first = list(None, None).await.expect("the first page");
    assert_eq!(prefixes(&first), ["a/"]);
    assert_eq!(keys(&first), ["b"]);
    assert_eq!(first.key_count(), Some(2));
    assert_eq!(first.delimiter(), Some("/"));
    assert_eq!(first.is_truncated(), Some(true));
    let token = first.next_continuation_token().map(str::to_owned);
    let second = list(token, None).await.expect("the second page");
    assert_eq!(prefixes(&second), ["c/"]);
    assert_eq!(keys(&second), ["d"]);
    assert_eq!(second.is_truncated(), Some(false));
    let after = list(None, Some("b")).await.expect("a page after `b`");
    assert_eq!(prefixes(&after), ["c/"]);
    assert_eq!(keys(&after), ["d"]);
    assert_eq!(after.start_after(), Some("b"));
    let nested = client
        .list_objects_v2()
        .bucket(BUCKET)
        .prefix("c/")
        .delimiter("/")
        .send()
        .await
        .expect("a nested listing");
    assert_eq!(prefixes(&nested), ["c/x/"]);
    assert_eq!(keys(&nested), ["c/y"]);
}

/// boto3 sends `encoding-type=url` on every `list_objects_v2`; the Rust SDK leaves the values
/// encoded, so the raw encoding is visible here. S3 encodes `(` as `%28` (its `EncodingType`
/// doc), `+` as `%2B` and a space as `%20`, and leaves `/` (ceph s3-tests
/// `test_bucket_listv2_encoding_basic`, written against AWS); moto answers the same.
pub(super) async fn list_url_encoded(client: &Client) {
    create_bucket(client).await;
    for key in ["with space/(1).txt", "plus+sign", "é"] {
        put(client, key, key).await;
    }
    let first = client
        .list_objects_v2()
        .bucket(BUCKET)
        .encoding_type(EncodingType::Url)
        .delimiter("/")
        .max_keys(2)
        .send()
        .await
        .expect("an encoded listing");
    assert_eq!(first.encoding_type(), Some(&EncodingType::Url));
    assert_eq!(keys(&first), ["plus%2Bsign"]);
    assert_eq!(prefixes(&first), ["with%20space/"]);
    let second = client
        .list_objects_v2()
        .bucket(BUCKET)
        .encoding_type(EncodingType::Url)
        .delimiter("/")
        .set_continuation_token(first.next_continuation_token().map(str::to_owned))
        .send()
        .await
        .expect("the next encoded page");
    assert_eq!(keys(&second), ["%C3%A9"]);
    let nested = client
        .list_objects_v2()
        .bucket(BUCKET)
        .encoding_type(EncodingType::Url)
        .prefix("with space/")
        .send()
        .await
        .expect("an encoded nested listing");
    assert_eq!(nested.prefix(), Some("with%20space/"));
    assert_eq!(keys(&nested), ["with%20space/%281%29.txt"]);
}

pub(super) async fn user_metadata_round_trips(client: &Client) {
    create_bucket(client).await;
    client
        .put_object()
        .bucket(BUCKET)
        .key("inv-1.json")
        .metadata("order-id", "42")
        .metadata("Customer", "Ada Lovelace")
        .body(ByteStream::from_static(b"{}"))
        .send()
        .await
        .expect("PutObject with metadata");
    // S3 answers metadata names in lower case.
    let expected = HashMap::from([
        ("order-id".to_owned(), "42".to_owned()),
        ("customer".to_owned(), "Ada Lovelace".to_owned()),
    ]);
    let headed = head(client, "inv-1.json").await;
    assert_eq!(headed.metadata(), Some(&expected));
    let got = get_object(client, "inv-1.json").await;
    assert_eq!(got.metadata(), Some(&expected));
    put(client, "inv-1.json", "{}").await;
    let replaced = head(client, "inv-1.json").await;
    assert!(
        replaced.metadata().is_none_or(HashMap::is_empty),
        "{:?}",
        replaced.metadata()
    );
}
