//! Buckets and objects in memory, and the rules S3 applies to them, without I/O.
//!
//! Every operation takes the one lock for its whole duration, so a conditional write
//! (`If-None-Match: *`) checks and inserts atomically: of concurrent writers of one key, exactly
//! one succeeds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use hyper::body::Bytes;
use md5::{Digest as _, Md5};

use super::checksums::Checksum;
use super::error::S3Error;
use super::time::whole_seconds;
use crate::budget::Budget;
use crate::limits::Limits;

#[path = "listing.rs"]
mod listing;
pub use listing::{ListQuery, Resume};
#[path = "image.rs"]
mod image;
#[path = "multipart.rs"]
pub(super) mod multipart;
#[path = "versions.rs"]
mod versions;
pub use image::BucketImage;
pub use multipart::{
    ListedUpload, MAX_PART_NUMBER, MIN_PART_BYTES, PartsPage, UploadedPart, UploadsPage,
    UploadsQuery,
};
pub use versions::{Deleted, ListedVersion, Version, Versioning, VersionsPage, VersionsQuery};

/// The `Content-Type` of objects written without one.
pub const DEFAULT_CONTENT_TYPE: &str = "binary/octet-stream";

/// The largest page `ListObjectsV2` returns.
pub const MAX_KEYS: usize = 1000;

/// An in-memory S3: cheap to clone, every clone sees the same buckets.
#[derive(Debug, Clone, Default)]
pub struct ObjectStore {
    state: Arc<Mutex<State>>,
}

#[derive(Debug, Default)]
struct State {
    buckets: BTreeMap<String, Bucket>,
    /// Multipart uploads in progress, by upload id.
    uploads: BTreeMap<String, multipart::Upload>,
    limits: Limits,
    /// Every object's body length is held here.
    budget: Budget,
}

#[derive(Debug)]
struct Bucket {
    created: SystemTime,
    /// The current object of each key (in a versioned bucket, the newest version unless that is
    /// a delete marker).
    objects: BTreeMap<String, Object>,
    versioning: Versioning,
    /// Every version of each key, oldest first, once versioning has been enabled.
    versions: BTreeMap<String, Vec<Version>>,
}

/// A stored object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    /// The content.
    pub body: Bytes,
    /// `Content-Type` as written.
    pub content_type: String,
    /// The quoted hex MD5 of the body.
    pub etag: String,
    /// When it was written, in whole seconds.
    pub last_modified: SystemTime,
    /// When it was written, to the clock's precision (what `gen dev --demo` measures order
    /// latency with; S3 shows only `last_modified`).
    pub written: SystemTime,
    /// User metadata (`x-amz-meta-<name>`), names in lower case.
    pub metadata: BTreeMap<String, String>,
    /// The standard headers stored with the object (`Cache-Control`, `Content-Disposition`,
    /// `Content-Encoding`, `Content-Language`, `Expires`), names in lower case.
    pub standard: BTreeMap<String, String>,
    /// Its version in a bucket that has had versioning enabled (`null` when written while
    /// versioning was suspended).
    pub version_id: Option<String>,
    /// Its full-object checksum (`x-amz-checksum-*`); `None` for a multipart upload's.
    pub checksum: Option<Checksum>,
    /// The sizes of the parts it was completed from, in order; empty for a single-part object.
    pub parts: Vec<u64>,
}

/// What a `PutObject` says about the object besides its body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectHeaders {
    /// `Content-Type`, if sent.
    pub content_type: Option<String>,
    /// User metadata (`x-amz-meta-<name>`), names in lower case.
    pub metadata: BTreeMap<String, String>,
    /// The standard headers to store (see [`Object::standard`]).
    pub standard: BTreeMap<String, String>,
    /// The checksum to store (see [`Object::checksum`]).
    pub checksum: Option<Checksum>,
}

impl ObjectHeaders {
    /// The headers `object` was stored with (what `CopyObject` copies by default).
    pub fn of(object: &Object) -> Self {
        Self {
            content_type: Some(object.content_type.clone()),
            metadata: object.metadata.clone(),
            standard: object.standard.clone(),
            checksum: object.checksum.clone(),
        }
    }
}

/// What a write requires of the key's current object, checked under the store's lock.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum WriteCondition {
    /// Nothing.
    #[default]
    Always,
    /// `If-None-Match: *`: the key holds no object.
    IfAbsent,
    /// `If-Match: "etag"`: the key holds an object with this `ETag` (`NoSuchKey` when none).
    IfMatch(String),
}

/// One object in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedObject {
    /// The key.
    pub key: String,
    /// The body's length in bytes.
    pub size: u64,
    /// The quoted hex MD5 of the body.
    pub etag: String,
    /// When it was written.
    pub last_modified: SystemTime,
}

/// One page of `ListObjectsV2`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListPage {
    /// The objects, in key order.
    pub contents: Vec<ListedObject>,
    /// The common prefixes keys were rolled up into, in order.
    pub common_prefixes: Vec<String>,
    /// Whether keys past this page match.
    pub is_truncated: bool,
    /// Where a truncated page's listing continues.
    pub next: Option<Resume>,
}

impl ObjectStore {
    /// An empty store with the default [`Limits`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty store bounded by `limits`, holding its objects' bytes in `budget`.
    pub fn with_limits(limits: Limits, budget: Budget) -> Self {
        let store = Self::default();
        {
            let mut state = store.lock();
            state.limits = limits;
            state.budget = budget;
        }
        store
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic under the lock leaves the maps consistent: every mutation is one insert/remove.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Creates a bucket; `BucketAlreadyOwnedByYou` if it exists.
    pub fn create_bucket(&self, name: &str) -> Result<(), S3Error> {
        validate_bucket_name(name)?;
        let mut state = self.lock();
        if state.buckets.contains_key(name) {
            return Err(S3Error::BucketAlreadyOwnedByYou(name.to_owned()));
        }
        state.buckets.insert(
            name.to_owned(),
            Bucket {
                created: whole_seconds(SystemTime::now()),
                objects: BTreeMap::new(),
                versioning: Versioning::Unversioned,
                versions: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// `Ok` when the bucket exists.
    pub fn head_bucket(&self, name: &str) -> Result<(), S3Error> {
        if self.lock().buckets.contains_key(name) {
            Ok(())
        } else {
            Err(S3Error::NoSuchBucket(name.to_owned()))
        }
    }

    /// Deletes an empty bucket.
    pub fn delete_bucket(&self, name: &str) -> Result<(), S3Error> {
        let mut state = self.lock();
        let bucket = state
            .buckets
            .get(name)
            .ok_or_else(|| S3Error::NoSuchBucket(name.to_owned()))?;
        if !bucket.objects.is_empty() || !bucket.versions.is_empty() {
            return Err(S3Error::BucketNotEmpty(name.to_owned()));
        }
        state.buckets.remove(name);
        Ok(())
    }

    /// Every bucket with its creation time, by name.
    pub fn buckets(&self) -> Vec<(String, SystemTime)> {
        self.lock()
            .buckets
            .iter()
            .map(|(name, bucket)| (name.clone(), bucket.created))
            .collect()
    }

    /// Writes an object and returns it as stored (its `ETag`, time and version);
    /// `condition` is checked and the object written under one lock.
    pub fn put_object(
        &self,
        bucket: &str,
        key: &str,
        body: Bytes,
        headers: ObjectHeaders,
        condition: &WriteCondition,
    ) -> Result<Object, S3Error> {
        let object = new_object(body, etag, headers);
        let mut state = self.lock();
        write(&mut state, bucket, key, object, condition, 0)
    }

    /// Reads an object.
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<Object, S3Error> {
        self.lock()
            .buckets
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?
            .objects
            .get(key)
            .cloned()
            .ok_or_else(|| S3Error::NoSuchKey(key.to_owned()))
    }

    /// Every key under `prefix` with its size, in key order; empty when the bucket is missing.
    pub fn list(&self, bucket: &str, prefix: &str) -> Vec<(String, u64)> {
        let state = self.lock();
        let Some(bucket) = state.buckets.get(bucket) else {
            return Vec::new();
        };
        bucket
            .objects
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix))
            .map(|(key, object)| (key.clone(), object.body.len() as u64))
            .collect()
    }

    /// An object's body, if both bucket and key exist.
    pub fn get(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        self.get_object(bucket, key)
            .ok()
            .map(|object| object.body.to_vec())
    }
}

/// An object of `body` written now, its `ETag` computed by `etag`.
fn new_object(body: Bytes, etag: impl FnOnce(&[u8]) -> String, headers: ObjectHeaders) -> Object {
    let now = SystemTime::now();
    Object {
        etag: etag(&body),
        body,
        content_type: headers
            .content_type
            .unwrap_or_else(|| DEFAULT_CONTENT_TYPE.to_owned()),
        last_modified: whole_seconds(now),
        written: now,
        metadata: headers.metadata,
        standard: headers.standard,
        version_id: None,
        checksum: headers.checksum,
        parts: Vec::new(),
    }
}

/// Writes `object` at `key` if `condition` holds and returns it as stored; the budget trades
/// the bytes it no longer holds (the replaced object of an unversioned bucket, and `released`
/// more: a completed upload's parts) for the new object's.
fn write(
    state: &mut State,
    bucket: &str,
    key: &str,
    mut object: Object,
    condition: &WriteCondition,
    released: u64,
) -> Result<Object, S3Error> {
    let length = object.body.len() as u64;
    if length > state.limits.max_object_bytes {
        return Err(S3Error::EntityTooLarge(state.limits.max_object_bytes));
    }
    let bucket_state = state
        .buckets
        .get_mut(bucket)
        .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
    let current = bucket_state.objects.get(key);
    match (condition, current) {
        (WriteCondition::IfAbsent, Some(_)) => return Err(S3Error::PreconditionFailed),
        (WriteCondition::IfMatch(_), None) => return Err(S3Error::NoSuchKey(key.to_owned())),
        (WriteCondition::IfMatch(tag), Some(current))
            if tag != "*" && tag.trim_matches('"') != current.etag.trim_matches('"') =>
        {
            return Err(S3Error::PreconditionFailed);
        }
        _ => {}
    }
    let replaced = bucket_state.replaced_by_write(key);
    state
        .budget
        .swap(replaced + released, length)
        .map_err(S3Error::StorageCapReached)?;
    object.version_id = bucket_state.record_write(key, &object);
    bucket_state.objects.insert(key.to_owned(), object.clone());
    Ok(object)
}

/// The quoted hex MD5 S3 uses as the `ETag` of a single-part object.
pub fn etag(body: &[u8]) -> String {
    quoted_hex(&Md5::digest(body))
}

/// `"<hex>"`.
fn quoted_hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2 + 2);
    text.push('"');
    for byte in bytes {
        let _ = write!(text, "{byte:02x}");
    }
    text.push('"');
    text
}

/// S3's rules: 3–63 characters of lower-case letters, digits, `.` and `-`, starting and ending
/// with a letter or digit.
fn validate_bucket_name(name: &str) -> Result<(), S3Error> {
    let allowed = |byte: u8| byte.is_ascii_lowercase() || byte.is_ascii_digit();
    let bytes = name.as_bytes();
    let valid = (3..=63).contains(&bytes.len())
        && bytes
            .iter()
            .all(|&byte| allowed(byte) || byte == b'.' || byte == b'-')
        && bytes.first().is_some_and(|&byte| allowed(byte))
        && bytes.last().is_some_and(|&byte| allowed(byte));
    if valid {
        Ok(())
    } else {
        Err(S3Error::InvalidBucketName(name.to_owned()))
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
