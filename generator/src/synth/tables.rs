//! DynamoDB tables: keys as pipeline.yaml declares them, on-demand unless both capacities are
//! set, encrypted (KMS, AWS-managed key), point-in-time recovery on unless turned off, TTL on
//! the attribute named. A table holds the pipeline's data, so deleting the stack or replacing
//! the table keeps it (`Retain`), except when the first create rolls back.

use std::collections::BTreeMap;

use super::template::{Expr, Output, Resource};
use super::{outputs, suppressions, tags};
use crate::config::Pipeline;
use crate::config::model::KeyType;
use crate::config::naming::logical_id;
use crate::config::pipeline::{Key, Table};

/// The logical ID of a table.
pub(super) fn table_id(name: &str) -> String {
    logical_id(name, "Table")
}

/// DynamoDB's attribute type letter.
const fn attribute_type(kind: KeyType) -> &'static str {
    match kind {
        KeyType::String => "S",
        KeyType::Number => "N",
        KeyType::Binary => "B",
    }
}

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    for table in pipeline.tables.values() {
        let id = table_id(&table.name);
        resources.insert(id.clone(), resource(pipeline, table));
        outputs::add(
            out,
            logical_id(&table.name, "TableName"),
            format!("Name of table `{}`", table.name),
            Expr::reference(&id),
        );
    }
}

fn resource(pipeline: &Pipeline, table: &Table) -> Resource {
    let keys: Vec<(&Key, &str)> = std::iter::once((&table.partition_key, "HASH"))
        .chain(table.sort_key.iter().map(|key| (key, "RANGE")))
        .collect();
    let mut properties = vec![
        (
            "TableName",
            Expr::sub(format!("{}-{}-${{Stage}}", pipeline.name, table.name)),
        ),
        (
            "AttributeDefinitions",
            Expr::list(keys.iter().map(|(key, _)| {
                Expr::map([
                    ("AttributeName", Expr::str(key.name.clone())),
                    ("AttributeType", Expr::str(attribute_type(key.kind))),
                ])
            })),
        ),
        (
            "KeySchema",
            Expr::list(keys.iter().map(|(key, role)| {
                Expr::map([
                    ("AttributeName", Expr::str(key.name.clone())),
                    ("KeyType", Expr::str(*role)),
                ])
            })),
        ),
        (
            "PointInTimeRecoverySpecification",
            Expr::map([(
                "PointInTimeRecoveryEnabled",
                Expr::Bool(table.point_in_time_recovery),
            )]),
        ),
        (
            "SSESpecification",
            Expr::map([
                ("SSEEnabled", Expr::Bool(true)),
                ("SSEType", Expr::str("KMS")),
            ]),
        ),
        ("DeletionProtectionEnabled", Expr::Bool(false)),
        ("Tags", tags(pipeline)),
    ];
    match table.capacity {
        Some(capacity) => {
            properties.push(("BillingMode", Expr::str("PROVISIONED")));
            properties.push((
                "ProvisionedThroughput",
                Expr::map([
                    ("ReadCapacityUnits", capacity.read.into()),
                    ("WriteCapacityUnits", capacity.write.into()),
                ]),
            ));
        }
        None => properties.push(("BillingMode", Expr::str("PAY_PER_REQUEST"))),
    }
    if let Some(attribute) = &table.ttl_attribute {
        properties.push((
            "TimeToLiveSpecification",
            Expr::map([
                ("AttributeName", Expr::str(attribute.clone())),
                ("Enabled", Expr::Bool(true)),
            ]),
        ));
    }
    Resource {
        deletion_policy: Some("RetainExceptOnCreate"),
        update_replace_policy: Some("Retain"),
        ..Resource::new("AWS::DynamoDB::Table", properties)
    }
    .skip_checks(suppressions::TABLE)
}
