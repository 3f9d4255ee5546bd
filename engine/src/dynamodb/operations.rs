//! Each operation of the DynamoDB JSON protocol on the [`Registry`]: table set-up and the
//! single-item writes and reads. Queries, scans and batches are in [`super::reads`].

use std::sync::{Arc, Mutex, MutexGuard};

use serde_json::{Value, json};

use super::error::{DynamoError, no_table};
use super::path::project;
use super::placeholders::validate;
use super::registry::{
    Registry, check, check_size, condition, item, project as projection, return_values, spec,
    string, substitutions, swap,
};
use super::table::Billing;
use super::update::Update;
use super::value::Item;
use super::{reads, transactions, update_table};

/// The registry as the service shares it.
pub type Shared = Arc<Mutex<Registry>>;

/// Locks the registry; a poisoned lock still holds consistent tables (no operation panics
/// midway by design).
pub fn lock(shared: &Shared) -> MutexGuard<'_, Registry> {
    shared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Runs `operation` (the part of `X-Amz-Target` after `DynamoDB_20120810.`).
pub fn dispatch(shared: &Shared, operation: &str, request: &Value) -> Result<Value, DynamoError> {
    let mut registry = lock(shared);
    registry.sweep(super::registry::now());
    match operation {
        "CreateTable" => {
            let spec = spec(request)?;
            let billing = update_table::billing(request, Billing::PayPerRequest)?;
            let name = spec.name.clone();
            registry.create(spec)?;
            let table = registry
                .tables
                .get_mut(&name)
                .expect("the table was just created");
            table.billing = billing.unwrap_or_default();
            table.deletion_protection = request
                .get("DeletionProtectionEnabled")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            Ok(json!({"TableDescription": table.description("ACTIVE")}))
        }
        "UpdateTable" => update_table::update(&mut registry, request),
        "DescribeTable" => {
            let name = string(request, "TableName")?;
            let table = registry.tables.get(name).ok_or_else(|| {
                DynamoError::ResourceNotFound(format!(
                    "Requested resource not found: Table: {name} not found"
                ))
            })?;
            Ok(json!({"Table": table.description("ACTIVE")}))
        }
        "DeleteTable" => {
            let name = string(request, "TableName")?;
            if registry
                .tables
                .get(name)
                .is_some_and(|table| table.deletion_protection)
            {
                return Err(DynamoError::validation(
                    "Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.",
                ));
            }
            let table = registry.delete(name).ok_or_else(|| {
                DynamoError::ResourceNotFound(format!(
                    "Requested resource not found: Table: {name} not found"
                ))
            })?;
            Ok(json!({"TableDescription": table.description("DELETING")}))
        }
        "ListTables" => Ok(list_tables(&registry, request)),
        "UpdateTimeToLive" => update_ttl(&mut registry, request),
        "DescribeTimeToLive" => {
            let name = string(request, "TableName")?;
            let table = registry.tables.get(name).ok_or_else(|| {
                DynamoError::ResourceNotFound(format!(
                    "Requested resource not found: Table: {name} not found"
                ))
            })?;
            Ok(json!({"TimeToLiveDescription": table.ttl_description()}))
        }
        "PutItem" => validate(request).and_then(|()| put_item(&mut registry, request)),
        "GetItem" => validate(request).and_then(|()| get_item(&mut registry, request)),
        "DeleteItem" => validate(request).and_then(|()| delete_item(&mut registry, request)),
        "UpdateItem" => validate(request).and_then(|()| update_item(&mut registry, request)),
        "Query" => validate(request).and_then(|()| reads::query(&mut registry, request)),
        "Scan" => validate(request).and_then(|()| reads::scan(&mut registry, request)),
        "BatchGetItem" => reads::batch_get(&mut registry, request),
        "BatchWriteItem" => reads::batch_write(&mut registry, request),
        "TransactWriteItems" => transactions::write(&mut registry, request),
        "TransactGetItems" => transactions::get(&mut registry, request),
        other => Err(DynamoError::UnknownOperation(other.to_owned())),
    }
}

fn list_tables(registry: &Registry, request: &Value) -> Value {
    let limit = request
        .get("Limit")
        .and_then(Value::as_u64)
        .map_or(100, |limit| usize::try_from(limit).unwrap_or(100));
    let start = request
        .get("ExclusiveStartTableName")
        .and_then(Value::as_str);
    let names: Vec<&String> = registry
        .tables
        .keys()
        .filter(|name| start.is_none_or(|start| name.as_str() > start))
        .collect();
    let page = &names[..names.len().min(limit)];
    let mut answer = json!({"TableNames": page});
    if names.len() > limit {
        answer["LastEvaluatedTableName"] = json!(page.last());
    }
    answer
}

/// `UpdateTimeToLive`: turns expiry on for an attribute, or off; AWS refuses a change to the
/// state the table is already in.
fn update_ttl(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let specification = request
        .get("TimeToLiveSpecification")
        .ok_or_else(|| {
            DynamoError::validation(
                "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null",
            )
        })?;
    let attribute = string(specification, "AttributeName")?;
    let enabled = specification
        .get("Enabled")
        .and_then(Value::as_bool)
        .ok_or_else(|| {
            DynamoError::validation(
                "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null",
            )
        })?;
    let (table, _) = registry.table_mut(request)?;
    match (&table.spec.ttl_attribute, enabled) {
        (Some(_), true) => {
            return Err(DynamoError::validation("TimeToLive is already enabled"));
        }
        (None, false) => {
            return Err(DynamoError::validation("TimeToLive is already disabled"));
        }
        _ => {}
    }
    table.spec.ttl_attribute = enabled.then(|| attribute.to_owned());
    Ok(json!({"TimeToLiveSpecification": {"AttributeName": attribute, "Enabled": enabled}}))
}

fn put_item(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let new = item(request, "Item")?;
    let returns = return_values(request, &["NONE", "ALL_OLD"])?;
    let condition = condition(request, "ConditionExpression")?;
    let (table, budget) = registry.table_mut(request)?;
    let position = table.item_position(&new)?;
    check_size(&new)?;
    check(condition.as_ref(), table.items.get(&position), request)?;
    let old = table.put(position, new, swap(budget))?;
    Ok(old_attributes(returns, old.as_ref()))
}

fn old_attributes(returns: &str, old: Option<&Item>) -> Value {
    match old {
        Some(old) if returns == "ALL_OLD" => json!({"Attributes": old}),
        _ => json!({}),
    }
}

fn get_item(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let key = item(request, "Key")?;
    let (table, _) = registry.table_mut(request)?;
    let position = table.key_position(&key)?;
    match table.items.get(&position) {
        Some(found) => Ok(json!({"Item": projection(found, request)?})),
        None => Ok(json!({})),
    }
}

fn delete_item(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let key = item(request, "Key")?;
    let returns = return_values(request, &["NONE", "ALL_OLD"])?;
    let condition = condition(request, "ConditionExpression")?;
    let budget = registry.budget.clone();
    let (table, _) = registry.table_mut(request)?;
    let position = table.key_position(&key)?;
    check(condition.as_ref(), table.items.get(&position), request)?;
    let old = table.remove(&position).map(|(old, size)| {
        budget.release(size);
        old
    });
    Ok(old_attributes(returns, old.as_ref()))
}

fn update_item(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let key = item(request, "Key")?;
    let returns = return_values(
        request,
        &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
    )?;
    let update = request
        .get("UpdateExpression")
        .and_then(Value::as_str)
        .map(|text| Update::parse(text, substitutions(request)))
        .transpose()?;
    let condition = condition(request, "ConditionExpression")?;
    let (table, budget) = registry.table_mut(request)?;
    let position = table.key_position(&key)?;
    if let Some(update) = &update
        && let Some(path) = update.paths().find(|path| table.is_key(&path.attribute))
    {
        return Err(DynamoError::validation(format!(
            "One or more parameter values were invalid: Cannot update attribute {path}. This attribute is part of the key"
        )));
    }
    let old = table.items.get(&position).cloned();
    check(condition.as_ref(), old.as_ref(), request)?;
    let mut new = old.clone().unwrap_or_else(|| key.clone());
    if let Some(update) = &update {
        update.apply(&mut new)?;
    }
    check_size(&new)?;
    table.check_index_keys(&new)?;
    table.put(position, new.clone(), swap(budget))?;
    let touched = |item: &Item, removed_too: bool| -> Item {
        update.as_ref().map_or_else(Item::new, |update| {
            let paths: Vec<_> = if removed_too {
                update.paths().cloned().collect()
            } else {
                update.written().cloned().collect()
            };
            project(item, &paths)
        })
    };
    let attributes = match returns {
        "ALL_OLD" => old.clone(),
        "UPDATED_OLD" => old.as_ref().map(|old| touched(old, true)),
        "ALL_NEW" => Some(new),
        "UPDATED_NEW" => Some(touched(&new, false)),
        _ => None,
    };
    Ok(match attributes {
        Some(attributes) if !attributes.is_empty() => json!({"Attributes": attributes}),
        _ => json!({}),
    })
}

/// Refuses a request for a table the registry lacks (used by batches).
pub fn known(registry: &Registry, name: &str) -> Result<(), DynamoError> {
    if registry.tables.contains_key(name) {
        Ok(())
    } else {
        Err(no_table())
    }
}
