//! The tables of one engine, their bytes held in the engine's budget, and the request helpers
//! every operation shares.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use super::error::{DynamoError, no_table};
use super::expression::{Condition, Substitutions, parse_condition, parse_projection};
use super::table::{IndexKind, IndexSpec, KeyAttribute, Projection, Table, TableSpec};
use super::value::{Item, item_size};
use crate::budget::Budget;

/// DynamoDB's item size limit (400 KB, "Service, account, and table quotas in Amazon DynamoDB").
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// Every table.
#[derive(Debug, Default)]
pub struct Registry {
    /// Tables by name.
    pub tables: BTreeMap<String, Table>,
    /// Where item bytes are counted.
    pub budget: Budget,
    /// When Time to Live last deleted expired items (seconds since the epoch).
    swept: f64,
    /// `TransactWriteItems` answered under a `ClientRequestToken`, by token.
    pub tokens: BTreeMap<String, Answered>,
}

/// A transaction that went through under a `ClientRequestToken`: when, what was asked and what
/// was answered.
#[derive(Debug, Clone)]
pub struct Answered {
    /// Seconds since the epoch when it completed.
    pub at: f64,
    /// The request, without the parameters that only shape the answer.
    pub request: Value,
    /// The answer.
    pub answer: Value,
}

impl Registry {
    /// No tables; item bytes counted in `budget`.
    pub fn new(budget: Budget) -> Self {
        Self {
            tables: BTreeMap::new(),
            budget,
            swept: 0.0,
            tokens: BTreeMap::new(),
        }
    }

    /// Deletes the items Time to Live has expired in every table ([`Table::expire`]), at most
    /// once a second.
    pub fn sweep(&mut self, now: f64) {
        if now - self.swept < 1.0 {
            return;
        }
        self.swept = now;
        for table in self.tables.values_mut() {
            self.budget.release(table.expire(now));
        }
    }

    /// Creates a table unless the name is taken.
    pub fn create(&mut self, spec: TableSpec) -> Result<&Table, DynamoError> {
        if self.tables.contains_key(&spec.name) {
            return Err(DynamoError::ResourceInUse(spec.name));
        }
        let created = now();
        let name = spec.name.clone();
        Ok(self.tables.entry(name).or_insert(Table::new(spec, created)))
    }

    /// Deletes a table, releasing its bytes.
    pub fn delete(&mut self, name: &str) -> Option<Table> {
        let table = self.tables.remove(name)?;
        self.budget.release(table.bytes);
        Some(table)
    }

    /// The table `request` names (`TableName`).
    pub fn table_mut(&mut self, request: &Value) -> Result<(&mut Table, &Budget), DynamoError> {
        let name = string(request, "TableName")?;
        let table = self.tables.get_mut(name).ok_or_else(no_table)?;
        Ok((table, &self.budget))
    }
}

/// Seconds since the epoch.
pub fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

/// A required string parameter.
pub fn string<'a>(request: &'a Value, field: &str) -> Result<&'a str, DynamoError> {
    request.get(field).and_then(Value::as_str).ok_or_else(|| {
        DynamoError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(field)
        ))
    })
}

fn lower_first(field: &str) -> String {
    let mut chars = field.chars();
    chars
        .next()
        .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A required item or key parameter.
pub fn item(request: &Value, field: &str) -> Result<Item, DynamoError> {
    let value = request.get(field).ok_or_else(|| {
        DynamoError::validation(format!(
            "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(field)
        ))
    })?;
    let item: Item = serde_json::from_value(value.clone())
        .map_err(|error| DynamoError::Serialization(error.to_string()))?;
    for (name, value) in &item {
        if super::value::single(value).is_none() {
            return Err(DynamoError::validation(format!(
                "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes (attribute {name})"
            )));
        }
    }
    Ok(item)
}

/// Refuses an item past 400 KB as DynamoDB does.
pub fn check_size(item: &Item) -> Result<(), DynamoError> {
    if item_size(item) > MAX_ITEM_BYTES {
        return Err(DynamoError::validation(
            "Item size has exceeded the maximum allowed size",
        ));
    }
    Ok(())
}

/// The expression substitutions of `request`.
pub fn substitutions(request: &Value) -> Substitutions<'_> {
    Substitutions {
        names: request
            .get("ExpressionAttributeNames")
            .and_then(Value::as_object),
        values: request
            .get("ExpressionAttributeValues")
            .and_then(Value::as_object),
    }
}

/// The `ConditionExpression` of `request`, parsed.
pub fn condition(request: &Value, field: &str) -> Result<Option<Condition>, DynamoError> {
    request
        .get(field)
        .and_then(Value::as_str)
        .map(|text| parse_condition(text, substitutions(request)))
        .transpose()
}

/// Fails with `ConditionalCheckFailedException` unless `condition` holds for `old`.
pub fn check(
    condition: Option<&Condition>,
    old: Option<&Item>,
    request: &Value,
) -> Result<(), DynamoError> {
    if condition.is_none_or(|condition| condition.holds(old)) {
        return Ok(());
    }
    let return_old = request
        .get("ReturnValuesOnConditionCheckFailure")
        .and_then(Value::as_str)
        == Some("ALL_OLD");
    Err(DynamoError::ConditionalCheckFailed(
        old.filter(|_| return_old).map(|old| json!(old)),
    ))
}

/// The `ReturnValues` of `request`, checked against those the operation allows.
pub fn return_values<'a>(request: &'a Value, allowed: &[&str]) -> Result<&'a str, DynamoError> {
    let wanted = request
        .get("ReturnValues")
        .and_then(Value::as_str)
        .unwrap_or("NONE");
    if allowed.contains(&wanted) {
        Ok(wanted)
    } else {
        Err(DynamoError::validation(format!(
            "Return values set to invalid value: {wanted}"
        )))
    }
}

/// The budget swap of a write, as the error DynamoDB clients would retry.
pub fn swap(budget: &Budget) -> impl FnOnce(u64, u64) -> Result<(), DynamoError> + '_ {
    move |released, wanted| {
        budget
            .swap(released, wanted)
            .map_err(|exhausted| DynamoError::OverCap(exhausted.to_string()))
    }
}

/// A table spec from `CreateTable`'s `KeySchema` and `AttributeDefinitions`.
pub fn spec(request: &Value) -> Result<TableSpec, DynamoError> {
    let name = string(request, "TableName")?;
    if name.len() < 3
        || name.len() > 255
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    {
        return Err(DynamoError::validation(format!(
            "1 validation error detected: Value '{name}' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )));
    }
    let definitions: BTreeMap<&str, &str> = request
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|definition| {
            Some((
                definition.get("AttributeName")?.as_str()?,
                definition.get("AttributeType")?.as_str()?,
            ))
        })
        .collect();
    let key_schema = |of: &'_ Value| -> Vec<(String, String)> {
        of.get("KeySchema")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|key| {
                Some((
                    key.get("AttributeName")?.as_str()?.to_owned(),
                    key.get("KeyType")?.as_str()?.to_owned(),
                ))
            })
            .collect()
    };
    let attribute = |name: &str| -> Result<KeyAttribute, DynamoError> {
        let kind = definitions.get(name).ok_or_else(|| {
            DynamoError::validation(
                "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [".to_owned() + name + "], AttributeDefinitions: []",
            )
        })?;
        if !matches!(*kind, "S" | "N" | "B") {
            return Err(DynamoError::validation(format!(
                "1 validation error detected: Value '{kind}' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"
            )));
        }
        Ok(KeyAttribute {
            name: name.to_owned(),
            kind: (*kind).to_owned(),
        })
    };
    let keys = |schema: &[(String, String)]| -> Result<_, DynamoError> {
        match schema {
            [(hash, kind)] if kind == "HASH" => Ok((attribute(hash)?, None)),
            [(hash, first), (range, second)] if first == "HASH" && second == "RANGE" => {
                Ok((attribute(hash)?, Some(attribute(range)?)))
            }
            _ => Err(DynamoError::validation(
                "1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must have a HASH key first and at most one RANGE key",
            )),
        }
    };
    let (partition, sort) = keys(&key_schema(request))?;
    let indexes = indexes(request, &partition, sort.as_ref(), |index| {
        keys(&key_schema(index))
    })?;
    let mut used: Vec<&str> = vec![partition.name.as_str()];
    for attribute in sort.iter().chain(
        indexes
            .iter()
            .flat_map(|index| std::iter::once(&index.partition).chain(index.sort.as_ref())),
    ) {
        if !used.contains(&attribute.name.as_str()) {
            used.push(&attribute.name);
        }
    }
    if definitions.len() != used.len() {
        return Err(DynamoError::validation(
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ));
    }
    Ok(TableSpec {
        name: name.to_owned(),
        partition,
        sort,
        ttl_attribute: None,
        indexes,
    })
}

type Keys = (KeyAttribute, Option<KeyAttribute>);

/// The `GlobalSecondaryIndexes` and `LocalSecondaryIndexes` of `CreateTable`, their key schemas
/// read by `keys`.
fn indexes(
    request: &Value,
    partition: &KeyAttribute,
    sort: Option<&KeyAttribute>,
    keys: impl Fn(&Value) -> Result<Keys, DynamoError>,
) -> Result<Vec<IndexSpec>, DynamoError> {
    let mut indexes: Vec<IndexSpec> = Vec::new();
    for (field, kind) in [
        ("GlobalSecondaryIndexes", IndexKind::Global),
        ("LocalSecondaryIndexes", IndexKind::Local),
    ] {
        for index in request
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = string(index, "IndexName")?;
            let (index_partition, index_sort) = keys(index)?;
            if kind == IndexKind::Local {
                if sort.is_none() {
                    return Err(DynamoError::validation(
                        "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
                    ));
                }
                if index_partition != *partition || index_sort.is_none() {
                    return Err(DynamoError::validation(format!(
                        "One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: {name}. index hash key: {}, table hash key: {}",
                        index_partition.name, partition.name
                    )));
                }
            }
            if indexes.iter().any(|other| other.name == name) {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values were invalid: Duplicate index name: {name}"
                )));
            }
            let projection = index.get("Projection");
            let projection = match projection
                .and_then(|projection| projection.get("ProjectionType"))
                .and_then(Value::as_str)
            {
                Some("ALL") => Projection::All,
                Some("KEYS_ONLY") => Projection::KeysOnly,
                Some("INCLUDE") => Projection::Include(
                    projection
                        .and_then(|projection| projection.get("NonKeyAttributes"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                ),
                other => {
                    return Err(DynamoError::validation(format!(
                        "1 validation error detected: Value '{}' at 'projection.projectionType' of index {name} failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]",
                        other.unwrap_or("null")
                    )));
                }
            };
            indexes.push(IndexSpec {
                name: name.to_owned(),
                kind,
                partition: index_partition,
                sort: index_sort,
                projection,
            });
        }
    }
    Ok(indexes)
}

/// The parts of `item` its `ProjectionExpression` names (document paths), or the whole item.
pub fn project(item: &Item, request: &Value) -> Result<Map<String, Value>, DynamoError> {
    let Some(projection) = request.get("ProjectionExpression").and_then(Value::as_str) else {
        return Ok(item.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
    };
    let paths = parse_projection(projection, substitutions(request))?;
    Ok(super::path::project(item, &paths).into_iter().collect())
}
