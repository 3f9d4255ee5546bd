//! The engine as a whole, below the SDK: raw HTTP requests for what no SDK scenario sends —
//! another `Host`, the SQS query protocol, a service the engine does not have — and the bounds
//! it keeps (request bodies, bytes held), through the SDK where one can send them.

use aws_sdk_s3::error::ProvideErrorMetadata as _;
use aws_sdk_s3::primitives::ByteStream;
use engine::{Engine, EngineConfig, Limits};
use tests::sdk_config_for;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// One HTTP/1.1 exchange on a fresh connection: the status and the body.
async fn exchange(engine: &Engine, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(engine.address())
        .await
        .expect("the engine accepts");
    let request = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("the request is written");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .expect("the answer is read");
    let status = answer
        .get(9..12)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default();
    (status, body)
}

fn port(engine: &Engine) -> u16 {
    engine.address().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_host_is_refused_with_403() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let (status, body) = exchange(&engine, "GET / HTTP/1.1\r\nHost: rebound.example:80", "").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    assert!(body.contains("rebound.example:80"), "{body}");
    let sqs = format!(
        "POST / HTTP/1.1\r\nHost: attacker.example:{}\r\nX-Amz-Target: AmazonSQS.ListQueues\r\n\
         Content-Type: application/x-amz-json-1.0",
        port(&engine)
    );
    let (status, body) = exchange(&engine, &sqs, "{}").await;
    assert_eq!(status, 403, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(json["__type"], "AccessDeniedException");
    for host in ["127.0.0.1", "localhost", "[::1]"] {
        let head = format!("GET / HTTP/1.1\r\nHost: {host}:{}", port(&engine));
        let (status, body) = exchange(&engine, &head, "").await;
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body.contains("<ListAllMyBucketsResult"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_services_target_names_the_services_the_engine_has() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    for target in ["Kinesis_20131202.PutRecord", "AmazonSES.SendEmail"] {
        let head = format!(
            "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Amz-Target: {target}\r\n\
             Content-Type: application/x-amz-json-1.0",
            port(&engine)
        );
        let (status, body) = exchange(&engine, &head, "{}").await;
        assert_eq!(status, 400, "{body}");
        let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
        assert_eq!(json["__type"], "UnknownOperationException");
        let message = json["message"].as_str().expect("a message");
        assert!(message.contains(target), "{message}");
        assert!(
            message.contains(
                "this engine serves SQS (JSON protocol), DynamoDB, SES v2 (SendEmail), EventBridge and S3"
            ),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqs_query_protocol_gets_an_xml_error_naming_the_json_protocol() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let form = format!(
        "POST /000000000000/orders HTTP/1.1\r\nHost: localhost:{}\r\n\
         Content-Type: application/x-www-form-urlencoded; charset=utf-8",
        port(&engine)
    );
    let get = format!(
        "GET /?Action=ListQueues&Version=2012-11-05 HTTP/1.1\r\nHost: localhost:{}",
        port(&engine)
    );
    for (head, body, action) in [
        (
            form.as_str(),
            "Action=SendMessage&MessageBody=hi",
            "SendMessage",
        ),
        (get.as_str(), "", "ListQueues"),
    ] {
        let (status, answer) = exchange(&engine, head, body).await;
        assert_eq!(status, 400, "{answer}");
        assert!(answer.contains("<ErrorResponse>"), "{answer}");
        assert!(answer.contains("<Code>InvalidAction</Code>"), "{answer}");
        assert!(answer.contains("SQS JSON protocol"), "{answer}");
        assert!(answer.contains(&format!("Action={action}")), "{answer}");
        assert!(!answer.contains("NoSuchBucket"), "{answer}");
    }
}

async fn s3_client(engine: &Engine) -> aws_sdk_s3::Client {
    let config = sdk_config_for(&engine.endpoint()).await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn objects_past_the_limits_are_refused_as_s3_does() {
    let limits = Limits {
        max_object_bytes: 1024,
        max_stored_bytes: 3000,
    };
    let engine = Engine::start(EngineConfig {
        limits,
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let client = s3_client(&engine).await;
    client
        .create_bucket()
        .bucket("limits")
        .send()
        .await
        .expect("the bucket is created");
    let put = |key: &'static str, length: usize| {
        client
            .put_object()
            .bucket("limits")
            .key(key)
            .body(ByteStream::from(vec![b'x'; length]))
            .send()
    };
    let too_large = put("big", 1025).await.expect_err("past the object limit");
    assert_eq!(too_large.code(), Some("EntityTooLarge"), "{too_large:?}");
    for key in ["a", "b"] {
        put(key, 1024).await.expect("within both limits");
    }
    let full = put("c", 1024).await.expect_err("past the stored-bytes cap");
    assert_eq!(full.code(), Some("ServiceUnavailable"), "{full:?}");
    // Replacing an object counts its new size only, and deleting frees its bytes.
    put("a", 900).await.expect("a smaller replacement fits");
    client
        .delete_object()
        .bucket("limits")
        .key("b")
        .send()
        .await
        .expect("the object is deleted");
    put("c", 1024).await.expect("freed bytes are reusable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_sqs_request_body_past_the_limit_is_invalid_parameter_value() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let head = format!(
        "POST / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Amz-Target: AmazonSQS.SendMessage\r\n\
         Content-Type: application/x-amz-json-1.0",
        port(&engine)
    );
    let body = format!(
        r#"{{"QueueUrl":"http://127.0.0.1/000000000000/q","MessageBody":"{}"}}"#,
        "x".repeat(3 * 1024 * 1024)
    );
    let (status, answer) = exchange(&engine, &head, &body).await;
    assert_eq!(status, 400, "{answer}");
    let json: serde_json::Value = serde_json::from_str(&answer).expect("a JSON body");
    assert_eq!(
        json["__type"],
        "com.amazonaws.sqs#InvalidParameterValueException"
    );
}

/// Queued messages and objects count against one cap: past it `SendMessage` gets SQS's
/// `OverLimit`; deleting a message or an object makes room again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queued_messages_and_objects_share_the_stored_bytes_cap() {
    let limits = Limits {
        max_object_bytes: 2000,
        max_stored_bytes: 3000,
    };
    let engine = Engine::start(EngineConfig {
        limits,
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let config = sdk_config_for(&engine.endpoint()).await;
    let sqs = aws_sdk_sqs::Client::new(&config);
    let queue_url = sqs
        .create_queue()
        .queue_name("bounded")
        .send()
        .await
        .expect("the queue is created")
        .queue_url
        .expect("a queue URL");
    let send = || {
        sqs.send_message()
            .queue_url(&queue_url)
            .message_body("m".repeat(1000))
            .send()
    };
    send().await.expect("the first message fits");
    let s3 = s3_client(&engine).await;
    s3.create_bucket()
        .bucket("bounded")
        .send()
        .await
        .expect("the bucket is created");
    s3.put_object()
        .bucket("bounded")
        .key("k")
        .body(ByteStream::from(vec![b'x'; 1500]))
        .send()
        .await
        .expect("the object fits beside the message");
    let refused = send().await.expect_err("past the cap");
    assert_eq!(
        aws_sdk_sqs::error::ProvideErrorMetadata::code(&refused),
        Some("OverLimit"),
        "{refused:?}"
    );
    s3.delete_object()
        .bucket("bounded")
        .key("k")
        .send()
        .await
        .expect("the object is deleted");
    send().await.expect("the freed bytes take a message");
    let received = sqs
        .receive_message()
        .queue_url(&queue_url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("ReceiveMessage");
    for message in received.messages() {
        sqs.delete_message()
            .queue_url(&queue_url)
            .receipt_handle(message.receipt_handle().expect("a receipt handle"))
            .send()
            .await
            .expect("DeleteMessage");
    }
    assert_eq!(received.messages().len(), 2);
    for _ in 0..3 {
        send().await.expect("deleted messages free their bytes");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_fault_layer_answers_each_service_in_its_own_protocol() {
    let engine = Engine::start(EngineConfig::default())
        .await
        .expect("the engine starts");
    let host = format!("Host: 127.0.0.1:{}", port(&engine));
    let sqs = |operation: &str| {
        format!(
            "POST / HTTP/1.1\r\n{host}\r\nX-Amz-Target: AmazonSQS.{operation}\r\n\
             Content-Type: application/x-amz-json-1.0"
        )
    };
    engine.faults().set_down(engine::s3::NAME, true);
    engine.faults().set_down(engine::sqs::NAME, true);

    // Set-up calls are spared, so a pipeline can start during an outage.
    let (status, body) = exchange(&engine, &format!("PUT /invoices HTTP/1.1\r\n{host}"), "").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = exchange(&engine, &sqs("CreateQueue"), r#"{"QueueName":"orders"}"#).await;
    assert_eq!(status, 200, "{body}");
    let queue_url: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");

    let (status, body) =
        exchange(&engine, &format!("PUT /invoices/a HTTP/1.1\r\n{host}"), "x").await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("<Code>ServiceUnavailable</Code>"), "{body}");
    let send = serde_json::json!({ "QueueUrl": queue_url["QueueUrl"], "MessageBody": "x" });
    let (status, body) = exchange(&engine, &sqs("SendMessage"), &send.to_string()).await;
    assert_eq!(status, 503, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(json["__type"], "com.amazonaws.sqs#ServiceUnavailable");

    engine.faults().set_down(engine::s3::NAME, false);
    engine.faults().set(
        engine::sqs::NAME,
        engine::FaultPlan {
            failure_rate: 1.0,
            ..engine::FaultPlan::default()
        },
    );
    engine.faults().set_down(engine::sqs::NAME, false);
    let (status, body) =
        exchange(&engine, &format!("PUT /invoices/a HTTP/1.1\r\n{host}"), "x").await;
    assert_eq!(status, 200, "S3 is back up: {body}");
    let (status, body) = exchange(&engine, &sqs("SendMessage"), &send.to_string()).await;
    assert_eq!(status, 400, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
    assert_eq!(json["__type"], "com.amazonaws.sqs#ThrottlingException");
    engine.shutdown().await;
}
