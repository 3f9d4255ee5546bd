//! The HTTP front door over real HTTP: an API started with a test invoker (each function name
//! says what the function does), requests sent with hyper's client, and the answers checked
//! against API Gateway's rules.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use engine::http_api::{
    ApiSpec, Cors, HttpApi, Invocation, Invoke, InvokeError, RouteSpec, Throttling,
};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use hyper::{Request, StatusCode};
use serde_json::{Value, json};

/// Functions by name: `echo` answers 202 with the event it got, `simple` a result without
/// `statusCode`, `text` a JSON string, `fails` a function error, `throttled` Lambda's 429.
#[derive(Debug, Default)]
struct TestInvoker {
    events: Mutex<Vec<Value>>,
}

impl Invoke for TestInvoker {
    fn invoke(&self, function: &str, event: Bytes) -> Invocation<'_> {
        let function = function.to_owned();
        Box::pin(async move {
            let event: Value = serde_json::from_slice(&event).expect("the event is JSON");
            self.events.lock().expect("events").push(event.clone());
            match function.as_str() {
                "echo" => Ok(Bytes::from(
                    json!({
                        "statusCode": 202,
                        "headers": {"content-type": "application/json"},
                        "cookies": ["session=1; HttpOnly"],
                        "body": event.to_string(),
                    })
                    .to_string(),
                )),
                "simple" => Ok(Bytes::from_static(br#"{"order_id":"ORD-1"}"#)),
                "text" => Ok(Bytes::from_static(br#""Hello from Lambda!""#)),
                "fails" => Err(InvokeError::Failed("boom".into())),
                "throttled" => Err(InvokeError::Throttled("Rate Exceeded.".into())),
                other => Err(InvokeError::Missing(other.to_owned())),
            }
        })
    }
}

async fn start(
    routes: &[(&str, &str)],
    cors: Option<Cors>,
    throttling: Throttling,
) -> (HttpApi, Arc<TestInvoker>) {
    let invoker = Arc::new(TestInvoker::default());
    let spec = ApiSpec {
        name: "orders".into(),
        routes: routes
            .iter()
            .map(|(key, function)| RouteSpec::new(key, *function).expect("a route"))
            .collect(),
        cors,
        throttling: Some(throttling),
        port: 0,
    };
    let api = HttpApi::start(spec, invoker.clone(), None)
        .await
        .expect("the API starts");
    (api, invoker)
}

/// Sends one request on a fresh connection; the status, headers and body.
async fn send(
    api: &HttpApi,
    request: Request<Full<Bytes>>,
) -> (StatusCode, hyper::HeaderMap, String) {
    let address = api.url().trim_start_matches("http://").to_owned();
    let stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .expect("handshake");
    tokio::spawn(connection);
    let response = sender.send_request(request).await.expect("a response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("a body").to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn request(api: &HttpApi, method: &str, path: &str) -> hyper::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", api.url().trim_start_matches("http://"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[expect(
    clippy::too_many_lines,
    reason = "one walk through every rule, each a few asserts"
)]
async fn requests_reach_their_function_as_payload_2_0_and_answers_follow_api_gateway() {
    let routes = [
        ("POST /orders", "echo"),
        ("GET /orders/{id}", "simple"),
        ("GET /hello", "text"),
        ("POST /fails", "fails"),
        ("POST /throttled", "throttled"),
        ("ANY /files/{proxy+}", "echo"),
    ];
    let (api, invoker) = start(&routes, None, Throttling::default()).await;

    let (status, headers, body) = send(
        &api,
        request(&api, "POST", "/orders?source=web&source=app")
            .header("content-type", "application/json")
            .header("cookie", "a=1; b=2")
            .body(Full::new(Bytes::from_static(
                br#"{"email":"a@example.com"}"#,
            )))
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(headers["set-cookie"], "session=1; HttpOnly");
    assert!(headers.contains_key("apigw-requestid"));
    let event: Value = serde_json::from_str(&body).expect("the echoed event");
    assert_eq!(event["version"], "2.0");
    assert_eq!(event["routeKey"], "POST /orders");
    assert_eq!(event["rawPath"], "/orders");
    assert_eq!(event["rawQueryString"], "source=web&source=app");
    assert_eq!(event["queryStringParameters"], json!({"source": "web,app"}));
    assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
    assert_eq!(event["headers"]["content-type"], "application/json");
    assert_eq!(event["body"], r#"{"email":"a@example.com"}"#);
    assert_eq!(event["isBase64Encoded"], false);
    assert_eq!(event["requestContext"]["http"]["method"], "POST");
    assert_eq!(event["requestContext"]["http"]["path"], "/orders");
    assert_eq!(event["requestContext"]["stage"], "$default");
    assert_eq!(event["requestContext"]["apiId"], api.api_id());
    assert_eq!(
        event["requestContext"]["requestId"].as_str(),
        headers["apigw-requestid"].to_str().ok()
    );

    let (status, headers, body) = send(
        &api,
        request(&api, "GET", "/orders/ORD-7")
            .body(Full::default())
            .expect("a request"),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, r#"{"order_id":"ORD-1"}"#),
        "the simple response"
    );
    assert_eq!(headers["content-type"], "application/json");
    let last = invoker
        .events
        .lock()
        .expect("events")
        .last()
        .cloned()
        .expect("an event");
    assert_eq!(last["pathParameters"], json!({"id": "ORD-7"}));
    assert_eq!(last["routeKey"], "GET /orders/{id}");

    let (status, _, body) = send(
        &api,
        request(&api, "GET", "/hello")
            .body(Full::default())
            .expect("a request"),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "Hello from Lambda!")
    );

    let (status, _, body) = send(
        &api,
        request(&api, "DELETE", "/files/a/b.txt")
            .body(Full::default())
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let event: Value = serde_json::from_str(&body).expect("the echoed event");
    assert_eq!(event["pathParameters"], json!({"proxy": "a/b.txt"}));
    assert_eq!(event["routeKey"], "ANY /files/{proxy+}");

    for (path, why) in [
        ("/fails", "a function error"),
        ("/throttled", "Lambda's throttling"),
    ] {
        let (status, _, body) = send(
            &api,
            request(&api, "POST", path)
                .body(Full::default())
                .expect("a request"),
        )
        .await;
        assert_eq!(
            (status, body.as_str()),
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"message":"Internal Server Error"}"#
            ),
            "{why} is the gateway's 500"
        );
    }
    let (status, _, body) = send(
        &api,
        request(&api, "GET", "/orders")
            .body(Full::default())
            .expect("a request"),
    )
    .await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::NOT_FOUND, r#"{"message":"Not Found"}"#)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preflights_and_throttling_are_the_stage_s() {
    let cors = Cors {
        allow_origins: vec!["https://shop.example.com".into()],
        allow_methods: vec!["POST".into()],
        allow_headers: vec!["content-type".into()],
        max_age: Duration::from_secs(600),
        ..Cors::default()
    };
    let (api, invoker) = start(
        &[("POST /orders", "simple")],
        Some(cors),
        Throttling { burst: 3, rate: 0 },
    )
    .await;
    let (status, headers, _) = send(
        &api,
        request(&api, "OPTIONS", "/orders")
            .header("origin", "https://shop.example.com")
            .header("access-control-request-method", "POST")
            .body(Full::default())
            .expect("a request"),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://shop.example.com"
    );
    assert_eq!(headers["access-control-allow-methods"], "POST");
    assert_eq!(headers["access-control-max-age"], "600");
    assert!(
        invoker.events.lock().expect("events").is_empty(),
        "a preflight invokes nothing"
    );

    let mut statuses = Vec::new();
    for _ in 0..4 {
        let (status, headers, body) = send(
            &api,
            request(&api, "POST", "/orders")
                .header("origin", "https://shop.example.com")
                .body(Full::default())
                .expect("a request"),
        )
        .await;
        statuses.push(status.as_u16());
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(body, r#"{"message":"Too Many Requests"}"#);
        } else {
            assert_eq!(
                headers["access-control-allow-origin"],
                "https://shop.example.com"
            );
        }
    }
    assert_eq!(statuses, [200, 200, 200, 429], "a burst of 3, no refill");
}
