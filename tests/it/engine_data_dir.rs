//! `--data-dir`: objects and queue contents written through the SDK survive a restart of the
//! engine, and the objects sit in the folder as files a person can browse.

use std::collections::HashMap;
use std::path::Path;

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_sqs::types::{
    Message, MessageAttributeValue, MessageSystemAttributeName, QueueAttributeName,
};
use engine::{Engine, EngineConfig};
use tests::sdk_config_for;

async fn start(folder: &Path) -> (Engine, aws_sdk_s3::Client, aws_sdk_sqs::Client) {
    let engine = Engine::start(EngineConfig {
        data_dir: Some(folder.to_owned()),
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts on its data folder");
    let config = sdk_config_for(&engine.endpoint()).await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let sqs = aws_sdk_sqs::Client::new(&config);
    (engine, s3, sqs)
}

/// Keys with folders, unicode, and names that look like the engine's own files and escapes.
const KEYS: [&str; 12] = [
    "photos/2026/cat.jpg",
    "photos/",
    "photos",
    "über/naïve ☃.txt",
    ".engine/s3/archive.json",
    ".engine",
    "a%",
    "a%25",
    "%",
    "../escape",
    "a//b",
    "tab\there",
];

async fn body(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> (Vec<u8>, Option<HashMap<String, String>>) {
    let object = s3
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|error| panic!("{key}: {}", aws_sdk_s3::error::DisplayErrorContext(error)));
    let metadata = object.metadata().cloned();
    (
        object
            .body
            .collect()
            .await
            .expect("a body")
            .into_bytes()
            .to_vec(),
        metadata,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_and_messages_survive_a_restart() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (mut engine, s3, sqs) = start(folder.path()).await;
    let first = write_objects(&s3).await;
    let (in_flight, sent) = write_messages(&sqs).await;

    engine.close().await.expect("saved on close");
    drop(engine);

    // The folder a person browses.
    let root = folder.path();
    assert_eq!(
        std::fs::read(root.join("archive/photos/2026/cat.jpg")).expect("a file per key"),
        b"body of photos/2026/cat.jpg"
    );
    assert_eq!(
        std::fs::read(root.join("archive/über/naïve ☃.txt")).expect("unicode kept"),
        "body of über/naïve ☃.txt".as_bytes()
    );
    assert!(root.join("archive/photos/%").is_file(), "a folder marker");
    assert!(
        root.join("archive/photos%").is_file(),
        "a key that is also a folder"
    );
    assert!(
        root.join("archive/%2E%2E/escape").is_file(),
        "`..` stays inside"
    );
    assert!(root.join("archive/.engine/s3/archive.json").is_file());
    assert!(root.join(".engine/s3/archive.json").is_file());

    let (engine, s3, sqs) = start(root).await;
    check_objects(&s3, &first).await;
    check_messages(&sqs, &in_flight, &sent).await;
    engine.shutdown().await;
}

/// Every key of [`KEYS`] in `archive`, two versions of `doc` in `history`; the first version's id.
async fn write_objects(s3: &aws_sdk_s3::Client) -> String {
    s3.create_bucket()
        .bucket("archive")
        .send()
        .await
        .expect("bucket");
    for key in KEYS {
        s3.put_object()
            .bucket("archive")
            .key(key)
            .metadata("original-key", key.escape_default().to_string())
            .content_type("text/plain")
            .body(ByteStream::from(format!("body of {key}").into_bytes()))
            .send()
            .await
            .unwrap_or_else(|error| panic!("{key}: {error:?}"));
    }
    s3.create_bucket()
        .bucket("history")
        .send()
        .await
        .expect("bucket");
    s3.put_bucket_versioning()
        .bucket("history")
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .expect("versioning");
    let first = s3
        .put_object()
        .bucket("history")
        .key("doc")
        .body(ByteStream::from_static(b"first"))
        .send()
        .await
        .expect("put")
        .version_id
        .expect("a version");
    s3.put_object()
        .bucket("history")
        .key("doc")
        .body(ByteStream::from_static(b"second"))
        .send()
        .await
        .expect("put");

    first
}

/// Three messages on `work` (one of them received, in flight for 2 s) and one on `orders.fifo`;
/// the message in flight and what the FIFO send answered.
async fn write_messages(
    sqs: &aws_sdk_sqs::Client,
) -> (
    Message,
    aws_sdk_sqs::operation::send_message::SendMessageOutput,
) {
    let standard = sqs
        .create_queue()
        .queue_name("work")
        .attributes(QueueAttributeName::VisibilityTimeout, "2")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("a url");
    for index in 0..3 {
        sqs.send_message()
            .queue_url(&standard)
            .message_body(format!("message {index}"))
            .message_attributes(
                "index",
                MessageAttributeValue::builder()
                    .data_type("Number")
                    .string_value(index.to_string())
                    .build()
                    .expect("an attribute"),
            )
            .send()
            .await
            .expect("sent");
    }
    // One received (in flight for 2 s): after the restart it is hidden until then, and
    // received again with receive count 2.
    let mut in_flight = sqs
        .receive_message()
        .queue_url(&standard)
        .max_number_of_messages(1)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default();
    assert_eq!(in_flight.len(), 1);
    let fifo = sqs
        .create_queue()
        .queue_name("orders.fifo")
        .attributes(QueueAttributeName::FifoQueue, "true")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("a url");
    let sent = sqs
        .send_message()
        .queue_url(&fifo)
        .message_body("order 1")
        .message_group_id("customer")
        .message_deduplication_id("order-1")
        .send()
        .await
        .expect("sent");
    (in_flight.remove(0), sent)
}

async fn check_objects(s3: &aws_sdk_s3::Client, first: &str) {
    for key in KEYS {
        let (bytes, metadata) = body(s3, "archive", key).await;
        assert_eq!(bytes, format!("body of {key}").into_bytes(), "{key}");
        assert_eq!(
            metadata.and_then(|metadata| metadata.get("original-key").cloned()),
            Some(key.escape_default().to_string()),
            "{key}"
        );
    }
    let listed = s3
        .list_objects_v2()
        .bucket("archive")
        .send()
        .await
        .expect("listed");
    assert_eq!(
        listed.key_count(),
        Some(i32::try_from(KEYS.len()).expect("a dozen keys"))
    );
    assert_eq!(body(s3, "history", "doc").await.0, b"second");
    let old = s3
        .get_object()
        .bucket("history")
        .key("doc")
        .version_id(first)
        .send()
        .await
        .expect("the older version is kept");
    assert_eq!(
        old.body
            .collect()
            .await
            .expect("a body")
            .into_bytes()
            .as_ref(),
        b"first"
    );
}

async fn check_messages(
    sqs: &aws_sdk_sqs::Client,
    in_flight: &Message,
    sent: &aws_sdk_sqs::operation::send_message::SendMessageOutput,
) {
    let urls = sqs
        .list_queues()
        .send()
        .await
        .expect("listed")
        .queue_urls
        .unwrap_or_default();
    assert_eq!(urls.len(), 2, "{urls:?}");
    let standard = urls
        .iter()
        .find(|url| url.ends_with("/work"))
        .expect("work");
    let fifo = urls
        .iter()
        .find(|url| url.ends_with("/orders.fifo"))
        .expect("orders");
    let visible = sqs
        .receive_message()
        .queue_url(standard)
        .max_number_of_messages(10)
        .message_attribute_names("All")
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default();
    assert_eq!(visible.len(), 2, "the one in flight stays hidden");
    for message in &visible {
        assert!(
            message
                .message_attributes
                .as_ref()
                .is_some_and(|attributes| attributes.contains_key("index"))
        );
        assert!(message.md5_of_message_attributes.is_some());
    }
    // Long-polls until the visibility timeout given before the restart ends.
    let again = sqs
        .receive_message()
        .queue_url(standard)
        .wait_time_seconds(5)
        .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].message_id, in_flight.message_id);
    let count = again[0]
        .attributes
        .as_ref()
        .and_then(|attributes| attributes.get(&MessageSystemAttributeName::ApproximateReceiveCount))
        .cloned();
    assert_eq!(count.as_deref(), Some("2"));
    let repeated = sqs
        .send_message()
        .queue_url(fifo)
        .message_body("order 1")
        .message_group_id("customer")
        .message_deduplication_id("order-1")
        .send()
        .await
        .expect("deduplicated");
    assert_eq!(repeated.message_id, sent.message_id);
    assert_eq!(repeated.sequence_number, sent.sequence_number);
    let next = sqs
        .send_message()
        .queue_url(fifo)
        .message_body("order 2")
        .message_group_id("customer")
        .message_deduplication_id("order-2")
        .send()
        .await
        .expect("sent");
    assert!(
        next.sequence_number > sent.sequence_number,
        "sequence numbers go on"
    );
}

/// What a `kill -9` leaves: the save of the last second. And a file edited by hand between runs
/// is the object at the next start.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_periodic_save_survives_an_engine_that_never_closed() {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let (engine, s3, sqs) = start(folder.path()).await;
    s3.create_bucket()
        .bucket("notes")
        .send()
        .await
        .expect("bucket");
    s3.put_object()
        .bucket("notes")
        .key("today.txt")
        .body(ByteStream::from_static(b"written"))
        .send()
        .await
        .expect("put");
    let url = sqs
        .create_queue()
        .queue_name("inbox")
        .send()
        .await
        .expect("queue")
        .queue_url
        .expect("a url");
    sqs.send_message()
        .queue_url(&url)
        .message_body("hello")
        .send()
        .await
        .expect("sent");
    // Past one save interval, then gone without a last save.
    tokio::time::sleep(engine::SAVE_INTERVAL * 2).await;
    drop(engine);

    std::fs::write(folder.path().join("notes/today.txt"), b"edited by hand").expect("edited");
    let (engine, s3, sqs) = start(folder.path()).await;
    let object = s3
        .get_object()
        .bucket("notes")
        .key("today.txt")
        .send()
        .await
        .expect("the object is back");
    let reference = s3
        .put_object()
        .bucket("notes")
        .key("reference")
        .body(ByteStream::from_static(b"edited by hand"))
        .send()
        .await
        .expect("put");
    assert_eq!(
        object.e_tag(),
        reference.e_tag(),
        "the ETag of the bytes now there"
    );
    assert_eq!(
        object
            .body
            .collect()
            .await
            .expect("a body")
            .into_bytes()
            .as_ref(),
        b"edited by hand"
    );
    let messages = sqs
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .expect("received")
        .messages
        .unwrap_or_default();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body(), Some("hello"));
    engine.shutdown().await;
}

/// Tables persist too: one made with `CreateTable` comes back with its key schema and items.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_and_their_items_survive_a_restart() {
    use tests::dynamodb::{create_table, get, item, n, put_items, s};

    let folder = tempfile::tempdir().expect("a temporary folder");
    let (mut engine, _, _) = start(folder.path()).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk_config_for(&engine.endpoint()).await);
    create_table(&client, "orders", true).await;
    put_items(
        &client,
        "orders",
        (1..=3).map(|index| {
            item(&[
                ("pk", s("customer-1")),
                ("sk", n(index)),
                ("total", s(&format!("{index}2.50"))),
            ])
        }),
    )
    .await;
    engine.close().await.expect("saved on close");
    drop(engine);

    let (engine, _, _) = start(folder.path()).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk_config_for(&engine.endpoint()).await);
    let second = get(
        &client,
        "orders",
        item(&[("pk", s("customer-1")), ("sk", n(2))]),
    )
    .await
    .expect("the item is back");
    assert_eq!(second.get("total"), Some(&s("22.50")));
    let queried = client
        .query()
        .table_name("orders")
        .key_condition_expression("pk = :customer")
        .expression_attribute_values(":customer", s("customer-1"))
        .scan_index_forward(false)
        .send()
        .await
        .expect("the key schema is back");
    let sort_keys: Vec<_> = queried
        .items()
        .iter()
        .map(|item| item.get("sk").cloned())
        .collect();
    assert_eq!(sort_keys, [Some(n(3)), Some(n(2)), Some(n(1))]);
    engine.shutdown().await;
}
