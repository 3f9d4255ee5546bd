//! `ListObjectsV2`'s selection: keys under a prefix, after a marker, rolled up into common
//! prefixes at a delimiter, one page at a time.

use std::ops::Bound;

use super::{ListPage, ListedObject, MAX_KEYS, ObjectStore, S3Error};

/// What one page lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// Keys with this after the prefix are rolled up into one common prefix each.
    pub delimiter: Option<&'a str>,
    /// Where the previous page stopped (or `start-after`).
    pub after: Option<&'a Resume>,
    /// At most this many keys and common prefixes together (capped at [`MAX_KEYS`]).
    pub max_keys: usize,
}

/// Where a listing continues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resume {
    /// After this key.
    AfterKey(String),
    /// After every key under this common prefix.
    AfterPrefix(String),
}

impl ObjectStore {
    /// One page of `bucket`'s keys as `query` selects them.
    pub fn list_objects(&self, bucket: &str, query: &ListQuery<'_>) -> Result<ListPage, S3Error> {
        let state = self.lock();
        let objects = &state
            .buckets
            .get(bucket)
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_owned()))?
            .objects;
        let prefix = query.prefix;
        let (lower, skip) = match query.after {
            Some(Resume::AfterKey(key)) if key.as_str() >= prefix => {
                (Bound::Excluded(key.as_str()), None)
            }
            Some(Resume::AfterPrefix(rolled)) if rolled.as_str() >= prefix => {
                (Bound::Excluded(rolled.as_str()), Some(rolled.as_str()))
            }
            _ => (Bound::Included(prefix), None),
        };
        let delimiter = query.delimiter.filter(|delimiter| !delimiter.is_empty());
        let limit = query.max_keys.min(MAX_KEYS);
        let mut page = ListPage::default();
        let mut last = None;
        for (key, object) in objects
            .range::<str, _>((lower, Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix))
        {
            if skip.is_some_and(|rolled| key.starts_with(rolled)) {
                continue;
            }
            let rolled = delimiter.and_then(|delimiter| {
                let rest = &key[prefix.len()..];
                rest.find(delimiter)
                    .map(|at| key[..prefix.len() + at + delimiter.len()].to_owned())
            });
            if rolled.is_some() && page.common_prefixes.last() == rolled.as_ref() {
                continue;
            }
            if page.contents.len() + page.common_prefixes.len() == limit {
                page.is_truncated = true;
                break;
            }
            last = Some(if let Some(rolled) = rolled {
                page.common_prefixes.push(rolled.clone());
                Resume::AfterPrefix(rolled)
            } else {
                page.contents.push(ListedObject {
                    key: key.clone(),
                    size: object.body.len() as u64,
                    etag: object.etag.clone(),
                    last_modified: object.last_modified,
                });
                Resume::AfterKey(key.clone())
            });
        }
        page.next = last.filter(|_| page.is_truncated);
        Ok(page)
    }
}
