//! `gen dev`'s EventBridge wiring, on the embedded engine and through the Rust SDK: the buses,
//! rules and targets pipeline.yaml declares (the `event-fanout` fixture) exist under their local
//! names, an `OrderPlaced` event reaches exactly the queues whose rules match it, shaped as each
//! target says (whole event, input path, input transformer), and the per-rule figures `gen
//! status` shows count it.

use std::collections::BTreeMap;
use std::path::Path;

use generator::config;
use generator::local::dev::{bus_specs, local_bus, local_queue, rule_figures, sdk_config};
use generator::local::state::RuleFigures;
use generator::local::{Engine, EngineConfig};

fn fanout() -> config::Pipeline {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/pipelines/event-fanout/pipeline.yaml");
    config::load("pipeline.yaml", &std::fs::read(path).unwrap())
        .pipeline
        .expect("the fixture is valid")
}

/// Every body waiting in `queue`, by the queue's name in pipeline.yaml.
async fn bodies(
    sqs: &aws_sdk_sqs::Client,
    pipeline: &config::Pipeline,
    queue: &str,
) -> Vec<serde_json::Value> {
    let url = sqs
        .get_queue_url()
        .queue_name(local_queue(pipeline, queue))
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let output = sqs
        .receive_message()
        .queue_url(url)
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    output
        .messages()
        .iter()
        .map(|message| serde_json::from_str(message.body().unwrap()).unwrap())
        .collect()
}

/// The engine with the pipeline's buses, and its queues created, as `gen dev` starts them.
async fn start(pipeline: &config::Pipeline) -> (Engine, aws_config::SdkConfig) {
    let engine = Engine::start(EngineConfig {
        buses: bus_specs(pipeline),
        ..EngineConfig::default()
    })
    .await
    .unwrap();
    let sdk = sdk_config(&engine.endpoint()).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    // `gen dev` creates the queues before any function runs, so before any event arrives.
    for queue in pipeline.queues.keys() {
        sqs.create_queue()
            .queue_name(local_queue(pipeline, queue))
            .send()
            .await
            .unwrap();
    }
    (engine, sdk)
}

/// The rules' figures once they equal `wanted` (delivery is asynchronous), or as they are
/// after five seconds.
async fn settled(
    engine: &Engine,
    pipeline: &config::Pipeline,
    wanted: &[RuleFigures],
) -> Vec<RuleFigures> {
    let local = pipeline
        .buses
        .keys()
        .map(|name| (name.clone(), local_bus(pipeline, name)))
        .collect::<BTreeMap<_, _>>();
    let mut figures = Vec::new();
    for _ in 0..100 {
        figures = rule_figures(engine.eventbridge(), &local);
        if figures == wanted {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    figures
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_reach_exactly_the_matching_queues_shaped_as_each_target_says() {
    let pipeline = fanout();
    let (engine, sdk) = start(&pipeline).await;
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let buses = events.list_event_buses().send().await.unwrap();
    let names: Vec<&str> = buses
        .event_buses()
        .iter()
        .filter_map(|bus| bus.name())
        .collect();
    assert!(names.contains(&"fanout-orders-local"), "{names:?}");
    let rules = events
        .list_rules()
        .event_bus_name(local_bus(&pipeline, "orders"))
        .send()
        .await
        .unwrap();
    let mut rule_names: Vec<&str> = rules
        .rules()
        .iter()
        .filter_map(|rule| rule.name())
        .collect();
    rule_names.sort_unstable();
    assert_eq!(
        rule_names,
        ["analytics", "high-value", "inventory", "priority"]
    );

    let entry = |detail: serde_json::Value| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name(local_bus(&pipeline, "orders"))
            .source("fanout.submit-order")
            .detail_type("OrderPlaced")
            .detail(detail.to_string())
            .build()
    };
    let output = events
        .put_events()
        .entries(entry(
            serde_json::json!({ "order_id": "small", "total": 20 }),
        ))
        .entries(entry(
            serde_json::json!({ "order_id": "large", "total": 2000 }),
        ))
        .entries(entry(
            serde_json::json!({ "order_id": "gold", "total": 30, "customer": { "tier": "gold" } }),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count(), 0);

    // What `gen status` shows: every rule's matched, delivered and failed events.
    let expected = |rule: &str, matched: u64| RuleFigures {
        bus: "orders".to_owned(),
        rule: rule.to_owned(),
        matched,
        delivered: matched,
        failed: 0,
    };
    let wanted = vec![
        expected("analytics", 3),
        expected("high-value", 1),
        expected("inventory", 3),
        expected("priority", 1),
    ];
    assert_eq!(settled(&engine, &pipeline, &wanted).await, wanted);

    // inventory: `input_path: $.detail`, so the detail alone.
    let mut inventory: Vec<String> = bodies(&sqs, &pipeline, "inventory")
        .await
        .iter()
        .map(|body| body["order_id"].as_str().unwrap().to_owned())
        .collect();
    inventory.sort();
    assert_eq!(inventory, ["gold", "large", "small"]);
    // analytics: the whole envelope.
    let analytics = bodies(&sqs, &pipeline, "analytics").await;
    assert_eq!(analytics.len(), 3);
    for event in &analytics {
        assert_eq!(event["detail-type"], "OrderPlaced");
        assert_eq!(event["source"], "fanout.submit-order");
        assert_eq!(event["version"], "0");
        assert!(event["detail"]["order_id"].is_string(), "{event}");
    }
    // high-value: `total ≥ 1000`, transformed by the template.
    assert_eq!(
        bodies(&sqs, &pipeline, "high-value").await,
        [serde_json::json!({ "order": "large", "total": 2000, "rule": "high-value" })]
    );
    // priority: `$or` of a gold customer and a total above 5000.5.
    let priority = bodies(&sqs, &pipeline, "priority").await;
    assert_eq!(priority.len(), 1);
    assert_eq!(priority[0]["detail"]["order_id"], "gold");
    assert!(bodies(&sqs, &pipeline, "events-dlq").await.is_empty());
}
