//! `TransactWriteItems` and `TransactGetItems`: all-or-nothing writes over items of any tables,
//! and reads of a consistent snapshot (the registry's lock makes both atomic).
//!
//! A write transaction checks every condition against the items as they are, then either
//! applies every action or none: when a condition fails it answers
//! `TransactionCanceledException` with one `CancellationReasons` entry per action, in request
//! order (`None` for the actions that would have gone through), as DynamoDB does.

use serde_json::{Map, Value, json};

use super::error::DynamoError;
use super::expression::Condition;
use super::operations::known;
use super::registry::{Registry, check_size, condition, item, project, substitutions};
use super::table::Position;
use super::update::Update;
use super::value::{Item, item_size};

/// The most actions one transaction may hold ("Amazon DynamoDB transactions").
const MAX_ACTIONS: usize = 100;

/// How long a `ClientRequestToken` is remembered after its transaction completed: 10 minutes
/// (`TransactWriteItems`, `ClientRequestToken`, Amazon DynamoDB API Reference).
const TOKEN_SECONDS: f64 = 600.0;

/// The longest `ClientRequestToken`.
const MAX_TOKEN_CHARS: usize = 36;

/// What an action does once every condition holds.
#[derive(Debug)]
enum Write {
    /// `ConditionCheck`: nothing.
    Check,
    /// `Put`: this item.
    Put(Item),
    /// `Delete`.
    Delete,
    /// `Update`: this expression, on the item or on the key alone.
    Update(Option<Update>, Item),
}

#[derive(Debug)]
struct Action<'a> {
    table: String,
    position: Position,
    condition: Option<Condition>,
    write: Write,
    body: &'a Value,
}

fn actions(request: &Value) -> Result<&Vec<Value>, DynamoError> {
    let actions = request
        .get("TransactItems")
        .and_then(Value::as_array)
        .filter(|actions| !actions.is_empty())
        .ok_or_else(|| {
            DynamoError::validation(
                "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
            )
        })?;
    if actions.len() > MAX_ACTIONS {
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to {MAX_ACTIONS}"
        )));
    }
    Ok(actions)
}

fn plan<'a>(registry: &Registry, entry: &'a Value) -> Result<Action<'a>, DynamoError> {
    let kinds = ["ConditionCheck", "Put", "Delete", "Update"];
    let mut present = kinds
        .iter()
        .filter_map(|kind| Some((*kind, entry.get(*kind)?)));
    let (Some((kind, body)), None) = (present.next(), present.next()) else {
        return Err(DynamoError::validation(
            "TransactItems can only contain one of Check, Put, Update or Delete",
        ));
    };
    let table_name = super::registry::string(body, "TableName")?;
    known(registry, table_name)?;
    super::placeholders::validate(body)?;
    let table = &registry.tables[table_name];
    let condition = condition(body, "ConditionExpression")?;
    let (position, write) = if kind == "Put" {
        let new = item(body, "Item")?;
        check_size(&new)?;
        (table.item_position(&new)?, Write::Put(new))
    } else {
        let key = item(body, "Key")?;
        let position = table.key_position(&key)?;
        let write = match kind {
            "Delete" => Write::Delete,
            "Update" => {
                let update = body
                    .get("UpdateExpression")
                    .and_then(Value::as_str)
                    .map(|text| Update::parse(text, substitutions(body)))
                    .transpose()?;
                if let Some(path) = update
                    .iter()
                    .flat_map(Update::paths)
                    .find(|path| table.is_key(&path.attribute))
                {
                    return Err(DynamoError::validation(format!(
                        "One or more parameter values were invalid: Cannot update attribute {path}. This attribute is part of the key"
                    )));
                }
                Write::Update(update, key)
            }
            _ => {
                if condition.is_none() {
                    return Err(DynamoError::validation(
                        "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
                    ));
                }
                Write::Check
            }
        };
        (position, write)
    };
    Ok(Action {
        table: table_name.to_owned(),
        position,
        condition,
        write,
        body,
    })
}

/// `TransactWriteItems`, idempotent under a `ClientRequestToken`: the same request again within
/// 10 minutes of the first one's success is answered as it was, without applying it again; another
/// request under the same token is refused with `IdempotentParameterMismatchException`. A
/// transaction that was cancelled or refused leaves no record, so its retry runs afresh.
pub(super) fn write(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    write_at(registry, request, super::registry::now())
}

fn write_at(registry: &mut Registry, request: &Value, now: f64) -> Result<Value, DynamoError> {
    let Some(token) = request.get("ClientRequestToken").and_then(Value::as_str) else {
        return apply(registry, request);
    };
    if token.is_empty() || token.chars().count() > MAX_TOKEN_CHARS {
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{token}' at 'clientRequestToken' failed to satisfy constraint: Member must have length {}",
            if token.is_empty() {
                "greater than or equal to 1".to_owned()
            } else {
                format!("less than or equal to {MAX_TOKEN_CHARS}")
            }
        )));
    }
    registry
        .tokens
        .retain(|_, answered| now - answered.at < TOKEN_SECONDS);
    let mut asked = request.clone();
    if let Some(fields) = asked.as_object_mut() {
        // These shape the answer, not what is written.
        fields.remove("ReturnConsumedCapacity");
        fields.remove("ReturnItemCollectionMetrics");
    }
    if let Some(answered) = registry.tokens.get(token) {
        return if answered.request == asked {
            Ok(answered.answer.clone())
        } else {
            Err(DynamoError::IdempotentParameterMismatch)
        };
    }
    let answer = apply(registry, request)?;
    registry.tokens.insert(
        token.to_owned(),
        super::registry::Answered {
            at: now,
            request: asked,
            answer: answer.clone(),
        },
    );
    Ok(answer)
}

/// Plans, checks and applies one write transaction.
fn apply(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let mut planned: Vec<Action<'_>> = Vec::new();
    for entry in actions(request)? {
        let action = plan(registry, entry)?;
        if planned
            .iter()
            .any(|other| other.table == action.table && other.position == action.position)
        {
            return Err(DynamoError::validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        }
        planned.push(action);
    }
    // Every condition against the items as they are, and every new item, before any write.
    let mut reasons = Vec::new();
    let mut results: Vec<Option<Item>> = Vec::new();
    for action in &planned {
        let old = registry.tables[&action.table].items.get(&action.position);
        if !action
            .condition
            .as_ref()
            .is_none_or(|condition| condition.holds(old))
        {
            let mut reason = json!({"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"});
            if action
                .body
                .get("ReturnValuesOnConditionCheckFailure")
                .and_then(Value::as_str)
                == Some("ALL_OLD")
                && let Some(old) = old
            {
                reason["Item"] = json!(old);
            }
            reasons.push(reason);
            results.push(None);
            continue;
        }
        let result = match &action.write {
            Write::Check | Write::Delete => Ok(None),
            Write::Put(new) => Ok(Some(new.clone())),
            Write::Update(update, key) => {
                let mut new = old.cloned().unwrap_or_else(|| key.clone());
                update
                    .as_ref()
                    .map_or(Ok(()), |update| update.apply(&mut new))
                    .and_then(|()| check_size(&new))
                    .and_then(|()| registry.tables[&action.table].check_index_keys(&new))
                    .map(|()| Some(new))
            }
        };
        match result {
            Ok(new) => {
                reasons.push(json!({"Code": "None"}));
                results.push(new);
            }
            Err(error) => {
                reasons.push(json!({"Code": "ValidationError", "Message": error.to_string()}));
                results.push(None);
            }
        }
    }
    if reasons.iter().any(|reason| reason["Code"] != "None") {
        return Err(DynamoError::TransactionCanceled(reasons));
    }
    // The budget sees the whole transaction at once, so a refusal leaves every item as it was.
    let size = |item: &Item| u64::try_from(item_size(item)).unwrap_or(u64::MAX);
    let mut released = 0_u64;
    let mut wanted = 0_u64;
    for (action, new) in planned.iter().zip(&results) {
        let writes = !matches!(action.write, Write::Check);
        if writes && let Some(old) = registry.tables[&action.table].items.get(&action.position) {
            released = released.saturating_add(size(old));
        }
        if let Some(new) = new {
            wanted = wanted.saturating_add(size(new));
        }
    }
    registry
        .budget
        .swap(released, wanted)
        .map_err(|exhausted| DynamoError::OverCap(exhausted.to_string()))?;
    for (action, new) in planned.into_iter().zip(results) {
        let table = registry
            .tables
            .get_mut(&action.table)
            .expect("planned against a known table");
        match (action.write, new) {
            (Write::Check, _) => {}
            (_, Some(new)) => {
                table.put(action.position, new, |_, _| Ok(()))?;
            }
            (_, None) => {
                table.remove(&action.position);
            }
        }
    }
    Ok(json!({}))
}

/// `TransactGetItems`: each `Get` answered in order, `{}` for an item that is not there.
pub(super) fn get(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let mut reads = Vec::new();
    for entry in actions(request)? {
        let Some(body) = entry.get("Get") else {
            return Err(DynamoError::validation(
                "TransactItems of TransactGetItems can only contain Get",
            ));
        };
        let name = super::registry::string(body, "TableName")?;
        known(registry, name)?;
        super::placeholders::validate(body)?;
        let table = &registry.tables[name];
        let position = table.key_position(&item(body, "Key")?)?;
        reads.push((table, position, body));
    }
    let mut responses = Vec::new();
    for (table, position, body) in reads {
        responses.push(match table.items.get(&position) {
            Some(found) => json!({"Item": project(found, body)?}),
            None => Value::Object(Map::new()),
        });
    }
    Ok(json!({"Responses": responses}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamodb::table::{KeyAttribute, TableSpec};

    fn registry() -> Registry {
        let mut registry = Registry::default();
        registry
            .create(TableSpec {
                name: "orders".to_owned(),
                partition: KeyAttribute {
                    name: "pk".to_owned(),
                    kind: "S".to_owned(),
                },
                sort: None,
                ttl_attribute: None,
                indexes: Vec::new(),
            })
            .expect("created");
        registry
    }

    fn put(pk: &str, token: &str) -> Value {
        json!({
            "ClientRequestToken": token,
            "TransactItems": [{"Put": {"TableName": "orders", "Item": {"pk": {"S": pk}}}}],
        })
    }

    /// Within 10 minutes the same request is answered without being applied again (the item
    /// deleted meanwhile stays deleted); another request under the token is refused; after 10
    /// minutes the token is forgotten and the request applies afresh.
    #[test]
    fn a_token_answers_its_request_once_for_ten_minutes() {
        let mut registry = registry();
        write_at(&mut registry, &put("o-1", "t-1"), 0.0).expect("applied");
        assert_eq!(registry.tables["orders"].items.len(), 1);
        registry
            .tables
            .get_mut("orders")
            .expect("orders")
            .items
            .clear();
        let mut again = put("o-1", "t-1");
        again["ReturnConsumedCapacity"] = json!("TOTAL");
        write_at(&mut registry, &again, 599.0).expect("answered again");
        assert!(
            registry.tables["orders"].items.is_empty(),
            "not applied twice"
        );
        let other = write_at(&mut registry, &put("o-2", "t-1"), 599.0).expect_err("mismatch");
        assert_eq!(other.shape(), "IdempotentParameterMismatchException");
        write_at(&mut registry, &put("o-1", "t-1"), 600.0).expect("applied afresh");
        assert_eq!(registry.tables["orders"].items.len(), 1);
        let long = "x".repeat(37);
        let error = write_at(&mut registry, &put("o-3", &long), 0.0).expect_err("too long");
        assert_eq!(error.shape(), "ValidationException");
    }
}
