//! `Query`, `Scan`, `BatchGetItem` and `BatchWriteItem`.

use serde_json::{Map, Value, json};

use super::error::DynamoError;
use super::expression::{Condition, Operand};
use super::operations::known;
use super::registry::{Registry, check_size, condition, item, project, swap};
use super::table::{Table, mismatch};
use super::value::{Item, KeyValue};

/// The most requests one `BatchWriteItem` may hold, and keys one `BatchGetItem`.
const MAX_BATCH_WRITES: usize = 25;
const MAX_BATCH_GETS: usize = 100;

fn conjuncts(condition: Condition, into: &mut Vec<Condition>) {
    match condition {
        Condition::And(left, right) => {
            conjuncts(*left, into);
            conjuncts(*right, into);
        }
        other => into.push(other),
    }
}

fn subject(condition: &Condition) -> Option<&str> {
    match condition {
        Condition::Compare(Operand::Path(path), _, Operand::Value(_))
        | Condition::Between(Operand::Path(path), Operand::Value(_), Operand::Value(_))
        | Condition::BeginsWith(Operand::Path(path), Operand::Value(_))
            if path.rest.is_empty() =>
        {
            Some(&path.attribute)
        }
        _ => None,
    }
}

/// The partition value and the sort-key condition of a `KeyConditionExpression`.
fn key_condition(
    table: &Table,
    request: &Value,
) -> Result<(KeyValue, Option<Condition>), DynamoError> {
    let Some(parsed) = condition(request, "KeyConditionExpression")? else {
        return Err(DynamoError::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ));
    };
    let mut parts = Vec::new();
    conjuncts(parsed, &mut parts);
    let partition_name = &table.spec.partition.name;
    let missed = || {
        DynamoError::validation(format!(
            "Query condition missed key schema element: {partition_name}"
        ))
    };
    let index = parts
        .iter()
        .position(|part| {
            matches!(part, Condition::Compare(Operand::Path(path), "=", Operand::Value(_)) if path.is_attribute(partition_name))
        })
        .ok_or_else(missed)?;
    let Condition::Compare(_, _, Operand::Value(value)) = parts.remove(index) else {
        return Err(missed());
    };
    let partition = KeyValue::of(&value, &table.spec.partition.kind).ok_or_else(|| {
        DynamoError::validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
    })?;
    let sort = match parts.len() {
        0 => None,
        1 => {
            let part = parts.remove(0);
            let sort_name = table.spec.sort.as_ref().map(|sort| sort.name.as_str());
            match subject(&part) {
                Some(name)
                    if Some(name) == sort_name
                        && !matches!(part, Condition::Compare(_, "<>", _)) =>
                {
                    Some(part)
                }
                Some(name) => {
                    return Err(DynamoError::validation(format!(
                        "Query key condition not supported; attribute: {name}"
                    )));
                }
                None => {
                    return Err(DynamoError::validation(
                        "Invalid operator used in KeyConditionExpression",
                    ));
                }
            }
        }
        _ => {
            return Err(DynamoError::validation(
                "Conditions can be of length 1 or 2 only",
            ));
        }
    };
    Ok((partition, sort))
}

fn limit(request: &Value) -> Result<Option<usize>, DynamoError> {
    match request.get("Limit").and_then(Value::as_i64) {
        None => Ok(None),
        Some(limit) if limit >= 1 => Ok(usize::try_from(limit).ok()),
        Some(limit) => Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
    }
}

/// One page: evaluates `items` up to `Limit`, filters, projects.
fn page<'a>(
    table: &Table,
    items: impl Iterator<Item = &'a Item>,
    request: &Value,
) -> Result<Value, DynamoError> {
    let limit = limit(request)?;
    let filter = condition(request, "FilterExpression")?;
    let count_only = request.get("Select").and_then(Value::as_str) == Some("COUNT");
    let mut found = Vec::new();
    let mut scanned = 0_usize;
    let mut last = None;
    for item in items {
        scanned += 1;
        if filter
            .as_ref()
            .is_none_or(|filter| filter.holds(Some(item)))
        {
            found.push(Value::Object(project(item, request)?));
        }
        if limit == Some(scanned) {
            last = Some(table.key_of(item));
            break;
        }
    }
    let mut answer = json!({"Count": found.len(), "ScannedCount": scanned});
    if !count_only {
        answer["Items"] = Value::Array(found);
    }
    if let Some(last) = last {
        answer["LastEvaluatedKey"] = json!(last);
    }
    Ok(answer)
}

fn start_key(table: &Table, request: &Value) -> Result<Option<(KeyValue, KeyValue)>, DynamoError> {
    if request.get("ExclusiveStartKey").is_none() {
        return Ok(None);
    }
    let key = item(request, "ExclusiveStartKey")?;
    table
        .key_position(&key)
        .map(Some)
        .map_err(|_| DynamoError::validation("The provided starting key is invalid: The provided key element does not match the schema"))
}

/// `Query`: one partition, a sort-key condition, in sort-key order (or reversed).
pub(super) fn query(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let (table, _) = registry.table_mut(request)?;
    let (partition, sort) = key_condition(table, request)?;
    let forward = request.get("ScanIndexForward").and_then(Value::as_bool) != Some(false);
    let start = start_key(table, request)?;
    if let Some((start_partition, _)) = &start
        && *start_partition != partition
    {
        return Err(DynamoError::validation(
            "The provided starting key is outside query boundaries based on provided key conditions",
        ));
    }
    let after = start.map(|(_, sort)| sort);
    let items = table
        .partition(&partition, after.as_ref(), forward)
        .filter(|item| sort.as_ref().is_none_or(|sort| sort.holds(Some(item))))
        .collect::<Vec<_>>();
    page(table, items.into_iter(), request)
}

/// `Scan`: every item in key order.
pub(super) fn scan(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let (table, _) = registry.table_mut(request)?;
    let start = start_key(table, request)?;
    let items = table
        .items
        .iter()
        .filter(|(position, _)| start.as_ref().is_none_or(|start| *position > start))
        .map(|(_, item)| item);
    page(table, items, request)
}

fn request_items(request: &Value) -> Result<&Map<String, Value>, DynamoError> {
    request
        .get("RequestItems")
        .and_then(Value::as_object)
        .filter(|items| !items.is_empty())
        .ok_or_else(|| {
            DynamoError::validation(
                "1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1",
            )
        })
}

/// `BatchGetItem`: every key found answered; nothing left unprocessed.
pub(super) fn batch_get(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let tables = request_items(request)?;
    let total: usize = tables
        .values()
        .map(|entry| {
            entry
                .get("Keys")
                .and_then(Value::as_array)
                .map_or(0, Vec::len)
        })
        .sum();
    if total > MAX_BATCH_GETS {
        return Err(DynamoError::validation(
            "Too many items requested for the BatchGetItem call",
        ));
    }
    let mut responses = Map::new();
    for (name, entry) in tables {
        known(registry, name)?;
        let table = &registry.tables[name];
        let mut found = Vec::new();
        for key in entry
            .get("Keys")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = item(&json!({"Key": key}), "Key")?;
            if let Some(item) = table.items.get(&table.key_position(&key)?) {
                found.push(Value::Object(project(item, entry)?));
            }
        }
        responses.insert(name.clone(), Value::Array(found));
    }
    Ok(json!({"Responses": responses, "UnprocessedKeys": {}}))
}

/// `BatchWriteItem`: puts and deletes, all validated before any is applied.
pub(super) fn batch_write(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let tables = request_items(request)?;
    let mut writes = Vec::new();
    for (name, entries) in tables {
        known(registry, name)?;
        let table = &registry.tables[name];
        for entry in entries.as_array().into_iter().flatten() {
            let write = match (entry.get("PutRequest"), entry.get("DeleteRequest")) {
                (Some(put), None) => {
                    let new = item(put, "Item")?;
                    check_size(&new)?;
                    (name.clone(), table.item_position(&new)?, Some(new))
                }
                (None, Some(delete)) => {
                    let key = item(delete, "Key")?;
                    (name.clone(), table.key_position(&key)?, None)
                }
                _ => return Err(mismatch()),
            };
            if writes
                .iter()
                .any(|(table, position, _)| *table == write.0 && *position == write.1)
            {
                return Err(DynamoError::validation(
                    "Provided list of item keys contains duplicates",
                ));
            }
            writes.push(write);
        }
    }
    if writes.len() > MAX_BATCH_WRITES {
        return Err(DynamoError::validation(
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]",
        ));
    }
    let budget = registry.budget.clone();
    for (name, position, new) in writes {
        let Some(table) = registry.tables.get_mut(&name) else {
            continue;
        };
        match new {
            Some(new) => {
                table.put(position, new, swap(&budget))?;
            }
            None => {
                if let Some((_, size)) = table.remove(&position) {
                    budget.release(size);
                }
            }
        }
    }
    Ok(json!({"UnprocessedItems": {}}))
}
