use http_body_util::BodyExt as _;
use hyper::Request;
use hyper::header::ETAG;

use super::*;

fn request(method: Method, uri: &str, headers: &[(&'static str, &str)]) -> Parts {
    let mut builder = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(()).expect("request").into_parts().0
}

fn body_text(response: Response<Full<Bytes>>) -> String {
    let bytes = collect(response.into_body());
    String::from_utf8(bytes.to_vec()).expect("utf-8")
}

fn collect(body: Full<Bytes>) -> Bytes {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async { body.collect().await.expect("body").to_bytes() })
}

#[test]
fn an_aws_chunked_put_stores_the_decoded_payload() {
    let store = ObjectStore::new();
    store.create_bucket("invoices").expect("bucket");
    let response = store.answer(
        &request(
            Method::PUT,
            "/invoices/a%2Fb.txt?x-id=PutObject",
            &[
                ("content-encoding", "aws-chunked"),
                ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("x-amz-decoded-content-length", "5"),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
                ("content-type", "text/plain"),
            ],
        ),
        Bytes::from_static(b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n"),
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[ETAG],
        "\"5d41402abc4b2a76b9719d911017c592\""
    );
    let object = store.get_object("invoices", "a/b.txt").expect("stored");
    assert_eq!(object.body, Bytes::from_static(b"hello"));
    assert_eq!(object.content_type, "text/plain");
}

#[test]
fn a_wrong_decoded_length_is_refused() {
    let store = ObjectStore::new();
    store.create_bucket("invoices").expect("bucket");
    let response = store.answer(
        &request(
            Method::PUT,
            "/invoices/k",
            &[
                ("content-encoding", "aws-chunked"),
                ("x-amz-decoded-content-length", "6"),
            ],
        ),
        Bytes::from_static(b"5\r\nhello\r\n0\r\n\r\n"),
    );
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(store.get("invoices", "k").is_none());
}

#[test]
fn errors_are_s3_xml_and_head_errors_have_no_body() {
    let store = ObjectStore::new();
    let missing = store.answer(&request(Method::GET, "/nope/key", &[]), Bytes::new());
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let text = body_text(missing);
    assert!(text.contains("<Code>NoSuchBucket</Code>"), "{text}");
    let head = store.answer(&request(Method::HEAD, "/nope/key", &[]), Bytes::new());
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
    assert_eq!(body_text(head), "");
}

#[test]
fn unsupported_subresources_are_not_implemented() {
    let store = ObjectStore::new();
    store.create_bucket("invoices").expect("bucket");
    let response = store.answer(&request(Method::GET, "/invoices?acl", &[]), Bytes::new());
    assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
}

#[test]
fn the_location_of_a_bucket_is_us_east_1() {
    let store = ObjectStore::new();
    store.create_bucket("invoices").expect("bucket");
    let response = store.answer(
        &request(Method::GET, "/invoices?location", &[]),
        Bytes::new(),
    );
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        body_text(response).contains("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"></LocationConstraint>")
    );
    let missing = store.answer(&request(Method::GET, "/nope?location", &[]), Bytes::new());
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
