//! Server access logging: every pipeline bucket logs requests into one log bucket per stage
//! that the kit manages. The log bucket does not log into itself (each delivery would log
//! another), and only S3's logging service, for this account, may write to it.

use std::collections::BTreeMap;

use super::buckets::{private_bucket, retained_bucket};
use super::suppressions;
use super::template::{Expr, Resource};
use super::transport::{deny_insecure_transport_statement, policy_document};
use crate::config::Pipeline;

/// The logical ID of the log bucket.
pub(super) const LOG_BUCKET: &str = "AccessLogBucket";
const LOG_BUCKET_POLICY: &str = "AccessLogBucketPolicy";
/// How long access logs are kept.
const LOG_EXPIRY_DAYS: u64 = 90;

/// A pipeline bucket's `LoggingConfiguration`: its logs under `<bucket>/` in the log bucket.
pub(super) fn logging_to_log_bucket(bucket: &str) -> Expr {
    Expr::map([
        ("DestinationBucketName", Expr::reference(LOG_BUCKET)),
        ("LogFilePrefix", Expr::str(format!("{bucket}/"))),
    ])
}

/// The log bucket and its policy, when the pipeline has buckets to log.
pub(super) fn add(pipeline: &Pipeline, resources: &mut BTreeMap<String, Resource>) {
    if pipeline.buckets.is_empty() {
        return;
    }
    resources.insert(
        LOG_BUCKET.to_owned(),
        retained_bucket(
            private_bucket(
                pipeline,
                Expr::sub(format!(
                    "{}-access-logs-${{Stage}}-${{AWS::AccountId}}",
                    pipeline.name
                )),
                true,
                Some(LOG_EXPIRY_DAYS),
            ),
            suppressions::LOG_BUCKET,
        ),
    );
    let objects = Expr::sub(format!("${{{LOG_BUCKET}.Arn}}/*"));
    let delivery = Expr::map([
        ("Sid", Expr::str("S3ServerAccessLogsDelivery")),
        ("Effect", Expr::str("Allow")),
        (
            "Principal",
            Expr::map([("Service", Expr::str("logging.s3.amazonaws.com"))]),
        ),
        ("Action", Expr::str("s3:PutObject")),
        ("Resource", objects.clone()),
        (
            "Condition",
            Expr::map([(
                "StringEquals",
                Expr::map([("aws:SourceAccount", Expr::reference("AWS::AccountId"))]),
            )]),
        ),
    ]);
    resources.insert(
        LOG_BUCKET_POLICY.to_owned(),
        Resource::new(
            "AWS::S3::BucketPolicy",
            [
                ("Bucket", Expr::reference(LOG_BUCKET)),
                (
                    "PolicyDocument",
                    policy_document([
                        deny_insecure_transport_statement(
                            "s3:*",
                            vec![Expr::get_att(LOG_BUCKET, "Arn"), objects],
                        ),
                        delivery,
                    ]),
                ),
            ],
        ),
    );
}
