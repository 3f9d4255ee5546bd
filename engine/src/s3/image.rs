//! A copy of the store's buckets to save, and the way back in: what `--data-dir` persists.

use std::collections::BTreeMap;
use std::time::SystemTime;

use super::{Bucket, Object, ObjectStore, Version, Versioning};

/// One bucket as it stands: cheap to take (bodies are shared, not copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketImage {
    /// Its name.
    pub name: String,
    /// When it was created.
    pub created: SystemTime,
    /// Its versioning state.
    pub versioning: Versioning,
    /// The current object of each key.
    pub objects: BTreeMap<String, Object>,
    /// Every version of each key, oldest first (keys of a bucket that has had versioning).
    pub versions: BTreeMap<String, Vec<Version>>,
}

impl ObjectStore {
    /// Every bucket with its objects and versions, taken under one lock.
    pub fn image(&self) -> Vec<BucketImage> {
        self.lock()
            .buckets
            .iter()
            .map(|(name, bucket)| BucketImage {
                name: name.clone(),
                created: bucket.created,
                versioning: bucket.versioning,
                objects: bucket.objects.clone(),
                versions: bucket.versions.clone(),
            })
            .collect()
    }

    /// Puts saved buckets back (replacing any of the same name), their bytes counted against
    /// the budget whatever its cap: they were accepted before.
    pub fn restore(&self, images: Vec<BucketImage>) {
        let mut state = self.lock();
        for image in images {
            // As `write` counts them: a key with a history holds its versions' bytes (the
            // current object is the newest of them), any other key its object's.
            let size = |object: &Object| object.body.len() as u64;
            let bytes: u64 = image
                .objects
                .iter()
                .filter(|(key, _)| !image.versions.contains_key(*key))
                .map(|(_, object)| size(object))
                .chain(
                    image
                        .versions
                        .values()
                        .flatten()
                        .filter_map(|version| version.object.as_ref().map(size)),
                )
                .sum();
            state.budget.add(bytes);
            state.buckets.insert(
                image.name,
                Bucket {
                    created: image.created,
                    objects: image.objects,
                    versioning: image.versioning,
                    versions: image.versions,
                },
            );
        }
    }
}
