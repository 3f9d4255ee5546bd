//! S3 buckets: encrypted, private, TLS-only, optionally versioned and expiring.

use std::collections::BTreeMap;

use super::template::{Expr, Output, Resource};
use super::transport::deny_insecure_transport;
use super::{outputs, suppressions, tags};
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
        let properties = vec![
            (
                "BucketName",
                Expr::sub(format!(
                    "{}-{}-${{Stage}}-${{AWS::AccountId}}",
                    pipeline.name, bucket.name
                )),
            ),
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
                    Expr::str(if bucket.versioning {
                        "Enabled"
                    } else {
                        "Suspended"
                    }),
                )]),
            ),
            (
                "LifecycleConfiguration",
                lifecycle(bucket.expire_after.map(|expiry| expiry.as_secs() / 86_400)),
            ),
            ("Tags", tags(pipeline)),
        ];
        resources.insert(
            id.clone(),
            Resource {
                // Kept when the stack is deleted (`gen destroy` empties and deletes it), but not
                // when the first create rolls back: an orphan with a fixed name would make
                // every later create fail with "already exists".
                deletion_policy: Some("RetainExceptOnCreate"),
                update_replace_policy: Some("Retain"),
                ..Resource::new("AWS::S3::Bucket", properties)
            }
            .skip_checks(suppressions::BUCKET),
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
