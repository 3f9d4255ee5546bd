//! The tables as `--data-dir` saves them: each table's description (what `CreateTable` would
//! make it again) and its items in DynamoDB's JSON.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::error::DynamoError;
use super::registry::{Registry, spec};
use super::table::Table;
use super::value::Item;

/// One table and its items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedTable {
    /// `DescribeTable`'s `Table`: name, key schema, attribute definitions, indexes.
    pub description: Value,
    /// The Time to Live attribute, when it is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_attribute: Option<String>,
    /// Every item, in key order.
    pub items: Vec<Item>,
}

impl Registry {
    /// Every table with its items.
    pub fn image(&self) -> Vec<SavedTable> {
        self.tables
            .values()
            .map(|table| SavedTable {
                description: table.description("ACTIVE"),
                ttl_attribute: table.spec.ttl_attribute.clone(),
                items: table.items.values().cloned().collect(),
            })
            .collect()
    }

    /// Puts saved tables back: into the table of the same name if there is one (configured at
    /// start), else into one made from the saved description. Their bytes are held in the
    /// budget whatever its cap: they were accepted before.
    pub fn restore(&mut self, saved: Vec<SavedTable>) -> Result<(), DynamoError> {
        for table in saved {
            let name = table
                .description
                .get("TableName")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            if !self.tables.contains_key(&name) {
                let mut restored = spec(&table.description)?;
                restored.ttl_attribute.clone_from(&table.ttl_attribute);
                self.tables
                    .insert(name.clone(), Table::new(restored, super::registry::now()));
            }
            let Some(target) = self.tables.get_mut(&name) else {
                continue;
            };
            for item in table.items {
                // An item whose key the configured table no longer has is dropped.
                let Ok(position) = target.item_position(&item) else {
                    continue;
                };
                let budget = &self.budget;
                target.put(position, item, |released, wanted| {
                    budget.release(released);
                    budget.add(wanted);
                    Ok(())
                })?;
            }
        }
        Ok(())
    }
}
