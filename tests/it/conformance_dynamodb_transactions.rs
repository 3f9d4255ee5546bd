//! DynamoDB transactions: `TransactWriteItems` applies every action or none and answers
//! `TransactionCanceledException` with one reason per action; `TransactGetItems` reads items of
//! several tables at once. Run against the engine and moto by `conformance_dynamodb`'s macro.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    ConditionCheck, Delete, Get, Put, ReturnValuesOnConditionCheckFailure, TransactGetItem,
    TransactWriteItem, Update,
};

use super::{create_table, item, n, refused, s};

fn put(table: &str, pk: &str, condition: Option<&str>) -> TransactWriteItem {
    TransactWriteItem::builder()
        .put(
            Put::builder()
                .table_name(table)
                .item("pk", s(pk))
                .set_condition_expression(condition.map(str::to_owned))
                .build()
                .expect("a put"),
        )
        .build()
}

fn take_stock(needed: i64) -> TransactWriteItem {
    TransactWriteItem::builder()
        .update(
            Update::builder()
                .table_name("stock")
                .key("pk", s("s-1"))
                .update_expression("SET units = units - :needed")
                .condition_expression("units >= :needed")
                .expression_attribute_values(":needed", n(needed))
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build()
                .expect("an update"),
        )
        .build()
}

fn get(table: &str, pk: &str) -> TransactGetItem {
    TransactGetItem::builder()
        .get(
            Get::builder()
                .table_name(table)
                .key("pk", s(pk))
                .build()
                .expect("a get"),
        )
        .build()
}

pub(super) async fn transactions_apply_every_action_or_none(client: &Client) {
    create_table(client, "orders", false).await;
    create_table(client, "stock", false).await;
    for (table, values) in [
        ("stock", item(&[("pk", s("s-1")), ("units", n(5))])),
        ("orders", item(&[("pk", s("o-0"))])),
    ] {
        client
            .put_item()
            .table_name(table)
            .set_item(Some(values))
            .send()
            .await
            .expect("PutItem");
    }
    client
        .transact_write_items()
        .transact_items(put("orders", "o-1", Some("attribute_not_exists(pk)")))
        .transact_items(take_stock(2))
        .transact_items(
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name("orders")
                        .key("pk", s("o-0"))
                        .condition_expression("attribute_exists(pk)")
                        .build()
                        .expect("a condition check"),
                )
                .build(),
        )
        .transact_items(
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name("orders")
                        .key("pk", s("o-9"))
                        .build()
                        .expect("a delete"),
                )
                .build(),
        )
        .send()
        .await
        .expect("every condition holds");

    // A failed condition cancels the whole transaction: the put before it is not applied.
    let error = client
        .transact_write_items()
        .transact_items(put("orders", "o-2", None))
        .transact_items(take_stock(10))
        .send()
        .await
        .expect_err("3 units left, 10 needed");
    let TransactWriteItemsError::TransactionCanceledException(cancelled) =
        error.into_service_error()
    else {
        panic!("not TransactionCanceledException");
    };
    let reasons: Vec<(Option<&str>, Option<&str>)> = cancelled
        .cancellation_reasons()
        .iter()
        .map(|reason| (reason.code(), reason.message()))
        .collect();
    assert_eq!(
        reasons,
        [
            (Some("None"), None),
            (
                Some("ConditionalCheckFailed"),
                Some("The conditional request failed")
            ),
        ]
    );
    assert_eq!(
        cancelled.cancellation_reasons()[1].item(),
        Some(&item(&[("pk", s("s-1")), ("units", n(3))]))
    );
    assert!(
        cancelled
            .message()
            .is_some_and(|message| message.contains("[None, ConditionalCheckFailed]")),
        "{cancelled:?}"
    );

    read_and_refuse_one_item_twice(client).await;
}

/// What the transactions left, read at once; two actions on one item.
async fn read_and_refuse_one_item_twice(client: &Client) {
    let read = client
        .transact_get_items()
        .transact_items(get("orders", "o-1"))
        .transact_items(get("stock", "s-1"))
        .transact_items(get("orders", "o-2"))
        .send()
        .await
        .expect("TransactGetItems");
    let items: Vec<_> = read
        .responses()
        .iter()
        .map(|response| response.item().cloned())
        .collect();
    assert_eq!(
        items,
        [
            Some(item(&[("pk", s("o-1"))])),
            Some(item(&[("pk", s("s-1")), ("units", n(3))])),
            None,
        ]
    );

    // Two actions on one item are refused before anything runs.
    assert_eq!(
        refused(
            client
                .transact_write_items()
                .transact_items(put("orders", "o-3", None))
                .transact_items(put("orders", "o-3", None))
                .send()
        )
        .await
        .0,
        "ValidationException"
    );
}
