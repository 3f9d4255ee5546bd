//! The EventBridge conformance suite through `aws_sdk_eventbridge` (and `aws_sdk_sqs` to read
//! what reached the queues): the scenarios moto answers as AWS does run against both moto and the
//! local engine; the rest (`engine_follows_aws`) run against the engine alone — moto leaves
//! `account` out of the delivered event, inserts a string placeholder of an input template
//! without its quotes (and then fails the call), ignores a target's `InputPath`, has no
//! `TestEventPattern` and never retries or dead-letters (`tests/conformance/MOTO_DEVIATIONS.md`,
//! "EventBridge").

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_eventbridge::error::ProvideErrorMetadata as _;
use aws_sdk_eventbridge::types::{InputTransformer, PutEventsRequestEntry, Target};
use serde_json::{Value, json};
use tests::{Backend, sdk_config_for};

/// The clients of one target.
pub(crate) struct Clients {
    pub(crate) events: aws_sdk_eventbridge::Client,
    pub(crate) sqs: aws_sdk_sqs::Client,
    /// The target is moto (whose known deviations the scenarios leave out).
    pub(crate) moto: bool,
}

impl Clients {
    pub(crate) async fn of(endpoint: &str, moto: bool) -> Self {
        let sdk = sdk_config_for(endpoint).await;
        Self {
            events: aws_sdk_eventbridge::Client::new(&sdk),
            sqs: aws_sdk_sqs::Client::new(&sdk),
            moto,
        }
    }
}

async fn client(backend: &Backend) -> Clients {
    Clients::of(&backend.endpoint(), matches!(backend, Backend::Moto(_))).await
}

tests::conformance!(
    an_event_reaches_exactly_the_queues_of_the_rules_it_matches,
    an_input_transformer_shapes_the_body,
    bad_entries_fail_one_by_one_with_eventbridge_codes,
    more_than_ten_entries_are_refused,
    buses_answer_eventbridge_errors,
    rules_answer_eventbridge_errors,
);

const BUS: &str = "orders";

/// Creates a queue; returns its URL and ARN.
pub(crate) async fn queue(clients: &Clients, name: &str) -> (String, String) {
    let url = clients
        .sqs
        .create_queue()
        .queue_name(name)
        .send()
        .await
        .expect("CreateQueue")
        .queue_url
        .expect("a queue URL");
    let arn = clients
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(aws_sdk_sqs::types::QueueAttributeName::QueueArn)
        .send()
        .await
        .expect("GetQueueAttributes")
        .attributes
        .and_then(|attributes| {
            attributes
                .get(&aws_sdk_sqs::types::QueueAttributeName::QueueArn)
                .cloned()
        })
        .expect("a queue ARN");
    (url, arn)
}

/// Puts rule `name` with `pattern` on [`BUS`] and one target per queue ARN.
async fn rule(clients: &Clients, name: &str, pattern: &Value, targets: Vec<Target>) {
    clients
        .events
        .put_rule()
        .name(name)
        .event_bus_name(BUS)
        .event_pattern(pattern.to_string())
        .send()
        .await
        .expect("PutRule");
    let put = clients
        .events
        .put_targets()
        .rule(name)
        .event_bus_name(BUS)
        .set_targets(Some(targets))
        .send()
        .await
        .expect("PutTargets");
    assert_eq!(put.failed_entry_count(), 0, "{put:?}");
}

fn target(id: &str, arn: &str) -> Target {
    Target::builder().id(id).arn(arn).build().expect("a target")
}

fn order(total: u32) -> PutEventsRequestEntry {
    PutEventsRequestEntry::builder()
        .event_bus_name(BUS)
        .source("shop.ingest")
        .detail_type("OrderPlaced")
        .detail(json!({ "order_id": format!("ORD-{total}"), "total": total }).to_string())
        .build()
}

/// Every body on the queue at `url`, waiting up to a few seconds for `expected` of them, then
/// briefly for more that should not come.
pub(crate) async fn bodies(clients: &Clients, url: &str, expected: usize) -> Vec<Value> {
    let mut bodies = Vec::new();
    for _ in 0..20 {
        let received = clients
            .sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(i32::from(bodies.len() < expected))
            .send()
            .await
            .expect("ReceiveMessage");
        let messages = received.messages.unwrap_or_default();
        if messages.is_empty() && bodies.len() >= expected {
            break;
        }
        for message in messages {
            let body = message.body.unwrap_or_default();
            bodies.push(serde_json::from_str(&body).unwrap_or(Value::String(body)));
        }
    }
    bodies
}

async fn create_bus(clients: &Clients) {
    let created = clients
        .events
        .create_event_bus()
        .name(BUS)
        .send()
        .await
        .expect("CreateEventBus");
    assert!(
        created
            .event_bus_arn()
            .is_some_and(|arn| arn.ends_with(":event-bus/orders")),
        "{created:?}"
    );
}

async fn an_event_reaches_exactly_the_queues_of_the_rules_it_matches(clients: &Clients) {
    create_bus(clients).await;
    let (high_url, high_arn) = queue(clients, "high-value").await;
    let (all_url, all_arn) = queue(clients, "all-orders").await;
    let (refund_url, refund_arn) = queue(clients, "refunds").await;
    rule(
        clients,
        "high-value",
        &json!({"detail-type": ["OrderPlaced"], "detail": {"total": [{"numeric": [">=", 1000]}]}}),
        vec![target("high-value", &high_arn)],
    )
    .await;
    rule(
        clients,
        "all-orders",
        &json!({"source": ["shop.ingest"]}),
        vec![target("all-orders", &all_arn)],
    )
    .await;
    rule(
        clients,
        "refunds",
        &json!({"detail-type": ["RefundIssued"]}),
        vec![target("refunds", &refund_arn)],
    )
    .await;
    let put = clients
        .events
        .put_events()
        .entries(order(1200))
        .entries(order(50))
        .send()
        .await
        .expect("PutEvents");
    assert_eq!(put.failed_entry_count(), 0, "{put:?}");
    let ids: Vec<&str> = put
        .entries()
        .iter()
        .map(|entry| entry.event_id().expect("an event id"))
        .collect();
    let high = bodies(clients, &high_url, 1).await;
    let all = bodies(clients, &all_url, 2).await;
    let refunds = bodies(clients, &refund_url, 0).await;
    assert_eq!(high.len(), 1, "{high:?}");
    assert_eq!(all.len(), 2, "{all:?}");
    assert!(refunds.is_empty(), "{refunds:?}");
    let event = &high[0];
    assert_eq!(
        event["id"], ids[0],
        "the delivered event carries PutEvents' id"
    );
    assert_eq!(event["version"], "0");
    assert_eq!(event["detail-type"], "OrderPlaced");
    assert_eq!(event["source"], "shop.ingest");
    assert_eq!(event["region"], "us-east-1");
    assert_eq!(event["resources"], json!([]));
    assert_eq!(
        event["detail"],
        json!({"order_id": "ORD-1200", "total": 1200})
    );
    if !clients.moto {
        // moto leaves `account` out (MOTO_DEVIATIONS.md, "EventBridge: the delivered event").
        let account = event["account"].as_str().expect("an account");
        assert!(
            account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
            "{account}"
        );
        let keys: Vec<&str> = event
            .as_object()
            .map(|members| members.keys().map(String::as_str).collect())
            .unwrap_or_default();
        assert_eq!(
            keys,
            [
                "version",
                "id",
                "detail-type",
                "source",
                "account",
                "time",
                "region",
                "resources",
                "detail"
            ]
        );
    }
    let time = event["time"].as_str().expect("a time");
    assert!(
        time.len() == 20 && time.ends_with('Z') && &time[10..11] == "T",
        "time in whole seconds, UTC: {time}"
    );
    let id = event["id"].as_str().expect("an id");
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let mut totals: Vec<i64> = all
        .iter()
        .map(|event| event["detail"]["total"].as_i64().unwrap_or_default())
        .collect();
    totals.sort_unstable();
    assert_eq!(totals, [50, 1200]);
}

/// A string inside quotes and a number outside them, which moto and AWS insert alike; a string
/// outside quotes is `engine_follows_aws::a_string_placeholder_outside_quotes_gets_its_quotes`.
async fn an_input_transformer_shapes_the_body(clients: &Clients) {
    create_bus(clients).await;
    let (url, arn) = queue(clients, "shaped").await;
    let transformer = InputTransformer::builder()
        .input_paths_map("id", "$.detail.order_id")
        .input_paths_map("total", "$.detail.total")
        .input_template(r#"{"order": "<id>", "total": <total>}"#)
        .build()
        .expect("a transformer");
    rule(
        clients,
        "shaped",
        &json!({"detail-type": ["OrderPlaced"]}),
        vec![
            Target::builder()
                .id("shaped")
                .arn(&arn)
                .input_transformer(transformer)
                .build()
                .expect("a target"),
        ],
    )
    .await;
    clients
        .events
        .put_events()
        .entries(order(1200))
        .send()
        .await
        .expect("PutEvents");
    let received = bodies(clients, &url, 1).await;
    assert_eq!(received, [json!({"order": "ORD-1200", "total": 1200})]);
}

async fn bad_entries_fail_one_by_one_with_eventbridge_codes(clients: &Clients) {
    let entry = |source: Option<&str>, detail_type: Option<&str>, detail: Option<&str>| {
        PutEventsRequestEntry::builder()
            .set_source(source.map(str::to_owned))
            .set_detail_type(detail_type.map(str::to_owned))
            .set_detail(detail.map(str::to_owned))
            .build()
    };
    let put = clients
        .events
        .put_events()
        .entries(entry(Some("shop"), Some("OrderPlaced"), Some("{}")))
        .entries(entry(None, Some("OrderPlaced"), Some("{}")))
        .entries(entry(Some("shop"), None, Some("{}")))
        .entries(entry(Some("shop"), Some("OrderPlaced"), None))
        .entries(entry(Some("shop"), Some("OrderPlaced"), Some("{not json")))
        .send()
        .await
        .expect("PutEvents answers per entry");
    assert_eq!(put.failed_entry_count(), 4);
    let answers: Vec<(Option<&str>, Option<&str>)> = put
        .entries()
        .iter()
        .map(|entry| (entry.error_code(), entry.error_message()))
        .collect();
    assert!(put.entries()[0].event_id().is_some());
    assert_eq!(
        answers[1..],
        [
            (
                Some("InvalidArgument"),
                Some("Parameter Source is not valid. Reason: Source is a required argument.")
            ),
            (
                Some("InvalidArgument"),
                Some(
                    "Parameter DetailType is not valid. Reason: DetailType is a required argument."
                )
            ),
            (
                Some("InvalidArgument"),
                Some("Parameter Detail is not valid. Reason: Detail is a required argument.")
            ),
            (Some("MalformedDetail"), Some("Detail is malformed.")),
        ]
    );
}

async fn more_than_ten_entries_are_refused(clients: &Clients) {
    let mut put = clients.events.put_events();
    for _ in 0..11 {
        put = put.entries(order(1));
    }
    let refused = put.send().await.expect_err("11 entries are refused");
    assert_eq!(refused.code(), Some("ValidationException"), "{refused:?}");
    assert!(
        refused.message().is_some_and(
            |message| message.contains("Member must have length less than or equal to 10")
        ),
        "{refused:?}"
    );
}

async fn buses_answer_eventbridge_errors(clients: &Clients) {
    create_bus(clients).await;
    let again = clients
        .events
        .create_event_bus()
        .name(BUS)
        .send()
        .await
        .expect_err("a bus name is taken once");
    assert_eq!(again.code(), Some("ResourceAlreadyExistsException"));
    assert_eq!(again.message(), Some("Event bus orders already exists."));
    let missing = clients
        .events
        .describe_event_bus()
        .name("nope")
        .send()
        .await
        .expect_err("no such bus");
    assert_eq!(missing.code(), Some("ResourceNotFoundException"));
    assert_eq!(missing.message(), Some("Event bus nope does not exist."));
    let default = clients
        .events
        .delete_event_bus()
        .name("default")
        .send()
        .await
        .expect_err("the default bus stays");
    assert_eq!(default.code(), Some("ValidationException"));
    assert_eq!(default.message(), Some("Cannot delete event bus default."));
    let listed = clients
        .events
        .list_event_buses()
        .send()
        .await
        .expect("ListEventBuses");
    let mut names: Vec<&str> = listed
        .event_buses()
        .iter()
        .filter_map(|bus| bus.name())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["default", "orders"]);
}

async fn rules_answer_eventbridge_errors(clients: &Clients) {
    create_bus(clients).await;
    let bad = clients
        .events
        .put_rule()
        .name("bad")
        .event_bus_name(BUS)
        .event_pattern(r#"{"detail-type": "OrderPlaced"}"#)
        .send()
        .await
        .expect_err("a leaf must be an array");
    assert_eq!(bad.code(), Some("InvalidEventPatternException"), "{bad:?}");
    assert!(
        bad.message()
            .is_some_and(|message| message.starts_with("Event pattern is not valid. Reason: ")),
        "{bad:?}"
    );

    let (_, arn) = queue(clients, "kept").await;
    rule(
        clients,
        "kept",
        &json!({"source": ["shop"]}),
        vec![target("kept", &arn)],
    )
    .await;
    let refused = clients
        .events
        .delete_rule()
        .name("kept")
        .event_bus_name(BUS)
        .send()
        .await
        .expect_err("a rule with targets stays");
    assert_eq!(refused.code(), Some("ValidationException"));
    assert_eq!(
        refused.message(),
        Some("Rule can't be deleted since it has targets.")
    );
    let targets = clients
        .events
        .list_targets_by_rule()
        .rule("kept")
        .event_bus_name(BUS)
        .send()
        .await
        .expect("ListTargetsByRule");
    assert_eq!(targets.targets().len(), 1);
    assert_eq!(targets.targets()[0].arn(), arn);
    clients
        .events
        .remove_targets()
        .rule("kept")
        .event_bus_name(BUS)
        .ids("kept")
        .send()
        .await
        .expect("RemoveTargets");
    clients
        .events
        .delete_rule()
        .name("kept")
        .event_bus_name(BUS)
        .send()
        .await
        .expect("DeleteRule once its targets are gone");
    let gone = clients
        .events
        .describe_rule()
        .name("kept")
        .event_bus_name(BUS)
        .send()
        .await
        .expect_err("the rule is gone");
    assert_eq!(gone.code(), Some("ResourceNotFoundException"));
}

/// What AWS answers where moto does not (`MOTO_DEVIATIONS.md`, "EventBridge"), and what only the
/// engine has (retries, dead letters, counters), against the engine.
mod engine_follows_aws {
    use ::engine::eventbridge::{BusSpec, RuleSpec, TargetSpec};
    use ::engine::{Engine, EngineConfig};

    use super::*;

    async fn engine(buses: Vec<BusSpec>) -> (Engine, Clients) {
        let engine = Engine::start(EngineConfig {
            buses,
            ..EngineConfig::default()
        })
        .await
        .expect("the engine starts");
        let clients = Clients::of(&engine.endpoint(), false).await;
        (engine, clients)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_string_placeholder_outside_quotes_gets_its_quotes() {
        let mut paths = BTreeMap::new();
        paths.insert("id".to_owned(), "$.detail.order_id".to_owned());
        paths.insert("total".to_owned(), "$.detail.total".to_owned());
        let (_engine, clients) = engine(spec(TargetSpec {
            input_transformer: Some((
                paths,
                r#"{"order": <id>, "total": <total>, "rule": <aws.events.rule-name>}"#.into(),
            )),
            ..to_queue("shaped")
        }))
        .await;
        let (url, _) = queue(&clients, "shaped").await;
        clients
            .events
            .put_events()
            .entries(order(1200))
            .send()
            .await
            .expect("PutEvents");
        assert_eq!(
            bodies(&clients, &url, 1).await,
            [json!({"order": "ORD-1200", "total": 1200, "rule": "high-value"})]
        );
    }

    fn spec(target: TargetSpec) -> Vec<BusSpec> {
        vec![BusSpec {
            name: BUS.into(),
            rules: vec![RuleSpec {
                name: "high-value".into(),
                pattern: json!({"detail": {"total": [{"numeric": [">=", 1000]}]}}).to_string(),
                targets: vec![target],
            }],
        }]
    }

    fn to_queue(queue: &str) -> TargetSpec {
        TargetSpec {
            id: queue.into(),
            queue: queue.into(),
            input_path: None,
            input_transformer: None,
            max_attempts: 185,
            max_age: Duration::from_secs(86_400),
            dead_letter_queue: None,
        }
    }

    fn stats(engine: &Engine) -> (u64, u64, u64) {
        let stats = engine.eventbridge().stats();
        let rule = stats
            .iter()
            .find(|rule| rule.rule == "high-value")
            .expect("the rule's counters");
        assert_eq!(rule.bus, BUS);
        (rule.matched, rule.delivered, rule.failed)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn configured_buses_route_with_an_input_path_and_count_per_rule() {
        let (engine, clients) = engine(spec(TargetSpec {
            input_path: Some("$.detail".into()),
            ..to_queue("high-value")
        }))
        .await;
        let (url, _) = queue(&clients, "high-value").await;
        let listed = clients
            .events
            .list_rules()
            .event_bus_name(BUS)
            .send()
            .await
            .expect("ListRules");
        assert_eq!(listed.rules().len(), 1);
        let put = clients
            .events
            .put_events()
            .entries(order(1200))
            .entries(order(10))
            .send()
            .await
            .expect("PutEvents");
        assert_eq!(put.failed_entry_count(), 0);
        assert_eq!(
            bodies(&clients, &url, 1).await,
            [json!({"order_id": "ORD-1200", "total": 1200})]
        );
        assert_eq!(stats(&engine), (1, 1, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_missing_queue_dead_letters_at_once_with_eventbridge_attributes() {
        let (engine, clients) = engine(spec(TargetSpec {
            dead_letter_queue: Some("events-dlq".into()),
            ..to_queue("never-created")
        }))
        .await;
        let (dlq, _) = queue(&clients, "events-dlq").await;
        clients
            .events
            .put_events()
            .entries(order(5000))
            .send()
            .await
            .expect("PutEvents");
        let received = clients
            .sqs
            .receive_message()
            .queue_url(&dlq)
            .message_attribute_names("All")
            .wait_time_seconds(2)
            .send()
            .await
            .expect("ReceiveMessage");
        let message = &received.messages()[0];
        let event: Value = serde_json::from_str(message.body().unwrap_or_default()).expect("JSON");
        assert_eq!(event["detail"]["total"], 5000, "the DLQ gets the event");
        let attributes: BTreeMap<&str, &str> = message
            .message_attributes()
            .into_iter()
            .flatten()
            .map(|(name, value)| (name.as_str(), value.string_value().unwrap_or_default()))
            .collect();
        assert_eq!(attributes["ERROR_CODE"], "RESOURCE_NOT_FOUND");
        assert_eq!(
            attributes["RULE_ARN"],
            "arn:aws:events:us-east-1:000000000000:rule/orders/high-value"
        );
        assert_eq!(
            attributes["TARGET_ARN"],
            "arn:aws:sqs:us-east-1:000000000000:never-created"
        );
        assert_eq!(attributes["RETRY_ATTEMPTS"], "0");
        assert!(attributes["ERROR_MESSAGE"].contains("never-created"));
        assert_eq!(stats(&engine), (1, 0, 1));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_sqs_outage_is_retried_until_the_attempts_run_out_then_dead_lettered() {
        let (engine, clients) = engine(spec(TargetSpec {
            max_attempts: 2,
            dead_letter_queue: Some("events-dlq".into()),
            ..to_queue("high-value")
        }))
        .await;
        let (url, _) = queue(&clients, "high-value").await;
        let (dlq, _) = queue(&clients, "events-dlq").await;
        engine.faults().set_down(::engine::sqs::NAME, true);
        clients
            .events
            .put_events()
            .entries(order(2000))
            .send()
            .await
            .expect("PutEvents (EventBridge is up)");
        // Two retries: about 0.2 s, then 0.4 s.
        let mut waited = Duration::ZERO;
        while stats(&engine).2 == 0 && waited < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += Duration::from_millis(100);
        }
        assert_eq!(stats(&engine), (1, 0, 1));
        engine.faults().set_down(::engine::sqs::NAME, false);
        let received = clients
            .sqs
            .receive_message()
            .queue_url(&dlq)
            .message_attribute_names("All")
            .wait_time_seconds(1)
            .send()
            .await
            .expect("ReceiveMessage");
        let attributes = received.messages()[0]
            .message_attributes()
            .cloned()
            .unwrap_or_default();
        let attribute = |name: &str| {
            attributes
                .get(name)
                .and_then(|value| value.string_value())
                .map(str::to_owned)
        };
        assert_eq!(attribute("RETRY_ATTEMPTS").as_deref(), Some("2"));
        assert_eq!(
            attribute("EXHAUSTED_RETRY_CONDITION").as_deref(),
            Some("MaximumRetryAttempts")
        );
        assert!(bodies(&clients, &url, 0).await.is_empty());

        // A short outage is ridden out by the retries.
        engine.faults().set_down(::engine::sqs::NAME, true);
        clients
            .events
            .put_events()
            .entries(order(3000))
            .send()
            .await
            .expect("PutEvents");
        tokio::time::sleep(Duration::from_millis(150)).await;
        engine.faults().set_down(::engine::sqs::NAME, false);
        let delivered = bodies(&clients, &url, 1).await;
        assert_eq!(delivered.len(), 1, "{delivered:?}");
        assert_eq!(stats(&engine), (2, 1, 1));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn test_event_pattern_answers_with_the_shared_matcher() {
        let (_engine, clients) = engine(Vec::new()).await;
        let event = json!({
            "id": "1", "account": "123456789012", "source": "shop", "time": "2026-01-01T00:00:00Z",
            "region": "us-east-1", "detail-type": "OrderPlaced", "resources": [],
            "detail": {"total": 1500}
        });
        let matches = |pattern: Value| {
            let clients = &clients;
            let event = event.to_string();
            async move {
                clients
                    .events
                    .test_event_pattern()
                    .event_pattern(pattern.to_string())
                    .event(event)
                    .send()
                    .await
                    .map(|answer| answer.result())
            }
        };
        assert_eq!(
            matches(json!({"detail": {"total": [{"numeric": [">", 1000]}]}}))
                .await
                .ok(),
            Some(true)
        );
        assert_eq!(
            matches(json!({"detail": {"total": [{"numeric": ["<", 1000]}]}}))
                .await
                .ok(),
            Some(false)
        );
        let refused = matches(json!({"detail": {"total": [{"numeric": ["~", 1]}]}}))
            .await
            .expect_err("an unknown comparison");
        assert_eq!(refused.code(), Some("InvalidEventPatternException"));
    }
}
