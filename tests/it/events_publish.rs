//! The runtime's event publisher through the real AWS SDK: `runtime::resources::Bus` over the
//! EventBridge adapter publishes in calls of at most ten, against moto and against the local
//! engine alike, and `order_ingest` with `EVENT_BUS_NAME` publishes `OrderPlaced` to a bus whose
//! rule delivers it to a queue (on the engine, configured as `gen dev` configures it).

use std::collections::BTreeSet;
use std::time::Duration;

use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
use aws_lambda_events::encodings::Body;
use aws_sdk_eventbridge::types::Target;
use runtime::config::{Variables, vars};
use runtime::handlers::OrderIngest;
use runtime::resources::Bus;
use runtime::{AwsPorts, Service, Startup};
use serde_json::{Value, json};
use tests::{Backend, sdk_config_for};

use crate::conformance_eventbridge::{Clients, bodies, queue};

const SOURCE: &str = "shop.submit-order";

fn startup(sdk: &aws_config::SdkConfig, bus: &str) -> Startup<AwsPorts> {
    Startup::new(
        Variables::from_pairs([(vars::EVENT_BUS_NAME, bus), (vars::EVENT_SOURCE, SOURCE)]),
        "order_ingest",
        AwsPorts::new(sdk),
    )
    .expect("the settings read")
}

/// A bus `orders` with one rule sending every event of [`SOURCE`] to queue `events`; returns the
/// queue's URL.
async fn routed_bus(clients: &Clients) -> String {
    clients
        .events
        .create_event_bus()
        .name("orders")
        .send()
        .await
        .expect("CreateEventBus");
    let (url, arn) = queue(clients, "events").await;
    clients
        .events
        .put_rule()
        .name("all")
        .event_bus_name("orders")
        .event_pattern(json!({ "source": [SOURCE] }).to_string())
        .send()
        .await
        .expect("PutRule");
    clients
        .events
        .put_targets()
        .rule("all")
        .event_bus_name("orders")
        .targets(
            Target::builder()
                .id("events")
                .arn(arn)
                .build()
                .expect("a target"),
        )
        .send()
        .await
        .expect("PutTargets");
    url
}

async fn twelve_events_are_published_in_two_calls_and_all_arrive(backend: Backend) {
    let sdk = sdk_config_for(&backend.endpoint()).await;
    let clients = Clients::of(&backend.endpoint(), matches!(backend, Backend::Moto(_))).await;
    let url = routed_bus(&clients).await;
    let bus = Bus::from_startup(
        &startup(&sdk, "orders"),
        vars::EVENT_BUS_NAME,
        "writes.events",
    )
    .expect("the bus");
    let details: Vec<Value> = (0..12).map(|n| json!({ "n": n })).collect();
    let ids = bus
        .publish("OrderPlaced", details)
        .await
        .expect("published");
    assert_eq!(ids.iter().collect::<BTreeSet<_>>().len(), 12, "{ids:?}");
    let received = bodies(&clients, &url, 12).await;
    let numbers: BTreeSet<i64> = received
        .iter()
        .map(|event| event["detail"]["n"].as_i64().expect("n"))
        .collect();
    assert_eq!(numbers, (0..12).collect());
    for event in &received {
        assert_eq!(event["source"], SOURCE);
        assert_eq!(event["detail-type"], "OrderPlaced");
        assert!(ids.iter().any(|id| event["id"] == json!(id)), "{event}");
    }
    let too_big = bus
        .publish(
            "OrderPlaced",
            vec![json!({ "blob": "x".repeat(300 * 1024) })],
        )
        .await
        .expect_err("over 256 KB");
    assert!(too_big.to_string().contains("at most 262144"), "{too_big}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_publishes_through_moto() {
    twelve_events_are_published_in_two_calls_and_all_arrive(Backend::moto()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bus_publishes_through_the_engine() {
    twelve_events_are_published_in_two_calls_and_all_arrive(Backend::engine().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn order_ingest_publishes_order_placed_to_a_configured_bus() {
    use ::engine::eventbridge::{BusSpec, RuleSpec, TargetSpec};
    let engine = ::engine::Engine::start(::engine::EngineConfig {
        buses: vec![BusSpec {
            name: "shop-orders-local".into(),
            rules: vec![RuleSpec {
                name: "high-value".into(),
                pattern: json!({"detail-type": ["OrderPlaced"], "detail": {"items": {"qty": [{"numeric": [">=", 10]}]}}})
                    .to_string(),
                targets: vec![TargetSpec {
                    id: "high-value".into(),
                    queue: "high-value".into(),
                    input_path: None,
                    input_transformer: None,
                    max_attempts: 185,
                    max_age: Duration::from_secs(86_400),
                    dead_letter_queue: None,
                }],
            }],
        }],
        ..::engine::EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let sdk = sdk_config_for(&engine.endpoint()).await;
    let clients = Clients::of(&engine.endpoint(), false).await;
    let (url, _) = queue(&clients, "high-value").await;
    let ingest = Service::build(&startup(&sdk, "shop-orders-local"), OrderIngest::build)
        .expect("the ingest builds");
    let mut ids = Vec::new();
    for quantity in [12, 1] {
        let (response, metrics) = ingest
            .respond(
                &request(&format!(
                    r#"{{"email": "a@example.com", "items": [{{"sku": "A-1", "qty": {quantity}}}]}}"#
                )),
                None,
                "lambda-1",
            )
            .await;
        let Some(Body::Text(body)) = &response.body else {
            panic!("a text body")
        };
        assert_eq!(response.status_code, 202, "{body}");
        assert_eq!(metrics.counters.get("OrdersPublished"), Some(&1));
        let body: Value = serde_json::from_str(body).expect("JSON");
        ids.push(body["order_id"].clone());
    }
    let received = bodies(&clients, &url, 1).await;
    assert_eq!(
        received.len(),
        1,
        "only the order of 12 matches: {received:?}"
    );
    let event = &received[0];
    assert_eq!(event["detail-type"], "OrderPlaced");
    assert_eq!(event["source"], SOURCE);
    assert_eq!(event["detail"]["order_id"], ids[0]);
    assert_eq!(event["detail"]["items"], json!([{"sku": "A-1", "qty": 12}]));
    assert!(event["detail"]["received_at"].is_string());
    let stats = engine.eventbridge().stats();
    assert_eq!(
        (stats[0].matched, stats[0].delivered, stats[0].failed),
        (1, 1, 0)
    );
}

fn request(body: &str) -> ApiGatewayV2httpRequest {
    serde_json::from_value(json!({
        "version": "2.0",
        "routeKey": "POST /orders",
        "rawPath": "/orders",
        "requestContext": {"requestId": "api-1", "http": {"method": "POST", "path": "/orders"}},
        "body": body,
        "isBase64Encoded": false,
    }))
    .expect("a request")
}
