//! Raw DynamoDB rates of the embedded engine through the real `aws-sdk-dynamodb` client on
//! loopback: `PutItem` then `GetItem` of small items by concurrent workers.
//!
//! Not a criterion bench: one timed run of each workload is the figure. Figures go to stdout.
//! Run with `cargo bench -p tests --bench dynamodb`.

use std::time::Instant;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use engine::{Engine, EngineConfig};
use tests::dynamodb::engine_table;
use tests::sdk_config_for;

/// Items written, then read, by the workload.
const ITEMS: u32 = 20_000;
/// Concurrent workers.
const WORKERS: u32 = 4;
/// A 256-byte attribute, about what a small order record is.
const BODY: &str = concat!(
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
);

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let engine = Engine::start(EngineConfig {
        tables: vec![engine_table("orders", None)],
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts on loopback");
    let client = Client::new(&sdk_config_for(&engine.endpoint()).await);
    let put = rate(&client, true).await;
    let get = rate(&client, false).await;
    println!(
        "engine raw DynamoDB ({WORKERS} workers, {ITEMS} items of {} bytes): PutItem {put:.0}/s, GetItem {get:.0}/s",
        BODY.len()
    );
    engine.shutdown().await;
}

/// Calls per second of `PutItem` (or `GetItem`) over every item.
async fn rate(client: &Client, put: bool) -> f64 {
    let started = Instant::now();
    let workers: Vec<_> = (0..WORKERS)
        .map(|worker| {
            let client = client.clone();
            tokio::spawn(async move {
                for index in (worker..ITEMS).step_by(WORKERS as usize) {
                    let key = AttributeValue::S(format!("order-{index}"));
                    if put {
                        client
                            .put_item()
                            .table_name("orders")
                            .item("pk", key)
                            .item("body", AttributeValue::S(BODY.to_owned()))
                            .send()
                            .await
                            .expect("PutItem");
                    } else {
                        let got = client
                            .get_item()
                            .table_name("orders")
                            .key("pk", key)
                            .send()
                            .await
                            .expect("GetItem");
                        assert!(got.item().is_some(), "every item was written");
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("a worker finishes");
    }
    f64::from(ITEMS) / started.elapsed().as_secs_f64()
}
