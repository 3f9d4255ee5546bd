//! `Query`, `Scan`, `BatchGetItem` and `BatchWriteItem`.

use std::borrow::Cow;

use serde_json::{Map, Value, json};

use super::error::DynamoError;
use super::expression::{Condition, Operand};
use super::operations::known;
use super::registry::{Registry, check_size, condition, item, project, swap};
use super::table::{IndexEntry, IndexKind, IndexSpec, KeyAttribute, Position, Table, mismatch};
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

/// The partition value and the sort-key condition of a `KeyConditionExpression` over the keys
/// of the table or of an index.
fn key_condition(
    partition_key: &KeyAttribute,
    sort_key: Option<&KeyAttribute>,
    request: &Value,
) -> Result<(KeyValue, Option<Condition>), DynamoError> {
    let Some(parsed) = condition(request, "KeyConditionExpression")? else {
        return Err(DynamoError::validation(
            "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
        ));
    };
    let mut parts = Vec::new();
    conjuncts(parsed, &mut parts);
    let partition_name = &partition_key.name;
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
    let partition = KeyValue::of(&value, &partition_key.kind).ok_or_else(|| {
        DynamoError::validation("One or more parameter values were invalid: Condition parameter type does not match schema type")
    })?;
    let sort = match parts.len() {
        0 => None,
        1 => {
            let part = parts.remove(0);
            let sort_name = sort_key.map(|sort| sort.name.as_str());
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

/// One page: evaluates `items` (as `view` shows them: an index shows its projection) up to
/// `Limit`, filters, projects; `last_key` makes the `LastEvaluatedKey` of the item a page ends on.
fn page<'a>(
    items: impl Iterator<Item = &'a Item>,
    request: &Value,
    view: &dyn Fn(&'a Item) -> Cow<'a, Item>,
    last_key: &dyn Fn(&Item) -> Item,
) -> Result<Value, DynamoError> {
    let limit = limit(request)?;
    let filter = condition(request, "FilterExpression")?;
    let count_only = request.get("Select").and_then(Value::as_str) == Some("COUNT");
    let mut found = Vec::new();
    let mut scanned = 0_usize;
    let mut last = None;
    for item in items {
        scanned += 1;
        let shown = view(item);
        if filter
            .as_ref()
            .is_none_or(|filter| filter.holds(Some(&shown)))
        {
            found.push(Value::Object(project(&shown, request)?));
        }
        if limit == Some(scanned) {
            last = Some(last_key(item));
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

fn invalid_start() -> DynamoError {
    DynamoError::validation(
        "The provided starting key is invalid: The provided key element does not match the schema",
    )
}

fn start_key(table: &Table, request: &Value) -> Result<Option<(KeyValue, KeyValue)>, DynamoError> {
    if request.get("ExclusiveStartKey").is_none() {
        return Ok(None);
    }
    let key = item(request, "ExclusiveStartKey")?;
    table
        .key_position(&key)
        .map(Some)
        .map_err(|_| invalid_start())
}

/// The index `IndexName` names, if any; a global one refuses `ConsistentRead`.
fn index<'t>(table: &'t Table, request: &Value) -> Result<Option<&'t IndexSpec>, DynamoError> {
    let Some(name) = request.get("IndexName").and_then(Value::as_str) else {
        return Ok(None);
    };
    let index = table.index(name)?;
    if index.kind == IndexKind::Global
        && request.get("ConsistentRead").and_then(Value::as_bool) == Some(true)
    {
        return Err(DynamoError::validation(
            "Consistent reads are not supported on global secondary indexes",
        ));
    }
    Ok(Some(index))
}

/// Where an index page resumes: the index keys and the table position of `ExclusiveStartKey`.
fn index_start(
    table: &Table,
    index: &IndexSpec,
    request: &Value,
) -> Result<Option<(KeyValue, KeyValue, Position)>, DynamoError> {
    if request.get("ExclusiveStartKey").is_none() {
        return Ok(None);
    }
    let key = item(request, "ExclusiveStartKey")?;
    let position = table
        .key_position(&table.key_of(&key))
        .map_err(|_| invalid_start())?;
    let partition = key
        .get(&index.partition.name)
        .and_then(|value| KeyValue::of(value, &index.partition.kind))
        .ok_or_else(invalid_start)?;
    let sort = match &index.sort {
        Some(sort) => key
            .get(&sort.name)
            .and_then(|value| KeyValue::of(value, &sort.kind))
            .ok_or_else(invalid_start)?,
        None => KeyValue::Absent,
    };
    Ok(Some((partition, sort, position)))
}

/// The entries of `index` after `start` in the direction of the read.
fn index_page_items<'t>(
    entries: Vec<IndexEntry<'t>>,
    start: Option<&(KeyValue, KeyValue, Position)>,
    forward: bool,
) -> Vec<&'t Item> {
    let after = |entry: &IndexEntry<'_>| {
        start.is_none_or(|(partition, sort, position)| {
            let ordering = (&entry.0, &entry.1, entry.2).cmp(&(partition, sort, position));
            if forward {
                ordering.is_gt()
            } else {
                ordering.is_lt()
            }
        })
    };
    let mut items: Vec<&Item> = entries
        .into_iter()
        .filter(after)
        .map(|(_, _, _, item)| item)
        .collect();
    if !forward {
        items.reverse();
    }
    items
}

/// `Query`: one partition of the table or of an index (`IndexName`), a sort-key condition, in
/// sort-key order (or reversed).
pub(super) fn query(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let (table, _) = registry.table_mut(request)?;
    let table: &Table = table;
    let index = index(table, request)?;
    let forward = request.get("ScanIndexForward").and_then(Value::as_bool) != Some(false);
    if let Some(index) = index {
        let (partition, sort) = key_condition(&index.partition, index.sort.as_ref(), request)?;
        let start = index_start(table, index, request)?;
        if let Some((start_partition, _, _)) = &start
            && *start_partition != partition
        {
            return Err(outside());
        }
        let entries = table
            .index_entries(index)
            .into_iter()
            .filter(|entry| entry.0 == partition)
            .filter(|entry| sort.as_ref().is_none_or(|sort| sort.holds(Some(entry.3))))
            .collect();
        let items = index_page_items(entries, start.as_ref(), forward);
        return page(
            items.into_iter(),
            request,
            &|item| Cow::Owned(table.index_item(index, item)),
            &|item| table.index_key_of(index, item),
        );
    }
    let (partition, sort) =
        key_condition(&table.spec.partition, table.spec.sort.as_ref(), request)?;
    let start = start_key(table, request)?;
    if let Some((start_partition, _)) = &start
        && *start_partition != partition
    {
        return Err(outside());
    }
    let after = start.map(|(_, sort)| sort);
    let items = table
        .partition(&partition, after.as_ref(), forward)
        .filter(|item| sort.as_ref().is_none_or(|sort| sort.holds(Some(item))))
        .collect::<Vec<_>>();
    page(items.into_iter(), request, &Cow::Borrowed, &|item| {
        table.key_of(item)
    })
}

fn outside() -> DynamoError {
    DynamoError::validation(
        "The provided starting key is outside query boundaries based on provided key conditions",
    )
}

/// `Scan`: every item of the table in key order, or of an index (`IndexName`) in its order.
pub(super) fn scan(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let (table, _) = registry.table_mut(request)?;
    let table: &Table = table;
    if let Some(index) = index(table, request)? {
        let start = index_start(table, index, request)?;
        let items = index_page_items(table.index_entries(index), start.as_ref(), true);
        return page(
            items.into_iter(),
            request,
            &|item| Cow::Owned(table.index_item(index, item)),
            &|item| table.index_key_of(index, item),
        );
    }
    let start = start_key(table, request)?;
    let items = table
        .items
        .iter()
        .filter(|(position, _)| start.as_ref().is_none_or(|start| *position > start))
        .map(|(_, item)| item);
    page(items, request, &Cow::Borrowed, &|item| table.key_of(item))
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
        super::placeholders::validate(entry)?;
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
