//! DynamoDB's checks of expression substitutions (every `#name` and `:value` defined and used,
//! none without an expression), `size()` in conditions and filters, and `UpdateTable` (billing
//! mode, capacity, one global secondary index created or deleted). Run against the engine and
//! moto by `conformance_dynamodb`'s macro; what moto answers otherwise is in the engine-only tests
//! below and in `tests/conformance/MOTO_DEVIATIONS.md`.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, CreateGlobalSecondaryIndexAction,
    DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate, KeyType, Projection,
    ProjectionType, ProvisionedThroughput, ScalarAttributeType, StreamSpecification,
    StreamViewType,
};

use super::{create_table, definition, get, item, key, n, put_items, refused, s, update};

#[track_caller]
fn validation((code, said): (String, String), message: &str) {
    assert_eq!(
        (code.as_str(), said.as_str()),
        ("ValidationException", message)
    );
}

/// AWS's messages for an unused value or name and an undefined value (naming the parameter)
/// in `UpdateItem`; nothing is written.
pub(super) async fn expression_substitutions_are_defined_and_used(client: &Client) {
    create_table(client, "orders", false).await;
    validation(
        refused(
            update(client, "orders", "o-1")
                .update_expression("SET amount = :a")
                .expression_attribute_values(":a", n(1))
                .expression_attribute_values(":v", s("unused"))
                .send(),
        )
        .await,
        "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}",
    );
    validation(
        refused(
            update(client, "orders", "o-1")
                .update_expression("SET #s = :s")
                .expression_attribute_names("#s", "state")
                .expression_attribute_names("#unused", "note")
                .expression_attribute_values(":s", s("new"))
                .send(),
        )
        .await,
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}",
    );
    validation(
        refused(
            update(client, "orders", "o-1")
                .update_expression("SET amount = :missing")
                .send(),
        )
        .await,
        "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing",
    );
    // Nothing was written by any of them.
    assert_eq!(get(client, "orders", item(&[("pk", s("o-1"))])).await, None);
}

/// `size()` of a list in a condition and in a scan's filter.
pub(super) async fn size_in_conditions_and_filters(client: &Client) {
    create_table(client, "orders", false).await;
    let lines = |count: i64| AttributeValue::L((0..count).map(n).collect());
    put_items(
        client,
        "orders",
        [("o-1", 1), ("o-2", 3), ("o-3", 5)].map(|(pk, count)| {
            item(&[
                ("pk", s(pk)),
                ("entries", lines(count)),
                (
                    "note",
                    s(&"x".repeat(usize::try_from(count).expect("small"))),
                ),
            ])
        }),
    )
    .await;
    update(client, "orders", "o-2")
        .update_expression("SET entries = list_append(entries, :more)")
        .condition_expression("size(entries) < :max")
        .expression_attribute_values(":more", lines(1))
        .expression_attribute_values(":max", n(4))
        .send()
        .await
        .expect("3 entries are fewer than 4");
    assert_eq!(
        refused(
            update(client, "orders", "o-2")
                .update_expression("SET entries = list_append(entries, :more)")
                .condition_expression("size(entries) < :max")
                .expression_attribute_values(":more", lines(1))
                .expression_attribute_values(":max", n(4))
                .send()
        )
        .await
        .0,
        "ConditionalCheckFailedException"
    );
    let scanned = client
        .scan()
        .table_name("orders")
        .filter_expression("size(entries) >= :three AND size(note) <= size(entries)")
        .expression_attribute_values(":three", n(3))
        .send()
        .await
        .expect("Scan");
    let mut found: Vec<&str> = scanned
        .items()
        .iter()
        .map(|item| item["pk"].as_s().expect("a string").as_str())
        .collect();
    found.sort_unstable();
    assert_eq!(found, ["o-2", "o-3"]);
}

fn throughput(read: i64, write: i64) -> ProvisionedThroughput {
    ProvisionedThroughput::builder()
        .read_capacity_units(read)
        .write_capacity_units(write)
        .build()
        .expect("a throughput")
}

async fn billing_of(client: &Client, table: &str) -> (Option<BillingMode>, i64, i64) {
    let described = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("DescribeTable");
    let table = described.table().expect("a table");
    let capacity = table.provisioned_throughput().expect("a throughput");
    (
        table
            .billing_mode_summary()
            .and_then(|summary| summary.billing_mode())
            .cloned(),
        capacity.read_capacity_units().unwrap_or(0),
        capacity.write_capacity_units().unwrap_or(0),
    )
}

async fn global_indexes(client: &Client, table: &str) -> Vec<String> {
    let described = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .expect("DescribeTable");
    described
        .table()
        .expect("a table")
        .global_secondary_indexes()
        .iter()
        .filter_map(|index| index.index_name().map(str::to_owned))
        .collect()
}

/// `UpdateTable`: to provisioned capacity and back; a global secondary index created (over the
/// items already there) and deleted.
pub(super) async fn update_table_changes_billing_and_indexes(client: &Client) {
    create_table(client, "orders", false).await;
    client
        .update_table()
        .table_name("orders")
        .billing_mode(BillingMode::Provisioned)
        .provisioned_throughput(throughput(5, 2))
        .send()
        .await
        .expect("to provisioned");
    assert_eq!(
        billing_of(client, "orders").await,
        (Some(BillingMode::Provisioned), 5, 2)
    );
    client
        .update_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("back to on-demand");
    assert_eq!(
        billing_of(client, "orders").await.0,
        Some(BillingMode::PayPerRequest)
    );

    put_items(
        client,
        "orders",
        [("o-1", "new"), ("o-2", "paid"), ("o-3", "new")]
            .map(|(pk, state)| item(&[("pk", s(pk)), ("state", s(state))])),
    )
    .await;
    client
        .update_table()
        .table_name("orders")
        .attribute_definitions(definition("state", ScalarAttributeType::S))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .create(
                    CreateGlobalSecondaryIndexAction::builder()
                        .index_name("by-state")
                        .key_schema(key("state", KeyType::Hash))
                        .projection(
                            Projection::builder()
                                .projection_type(ProjectionType::KeysOnly)
                                .build(),
                        )
                        .build()
                        .expect("an index to create"),
                )
                .build(),
        )
        .send()
        .await
        .expect("create an index");
    assert_eq!(global_indexes(client, "orders").await, ["by-state"]);
    let fresh = client
        .query()
        .table_name("orders")
        .index_name("by-state")
        .key_condition_expression("#s = :new")
        .expression_attribute_names("#s", "state")
        .expression_attribute_values(":new", s("new"))
        .send()
        .await
        .expect("Query on the new index");
    assert_eq!(fresh.count(), 2, "the index holds the items already there");
    client
        .update_table()
        .table_name("orders")
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder()
                .delete(
                    DeleteGlobalSecondaryIndexAction::builder()
                        .index_name("by-state")
                        .build()
                        .expect("an index to delete"),
                )
                .build(),
        )
        .send()
        .await
        .expect("delete the index");
    assert!(global_indexes(client, "orders").await.is_empty());
}

/// Where moto answers otherwise (`MOTO_DEVIATIONS.md`: substitutions, `UpdateTable`,
/// `ClientRequestToken`), and what the engine cannot do (streams), on the engine alone.
mod engine_follows_aws {
    use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
    use tests::Backend;

    use super::*;

    async fn engine() -> (Backend, Client) {
        let backend = Backend::engine().await;
        let client = super::super::client(&backend).await;
        create_table(&client, "orders", false).await;
        (backend, client)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn substitutions_without_an_expression_are_refused() {
        let (_engine, client) = engine().await;
        let put = || client.put_item().table_name("orders").item("pk", s("o-1"));
        validation(
            refused(
                put()
                    .condition_expression("attribute_not_exists(pk)")
                    .expression_attribute_values(":v", s("unused"))
                    .send(),
            )
            .await,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}",
        );
        validation(
            refused(
                put()
                    .condition_expression("attribute_not_exists(#n)")
                    .send(),
            )
            .await,
            "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #n",
        );
        validation(
            refused(
                client
                    .scan()
                    .table_name("orders")
                    .expression_attribute_values(":v", s("x"))
                    .send(),
            )
            .await,
            "ExpressionAttributeValues can only be specified when using expressions",
        );
        validation(
            refused(
                client
                    .query()
                    .table_name("orders")
                    .key_condition_expression("pk = :a")
                    .filter_expression("size(note) > :a")
                    .expression_attribute_values(":a", s("o-1"))
                    .expression_attribute_values(":b", n(1))
                    .expression_attribute_values(":c", n(2))
                    .send(),
            )
            .await,
            "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b, :c}",
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn streams_are_refused_and_protected_tables_are_kept() {
        let (_engine, client) = engine().await;
        validation(
            refused(
                client
                    .update_table()
                    .table_name("orders")
                    .provisioned_throughput(throughput(1, 1))
                    .send(),
            )
            .await,
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        );
        assert_eq!(
            refused(client.update_table().table_name("orders").send())
                .await
                .0,
            "ValidationException"
        );
        let (code, message) = refused(
            client
                .update_table()
                .table_name("orders")
                .stream_specification(
                    StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(StreamViewType::NewImage)
                        .build()
                        .expect("a stream specification"),
                )
                .send(),
        )
        .await;
        assert_eq!(code, "ValidationException");
        assert!(message.contains("no DynamoDB Streams"), "{message}");
        client
            .update_table()
            .table_name("orders")
            .deletion_protection_enabled(true)
            .send()
            .await
            .expect("protect");
        validation(
            refused(client.delete_table().table_name("orders").send()).await,
            "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
        );
        assert_eq!(
            refused(
                client
                    .update_table()
                    .table_name("orders")
                    .global_secondary_index_updates(
                        GlobalSecondaryIndexUpdate::builder()
                            .delete(
                                DeleteGlobalSecondaryIndexAction::builder()
                                    .index_name("absent")
                                    .build()
                                    .expect("an index to delete"),
                            )
                            .build(),
                    )
                    .send()
            )
            .await
            .0,
            "ResourceNotFoundException"
        );
    }

    fn add_one(pk: &str) -> TransactWriteItem {
        TransactWriteItem::builder()
            .update(
                Update::builder()
                    .table_name("orders")
                    .key("pk", s(pk))
                    .update_expression("ADD visits :one")
                    .expression_attribute_values(":one", n(1))
                    .build()
                    .expect("an update"),
            )
            .build()
    }

    /// The same transaction under the same token is applied once; another one under that token
    /// is refused.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_client_request_token_applies_a_transaction_once() {
        let (_engine, client) = engine().await;
        for _ in 0..2 {
            client
                .transact_write_items()
                .client_request_token("order-o-1-visit")
                .transact_items(add_one("o-1"))
                .send()
                .await
                .expect("TransactWriteItems");
        }
        let got = get(&client, "orders", item(&[("pk", s("o-1"))])).await;
        assert_eq!(got.expect("the item")["visits"], n(1));
        assert_eq!(
            refused(
                client
                    .transact_write_items()
                    .client_request_token("order-o-1-visit")
                    .transact_items(add_one("o-2"))
                    .send()
            )
            .await
            .0,
            "IdempotentParameterMismatchException"
        );
    }
}
