//! The EventBridge part of a synthesized template on moto (through the real SDK): the stack with
//! the `event-fanout` fixture's bus, rules, queue policies and targets reaches `CREATE_COMPLETE`,
//! and an event published to the bus reaches the queues whose rules match it, and only those.
//! moto cannot create alarms (dropped, as for the seed), skips the API Gateway resources, and
//! cannot apply an input transformer (see `fanout_template`).

use std::path::Path;

use generator::synth::{SynthOptions, synthesize};
use tests::{MotoServer, create_stack};

fn fanout_template() -> serde_json::Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pipelines/event-fanout/pipeline.yaml");
    let pipeline = crate::synth::load(&path);
    let mut template: serde_json::Value = serde_json::from_str(
        &synthesize(&pipeline, &SynthOptions::default())
            .unwrap()
            .to_json(),
    )
    .unwrap();
    template["Resources"]
        .as_object_mut()
        .unwrap()
        .retain(|_, resource| {
            !["AWS::CloudWatch::Alarm", "AWS::SNS::Subscription"]
                .iter()
                .any(|kind| resource["Type"] == *kind)
        });
    // moto's input transformer substitutes a string value without its quotes and then fails
    // to parse its own result (AWS quotes it: `{"order": <id>}` gives `{"order": "o-1"}`);
    // the engine and its conformance tests prove transformers, so moto gets plain targets.
    for resource in template["Resources"].as_object_mut().unwrap().values_mut() {
        if resource["Type"] == "AWS::Events::Rule" {
            for target in resource["Properties"]["Targets"].as_array_mut().unwrap() {
                target.as_object_mut().unwrap().remove("InputTransformer");
            }
        }
    }
    template
}

async fn receive(sqs: &aws_sdk_sqs::Client, queue: &str) -> Vec<String> {
    let url = sqs
        .get_queue_url()
        .queue_name(queue)
        .send()
        .await
        .unwrap()
        .queue_url
        .unwrap();
    let mut bodies = Vec::new();
    for _ in 0..3 {
        let output = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        bodies.extend(
            output
                .messages()
                .iter()
                .filter_map(|m| m.body().map(str::to_owned)),
        );
    }
    bodies
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_published_to_the_bus_reach_exactly_the_matching_queues_on_moto() {
    let moto = MotoServer::start();
    let sdk = moto.sdk_config().await;
    let status = create_stack(
        &sdk,
        &fanout_template(),
        "test",
        &[("pipeline", "fanout"), ("stage", "test")],
    )
    .await;
    assert_eq!(
        status,
        Some(aws_sdk_cloudformation::types::StackStatus::CreateComplete)
    );

    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let entry = |order: &str, total: u32| {
        aws_sdk_eventbridge::types::PutEventsRequestEntry::builder()
            .event_bus_name("orders-test-orders")
            .source("fanout.submit-order")
            .detail_type("OrderPlaced")
            .detail(serde_json::json!({ "order_id": order, "total": total }).to_string())
            .build()
    };
    let output = events
        .put_events()
        .entries(entry("small-1", 20))
        .entries(entry("large-1", 2000))
        .send()
        .await
        .unwrap();
    assert_eq!(output.failed_entry_count(), 0);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let orders = |bodies: &[String]| -> Vec<String> {
        let mut found: Vec<String> = ["small-1", "large-1"]
            .iter()
            .filter(|order| bodies.iter().any(|body| body.contains(*order)))
            .map(|order| (*order).to_owned())
            .collect();
        found.sort();
        found
    };
    assert_eq!(
        orders(&receive(&sqs, "fanout-inventory-test").await),
        ["large-1", "small-1"]
    );
    assert_eq!(
        orders(&receive(&sqs, "fanout-analytics-test").await),
        ["large-1", "small-1"]
    );
    assert_eq!(
        orders(&receive(&sqs, "fanout-high-value-test").await),
        ["large-1"]
    );
}
