//! DynamoDB Time to Live: `UpdateTimeToLive` and `DescribeTimeToLive` against the engine and
//! moto, and (engine only: moto never expires items) the expiry of items whose TTL attribute is in
//! the past. AWS deletes them "typically within a few days" and reads return them until then; the
//! engine deletes them within about a second (`engine::dynamodb::table::Table::expire`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ::engine::{Engine, EngineConfig};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{TimeToLiveSpecification, TimeToLiveStatus};
use tests::sdk_config_for;

use super::{create_table, engine_table, n, refused, s};

fn specification(enabled: bool) -> TimeToLiveSpecification {
    TimeToLiveSpecification::builder()
        .attribute_name("expires")
        .enabled(enabled)
        .build()
        .expect("a TTL specification")
}

pub(super) async fn time_to_live_is_turned_on_described_and_off(client: &Client) {
    create_table(client, "sessions", false).await;
    let describe = || client.describe_time_to_live().table_name("sessions").send();
    let before = describe().await.expect("DescribeTimeToLive");
    let description = before.time_to_live_description().expect("a description");
    assert_eq!(
        description.time_to_live_status(),
        Some(&TimeToLiveStatus::Disabled)
    );
    assert_eq!(description.attribute_name(), None);
    let turned_on = client
        .update_time_to_live()
        .table_name("sessions")
        .time_to_live_specification(specification(true))
        .send()
        .await
        .expect("UpdateTimeToLive");
    assert_eq!(
        turned_on.time_to_live_specification(),
        Some(&specification(true))
    );
    let after = describe().await.expect("DescribeTimeToLive");
    let description = after.time_to_live_description().expect("a description");
    // AWS answers ENABLING until the change has spread (up to an hour); the engine, like moto,
    // is ENABLED at once.
    assert!(
        matches!(
            description.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ),
        "{description:?}"
    );
    assert_eq!(description.attribute_name(), Some("expires"));
    // (A missing table: AWS answers ResourceNotFoundException, moto 5.2 `ResourceNotFound`.
    // Turning it on again: AWS answers ValidationException "TimeToLive is already enabled", as
    // the engine does; moto 5.2 accepts it, so the scenario leaves it out.)
    client
        .update_time_to_live()
        .table_name("sessions")
        .time_to_live_specification(specification(false))
        .send()
        .await
        .expect("UpdateTimeToLive");
    let off = describe().await.expect("DescribeTimeToLive");
    assert_eq!(
        off.time_to_live_description()
            .and_then(|description| description.time_to_live_status()),
        Some(&TimeToLiveStatus::Disabled)
    );
}

fn now() -> i64 {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    i64::try_from(seconds).expect("seconds fit")
}

/// Items past their TTL go within seconds; items in the future, five years or more in the past,
/// or whose TTL attribute is not a Number stay, as on AWS.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_items_are_deleted_within_seconds() {
    let engine = Engine::start(EngineConfig {
        tables: vec![engine_table("sessions", Some("expires"))],
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let client = Client::new(&sdk_config_for(&engine.endpoint()).await);
    let six_years = 6 * 365 * 24 * 3600;
    for (pk, expires) in [
        ("past", n(now() - 60)),
        ("future", n(now() + 3600)),
        ("ancient", n(now() - six_years)),
        ("text", s("0")),
    ] {
        client
            .put_item()
            .table_name("sessions")
            .item("pk", s(pk))
            .item("expires", expires)
            .send()
            .await
            .expect("PutItem");
    }
    let present = |pk: &'static str| {
        let client = client.clone();
        async move {
            client
                .get_item()
                .table_name("sessions")
                .key("pk", s(pk))
                .send()
                .await
                .expect("GetItem")
                .item()
                .is_some()
        }
    };
    let mut waited = Duration::ZERO;
    while present("past").await {
        assert!(
            waited < Duration::from_secs(5),
            "the expired item is still there after {waited:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
        waited += Duration::from_millis(200);
    }
    for pk in ["future", "ancient", "text"] {
        assert!(present(pk).await, "{pk} was deleted");
    }
    assert_eq!(
        refused(
            client
                .update_time_to_live()
                .table_name("sessions")
                .time_to_live_specification(specification(true))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        refused(client.describe_time_to_live().table_name("absent").send())
            .await
            .0,
        "ResourceNotFoundException"
    );
}
