//! The DynamoDB conformance suite: each scenario is written once against
//! `aws_sdk_dynamodb::Client` and runs against both the local engine and moto, asserting the
//! answers AWS documents; where moto differs from AWS the scenario says so and the engine
//! follows AWS (`tests/conformance/MOTO_DEVIATIONS.md`).

use std::collections::HashMap;

use ::engine::{Engine, EngineConfig};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::ProvideErrorMetadata as _;
use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, KeyType, PutRequest, ReturnValue, ScalarAttributeType,
    WriteRequest,
};
use tests::dynamodb::{
    create_table, definition, engine_table, get, item, key, n, put_items, refused, s, update,
};
use tests::{Backend, sdk_config_for};

async fn client(backend: &Backend) -> Client {
    Client::new(&sdk_config_for(&backend.endpoint()).await)
}

tests::conformance!(
    tables_are_created_described_listed_and_deleted,
    items_round_trip_and_deletes_return_the_old_item,
    conditional_writes_fail_with_conditional_check_failed,
    update_expressions_set_remove_and_add,
    query_with_sort_conditions_pages_and_direction,
    missing_tables_and_wrong_keys_are_refused,
    items_past_400_kb_are_refused,
    batches_write_and_get,
    nested_paths_in_conditions_updates_and_projections,
    transactions_apply_every_action_or_none,
    time_to_live_is_turned_on_described_and_off,
    secondary_indexes_answer_query_and_scan,
    expression_substitutions_are_defined_and_used,
    size_in_conditions_and_filters,
    update_table_changes_billing_and_indexes,
);

#[path = "conformance_dynamodb_documents.rs"]
mod documents;
use documents::nested_paths_in_conditions_updates_and_projections;
#[path = "conformance_dynamodb_transactions.rs"]
mod transactions;
use transactions::transactions_apply_every_action_or_none;
#[path = "conformance_dynamodb_ttl.rs"]
mod ttl;
use ttl::time_to_live_is_turned_on_described_and_off;
#[path = "conformance_dynamodb_indexes.rs"]
mod indexes;
use indexes::secondary_indexes_answer_query_and_scan;
#[path = "conformance_dynamodb_expressions.rs"]
mod expressions;
use expressions::{
    expression_substitutions_are_defined_and_used, size_in_conditions_and_filters,
    update_table_changes_billing_and_indexes,
};

#[track_caller]
fn assert_code<E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::fmt::Debug>(
    error: &E,
    code: &str,
) {
    assert_eq!(error.code(), Some(code), "{error:?}");
}

async fn tables_are_created_described_listed_and_deleted(client: &Client) {
    create_table(client, "orders", true).await;
    create_table(client, "customers", false).await;
    assert_eq!(
        refused(
            client
                .create_table()
                .table_name("orders")
                .billing_mode(BillingMode::PayPerRequest)
                .key_schema(key("pk", KeyType::Hash))
                .attribute_definitions(definition("pk", ScalarAttributeType::S))
                .send()
        )
        .await
        .0,
        "ResourceInUseException"
    );
    let described = client
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .expect("DescribeTable");
    let table = described.table().expect("a table");
    assert_eq!(table.table_name(), Some("orders"));
    let schema: Vec<(&str, &KeyType)> = table
        .key_schema()
        .iter()
        .map(|key| (key.attribute_name(), key.key_type()))
        .collect();
    assert_eq!(schema, [("pk", &KeyType::Hash), ("sk", &KeyType::Range)]);
    // One table a page; AWS lists names in order, moto in creation order: compare the union.
    let first = client
        .list_tables()
        .limit(1)
        .send()
        .await
        .expect("ListTables");
    assert_eq!(first.table_names().len(), 1);
    let start = first
        .last_evaluated_table_name()
        .expect("a second page")
        .to_owned();
    let rest = client
        .list_tables()
        .exclusive_start_table_name(&start)
        .send()
        .await
        .expect("ListTables");
    assert_eq!(rest.last_evaluated_table_name(), None);
    let mut names = [first.table_names(), rest.table_names()].concat();
    names.sort_unstable();
    assert_eq!(names, ["customers", "orders"]);
    client
        .delete_table()
        .table_name("orders")
        .send()
        .await
        .expect("DeleteTable");
    assert_eq!(
        refused(client.describe_table().table_name("orders").send())
            .await
            .0,
        "ResourceNotFoundException"
    );
}

async fn items_round_trip_and_deletes_return_the_old_item(client: &Client) {
    create_table(client, "orders", false).await;
    let order = item(&[
        ("pk", s("o-1")),
        ("total", n(42)),
        ("paid", AttributeValue::Bool(true)),
        ("lines", AttributeValue::L(vec![s("a"), s("b")])),
        ("tags", AttributeValue::Ss(vec!["x".into()])),
        ("meta", AttributeValue::M(item(&[("source", s("web"))]))),
        ("note", AttributeValue::Null(true)),
    ]);
    let first = client
        .put_item()
        .table_name("orders")
        .set_item(Some(order.clone()))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("PutItem");
    assert_eq!(first.attributes(), None, "no old item");
    let key_of_order = item(&[("pk", s("o-1"))]);
    assert_eq!(
        get(client, "orders", key_of_order.clone()).await,
        Some(order.clone())
    );
    let projected = client
        .get_item()
        .table_name("orders")
        .key("pk", s("o-1"))
        .projection_expression("#t, paid")
        .expression_attribute_names("#t", "total")
        .send()
        .await
        .expect("GetItem");
    assert_eq!(
        projected.item(),
        Some(&item(&[
            ("total", n(42)),
            ("paid", AttributeValue::Bool(true))
        ]))
    );
    let replaced = client
        .put_item()
        .table_name("orders")
        .set_item(Some(item(&[("pk", s("o-1")), ("total", n(7))])))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("PutItem");
    assert_eq!(replaced.attributes(), Some(&order));
    let deleted = client
        .delete_item()
        .table_name("orders")
        .key("pk", s("o-1"))
        .return_values(ReturnValue::AllOld)
        .send()
        .await
        .expect("DeleteItem");
    assert_eq!(
        deleted.attributes(),
        Some(&item(&[("pk", s("o-1")), ("total", n(7))]))
    );
    assert_eq!(get(client, "orders", key_of_order).await, None);
}

async fn conditional_writes_fail_with_conditional_check_failed(client: &Client) {
    create_table(client, "orders", false).await;
    let put = || {
        client
            .put_item()
            .table_name("orders")
            .item("pk", s("o-1"))
            .item("status", s("new"))
            .condition_expression("attribute_not_exists(pk)")
    };
    put().send().await.expect("the first put");
    let error = put().send().await.expect_err("the item exists");
    assert_code(
        &error.into_service_error(),
        "ConditionalCheckFailedException",
    );
    let pay = |expected: &str| {
        update(client, "orders", "o-1")
            .update_expression("SET #s = :next")
            .condition_expression("#s = :expected AND attribute_exists(pk)")
            .expression_attribute_names("#s", "status")
            .expression_attribute_values(":next", s("paid"))
            .expression_attribute_values(":expected", s(expected))
    };
    let error = pay("paid").send().await.expect_err("status is new");
    assert_code(
        &error.into_service_error(),
        "ConditionalCheckFailedException",
    );
    pay("new").send().await.expect("status was new");
    assert_eq!(
        refused(
            client
                .delete_item()
                .table_name("orders")
                .key("pk", s("o-1"))
                .condition_expression("NOT (#s IN (:a, :b)) OR begins_with(#s, :c)")
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":a", s("paid"))
                .expression_attribute_values(":b", s("shipped"))
                .expression_attribute_values(":c", s("x"))
                .send()
        )
        .await
        .0,
        "ConditionalCheckFailedException"
    );
    assert_eq!(
        refused(
            update(client, "orders", "o-2")
                .update_expression("SET #s = :s")
                .condition_expression("attribute_exists(pk)")
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":s", s("new"))
                .send()
        )
        .await
        .0,
        "ConditionalCheckFailedException"
    );
    client
        .delete_item()
        .table_name("orders")
        .key("pk", s("o-1"))
        .condition_expression("#s <> :a")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":a", s("new"))
        .send()
        .await
        .expect("status is paid");
}

async fn update_expressions_set_remove_and_add(client: &Client) {
    create_table(client, "orders", false).await;
    let created = update(client, "orders", "o-1")
        .update_expression("SET #t = :t, note = :note ADD seen :one")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":t", n(10))
        .expression_attribute_values(":note", s("first"))
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .expect("UpdateItem creates the item");
    assert_eq!(
        created.attributes(),
        Some(&item(&[
            ("pk", s("o-1")),
            ("total", n(10)),
            ("note", s("first")),
            ("seen", n(1)),
        ]))
    );
    let updated = update(client, "orders", "o-1")
        .update_expression(
            "SET #t = #t + :five, tries = if_not_exists(tries, :zero) REMOVE note ADD seen :one",
        )
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":five", n(5))
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .expect("UpdateItem");
    assert_eq!(
        updated.attributes(),
        Some(&item(&[("total", n(15)), ("tries", n(0)), ("seen", n(2))]))
    );
    let old = update(client, "orders", "o-1")
        .update_expression("SET #t = :t")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":t", n(1))
        .return_values(ReturnValue::UpdatedOld)
        .send()
        .await
        .expect("UpdateItem");
    assert_eq!(old.attributes(), Some(&item(&[("total", n(15))])));
    assert_eq!(
        refused(
            update(client, "orders", "o-1")
                .update_expression("SET pk = :t")
                .expression_attribute_values(":t", s("other"))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
}

async fn query_with_sort_conditions_pages_and_direction(client: &Client) {
    create_table(client, "lines", true).await;
    put_items(
        client,
        "lines",
        [("a", 1), ("a", 2), ("a", 3), ("a", 10), ("b", 1)]
            .map(|(pk, sk)| item(&[("pk", s(pk)), ("sk", n(sk))])),
    )
    .await;
    let sorts = |items: &[HashMap<String, AttributeValue>]| -> Vec<String> {
        items
            .iter()
            .map(|item| item["sk"].as_n().expect("a number").clone())
            .collect()
    };
    for (condition, expected) in [
        ("pk = :p", vec!["1", "2", "3", "10"]),
        ("pk = :p AND sk = :x", vec!["2"]),
        ("pk = :p AND sk < :x", vec!["1"]),
        ("pk = :p AND sk <= :x", vec!["1", "2"]),
        ("pk = :p AND sk > :x", vec!["3", "10"]),
        ("pk = :p AND sk >= :x", vec!["2", "3", "10"]),
        ("pk = :p AND sk BETWEEN :x AND :y", vec!["2", "3", "10"]),
    ] {
        let mut request = client
            .query()
            .table_name("lines")
            .key_condition_expression(condition)
            .expression_attribute_values(":p", s("a"));
        if condition.contains(":x") {
            request = request.expression_attribute_values(":x", n(2));
        }
        if condition.contains(":y") {
            request = request.expression_attribute_values(":y", n(10));
        }
        let answer = request.send().await.expect(condition);
        assert_eq!(sorts(answer.items()), expected, "{condition}");
    }
    let mut pages = Vec::new();
    let mut start = None;
    loop {
        let answer = client
            .query()
            .table_name("lines")
            .key_condition_expression("pk = :p")
            .expression_attribute_values(":p", s("a"))
            .scan_index_forward(false)
            .limit(3)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .expect("Query");
        pages.push(sorts(answer.items()));
        match answer.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    assert_eq!(pages, [vec!["10", "3", "2"], vec!["1"]]);
    assert_eq!(
        refused(
            client
                .query()
                .table_name("lines")
                .key_condition_expression("sk = :x")
                .expression_attribute_values(":x", n(1))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
}

async fn missing_tables_and_wrong_keys_are_refused(client: &Client) {
    assert_eq!(
        refused(
            client
                .get_item()
                .table_name("nothing")
                .key("pk", s("a"))
                .send()
        )
        .await
        .0,
        "ResourceNotFoundException"
    );
    create_table(client, "orders", false).await;
    let error = client
        .get_item()
        .table_name("orders")
        .key("id", s("a"))
        .send()
        .await
        .expect_err("not the key");
    let error = error.into_service_error();
    assert_code(&error, "ValidationException");
    assert_eq!(
        error.message(),
        Some("The provided key element does not match the schema")
    );
    assert_eq!(
        refused(
            client
                .put_item()
                .table_name("orders")
                .item("pk", n(1))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
    assert_eq!(
        refused(
            client
                .put_item()
                .table_name("orders")
                .item("other", s("a"))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
}

async fn items_past_400_kb_are_refused(client: &Client) {
    create_table(client, "orders", false).await;
    client
        .put_item()
        .table_name("orders")
        .item("pk", s("fits"))
        .item("body", s(&"x".repeat(390 * 1024)))
        .send()
        .await
        .expect("under 400 KB");
    let error = client
        .put_item()
        .table_name("orders")
        .item("pk", s("big"))
        .item("body", s(&"x".repeat(401 * 1024)))
        .send()
        .await
        .expect_err("past 400 KB");
    let error = error.into_service_error();
    assert_code(&error, "ValidationException");
    assert_eq!(
        error.message(),
        Some("Item size has exceeded the maximum allowed size")
    );
}

async fn batches_write_and_get(client: &Client) {
    create_table(client, "orders", false).await;
    let writes: Vec<WriteRequest> = (0..5)
        .map(|index| {
            WriteRequest::builder()
                .put_request(
                    PutRequest::builder()
                        .item("pk", s(&format!("o-{index}")))
                        .item("total", n(index))
                        .build()
                        .expect("a put request"),
                )
                .build()
        })
        .collect();
    let written = client
        .batch_write_item()
        .request_items("orders", writes)
        .send()
        .await
        .expect("BatchWriteItem");
    assert!(written.unprocessed_items().is_none_or(HashMap::is_empty));
    let keys = aws_sdk_dynamodb::types::KeysAndAttributes::builder()
        .keys(item(&[("pk", s("o-1"))]))
        .keys(item(&[("pk", s("o-3"))]))
        .keys(item(&[("pk", s("missing"))]))
        .build()
        .expect("keys");
    let got = client
        .batch_get_item()
        .request_items("orders", keys)
        .send()
        .await
        .expect("BatchGetItem");
    let mut totals: Vec<&str> = got.responses().expect("responses")["orders"]
        .iter()
        .map(|item| item["total"].as_n().expect("a number").as_str())
        .collect();
    totals.sort_unstable();
    assert_eq!(totals, ["1", "3"]);
}

/// Tables given at start exist at once, and item bytes count in the engine's budget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_tables_exist_and_items_count_in_the_budget() {
    let engine = Engine::start(EngineConfig {
        tables: vec![engine_table("orders", Some("expires_at"))],
        limits: ::engine::Limits {
            max_stored_bytes: 1000,
            ..::engine::Limits::default()
        },
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let client = Client::new(&sdk_config_for(&engine.endpoint()).await);
    let ttl = client
        .describe_time_to_live()
        .table_name("orders")
        .send()
        .await
        .expect("DescribeTimeToLive");
    let ttl = ttl.time_to_live_description().expect("a description");
    assert_eq!(
        ttl.time_to_live_status(),
        Some(&aws_sdk_dynamodb::types::TimeToLiveStatus::Enabled)
    );
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(engine.dynamodb().item_count("orders"), Some(0));
    let body = item(&[("pk", s("a")), ("body", s(&"x".repeat(600)))]);
    put_items(&client, "orders", [body]).await;
    assert_eq!(
        refused(
            client
                .put_item()
                .table_name("orders")
                .item("pk", s("b"))
                .item("body", s(&"x".repeat(600)))
                .send()
        )
        .await
        .0,
        "ProvisionedThroughputExceededException"
    );
    client
        .delete_item()
        .table_name("orders")
        .key("pk", s("a"))
        .send()
        .await
        .expect("DeleteItem");
    let body = item(&[("pk", s("b")), ("body", s(&"x".repeat(600)))]);
    put_items(&client, "orders", [body]).await;
}
