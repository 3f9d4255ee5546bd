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

/// `TransactWriteItems`.
pub(super) fn write(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
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
