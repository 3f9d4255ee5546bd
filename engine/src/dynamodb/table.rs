//! One table: its key schema and its items ordered by partition key, then sort key.

use std::collections::BTreeMap;
use std::ops::Bound;

use serde_json::{Value, json};

use super::error::DynamoError;
use super::value::{Item, KeyValue, item_size, type_of};

/// A key attribute: its name and type (`S`, `N` or `B`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAttribute {
    /// The attribute name.
    pub name: String,
    /// `S`, `N` or `B`.
    pub kind: String,
}

/// What a table is created with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// The table name.
    pub name: String,
    /// The partition (hash) key.
    pub partition: KeyAttribute,
    /// The sort (range) key, if any.
    pub sort: Option<KeyAttribute>,
    /// The TTL attribute, if time to live is enabled. As on DynamoDB, expired items are not
    /// hidden from reads ("items that have expired, but haven't yet been deleted by TTL, still
    /// appear in reads, queries, and scans",
    /// <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html>).
    pub ttl_attribute: Option<String>,
}

/// An item's position: partition key value, then sort key value.
pub type Position = (KeyValue, KeyValue);

/// A table and its items.
#[derive(Debug)]
pub struct Table {
    /// Its name and key schema.
    pub spec: TableSpec,
    /// Seconds since the epoch at creation.
    pub created: f64,
    /// Items by position.
    pub items: BTreeMap<Position, Item>,
    /// The bytes its items hold (as counted toward the 400 KB limit).
    pub bytes: u64,
}

impl Table {
    /// An empty table.
    pub fn new(spec: TableSpec, created: f64) -> Self {
        Self {
            spec,
            created,
            items: BTreeMap::new(),
            bytes: 0,
        }
    }

    fn key_attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.spec.partition).chain(self.spec.sort.as_ref())
    }

    /// The position of a full item (`PutItem`): every key attribute present with its type.
    pub fn item_position(&self, item: &Item) -> Result<Position, DynamoError> {
        for key in self.key_attributes() {
            let Some(value) = item.get(&key.name) else {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values were invalid: Missing the key {} in the item",
                    key.name
                )));
            };
            let actual = type_of(value).unwrap_or("?");
            if actual != key.kind {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {actual}",
                    key.name, key.kind
                )));
            }
            if matches!(value.get(&key.kind), Some(Value::String(text)) if text.is_empty()) {
                return Err(DynamoError::validation(format!(
                    "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: {}",
                    key.name
                )));
            }
        }
        self.position_of(item).ok_or_else(mismatch)
    }

    /// The position a `Key` names: exactly the key attributes, each of its type.
    pub fn key_position(&self, key: &Item) -> Result<Position, DynamoError> {
        let expected = 1 + usize::from(self.spec.sort.is_some());
        if key.len() != expected {
            return Err(mismatch());
        }
        for attribute in self.key_attributes() {
            match key.get(&attribute.name).and_then(type_of) {
                Some(kind) if kind == attribute.kind => {}
                _ => return Err(mismatch()),
            }
        }
        self.position_of(key).ok_or_else(mismatch)
    }

    fn position_of(&self, item: &Item) -> Option<Position> {
        let partition = KeyValue::of(
            item.get(&self.spec.partition.name)?,
            &self.spec.partition.kind,
        )?;
        let sort = match &self.spec.sort {
            Some(sort) => KeyValue::of(item.get(&sort.name)?, &sort.kind)?,
            None => KeyValue::Absent,
        };
        Some((partition, sort))
    }

    /// The key attributes of `item`.
    pub fn key_of(&self, item: &Item) -> Item {
        self.key_attributes()
            .filter_map(|key| Some((key.name.clone(), item.get(&key.name)?.clone())))
            .collect()
    }

    /// Whether `name` is a key attribute.
    pub fn is_key(&self, name: &str) -> bool {
        self.key_attributes().any(|key| key.name == name)
    }

    /// Items of one partition from `start` (exclusive) in key order, or reversed.
    pub fn partition(
        &self,
        partition: &KeyValue,
        after: Option<&KeyValue>,
        forward: bool,
    ) -> Box<dyn Iterator<Item = &Item> + '_> {
        let low = (partition.clone(), KeyValue::Absent);
        let range = self.items.range((Bound::Included(low), Bound::Unbounded));
        let partition = partition.clone();
        let in_partition = range
            .take_while(move |((p, _), _)| *p == partition)
            .map(|((_, sort), item)| (sort, item));
        let items: Vec<(&KeyValue, &Item)> = in_partition.collect();
        let after = after.cloned();
        if forward {
            Box::new(
                items
                    .into_iter()
                    .filter(move |(sort, _)| after.as_ref().is_none_or(|after| *sort > after))
                    .map(|(_, item)| item),
            )
        } else {
            Box::new(
                items
                    .into_iter()
                    .rev()
                    .filter(move |(sort, _)| after.as_ref().is_none_or(|after| *sort < after))
                    .map(|(_, item)| item),
            )
        }
    }

    /// Stores `item` at `position`, returning the old one; `budget_swap` is asked first with
    /// the bytes released and wanted.
    pub fn put(
        &mut self,
        position: Position,
        item: Item,
        budget_swap: impl FnOnce(u64, u64) -> Result<(), DynamoError>,
    ) -> Result<Option<Item>, DynamoError> {
        let size = u64::try_from(item_size(&item)).unwrap_or(u64::MAX);
        let old_size = self
            .items
            .get(&position)
            .map_or(0, |old| u64::try_from(item_size(old)).unwrap_or(0));
        budget_swap(old_size, size)?;
        self.bytes = self.bytes.saturating_sub(old_size).saturating_add(size);
        Ok(self.items.insert(position, item))
    }

    /// Removes the item at `position`, returning it and its size.
    pub fn remove(&mut self, position: &Position) -> Option<(Item, u64)> {
        let item = self.items.remove(position)?;
        let size = u64::try_from(item_size(&item)).unwrap_or(0);
        self.bytes = self.bytes.saturating_sub(size);
        Some((item, size))
    }

    /// `TableDescription` as `DescribeTable` answers it.
    pub fn description(&self, status: &str) -> Value {
        let spec = &self.spec;
        let mut schema = vec![json!({"AttributeName": spec.partition.name, "KeyType": "HASH"})];
        let mut definitions = vec![
            json!({"AttributeName": spec.partition.name, "AttributeType": spec.partition.kind}),
        ];
        if let Some(sort) = &spec.sort {
            schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
            definitions.push(json!({"AttributeName": sort.name, "AttributeType": sort.kind}));
        }
        json!({
            "TableName": spec.name,
            "TableStatus": status,
            "KeySchema": schema,
            "AttributeDefinitions": definitions,
            "CreationDateTime": self.created,
            "ItemCount": self.items.len(),
            "TableSizeBytes": self.bytes,
            "TableArn": format!("arn:aws:dynamodb:us-east-1:000000000000:table/{}", spec.name),
            "TableId": format!("{:032x}", fxhash(&spec.name)),
            "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"},
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0, "ReadCapacityUnits": 0, "WriteCapacityUnits": 0
            },
            "DeletionProtectionEnabled": false,
        })
    }
}

fn fxhash(text: &str) -> u128 {
    text.bytes().fold(0x811c_9dc5_u128, |hash, byte| {
        (hash ^ u128::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The `ValidationException` for a key that does not match the schema.
pub fn mismatch() -> DynamoError {
    DynamoError::validation("The provided key element does not match the schema")
}
