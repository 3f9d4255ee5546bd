//! Destroying a stage: first its plan (the stack, its resources by type, each retained bucket
//! with its object versions and their size, each retained table with its item count, the
//! stage's tags), then the stack deleted, the buckets it retained emptied of every version and
//! deleted, and the tables it retained deleted — a stage's physical names are fixed, so anything
//! left behind would stop the next deploy of the same stage.

use std::collections::BTreeMap;

use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde::Serialize;

use super::call_failed;
use super::stack::Pace;
use super::stages::{Stage, StageError, set_termination_protection};

/// The clients a stage is destroyed through.
#[derive(Debug, Clone)]
pub struct Clients {
    pub cloudformation: aws_sdk_cloudformation::Client,
    pub s3: aws_sdk_s3::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
}

impl Clients {
    /// Clients for the account and region of `sdk`.
    pub fn new(sdk: &aws_config::SdkConfig) -> Self {
        Self {
            cloudformation: aws_sdk_cloudformation::Client::new(sdk),
            s3: super::s3_client(sdk),
            dynamodb: aws_sdk_dynamodb::Client::new(sdk),
        }
    }
}

/// What destroying a stage would remove.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DestroyPlan {
    pub stage: String,
    pub stack: String,
    pub status: String,
    pub protected: bool,
    /// How many resources of each CloudFormation type the stack holds.
    pub resources: BTreeMap<String, usize>,
    /// The buckets the stack retains, which are emptied and deleted after it.
    pub buckets: Vec<BucketContents>,
    /// The DynamoDB tables the stack retains, which are deleted after it.
    pub tables: Vec<TableContents>,
    pub tags: BTreeMap<String, String>,
}

/// A table and its item count, as DynamoDB reports it (refreshed about every six hours, so
/// approximate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableContents {
    pub table: String,
    pub items: i64,
}

/// A bucket's contents: every object version and delete marker, and their total size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketContents {
    pub bucket: String,
    pub object_versions: usize,
    pub bytes: u64,
}

impl std::fmt::Display for DestroyPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let protected = if self.protected { ", protected" } else { "" };
        writeln!(
            f,
            "stage `{}`: stack `{}` ({}{protected})",
            self.stage, self.stack, self.status
        )?;
        let tags: Vec<String> = self.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        writeln!(f, "  tags: {}", tags.join(", "))?;
        let total: usize = self.resources.values().sum();
        writeln!(f, "  resources ({total}):")?;
        for (resource_type, count) in &self.resources {
            writeln!(f, "    {count:>3} {resource_type}")?;
        }
        for bucket in &self.buckets {
            writeln!(
                f,
                "  bucket `{}`: {} object version{}, {} — emptied and deleted",
                bucket.bucket,
                bucket.object_versions,
                if bucket.object_versions == 1 { "" } else { "s" },
                indicatif::HumanBytes(bucket.bytes)
            )?;
        }
        for table in &self.tables {
            writeln!(
                f,
                "  table `{}`: about {} item{} — deleted",
                table.table,
                table.items,
                if table.items == 1 { "" } else { "s" },
            )?;
        }
        Ok(())
    }
}

/// What destroying a stage removed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Destroyed {
    pub stage: String,
    pub stack: String,
    /// Buckets emptied and deleted.
    pub buckets: Vec<Emptied>,
    /// Tables deleted.
    pub tables: Vec<String>,
}

/// A bucket emptied and deleted, and how many object versions and delete markers it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Emptied {
    pub bucket: String,
    pub object_versions: usize,
}

impl std::fmt::Display for Destroyed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "destroyed stack `{}`", self.stack)?;
        for Emptied {
            bucket,
            object_versions: versions,
        } in &self.buckets
        {
            let plural = if *versions == 1 { "" } else { "s" };
            write!(
                f,
                "; bucket `{bucket}` emptied ({versions} object version{plural}) and deleted"
            )?;
        }
        for table in &self.tables {
            write!(f, "; table `{table}` deleted")?;
        }
        writeln!(f)
    }
}

/// Reads what destroying `stage` would remove.
pub async fn plan(clients: &Clients, stage: &Stage) -> Result<DestroyPlan, StageError> {
    let described = clients
        .cloudformation
        .describe_stack_resources()
        .stack_name(&stage.stack)
        .send()
        .await
        .map_err(|error| call_failed("DescribeStackResources", error))?;
    let mut resources = BTreeMap::new();
    let mut buckets = Vec::new();
    let mut tables = Vec::new();
    for resource in described.stack_resources() {
        // Emulators leave the type of resources they skipped empty.
        let resource_type = resource
            .resource_type()
            .filter(|resource_type| !resource_type.is_empty())
            .unwrap_or("(type not reported)");
        *resources.entry(resource_type.to_owned()).or_insert(0) += 1;
        if resource_type == "AWS::S3::Bucket"
            && let Some(bucket) = resource.physical_resource_id()
        {
            buckets.push(contents(&clients.s3, bucket).await?);
        }
        if resource_type == "AWS::DynamoDB::Table"
            && let Some(table) = resource.physical_resource_id()
            && let Some(items) = item_count(&clients.dynamodb, table).await?
        {
            tables.push(TableContents {
                table: table.to_owned(),
                items,
            });
        }
    }
    Ok(DestroyPlan {
        stage: stage.stage.clone(),
        stack: stage.stack.clone(),
        status: stage.status.clone(),
        protected: stage.protected,
        resources,
        buckets,
        tables,
        tags: stage.tags.clone(),
    })
}

/// The item count of `table`, `None` when it is gone already.
async fn item_count(
    dynamodb: &aws_sdk_dynamodb::Client,
    table: &str,
) -> Result<Option<i64>, StageError> {
    match dynamodb.describe_table().table_name(table).send().await {
        Ok(described) => Ok(Some(
            described
                .table()
                .and_then(aws_sdk_dynamodb::types::TableDescription::item_count)
                .unwrap_or(0),
        )),
        Err(error) if is_missing_table(&error) => Ok(None),
        Err(error) => Err(call_failed(&format!("DescribeTable {table}"), error).into()),
    }
}

fn is_missing_table<E: aws_sdk_dynamodb::error::ProvideErrorMetadata, R>(
    error: &aws_sdk_dynamodb::error::SdkError<E, R>,
) -> bool {
    error
        .as_service_error()
        .and_then(aws_sdk_dynamodb::error::ProvideErrorMetadata::code)
        == Some("ResourceNotFoundException")
}

/// Counts every object version and delete marker of `bucket`, and sums their sizes.
async fn contents(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<BucketContents, StageError> {
    let mut counted = BucketContents {
        bucket: bucket.to_owned(),
        object_versions: 0,
        bytes: 0,
    };
    let mut key_marker = None;
    let mut version_marker = None;
    loop {
        let listing = match s3
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key_marker)
            .set_version_id_marker(version_marker)
            .send()
            .await
        {
            Ok(listing) => listing,
            Err(error) if super::is_s3_code(&error, &["NoSuchBucket"]) => return Ok(counted),
            Err(error) => {
                return Err(call_failed(&format!("ListObjectVersions {bucket}"), error).into());
            }
        };
        counted.object_versions += listing.versions().len() + listing.delete_markers().len();
        counted.bytes += listing
            .versions()
            .iter()
            .filter_map(aws_sdk_s3::types::ObjectVersion::size)
            .map(|size| u64::try_from(size).unwrap_or(0))
            .sum::<u64>();
        if listing.is_truncated() != Some(true) {
            return Ok(counted);
        }
        key_marker = listing.next_key_marker().map(str::to_owned);
        version_marker = listing.next_version_id_marker().map(str::to_owned);
    }
}

/// Deletes the stack, then empties (every version) and deletes the buckets it retained, and
/// deletes the tables it retained. A protected stage needs `force`; its termination protection
/// is switched off first.
pub async fn destroy(
    clients: &Clients,
    stage: &Stage,
    plan: &DestroyPlan,
    force: bool,
) -> Result<Destroyed, StageError> {
    if stage.protected && !force {
        return Err(StageError::Protected(stage.stage.clone()));
    }
    let Clients {
        cloudformation,
        s3,
        dynamodb,
    } = clients;
    if stage.termination_protection {
        set_termination_protection(cloudformation, &stage.stack, false).await?;
    }
    cloudformation
        .delete_stack()
        .stack_name(&stage.stack)
        .send()
        .await
        .map_err(|error| call_failed("DeleteStack", error))?;
    match super::stack::settled(cloudformation, &stage.stack, &Pace::default()).await {
        Ok(None) => {}
        Ok(Some(status)) => {
            return Err(StageError::DeleteFailed {
                stack: stage.stack.clone(),
                status: status.as_str().to_owned(),
            });
        }
        Err(error) => {
            return Err(StageError::DeleteFailed {
                stack: stage.stack.clone(),
                status: error.to_string(),
            });
        }
    }
    let mut destroyed = Destroyed {
        stage: stage.stage.clone(),
        stack: stage.stack.clone(),
        buckets: Vec::new(),
        tables: Vec::new(),
    };
    for bucket in plan.buckets.iter().map(|contents| &contents.bucket) {
        let count = empty_bucket(s3, bucket).await?;
        match s3.delete_bucket().bucket(bucket).send().await {
            Ok(_) => {}
            Err(error) if super::is_s3_code(&error, &["NoSuchBucket"]) => {}
            Err(error) => return Err(call_failed(&format!("DeleteBucket {bucket}"), error).into()),
        }
        destroyed.buckets.push(Emptied {
            bucket: bucket.clone(),
            object_versions: count,
        });
    }
    for table in plan.tables.iter().map(|contents| &contents.table) {
        match dynamodb.delete_table().table_name(table).send().await {
            Ok(_) => destroyed.tables.push(table.clone()),
            Err(error) if is_missing_table(&error) => {}
            Err(error) => return Err(call_failed(&format!("DeleteTable {table}"), error).into()),
        }
    }
    Ok(destroyed)
}

/// Deletes every object version and delete marker; returns how many there were.
async fn empty_bucket(s3: &aws_sdk_s3::Client, bucket: &str) -> Result<usize, StageError> {
    let mut deleted = 0;
    loop {
        let listing = match s3.list_object_versions().bucket(bucket).send().await {
            Ok(listing) => listing,
            Err(error) if super::is_s3_code(&error, &["NoSuchBucket"]) => return Ok(deleted),
            Err(error) => {
                return Err(call_failed(&format!("ListObjectVersions {bucket}"), error).into());
            }
        };
        let identifiers: Vec<ObjectIdentifier> = listing
            .versions()
            .iter()
            .map(|version| (version.key(), version.version_id()))
            .chain(
                listing
                    .delete_markers()
                    .iter()
                    .map(|marker| (marker.key(), marker.version_id())),
            )
            .filter_map(|(key, version)| {
                ObjectIdentifier::builder()
                    .key(key?)
                    .set_version_id(version.map(str::to_owned))
                    .build()
                    .ok()
            })
            .collect();
        if identifiers.is_empty() {
            return Ok(deleted);
        }
        for chunk in identifiers.chunks(1000) {
            let delete = Delete::builder()
                .set_objects(Some(chunk.to_vec()))
                .quiet(true)
                .build()
                .map_err(|error| call_failed("DeleteObjects", error))?;
            s3.delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|error| call_failed(&format!("DeleteObjects {bucket}"), error))?;
            deleted += chunk.len();
        }
    }
}
