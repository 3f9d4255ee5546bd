//! One alarm topic per stage: SNS, encrypted with a key of the stack that CloudWatch may use
//! (the AWS-managed `aws/sns` key does not let CloudWatch publish), and an optional e-mail
//! subscription (`AlarmEmail`).

use std::collections::BTreeMap;

use super::parameters::{ALARM_EMAIL, HAS_ALARM_EMAIL};
use super::template::{Expr, Output, Resource};
use super::{outputs, tags};
use crate::config::Pipeline;

/// The topic every alarm notifies.
pub(super) const TOPIC: &str = "AlarmTopic";
const KEY: &str = "AlarmTopicKey";
const SUBSCRIPTION: &str = "AlarmEmailSubscription";

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    resources.insert(KEY.to_owned(), key(pipeline));
    resources.insert(
        TOPIC.to_owned(),
        Resource::new(
            "AWS::SNS::Topic",
            [
                (
                    "TopicName",
                    Expr::sub(format!("{}-alarms-${{Stage}}", pipeline.name)),
                ),
                (
                    "DisplayName",
                    Expr::sub(format!("Alarms of pipeline {} (${{Stage}})", pipeline.name)),
                ),
                ("KmsMasterKeyId", Expr::reference(KEY)),
                ("Tags", tags(pipeline)),
            ],
        ),
    );
    resources.insert(
        SUBSCRIPTION.to_owned(),
        Resource {
            condition: Some(HAS_ALARM_EMAIL.to_owned()),
            ..Resource::new(
                "AWS::SNS::Subscription",
                [
                    ("TopicArn", Expr::reference(TOPIC)),
                    ("Protocol", Expr::str("email")),
                    ("Endpoint", Expr::reference(ALARM_EMAIL)),
                ],
            )
        },
    );
    outputs::add(
        out,
        "AlarmTopicArn".to_owned(),
        "SNS topic every alarm notifies; subscribe the people on call".to_owned(),
        Expr::reference(TOPIC),
    );
}

/// A rotating key: the account administers it; CloudWatch may encrypt alarm messages with it.
/// Untagged: the stack's tags reach it, and moto cannot read KMS tags from a template (it
/// expects the API's `TagKey`/`TagValue`).
fn key(pipeline: &Pipeline) -> Resource {
    let statement = |sid: &str, principal: Expr, actions: &[&str]| {
        Expr::map([
            ("Sid", Expr::str(sid)),
            ("Effect", Expr::str("Allow")),
            ("Principal", principal),
            (
                "Action",
                Expr::list(actions.iter().map(|action| Expr::str(*action))),
            ),
            ("Resource", Expr::str("*")),
        ])
    };
    Resource::new(
        "AWS::KMS::Key",
        [
            (
                "Description",
                Expr::sub(format!(
                    "Encrypts the alarm topic of pipeline {} (${{Stage}}).",
                    pipeline.name
                )),
            ),
            ("EnableKeyRotation", Expr::Bool(true)),
            (
                "KeyPolicy",
                Expr::map([
                    ("Version", Expr::str("2012-10-17")),
                    (
                        "Statement",
                        Expr::list([
                            statement(
                                "AccountAdministers",
                                Expr::map([(
                                    "AWS",
                                    Expr::sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
                                )]),
                                &["kms:*"],
                            ),
                            statement(
                                "CloudWatchPublishesAlarms",
                                Expr::map([("Service", Expr::str("cloudwatch.amazonaws.com"))]),
                                &["kms:Decrypt", "kms:GenerateDataKey*"],
                            ),
                        ]),
                    ),
                ]),
            ),
        ],
    )
}
