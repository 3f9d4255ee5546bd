//! A bucket as `.engine/s3/<bucket>.json` records it: everything about its objects and versions
//! but their bytes, and where in the data folder each body is.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::s3::checksums::{Algorithm, Checksum};
use crate::s3::store::{BucketImage, Object, Version, Versioning};

/// One bucket's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct BucketRecord {
    /// Creation time, milliseconds since the epoch.
    pub(super) created: u64,
    /// `Unversioned`, `Enabled` or `Suspended`.
    pub(super) versioning: String,
    /// The current object of each key.
    pub(super) objects: BTreeMap<String, ObjectRecord>,
    /// Every version of each key, oldest first.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) versions: BTreeMap<String, Vec<VersionRecord>>,
}

/// An object without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct ObjectRecord {
    /// Where its bytes are, relative to the data folder, `/`-separated.
    pub(super) file: String,
    pub(super) size: u64,
    pub(super) content_type: String,
    pub(super) etag: String,
    /// Milliseconds since the epoch (whole seconds, as S3 shows it).
    pub(super) last_modified: u64,
    /// Nanoseconds since the epoch.
    pub(super) written: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) metadata: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) standard: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) version_id: Option<String>,
    /// `[algorithm, base64 value]`, e.g. `["CRC32", "NhCmhg=="]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) checksum: Option<(String, String)>,
    /// The sizes of a multipart upload's parts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) parts: Vec<u64>,
}

/// One version: an object, or a delete marker (`object` absent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct VersionRecord {
    pub(super) id: String,
    pub(super) last_modified: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) object: Option<ObjectRecord>,
}

pub(super) fn millis(time: SystemTime) -> u64 {
    u64::try_from(
        time.duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis(),
    )
    .unwrap_or(u64::MAX)
}

pub(super) fn nanos(time: SystemTime) -> u64 {
    u64::try_from(
        time.duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    )
    .unwrap_or(u64::MAX)
}

pub(super) fn versioning_name(versioning: Versioning) -> &'static str {
    match versioning {
        Versioning::Unversioned => "Unversioned",
        Versioning::Enabled => "Enabled",
        Versioning::Suspended => "Suspended",
    }
}

fn versioning_of(name: &str) -> Option<Versioning> {
    match name {
        "Unversioned" => Some(Versioning::Unversioned),
        "Enabled" => Some(Versioning::Enabled),
        "Suspended" => Some(Versioning::Suspended),
        _ => None,
    }
}

/// The record of `object`, whose bytes are at `file`.
pub(super) fn object_record(object: &Object, file: String) -> ObjectRecord {
    ObjectRecord {
        file,
        size: object.body.len() as u64,
        content_type: object.content_type.clone(),
        etag: object.etag.clone(),
        last_modified: millis(object.last_modified),
        written: nanos(object.written),
        metadata: object.metadata.clone(),
        standard: object.standard.clone(),
        version_id: object.version_id.clone(),
        checksum: object
            .checksum
            .as_ref()
            .map(|checksum| (checksum.algorithm.name().to_owned(), checksum.value.clone())),
        parts: object.parts.clone(),
    }
}

/// The object `record` describes, with `body`.
pub(super) fn object_of(record: &ObjectRecord, body: hyper::body::Bytes) -> Object {
    Object {
        body,
        content_type: record.content_type.clone(),
        etag: record.etag.clone(),
        last_modified: UNIX_EPOCH + Duration::from_millis(record.last_modified),
        written: UNIX_EPOCH + Duration::from_nanos(record.written),
        metadata: record.metadata.clone(),
        standard: record.standard.clone(),
        version_id: record.version_id.clone(),
        checksum: record.checksum.as_ref().and_then(|(algorithm, value)| {
            Some(Checksum {
                algorithm: Algorithm::named(algorithm)?,
                value: value.clone(),
            })
        }),
        parts: record.parts.clone(),
    }
}

/// The bucket `record` describes, each body read by `body` from its file; `None` for a
/// versioning state this engine does not know.
pub(super) fn bucket_of<E>(
    name: &str,
    record: &BucketRecord,
    mut body: impl FnMut(&ObjectRecord) -> Result<hyper::body::Bytes, E>,
) -> Result<Option<BucketImage>, E> {
    let Some(versioning) = versioning_of(&record.versioning) else {
        return Ok(None);
    };
    let mut objects = BTreeMap::new();
    for (key, object) in &record.objects {
        objects.insert(key.clone(), object_of(object, body(object)?));
    }
    let mut versions = BTreeMap::new();
    for (key, history) in &record.versions {
        let mut restored = Vec::with_capacity(history.len());
        for version in history {
            let object = match &version.object {
                Some(object) => Some(object_of(object, body(object)?)),
                None => None,
            };
            restored.push(Version {
                id: version.id.clone(),
                last_modified: UNIX_EPOCH + Duration::from_millis(version.last_modified),
                object,
            });
        }
        versions.insert(key.clone(), restored);
    }
    Ok(Some(BucketImage {
        name: name.to_owned(),
        created: UNIX_EPOCH + Duration::from_millis(record.created),
        versioning,
        objects,
        versions,
    }))
}
