//! DynamoDB secondary indexes: a table created with a global and a local secondary index,
//! `Query` and `Scan` on `IndexName` with their projections and pages, and the index key types
//! items must keep. Run against the engine and moto by `conformance_dynamodb`'s macro.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, BillingMode, GlobalSecondaryIndex, KeyType, LocalSecondaryIndex, Projection,
    ProjectionType, ScalarAttributeType,
};

use ::engine::dynamodb::{IndexKind, IndexSpec, KeyAttribute, TableSpec};
use ::engine::{Engine, EngineConfig};
use tests::sdk_config_for;

use super::{assert_code, definition, item, key, n, refused, s};

fn projection(kind: ProjectionType, included: &[&str]) -> Projection {
    Projection::builder()
        .projection_type(kind)
        .set_non_key_attributes(
            (!included.is_empty())
                .then(|| included.iter().map(|name| (*name).to_owned()).collect()),
        )
        .build()
}

async fn create_with_indexes(client: &Client) {
    client
        .create_table()
        .table_name("orders")
        .billing_mode(BillingMode::PayPerRequest)
        .key_schema(key("customer", KeyType::Hash))
        .key_schema(key("id", KeyType::Range))
        .attribute_definitions(definition("customer", ScalarAttributeType::S))
        .attribute_definitions(definition("id", ScalarAttributeType::S))
        .attribute_definitions(definition("state", ScalarAttributeType::S))
        .attribute_definitions(definition("placed", ScalarAttributeType::N))
        .attribute_definitions(definition("total", ScalarAttributeType::N))
        .global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name("by-state")
                .key_schema(key("state", KeyType::Hash))
                .key_schema(key("placed", KeyType::Range))
                .projection(projection(ProjectionType::Include, &["total"]))
                .build()
                .expect("a global index"),
        )
        .local_secondary_indexes(
            LocalSecondaryIndex::builder()
                .index_name("by-total")
                .key_schema(key("customer", KeyType::Hash))
                .key_schema(key("total", KeyType::Range))
                .projection(projection(ProjectionType::KeysOnly, &[]))
                .build()
                .expect("a local index"),
        )
        .send()
        .await
        .expect("CreateTable with indexes");
}

fn order(
    customer: &str,
    id: &str,
    state: Option<&str>,
    placed: i64,
    total: i64,
) -> HashMap<String, AttributeValue> {
    let mut order = item(&[
        ("customer", s(customer)),
        ("id", s(id)),
        ("placed", n(placed)),
        ("total", n(total)),
        ("note", s("gift")),
    ]);
    if let Some(state) = state {
        order.insert("state".into(), s(state));
    }
    order
}

pub(super) async fn secondary_indexes_answer_query_and_scan(client: &Client) {
    create_with_indexes(client).await;
    let described = client
        .describe_table()
        .table_name("orders")
        .send()
        .await
        .expect("DescribeTable");
    let table = described.table().expect("a table");
    let global: Vec<Option<&str>> = table
        .global_secondary_indexes()
        .iter()
        .map(|index| index.index_name())
        .collect();
    assert_eq!(global, [Some("by-state")]);
    let local: Vec<Option<&str>> = table
        .local_secondary_indexes()
        .iter()
        .map(|index| index.index_name())
        .collect();
    assert_eq!(local, [Some("by-total")]);

    for order in [
        order("c-1", "o-1", Some("new"), 30, 15),
        order("c-1", "o-2", Some("paid"), 10, 40),
        order("c-2", "o-3", Some("new"), 20, 25),
        order("c-1", "o-4", None, 40, 5),
        order("c-2", "o-5", Some("new"), 50, 35),
    ] {
        client
            .put_item()
            .table_name("orders")
            .set_item(Some(order))
            .send()
            .await
            .expect("PutItem");
    }

    // The global index: one state, in `placed` order, a page at a time, with its projection.
    let query = |start: Option<HashMap<String, AttributeValue>>| {
        client
            .query()
            .table_name("orders")
            .index_name("by-state")
            .key_condition_expression("#s = :new AND placed > :after")
            .expression_attribute_names("#s", "state")
            .expression_attribute_values(":new", s("new"))
            .expression_attribute_values(":after", n(0))
            .limit(2)
            .set_exclusive_start_key(start)
            .send()
    };
    let first = query(None).await.expect("Query on the global index");
    assert_eq!(
        first.items(),
        [
            item(&[
                ("customer", s("c-2")),
                ("id", s("o-3")),
                ("state", s("new")),
                ("placed", n(20)),
                ("total", n(25))
            ]),
            item(&[
                ("customer", s("c-1")),
                ("id", s("o-1")),
                ("state", s("new")),
                ("placed", n(30)),
                ("total", n(15))
            ]),
        ]
    );
    let last = first.last_evaluated_key().expect("a second page").clone();
    assert_eq!(
        last,
        item(&[
            ("customer", s("c-1")),
            ("id", s("o-1")),
            ("state", s("new")),
            ("placed", n(30))
        ])
    );
    let second = query(Some(last)).await.expect("Query on the global index");
    let ids: Vec<&AttributeValue> = second.items().iter().map(|item| &item["id"]).collect();
    assert_eq!(ids, [&s("o-5")]);

    local_index_and_scan(client).await;
}

/// The local index, then a scan of the global one.
async fn local_index_and_scan(client: &Client) {
    // The local index: one customer by total, reversed, keys only.
    let by_total = client
        .query()
        .table_name("orders")
        .index_name("by-total")
        .key_condition_expression("customer = :c AND #t >= :least")
        .expression_attribute_names("#t", "total")
        .expression_attribute_values(":c", s("c-1"))
        .expression_attribute_values(":least", n(10))
        .scan_index_forward(false)
        .send()
        .await
        .expect("Query on the local index");
    assert_eq!(
        by_total.items(),
        [
            item(&[("customer", s("c-1")), ("id", s("o-2")), ("total", n(40))]),
            item(&[("customer", s("c-1")), ("id", s("o-1")), ("total", n(15))]),
        ]
    );

    // A scan of the global index sees only the items that have its keys.
    let scanned = client
        .scan()
        .table_name("orders")
        .index_name("by-state")
        .send()
        .await
        .expect("Scan on the global index");
    let mut ids: Vec<&AttributeValue> = scanned.items().iter().map(|item| &item["id"]).collect();
    ids.sort_by_key(|id| id.as_s().expect("a string").clone());
    assert_eq!(ids, [&s("o-1"), &s("o-2"), &s("o-3"), &s("o-5")]);

    // (An unknown `IndexName`, and an item whose index key has another type: moto 5.2 answers
    // ResourceNotFoundException for the first and accepts the second; AWS answers
    // ValidationException for both, as `configured_indexes_refuse_unknown_names_and_key_types`
    // checks on the engine.)
}

/// Indexes given at start through `TableSpec`; what moto answers differently (see above).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_indexes_refuse_unknown_names_and_key_types() {
    let attribute = |name: &str, kind: &str| KeyAttribute {
        name: name.into(),
        kind: kind.into(),
    };
    let engine = Engine::start(EngineConfig {
        tables: vec![TableSpec {
            name: "orders".into(),
            partition: attribute("customer", "S"),
            sort: Some(attribute("id", "S")),
            ttl_attribute: None,
            indexes: vec![IndexSpec {
                name: "by-state".into(),
                kind: IndexKind::Global,
                partition: attribute("state", "S"),
                sort: None,
                projection: ::engine::dynamodb::Projection::KeysOnly,
            }],
        }],
        ..EngineConfig::default()
    })
    .await
    .expect("the engine starts");
    let client = Client::new(&sdk_config_for(&engine.endpoint()).await);
    client
        .put_item()
        .table_name("orders")
        .set_item(Some(order("c-1", "o-1", Some("new"), 1, 2)))
        .send()
        .await
        .expect("PutItem");
    let found = client
        .query()
        .table_name("orders")
        .index_name("by-state")
        .key_condition_expression("#s = :new")
        .expression_attribute_names("#s", "state")
        .expression_attribute_values(":new", s("new"))
        .send()
        .await
        .expect("Query on the configured index");
    assert_eq!(
        found.items(),
        [item(&[
            ("customer", s("c-1")),
            ("id", s("o-1")),
            ("state", s("new"))
        ])]
    );
    assert_eq!(
        refused(
            client
                .query()
                .table_name("orders")
                .index_name("by-nothing")
                .key_condition_expression("customer = :c")
                .expression_attribute_values(":c", s("c-1"))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
    let error = client
        .put_item()
        .table_name("orders")
        .set_item(Some(item(&[
            ("customer", s("c-3")),
            ("id", s("o-6")),
            ("state", n(1)),
        ])))
        .send()
        .await
        .expect_err("the index key `state` is a string");
    assert_code(&error.into_service_error(), "ValidationException");
}
