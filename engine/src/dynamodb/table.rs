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

/// Which kind of secondary index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexKind {
    /// A global secondary index: a partition key of its own.
    Global,
    /// A local secondary index: the table's partition key, another sort key.
    Local,
}

/// The attributes an index holds beside the keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Projection {
    /// Every attribute.
    All,
    /// The table's and the index's keys only.
    KeysOnly,
    /// The keys and these attributes.
    Include(Vec<String>),
}

/// A secondary index: items that have its key attributes, ordered by them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    /// The index name (`IndexName` of `Query` and `Scan`).
    pub name: String,
    /// Global or local.
    pub kind: IndexKind,
    /// Its partition key (for a local index, the table's).
    pub partition: KeyAttribute,
    /// Its sort key, if any.
    pub sort: Option<KeyAttribute>,
    /// What it holds beside the keys.
    pub projection: Projection,
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
    /// The Number attribute holding each item's expiry in seconds since the epoch, when Time
    /// to Live is on (see [`Table::expire`]).
    pub ttl_attribute: Option<String>,
    /// Global and local secondary indexes.
    pub indexes: Vec<IndexSpec>,
}

/// How a table is billed, as `CreateTable` and `UpdateTable` set it (the engine throttles
/// neither mode; the figures are described back as given).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Billing {
    /// `PAY_PER_REQUEST`.
    #[default]
    PayPerRequest,
    /// `PROVISIONED` with read and write capacity units.
    Provisioned {
        /// `ReadCapacityUnits`.
        read: u64,
        /// `WriteCapacityUnits`.
        write: u64,
    },
}

/// An item as an index orders it: the index's partition and sort values, then the table
/// position (which orders items with equal index keys).
pub type IndexEntry<'a> = (KeyValue, KeyValue, &'a Position, &'a Item);

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
    /// On-demand or provisioned.
    pub billing: Billing,
    /// Whether `DeleteTable` is refused (`DeletionProtectionEnabled`).
    pub deletion_protection: bool,
}

impl Table {
    /// An empty table.
    pub fn new(spec: TableSpec, created: f64) -> Self {
        Self {
            spec,
            created,
            items: BTreeMap::new(),
            bytes: 0,
            billing: Billing::default(),
            deletion_protection: false,
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
        self.check_index_keys(item)?;
        self.position_of(item).ok_or_else(mismatch)
    }

    /// Refuses an item whose index key attribute has another type than the index's.
    pub fn check_index_keys(&self, item: &Item) -> Result<(), DynamoError> {
        for index in &self.spec.indexes {
            for key in std::iter::once(&index.partition).chain(index.sort.as_ref()) {
                if let Some(actual) = item.get(&key.name).and_then(type_of)
                    && actual != key.kind
                {
                    return Err(DynamoError::validation(format!(
                        "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} Actual: {actual} IndexName: {}",
                        key.name, key.kind, index.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The index `name`, or the `ValidationException` DynamoDB answers.
    pub fn index(&self, name: &str) -> Result<&IndexSpec, DynamoError> {
        self.spec
            .indexes
            .iter()
            .find(|index| index.name == name)
            .ok_or_else(|| {
                DynamoError::validation(format!(
                    "The table does not have the specified index: {name}"
                ))
            })
    }

    /// The items `index` holds (those with its key attributes), in its order.
    pub fn index_entries(&self, index: &IndexSpec) -> Vec<IndexEntry<'_>> {
        let mut entries: Vec<IndexEntry<'_>> = self
            .items
            .iter()
            .filter_map(|(position, item)| {
                let partition =
                    KeyValue::of(item.get(&index.partition.name)?, &index.partition.kind)?;
                let sort = match &index.sort {
                    Some(sort) => KeyValue::of(item.get(&sort.name)?, &sort.kind)?,
                    None => KeyValue::Absent,
                };
                Some((partition, sort, position, item))
            })
            .collect();
        entries.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));
        entries
    }

    /// `item` as `index` holds it (its projection).
    pub fn index_item(&self, index: &IndexSpec, item: &Item) -> Item {
        let included: &[String] = match &index.projection {
            Projection::All => return item.clone(),
            Projection::KeysOnly => &[],
            Projection::Include(names) => names,
        };
        item.iter()
            .filter(|(name, _)| {
                self.is_key(name)
                    || index.partition.name == **name
                    || index.sort.as_ref().is_some_and(|sort| sort.name == **name)
                    || included.contains(name)
            })
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }

    /// The key attributes of `item` for a page of `index`: the table's and the index's.
    pub fn index_key_of(&self, index: &IndexSpec, item: &Item) -> Item {
        let mut key = self.key_of(item);
        for attribute in std::iter::once(&index.partition).chain(index.sort.as_ref()) {
            if let Some(value) = item.get(&attribute.name) {
                key.insert(attribute.name.clone(), value.clone());
            }
        }
        key
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

    /// Removes the items Time to Live has expired: those whose TTL attribute is a Number of
    /// seconds since the epoch before `now`, but not more than five years before it (DynamoDB
    /// leaves those alone). Returns the bytes released.
    ///
    /// AWS deletes expired items in the background, "typically within a few days", and until then
    /// reads, queries and scans still return them ("Using time to live (TTL) in DynamoDB"). The
    /// engine deletes them at the first DynamoDB request at least a second after its previous
    /// sweep, so a read in that second may still see an expired item, as a read on AWS may.
    pub fn expire(&mut self, now: f64) -> u64 {
        const FIVE_YEARS: f64 = 5.0 * 365.0 * 24.0 * 3600.0;
        let Some(attribute) = &self.spec.ttl_attribute else {
            return 0;
        };
        let expired: Vec<Position> = self
            .items
            .iter()
            .filter(|(_, item)| {
                item.get(attribute)
                    .and_then(|value| value.get("N"))
                    .and_then(Value::as_str)
                    .and_then(super::value::number)
                    .is_some_and(|expiry| expiry < now && expiry >= now - FIVE_YEARS)
            })
            .map(|(position, _)| position.clone())
            .collect();
        expired
            .iter()
            .filter_map(|position| self.remove(position))
            .map(|(_, size)| size)
            .sum()
    }

    /// `TimeToLiveDescription` as `DescribeTimeToLive` answers it.
    pub fn ttl_description(&self) -> Value {
        match &self.spec.ttl_attribute {
            Some(attribute) => json!({"TimeToLiveStatus": "ENABLED", "AttributeName": attribute}),
            None => json!({"TimeToLiveStatus": "DISABLED"}),
        }
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
        if let Some(sort) = &spec.sort {
            schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
        }
        let mut description = json!({
            "TableName": spec.name,
            "TableStatus": status,
            "KeySchema": schema,
            "CreationDateTime": self.created,
            "ItemCount": self.items.len(),
            "TableSizeBytes": self.bytes,
            "TableArn": format!("arn:aws:dynamodb:us-east-1:000000000000:table/{}", spec.name),
            "TableId": format!("{:032x}", fxhash(&spec.name)),
            "DeletionProtectionEnabled": self.deletion_protection,
        });
        let (mode, read, write) = match self.billing {
            Billing::PayPerRequest => ("PAY_PER_REQUEST", 0, 0),
            Billing::Provisioned { read, write } => ("PROVISIONED", read, write),
        };
        description["BillingModeSummary"] = json!({"BillingMode": mode});
        description["ProvisionedThroughput"] = json!({
            "NumberOfDecreasesToday": 0, "ReadCapacityUnits": read, "WriteCapacityUnits": write
        });
        let mut defined: Vec<&KeyAttribute> = std::iter::once(&spec.partition)
            .chain(spec.sort.as_ref())
            .collect();
        for kind in [IndexKind::Global, IndexKind::Local] {
            let indexes: Vec<Value> = spec
                .indexes
                .iter()
                .filter(|index| index.kind == kind)
                .map(|index| {
                    defined.extend(std::iter::once(&index.partition).chain(index.sort.as_ref()));
                    self.index_description(index)
                })
                .collect();
            if !indexes.is_empty() {
                let field = match kind {
                    IndexKind::Global => "GlobalSecondaryIndexes",
                    IndexKind::Local => "LocalSecondaryIndexes",
                };
                description[field] = Value::Array(indexes);
            }
        }
        let mut definitions: Vec<Value> = Vec::new();
        for attribute in defined {
            let definition =
                json!({"AttributeName": attribute.name, "AttributeType": attribute.kind});
            if !definitions.contains(&definition) {
                definitions.push(definition);
            }
        }
        description["AttributeDefinitions"] = Value::Array(definitions);
        description
    }

    fn index_description(&self, index: &IndexSpec) -> Value {
        let mut schema = vec![json!({"AttributeName": index.partition.name, "KeyType": "HASH"})];
        if let Some(sort) = &index.sort {
            schema.push(json!({"AttributeName": sort.name, "KeyType": "RANGE"}));
        }
        let projection = match &index.projection {
            Projection::All => json!({"ProjectionType": "ALL"}),
            Projection::KeysOnly => json!({"ProjectionType": "KEYS_ONLY"}),
            Projection::Include(names) => {
                json!({"ProjectionType": "INCLUDE", "NonKeyAttributes": names})
            }
        };
        let entries = self.index_entries(index);
        let bytes: usize = entries
            .iter()
            .map(|(_, _, _, item)| item_size(&self.index_item(index, item)))
            .sum();
        let mut description = json!({
            "IndexName": index.name,
            "KeySchema": schema,
            "Projection": projection,
            "IndexSizeBytes": bytes,
            "ItemCount": entries.len(),
            "IndexArn": format!(
                "arn:aws:dynamodb:us-east-1:000000000000:table/{}/index/{}",
                self.spec.name, index.name
            ),
        });
        if index.kind == IndexKind::Global {
            description["IndexStatus"] = json!("ACTIVE");
        }
        description
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
