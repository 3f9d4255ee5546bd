//! Resource-level changes between two templates, with replacement decided from the properties
//! that force it and the data a replacement or removal loses.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Action, ResourceChange};

/// Properties whose change makes CloudFormation replace the resource (create new, delete old).
const REPLACING: &[(&str, &[&str])] = &[
    ("AWS::SQS::Queue", &["QueueName", "FifoQueue"]),
    ("AWS::S3::Bucket", &["BucketName"]),
    ("AWS::S3::BucketPolicy", &["Bucket"]),
    ("AWS::Lambda::Function", &["FunctionName", "PackageType"]),
    (
        "AWS::Lambda::EventSourceMapping",
        &["EventSourceArn", "StartingPosition"],
    ),
    ("AWS::Logs::LogGroup", &["LogGroupName"]),
    ("AWS::IAM::Role", &["RoleName", "Path"]),
    ("AWS::CloudWatch::Alarm", &["AlarmName"]),
    // Every key attribute is in `AttributeDefinitions` (the kit declares no indexes), so a
    // change there is a key's type changing: DynamoDB cannot alter a key in place.
    (
        "AWS::DynamoDB::Table",
        &[
            "TableName",
            "KeySchema",
            "AttributeDefinitions",
            "LocalSecondaryIndexes",
        ],
    ),
    ("AWS::ApiGatewayV2::Api", &["ProtocolType"]),
    ("AWS::ApiGatewayV2::Stage", &["ApiId", "StageName"]),
    ("AWS::ApiGatewayV2::Integration", &["ApiId"]),
    ("AWS::ApiGatewayV2::Route", &["ApiId"]),
    (
        "AWS::Lambda::Permission",
        &[
            "Action",
            "EventSourceToken",
            "FunctionName",
            "FunctionUrlAuthType",
            "Principal",
            "PrincipalOrgID",
            "SourceAccount",
            "SourceArn",
        ],
    ),
    ("AWS::CloudWatch::Dashboard", &["DashboardName"]),
    // The bus's name is its identifier. A rule's ARN holds its bus's name and its own
    // (`rule/<bus>/<name>`), so moving it to another bus makes a new rule too.
    ("AWS::Events::EventBus", &["Name"]),
    ("AWS::Events::Rule", &["Name", "EventBusName"]),
];

/// What deleting a resource of this type loses, if anything.
fn loses(resource: &Value) -> Option<String> {
    match resource["Type"].as_str()? {
        "AWS::SQS::Queue" => Some("the messages waiting in it".to_owned()),
        "AWS::Logs::LogGroup" => Some("its logs".to_owned()),
        // Buckets are retained on delete: the old bucket and its objects stay, orphaned.
        "AWS::S3::Bucket"
            if matches!(
                resource["DeletionPolicy"].as_str(),
                Some("Retain" | "RetainExceptOnCreate")
            ) =>
        {
            Some("nothing is deleted, but the old bucket is orphaned (retained) with its objects and the new one starts empty".to_owned())
        }
        "AWS::S3::Bucket" => Some("its objects".to_owned()),
        // Tables are retained too: the items stay in the old table, which the pipeline no longer
        // reads or writes.
        "AWS::DynamoDB::Table"
            if matches!(
                resource["DeletionPolicy"].as_str(),
                Some("Retain" | "RetainExceptOnCreate")
            ) =>
        {
            Some("nothing is deleted, but the old table is orphaned (retained) with its items and the new one starts empty".to_owned())
        }
        "AWS::DynamoDB::Table" => Some("its items".to_owned()),
        // A new API has a new URL: callers of the old one get no answer.
        "AWS::ApiGatewayV2::Api" => Some("its URL: callers of the old one get no answer".to_owned()),
        _ => None,
    }
}

pub(super) fn changes(old: &Value, new: &Value) -> Vec<ResourceChange> {
    let empty = serde_json::Map::new();
    let old_resources = old["Resources"].as_object().unwrap_or(&empty);
    let new_resources = new["Resources"].as_object().unwrap_or(&empty);
    let ids: BTreeSet<&String> = old_resources.keys().chain(new_resources.keys()).collect();
    let mut changes = Vec::new();
    for id in ids {
        let change = match (old_resources.get(id), new_resources.get(id)) {
            (None, Some(added)) => ResourceChange {
                action: Action::Add,
                logical_id: id.clone(),
                resource_type: type_of(added),
                properties: Vec::new(),
                replaced_by: Vec::new(),
                data_loss: None,
            },
            (Some(removed), None) => ResourceChange {
                action: Action::Remove,
                logical_id: id.clone(),
                resource_type: type_of(removed),
                properties: Vec::new(),
                replaced_by: Vec::new(),
                data_loss: loses(removed),
            },
            (Some(before), Some(after)) if before != after => modified(id, before, after),
            _ => continue,
        };
        changes.push(change);
    }
    changes
}

fn modified(id: &str, before: &Value, after: &Value) -> ResourceChange {
    let resource_type = type_of(after);
    let empty = serde_json::Map::new();
    let old_properties = before["Properties"].as_object().unwrap_or(&empty);
    let new_properties = after["Properties"].as_object().unwrap_or(&empty);
    let keys: BTreeSet<&String> = old_properties.keys().chain(new_properties.keys()).collect();
    let properties: Vec<String> = keys
        .into_iter()
        .filter(|key| old_properties.get(*key) != new_properties.get(*key))
        .cloned()
        .collect();
    let replacing = REPLACING
        .iter()
        .find(|(kind, _)| *kind == resource_type)
        .map_or(&[][..], |(_, properties)| properties);
    let replaced_by: Vec<String> = properties
        .iter()
        .filter(|property| replacing.contains(&property.as_str()))
        .cloned()
        .collect();
    let (action, data_loss) = if replaced_by.is_empty() {
        (Action::Modify, None)
    } else {
        (Action::Replace, loses(before))
    };
    ResourceChange {
        action,
        logical_id: id.to_owned(),
        resource_type,
        properties,
        replaced_by,
        data_loss,
    }
}

fn type_of(resource: &Value) -> String {
    resource["Type"].as_str().unwrap_or("unknown").to_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_rule_is_replaced_only_for_its_name_or_bus() {
        #[track_caller]
        fn case(property: &str, action: Action) {
            let rule = |value: &str| {
                json!({"Resources": {"OrdersHighValueRule": {"Type": "AWS::Events::Rule", "Properties": {
                    "Name": "n", "EventBusName": "b", "EventPattern": {"a": ["x"]}, "Targets": [],
                    property: value,
                }}}})
            };
            let changes = changes(&rule("old"), &rule("new"));
            assert_eq!(changes.len(), 1);
            assert_eq!(changes[0].action, action, "{property}");
            assert_eq!(changes[0].data_loss, None, "{property}");
        }
        case("Name", Action::Replace);
        case("EventBusName", Action::Replace);
        case("EventPattern", Action::Modify);
        case("Targets", Action::Modify);
        case("Description", Action::Modify);
    }

    #[test]
    fn a_bus_is_replaced_for_its_name() {
        let bus = |name: &str| json!({"Resources": {"OrdersBus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": name}}}});
        let changes = changes(&bus("a"), &bus("b"));
        assert_eq!(changes[0].action, Action::Replace);
        assert_eq!(changes[0].replaced_by, ["Name"]);
    }
}
