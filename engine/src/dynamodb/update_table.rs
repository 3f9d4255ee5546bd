//! `UpdateTable` for what clients send: the billing mode and provisioned capacity, deletion
//! protection, and one global secondary index created or deleted at a time. The engine applies
//! a change at once (an index is read from the items on every query, so it needs no backfill)
//! and describes the table `ACTIVE`. Streams are refused: the engine has none.

use serde_json::{Value, json};

use super::error::DynamoError;
use super::registry::{Registry, spec, string};
use super::table::{Billing, IndexKind, Table};

/// The parameters `UpdateTable` acts on; one at least must be present.
const CHANGES: [&str; 5] = [
    "BillingMode",
    "ProvisionedThroughput",
    "DeletionProtectionEnabled",
    "GlobalSecondaryIndexUpdates",
    "StreamSpecification",
];

/// The billing `request` asks for (`CreateTable` or `UpdateTable`), starting from `current`;
/// `None` when it names neither a mode nor capacity.
pub(super) fn billing(request: &Value, current: Billing) -> Result<Option<Billing>, DynamoError> {
    let mode = request.get("BillingMode").and_then(Value::as_str);
    let throughput = request.get("ProvisionedThroughput");
    let provisioned = match (mode, current) {
        (Some("PROVISIONED"), _) | (None, Billing::Provisioned { .. }) => true,
        (Some("PAY_PER_REQUEST"), _) | (None, Billing::PayPerRequest) => false,
        (Some(other), _) => {
            return Err(DynamoError::validation(format!(
                "1 validation error detected: Value '{other}' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"
            )));
        }
    };
    match (provisioned, throughput) {
        (false, Some(_)) => Err(DynamoError::validation(
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        )),
        (false, None) => Ok(mode.map(|_| Billing::PayPerRequest)),
        (true, None) if mode.is_some() && current == Billing::PayPerRequest => {
            Err(DynamoError::validation(
                "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
            ))
        }
        (true, None) => Ok(None),
        (true, Some(throughput)) => {
            let units = |field: &str, path: &str| -> Result<u64, DynamoError> {
                match throughput.get(field).and_then(Value::as_u64) {
                    Some(units) if units >= 1 => Ok(units),
                    found => Err(DynamoError::validation(format!(
                        "1 validation error detected: Value '{}' at 'provisionedThroughput.{path}' failed to satisfy constraint: Member must have value greater than or equal to 1",
                        found.map_or_else(|| "null".to_owned(), |units| units.to_string())
                    ))),
                }
            };
            Ok(Some(Billing::Provisioned {
                read: units("ReadCapacityUnits", "readCapacityUnits")?,
                write: units("WriteCapacityUnits", "writeCapacityUnits")?,
            }))
        }
    }
}

/// `UpdateTable`.
pub(super) fn update(registry: &mut Registry, request: &Value) -> Result<Value, DynamoError> {
    let name = string(request, "TableName")?;
    let table = registry.tables.get_mut(name).ok_or_else(|| {
        DynamoError::ResourceNotFound(format!(
            "Requested resource not found: Table: {name} not found"
        ))
    })?;
    if !CHANGES.iter().any(|field| request.get(*field).is_some()) {
        return Err(DynamoError::validation(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
        ));
    }
    if request.get("StreamSpecification").is_some() {
        return Err(DynamoError::validation(
            "StreamSpecification: the local engine has no DynamoDB Streams; leave StreamSpecification out locally (the generated templates turn on no stream)",
        ));
    }
    // Everything is checked before anything changes.
    let billing = billing(request, table.billing)?;
    let index_change = request
        .get("GlobalSecondaryIndexUpdates")
        .map(|updates| index_change(table, request, updates))
        .transpose()?;
    if let Some(billing) = billing {
        table.billing = billing;
    }
    if let Some(protected) = request
        .get("DeletionProtectionEnabled")
        .and_then(Value::as_bool)
    {
        table.deletion_protection = protected;
    }
    match index_change {
        Some(IndexChange::Create(index)) => table.spec.indexes.push(index),
        Some(IndexChange::Delete(name)) => table.spec.indexes.retain(|index| index.name != name),
        None => {}
    }
    Ok(json!({"TableDescription": table.description("ACTIVE")}))
}

/// One global secondary index created or deleted.
enum IndexChange {
    Create(super::table::IndexSpec),
    Delete(String),
}

fn index_change(
    table: &Table,
    request: &Value,
    updates: &Value,
) -> Result<IndexChange, DynamoError> {
    let updates = updates.as_array().map(Vec::as_slice).unwrap_or_default();
    let [update] = updates else {
        return Err(if updates.is_empty() {
            DynamoError::validation(
                "1 validation error detected: Value '[]' at 'globalSecondaryIndexUpdates' failed to satisfy constraint: Member must have length greater than or equal to 1",
            )
        } else {
            DynamoError::LimitExceeded(
                "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table".to_owned(),
            )
        });
    };
    let exists = |name: &str| {
        table
            .spec
            .indexes
            .iter()
            .any(|index| index.kind == IndexKind::Global && index.name == name)
    };
    if let Some(delete) = update.get("Delete") {
        let name = string(delete, "IndexName")?;
        if !exists(name) {
            return Err(DynamoError::ResourceNotFound(format!(
                "Requested resource not found: Index: {name} not found"
            )));
        }
        return Ok(IndexChange::Delete(name.to_owned()));
    }
    let Some(create) = update.get("Create") else {
        return Err(DynamoError::validation(
            "GlobalSecondaryIndexUpdates: the local engine creates and deletes indexes; an index `Update` (its provisioned capacity) has nothing to change locally, so leave it out",
        ));
    };
    let name = string(create, "IndexName")?;
    if table.spec.indexes.iter().any(|index| index.name == name) {
        return Err(DynamoError::validation(
            "One or more parameter values were invalid: Attempting to create an index which already exists",
        ));
    }
    if matches!(table.billing, Billing::Provisioned { .. })
        && create.get("ProvisionedThroughput").is_none()
    {
        return Err(DynamoError::validation(format!(
            "One or more parameter values were invalid: ProvisionedThroughput must be specified for index: {name}"
        )));
    }
    // Read the new index as `CreateTable` reads one, over the table's keys and the attributes
    // the table and the new index use.
    let description = table.description("ACTIVE");
    let index_keys: Vec<&str> = create
        .get("KeySchema")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|key| key.get("AttributeName")?.as_str())
        .collect();
    let table_keys: Vec<&str> = std::iter::once(table.spec.partition.name.as_str())
        .chain(table.spec.sort.as_ref().map(|sort| sort.name.as_str()))
        .collect();
    let mut definitions: Vec<Value> = Vec::new();
    for definition in request
        .get("AttributeDefinitions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            description["AttributeDefinitions"]
                .as_array()
                .into_iter()
                .flatten(),
        )
    {
        let Some(attribute) = definition.get("AttributeName").and_then(Value::as_str) else {
            continue;
        };
        let used = index_keys.contains(&attribute) || table_keys.contains(&attribute);
        let known = definitions
            .iter()
            .any(|seen| seen["AttributeName"].as_str() == Some(attribute));
        if used && !known {
            definitions.push(definition.clone());
        }
    }
    let shaped = json!({
        "TableName": table.spec.name,
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": definitions,
        "GlobalSecondaryIndexes": [create],
    });
    let mut read = spec(&shaped)?;
    read.indexes
        .pop()
        .map(IndexChange::Create)
        .ok_or_else(|| DynamoError::validation("GlobalSecondaryIndexUpdates: no index to create"))
}
