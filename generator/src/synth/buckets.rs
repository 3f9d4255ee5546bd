//! S3 buckets: encrypted, private, TLS-only, logging their access to the kit's log bucket,
//! optionally versioned and expiring.

use std::collections::BTreeMap;

use super::template::{Expr, Output, Resource};
use super::transport::deny_insecure_transport;
use super::{access_logs, outputs, suppressions, tags};
use crate::config::Pipeline;
use crate::config::naming::logical_id;

/// The logical ID of a bucket.
pub(super) fn bucket_id(name: &str) -> String {
    logical_id(name, "Bucket")
}

pub(super) fn add(
    pipeline: &Pipeline,
    resources: &mut BTreeMap<String, Resource>,
    out: &mut BTreeMap<String, Output>,
) {
    for bucket in pipeline.buckets.values() {
        let id = bucket_id(&bucket.name);
        let mut properties = private_bucket(
            pipeline,
            Expr::sub(format!(
                "{}-{}-${{Stage}}-${{AWS::AccountId}}",
                pipeline.name, bucket.name
            )),
            bucket.versioning,
            bucket.expire_after.map(|expiry| expiry.as_secs() / 86_400),
        );
        properties.push((
            "LoggingConfiguration",
            access_logs::logging_to_log_bucket(&bucket.name),
        ));
        resources.insert(
            id.clone(),
            retained_bucket(properties, suppressions::BUCKET),
        );
        resources.insert(
            logical_id(&bucket.name, "BucketPolicy"),
            Resource::new(
                "AWS::S3::BucketPolicy",
                [
                    ("Bucket", Expr::reference(&id)),
                    (
                        "PolicyDocument",
                        deny_insecure_transport(
                            "s3:*",
                            vec![
                                Expr::get_att(&id, "Arn"),
                                Expr::sub(format!("${{{id}.Arn}}/*")),
                            ],
                        ),
                    ),
                ],
            ),
        );
        outputs::add(
            out,
            logical_id(&bucket.name, "BucketName"),
            format!("Name of bucket `{}`", bucket.name),
            Expr::reference(&id),
        );
    }
}

/// A bucket kept when the stack is deleted (`gen destroy` empties and deletes it), but not
/// when the first create rolls back: an orphan with a fixed name would make every later create
/// fail with "already exists".
pub(super) fn retained_bucket(
    properties: Vec<(&'static str, Expr)>,
    skips: &[suppressions::Skip],
) -> Resource {
    Resource {
        deletion_policy: Some("RetainExceptOnCreate"),
        update_replace_policy: Some("Retain"),
        ..Resource::new("AWS::S3::Bucket", properties)
    }
    .skip_checks(skips)
}

/// The properties every bucket of the kit shares: SSE-S3 (the only encryption server access
/// logging accepts), no public access, owner-enforced objects, versioning and lifecycle.
pub(super) fn private_bucket(
    pipeline: &Pipeline,
    name: Expr,
    versioning: bool,
    expire_days: Option<u64>,
) -> Vec<(&'static str, Expr)> {
    vec![
        ("BucketName", name),
        (
            "BucketEncryption",
            Expr::map([(
                "ServerSideEncryptionConfiguration",
                Expr::list([Expr::map([
                    (
                        "ServerSideEncryptionByDefault",
                        Expr::map([("SSEAlgorithm", Expr::str("AES256"))]),
                    ),
                    ("BucketKeyEnabled", Expr::Bool(true)),
                ])]),
            )]),
        ),
        (
            "PublicAccessBlockConfiguration",
            Expr::map([
                ("BlockPublicAcls", Expr::Bool(true)),
                ("BlockPublicPolicy", Expr::Bool(true)),
                ("IgnorePublicAcls", Expr::Bool(true)),
                ("RestrictPublicBuckets", Expr::Bool(true)),
            ]),
        ),
        (
            "OwnershipControls",
            Expr::map([(
                "Rules",
                Expr::list([Expr::map([(
                    "ObjectOwnership",
                    Expr::str("BucketOwnerEnforced"),
                )])]),
            )]),
        ),
        (
            "VersioningConfiguration",
            Expr::map([(
                "Status",
                Expr::str(if versioning { "Enabled" } else { "Suspended" }),
            )]),
        ),
        ("LifecycleConfiguration", lifecycle(expire_days)),
        ("Tags", tags(pipeline)),
    ]
}

/// Abort stale multipart uploads always; expire objects and old versions when asked to.
fn lifecycle(expire_days: Option<u64>) -> Expr {
    let mut rules = vec![Expr::map([
        ("Id", Expr::str("abort-incomplete-uploads")),
        ("Status", Expr::str("Enabled")),
        (
            "AbortIncompleteMultipartUpload",
            Expr::map([("DaysAfterInitiation", Expr::Int(7))]),
        ),
    ])];
    if let Some(days) = expire_days {
        rules.push(Expr::map([
            ("Id", Expr::str("expire")),
            ("Status", Expr::str("Enabled")),
            ("ExpirationInDays", days.into()),
            (
                "NoncurrentVersionExpiration",
                Expr::map([("NoncurrentDays", days.into())]),
            ),
        ]));
    }
    Expr::map([("Rules", Expr::List(rules))])
}
