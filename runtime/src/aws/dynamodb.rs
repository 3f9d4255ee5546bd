//! DynamoDB as the table store.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine as _;

use super::port_error;
use crate::ports::{Attribute, Condition, Item, PortError, PutOutcome, TableStore, UpdateOutcome};

/// One DynamoDB table.
#[derive(Debug, Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

impl DynamoTable {
    /// The table `table` over the shared SDK configuration.
    pub fn new(sdk: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        // Retries are ours (backoff with jitter inside the circuit breaker), not the SDK's too.
        let config = aws_sdk_dynamodb::config::Builder::from(sdk)
            .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled());
        Self {
            client: Client::from_conf(config.build()),
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }
}

impl TableStore for DynamoTable {
    async fn put_if_absent(
        &self,
        key_attribute: &str,
        item: Item,
    ) -> Result<PutOutcome, PortError> {
        let key = item.get(key_attribute).map(Attribute::to_json);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_sdk_item(item)))
            .condition_expression("attribute_not_exists(#key)")
            .expression_attribute_names("#key", key_attribute)
            .send()
            .await;
        match result {
            Ok(_) => Ok(PutOutcome::Created),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(aws_sdk_dynamodb::operation::put_item::PutItemError::is_conditional_check_failed_exception) =>
            {
                Ok(PutOutcome::AlreadyExists)
            }
            Err(error) => Err(port_error(
                format!(
                    "PutItem {} {key_attribute}={}",
                    self.table,
                    key.unwrap_or_default()
                ),
                &error,
            )),
        }
    }

    async fn get(&self, key: Item) -> Result<Option<Item>, PortError> {
        let operation = format!("GetItem {} {}", self.table, describe_key(&key));
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(to_sdk_item(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|error| port_error(operation, &error))?;
        Ok(output.item.map(from_sdk_item))
    }

    async fn update_if(
        &self,
        key: Item,
        set: Item,
        condition: Condition,
    ) -> Result<UpdateOutcome, PortError> {
        let operation = format!("UpdateItem {} {}", self.table, describe_key(&key));
        let mut expression = Expression::default();
        let assignments: Vec<String> = set
            .into_iter()
            .map(|(name, value)| {
                format!("{} = {}", expression.name(&name), expression.value(value))
            })
            .collect();
        let condition = expression.condition(&condition);
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(to_sdk_item(key)))
            .update_expression(format!("SET {}", assignments.join(", ")))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(expression.names))
            .set_expression_attribute_values(Some(expression.values))
            .send()
            .await;
        match result {
            Ok(_) => Ok(UpdateOutcome::Updated),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(aws_sdk_dynamodb::operation::update_item::UpdateItemError::is_conditional_check_failed_exception) =>
            {
                Ok(UpdateOutcome::ConditionFailed)
            }
            Err(error) => Err(port_error(operation, &error)),
        }
    }
}

fn describe_key(key: &Item) -> String {
    key.iter()
        .map(|(name, value)| format!("{name}={}", value.to_json()))
        .collect::<Vec<_>>()
        .join(",")
}

/// The placeholders of one expression: every attribute name `#nN`, every value `:vN`.
#[derive(Default)]
struct Expression {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    fn name(&mut self, name: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, known)| *known == name) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names.insert(placeholder.clone(), name.to_owned());
        placeholder
    }

    fn value(&mut self, value: Attribute) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), to_sdk(value));
        placeholder
    }

    fn condition(&mut self, condition: &Condition) -> String {
        match condition {
            Condition::Exists(name) => format!("attribute_exists({})", self.name(name)),
            Condition::NotExists(name) => format!("attribute_not_exists({})", self.name(name)),
            Condition::Equals(name, value) => {
                format!("{} = {}", self.name(name), self.value(value.clone()))
            }
            Condition::LessThan(name, value) => {
                format!("{} < {}", self.name(name), self.value(value.clone()))
            }
            Condition::And(conditions) => self.join(conditions, " AND "),
            Condition::Or(conditions) => self.join(conditions, " OR "),
        }
    }

    fn join(&mut self, conditions: &[Condition], operator: &str) -> String {
        let parts: Vec<String> = conditions
            .iter()
            .map(|condition| format!("({})", self.condition(condition)))
            .collect();
        parts.join(operator)
    }
}

fn to_sdk_item(item: Item) -> HashMap<String, AttributeValue> {
    item.into_iter()
        .map(|(name, value)| (name, to_sdk(value)))
        .collect()
}

fn to_sdk(value: Attribute) -> AttributeValue {
    match value {
        Attribute::S(text) => AttributeValue::S(text),
        Attribute::N(number) => AttributeValue::N(number),
        Attribute::Bool(value) => AttributeValue::Bool(value),
        Attribute::Null => AttributeValue::Null(true),
        Attribute::L(values) => AttributeValue::L(values.into_iter().map(to_sdk).collect()),
        Attribute::M(members) => AttributeValue::M(to_sdk_item(members)),
    }
}

fn from_sdk_item(item: HashMap<String, AttributeValue>) -> Item {
    item.into_iter()
        .map(|(name, value)| (name, from_sdk(value)))
        .collect()
}

/// DynamoDB's value as an [`Attribute`]; sets become lists, binary values base64 strings (the
/// handlers write neither).
fn from_sdk(value: AttributeValue) -> Attribute {
    let base64 = |blob: aws_sdk_dynamodb::primitives::Blob| {
        Attribute::S(base64::engine::general_purpose::STANDARD.encode(blob.into_inner()))
    };
    match value {
        AttributeValue::S(text) => Attribute::S(text),
        AttributeValue::N(number) => Attribute::N(number),
        AttributeValue::Bool(value) => Attribute::Bool(value),
        AttributeValue::L(values) => Attribute::L(values.into_iter().map(from_sdk).collect()),
        AttributeValue::M(members) => Attribute::M(
            members
                .into_iter()
                .map(|(name, value)| (name, from_sdk(value)))
                .collect::<BTreeMap<_, _>>(),
        ),
        AttributeValue::Ss(texts) => Attribute::L(texts.into_iter().map(Attribute::S).collect()),
        AttributeValue::Ns(numbers) => {
            Attribute::L(numbers.into_iter().map(Attribute::N).collect())
        }
        AttributeValue::B(blob) => base64(blob),
        AttributeValue::Bs(blobs) => Attribute::L(blobs.into_iter().map(base64).collect()),
        // `Null`, and any type a newer DynamoDB adds.
        _ => Attribute::Null,
    }
}
