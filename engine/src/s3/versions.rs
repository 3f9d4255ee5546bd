//! Versioning, as S3 keeps it once a bucket has had it enabled: every write a new version, a
//! delete without a version id a delete marker, a delete with one the removal of that version.
//! While suspended, writes and deletes replace the `null` version. Objects written before
//! versioning was enabled are the `null` version.
//!
//! S3 User Guide, "Retaining multiple versions of objects with S3 Versioning".

use std::time::SystemTime;

use super::{Bucket, Object, ObjectStore, S3Error, whole_seconds};

/// A bucket's versioning state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Versioning {
    /// Never enabled: a write replaces the object.
    #[default]
    Unversioned,
    /// Every write adds a version.
    Enabled,
    /// Writes replace the `null` version; older versions are kept.
    Suspended,
}

/// One version of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Its id (`null` for one written while unversioned or suspended).
    pub id: String,
    /// The object, or `None` for a delete marker.
    pub object: Option<Object>,
    /// When it was written.
    pub last_modified: SystemTime,
}

/// One entry of `ListObjectVersions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedVersion {
    /// The key.
    pub key: String,
    /// The version or delete marker.
    pub version: Version,
    /// Whether it is the key's newest.
    pub is_latest: bool,
}

/// What one page of `ListObjectVersions` lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct VersionsQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// Keys with this after the prefix are rolled up into one common prefix each.
    pub delimiter: Option<&'a str>,
    /// `key-marker`: keys after this one (or, with a version marker, this key's versions
    /// after that version too).
    pub key_marker: Option<&'a str>,
    /// `version-id-marker`: the last version of `key_marker` already listed.
    pub version_id_marker: Option<&'a str>,
    /// At most this many versions, delete markers and common prefixes together.
    pub max: usize,
}

/// One page of `ListObjectVersions`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionsPage {
    /// Keys in order, each key's versions newest first.
    pub versions: Vec<ListedVersion>,
    /// The common prefixes keys were rolled up into, in order.
    pub common_prefixes: Vec<String>,
    /// Whether more versions or prefixes follow.
    pub is_truncated: bool,
    /// Where a truncated page resumes: the last key or common prefix listed.
    pub next_key_marker: Option<String>,
    /// With [`VersionsPage::next_key_marker`]: the last version listed (none after a prefix).
    pub next_version_id_marker: Option<String>,
}

/// What a delete did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Deleted {
    /// The version removed or the delete marker added, in a versioned bucket.
    pub version_id: Option<String>,
    /// Whether a delete marker was added or removed.
    pub delete_marker: bool,
}

const NULL: &str = "null";

fn new_version_id() -> String {
    format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..))
}

fn size(version: &Version) -> u64 {
    version
        .object
        .as_ref()
        .map_or(0, |object| object.body.len() as u64)
}

impl Bucket {
    /// The bytes a write of `key` stops holding: the current object when unversioned, the
    /// `null` version when suspended, nothing when enabled.
    pub(super) fn replaced_by_write(&self, key: &str) -> u64 {
        match self.versioning {
            Versioning::Unversioned => self
                .objects
                .get(key)
                .map_or(0, |object| object.body.len() as u64),
            Versioning::Enabled => 0,
            Versioning::Suspended => self.null_version_size(key),
        }
    }

    fn null_version_size(&self, key: &str) -> u64 {
        match self.versions.get(key) {
            Some(versions) => versions
                .iter()
                .find(|version| version.id == NULL)
                .map_or(0, size),
            None => self
                .objects
                .get(key)
                .map_or(0, |object| object.body.len() as u64),
        }
    }

    /// The history of `key`, started with the object written before versioning (the `null`
    /// version) if there is one.
    fn history(&mut self, key: &str) -> &mut Vec<Version> {
        let current = self.objects.get(key).cloned();
        self.versions.entry(key.to_owned()).or_insert_with(|| {
            current
                .map(|object| Version {
                    id: NULL.to_owned(),
                    last_modified: object.last_modified,
                    object: Some(object),
                })
                .into_iter()
                .collect()
        })
    }

    /// Records a write of `object` at `key` in the history; returns its version id.
    pub(super) fn record_write(&mut self, key: &str, object: &Object) -> Option<String> {
        let id = match self.versioning {
            Versioning::Unversioned => return None,
            Versioning::Enabled => new_version_id(),
            Versioning::Suspended => NULL.to_owned(),
        };
        let history = self.history(key);
        history.retain(|version| version.id != id);
        let mut object = object.clone();
        object.version_id = Some(id.clone());
        history.push(Version {
            id: id.clone(),
            last_modified: object.last_modified,
            object: Some(object),
        });
        Some(id)
    }

    /// The current object after the history of `key` changed.
    fn settle(&mut self, key: &str) {
        let newest = self.versions.get(key).and_then(|history| history.last());
        match newest.and_then(|version| version.object.clone()) {
            Some(object) => {
                self.objects.insert(key.to_owned(), object);
            }
            None => {
                self.objects.remove(key);
            }
        }
        if self.versions.get(key).is_some_and(Vec::is_empty) {
            self.versions.remove(key);
        }
    }
}

impl ObjectStore {
    /// `PutBucketVersioning`: `Enabled` or `Suspended`.
    pub fn set_versioning(&self, bucket: &str, versioning: Versioning) -> Result<(), S3Error> {
        let mut state = self.lock();
        let bucket_state = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
        bucket_state.versioning = versioning;
        Ok(())
    }

    /// `GetBucketVersioning`.
    pub fn versioning(&self, bucket: &str) -> Result<Versioning, S3Error> {
        self.lock()
            .buckets
            .get(bucket)
            .map(|bucket| bucket.versioning)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))
    }

    /// Deletes `key` without a version id: removes the object (unversioned), or adds a delete
    /// marker (versioned). Deleting a missing key succeeds, as in S3.
    pub fn delete_object(&self, bucket: &str, key: &str) -> Result<Deleted, S3Error> {
        let mut state = self.lock();
        let state = &mut *state;
        let bucket_state = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
        let id = match bucket_state.versioning {
            Versioning::Unversioned => {
                let removed = bucket_state.objects.remove(key);
                state
                    .budget
                    .release(removed.map_or(0, |object| object.body.len() as u64));
                return Ok(Deleted::default());
            }
            Versioning::Enabled => new_version_id(),
            Versioning::Suspended => NULL.to_owned(),
        };
        let released = if id == NULL {
            bucket_state.null_version_size(key)
        } else {
            0
        };
        let history = bucket_state.history(key);
        history.retain(|version| version.id != id);
        history.push(Version {
            id: id.clone(),
            object: None,
            last_modified: whole_seconds(SystemTime::now()),
        });
        bucket_state.settle(key);
        state.budget.release(released);
        Ok(Deleted {
            version_id: Some(id),
            delete_marker: true,
        })
    }

    /// Deletes one version of `key` (an object or a delete marker) for good. An id of no
    /// version of a versioned bucket's key succeeds, as in S3; in an unversioned bucket only
    /// `null` names a version.
    pub fn delete_version(&self, bucket: &str, key: &str, id: &str) -> Result<Deleted, S3Error> {
        let mut state = self.lock();
        let state = &mut *state;
        let bucket_state = state
            .buckets
            .get_mut(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
        if bucket_state.versioning == Versioning::Unversioned
            && !bucket_state.versions.contains_key(key)
        {
            if id != NULL {
                return Err(S3Error::NoSuchVersion(id.to_owned()));
            }
            let removed = bucket_state.objects.remove(key);
            state
                .budget
                .release(removed.map_or(0, |object| object.body.len() as u64));
            return Ok(Deleted {
                version_id: Some(NULL.to_owned()),
                delete_marker: false,
            });
        }
        let history = bucket_state.history(key);
        let removed = history
            .iter()
            .position(|version| version.id == id)
            .map(|at| history.remove(at));
        bucket_state.settle(key);
        state.budget.release(removed.as_ref().map_or(0, size));
        Ok(Deleted {
            version_id: Some(id.to_owned()),
            delete_marker: removed.is_some_and(|version| version.object.is_none()),
        })
    }

    /// One version of `key`: `NoSuchVersion` when there is none with `id`, `MethodNotAllowed`
    /// when it is a delete marker (as S3 answers a `GET` of one).
    pub fn get_version(&self, bucket: &str, key: &str, id: &str) -> Result<Object, S3Error> {
        let state = self.lock();
        let bucket_state = state
            .buckets
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
        let Some(history) = bucket_state.versions.get(key) else {
            return match bucket_state.objects.get(key) {
                Some(object) if id == NULL => Ok(object.clone()),
                _ => Err(S3Error::NoSuchVersion(id.to_owned())),
            };
        };
        let version = history
            .iter()
            .find(|version| version.id == id)
            .ok_or_else(|| S3Error::NoSuchVersion(id.to_owned()))?;
        version.object.clone().ok_or(S3Error::MethodNotAllowed)
    }

    /// The id of the delete marker that hides `key`, if its newest version is one.
    pub fn delete_marker(&self, bucket: &str, key: &str) -> Option<String> {
        let state = self.lock();
        let newest = state.buckets.get(bucket)?.versions.get(key)?.last()?;
        newest.object.is_none().then(|| newest.id.clone())
    }

    /// One page of `ListObjectVersions`: keys in order, each key's versions newest first, keys
    /// with the delimiter after the prefix rolled up into common prefixes. A page may end
    /// between two versions of one key; `NextKeyMarker` and `NextVersionIdMarker` resume it.
    pub fn list_versions(
        &self,
        bucket: &str,
        query: &VersionsQuery<'_>,
    ) -> Result<VersionsPage, S3Error> {
        let state = self.lock();
        let bucket_state = state
            .buckets
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?;
        let prefix = query.prefix;
        let delimiter = query.delimiter.filter(|delimiter| !delimiter.is_empty());
        let rolled_up = |key: &str| {
            let delimiter = delimiter?;
            let rest = key.get(prefix.len()..)?;
            rest.find(delimiter)
                .map(|at| key[..prefix.len() + at + delimiter.len()].to_owned())
        };
        let key_marker = query.key_marker.filter(|marker| !marker.is_empty());
        let version_marker = query.version_id_marker.filter(|marker| !marker.is_empty());
        if version_marker.is_some() && key_marker.is_none() {
            return Err(S3Error::InvalidArgument(
                "A version-id marker cannot be specified without a key marker.".into(),
            ));
        }
        // A marker that is itself a common prefix resumes after every key under it.
        let skipped_prefix =
            key_marker.filter(|marker| rolled_up(marker).as_deref() == Some(*marker));
        let mut keys: Vec<&String> = bucket_state
            .objects
            .keys()
            .chain(bucket_state.versions.keys())
            .filter(|key| key.starts_with(prefix))
            .filter(|key| match key_marker {
                None => true,
                Some(marker) if version_marker.is_some() => key.as_str() >= marker,
                Some(marker) => key.as_str() > marker,
            })
            .filter(|key| skipped_prefix.is_none_or(|skipped| !key.starts_with(skipped)))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        let mut page = VersionsPage::default();
        let full =
            |page: &VersionsPage| page.versions.len() + page.common_prefixes.len() >= query.max;
        for key in keys {
            if let Some(rolled) = rolled_up(key) {
                if page.common_prefixes.last() == Some(&rolled) {
                    continue;
                }
                if full(&page) {
                    page.is_truncated = true;
                    break;
                }
                page.next_key_marker = Some(rolled.clone());
                page.next_version_id_marker = None;
                page.common_prefixes.push(rolled);
                continue;
            }
            let mut versions: Vec<Version> = match bucket_state.versions.get(key) {
                Some(history) => history.iter().rev().cloned().collect(),
                None => bucket_state
                    .objects
                    .get(key)
                    .map(|object| Version {
                        id: NULL.to_owned(),
                        last_modified: object.last_modified,
                        object: Some(object.clone()),
                    })
                    .into_iter()
                    .collect(),
            };
            let mut first_is_latest = true;
            if key_marker == Some(key.as_str())
                && let Some(marker) = version_marker
            {
                let Some(at) = versions.iter().position(|version| version.id == marker) else {
                    return Err(S3Error::InvalidArgument(format!(
                        "Invalid version id specified: `{marker}` is no version of `{key}`"
                    )));
                };
                versions.drain(..=at);
                first_is_latest = false;
            }
            for (index, version) in versions.into_iter().enumerate() {
                if full(&page) {
                    page.is_truncated = true;
                    return Ok(page);
                }
                page.next_key_marker = Some(key.clone());
                page.next_version_id_marker = Some(version.id.clone());
                page.versions.push(ListedVersion {
                    key: key.clone(),
                    version,
                    is_latest: first_is_latest && index == 0,
                });
            }
            if page.is_truncated {
                break;
            }
        }
        Ok(page)
    }
}
