//! Multipart uploads, as S3 keeps them: parts held until the upload completes (one object whose
//! `ETag` is the MD5 of the parts' MD5s, `-N`) or is aborted (the parts dropped).
//!
//! S3 User Guide, "Uploading and copying objects using multipart upload": part numbers 1 to
//! 10,000; every part but the last at least 5 MiB; a completion lists parts in ascending order,
//! each with the `ETag` its upload returned.

use std::collections::BTreeMap;
use std::time::SystemTime;

use hyper::body::Bytes;
use md5::{Digest as _, Md5};

use super::{
    Object, ObjectHeaders, ObjectStore, S3Error, WriteCondition, etag, new_object, quoted_hex,
    whole_seconds, write,
};

/// The smallest part but the last (5 MiB).
pub const MIN_PART_BYTES: u64 = 5 * 1024 * 1024;

/// The highest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// An upload in progress.
#[derive(Debug)]
pub(super) struct Upload {
    bucket: String,
    key: String,
    headers: ObjectHeaders,
    parts: BTreeMap<u32, UploadedPart>,
    /// When it was created, in whole seconds.
    initiated: SystemTime,
    /// Its place among the store's uploads, in order of creation.
    sequence: u64,
}

/// What one page of `ListMultipartUploads` lists.
#[derive(Debug, Clone, Copy, Default)]
pub struct UploadsQuery<'a> {
    /// Only keys starting with this.
    pub prefix: &'a str,
    /// Keys with this after the prefix are rolled up into one common prefix each.
    pub delimiter: Option<&'a str>,
    /// `key-marker`: uploads of keys after this one (with an upload marker, also this key's
    /// uploads after that one).
    pub key_marker: Option<&'a str>,
    /// `upload-id-marker`: the last upload of `key_marker` already listed.
    pub upload_id_marker: Option<&'a str>,
    /// At most this many uploads and common prefixes together.
    pub max: usize,
}

/// An upload in progress, as `ListMultipartUploads` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedUpload {
    /// The key it writes.
    pub key: String,
    /// Its id.
    pub upload_id: String,
    /// When it was created.
    pub initiated: SystemTime,
}

/// One page of `ListMultipartUploads`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UploadsPage {
    /// Uploads by key, then by creation.
    pub uploads: Vec<ListedUpload>,
    /// The common prefixes keys were rolled up into, in order.
    pub common_prefixes: Vec<String>,
    /// Whether more uploads or prefixes follow.
    pub is_truncated: bool,
    /// Where a truncated page resumes: the last key or common prefix listed.
    pub next_key_marker: Option<String>,
    /// With [`UploadsPage::next_key_marker`]: the last upload listed (none after a prefix).
    pub next_upload_id_marker: Option<String>,
}

/// One uploaded part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedPart {
    /// Its number.
    pub number: u32,
    /// Its bytes.
    pub body: Bytes,
    /// The quoted hex MD5 of its bytes.
    pub etag: String,
    /// When it was uploaded.
    pub last_modified: SystemTime,
}

/// One page of `ListParts`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartsPage {
    /// The parts, by number.
    pub parts: Vec<UploadedPart>,
    /// Whether parts past this page exist.
    pub is_truncated: bool,
}

impl Upload {
    fn size(&self) -> u64 {
        self.parts.values().map(|part| part.body.len() as u64).sum()
    }
}

impl ObjectStore {
    /// Starts an upload of `bucket`/`key`; the object will have `headers`. Returns the upload id.
    pub fn create_upload(
        &self,
        bucket: &str,
        key: &str,
        headers: ObjectHeaders,
    ) -> Result<String, S3Error> {
        let mut state = self.lock();
        if !state.buckets.contains_key(bucket) {
            return Err(S3Error::NoSuchBucket(bucket.to_owned()));
        }
        let id = format!("{:016x}{:016x}", fastrand::u64(..), fastrand::u64(..));
        let sequence = state
            .uploads
            .values()
            .map(|upload| upload.sequence + 1)
            .max()
            .unwrap_or(0);
        state.uploads.insert(
            id.clone(),
            Upload {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                headers,
                parts: BTreeMap::new(),
                initiated: whole_seconds(SystemTime::now()),
                sequence,
            },
        );
        Ok(id)
    }

    /// Stores part `number` of an upload (replacing an earlier upload of that number); returns
    /// its `ETag`.
    pub fn upload_part(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
    ) -> Result<String, S3Error> {
        if !(1..=MAX_PART_NUMBER).contains(&number) {
            return Err(S3Error::InvalidArgument(format!(
                "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
            )));
        }
        let mut state = self.lock();
        let state = &mut *state;
        if body.len() as u64 > state.limits.max_object_bytes {
            return Err(S3Error::EntityTooLarge(state.limits.max_object_bytes));
        }
        let upload = upload(&mut state.uploads, bucket, key, upload_id)?;
        let replaced = upload
            .parts
            .get(&number)
            .map_or(0, |part| part.body.len() as u64);
        state
            .budget
            .swap(replaced, body.len() as u64)
            .map_err(S3Error::StorageCapReached)?;
        let part = UploadedPart {
            number,
            etag: etag(&body),
            body,
            last_modified: whole_seconds(SystemTime::now()),
        };
        let tag = part.etag.clone();
        upload.parts.insert(number, part);
        Ok(tag)
    }

    /// Completes an upload from `chosen` parts (number and `ETag`, in ascending order) and
    /// returns the object as stored; parts not chosen are dropped.
    pub fn complete_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        chosen: &[(u32, String)],
        condition: &WriteCondition,
    ) -> Result<Object, S3Error> {
        let mut state = self.lock();
        let upload = upload(&mut state.uploads, bucket, key, upload_id)?;
        if chosen.is_empty() {
            return Err(S3Error::MalformedXml);
        }
        if chosen.windows(2).any(|pair| pair[0].0 >= pair[1].0) {
            return Err(S3Error::InvalidPartOrder);
        }
        let mut parts = Vec::with_capacity(chosen.len());
        for (number, tag) in chosen {
            let part = upload
                .parts
                .get(number)
                .filter(|part| part.etag.trim_matches('"') == tag.trim_matches('"'))
                .ok_or(S3Error::InvalidPart)?;
            parts.push(part);
        }
        if let Some(small) = parts[..parts.len() - 1]
            .iter()
            .find(|part| (part.body.len() as u64) < MIN_PART_BYTES)
        {
            return Err(S3Error::EntityTooSmall {
                part_number: small.number,
                size: small.body.len() as u64,
            });
        }
        let mut body = Vec::with_capacity(parts.iter().map(|part| part.body.len()).sum());
        let mut digests = Md5::new();
        for part in &parts {
            body.extend_from_slice(&part.body);
            digests.update(hex_bytes(&part.etag));
        }
        let tag = format!(
            "{}-{}\"",
            quoted_hex(&digests.finalize()).trim_end_matches('"'),
            parts.len()
        );
        let held = upload.size();
        let sizes = parts.iter().map(|part| part.body.len() as u64).collect();
        let mut object = new_object(Bytes::from(body), |_| tag, upload.headers.clone());
        object.parts = sizes;
        let written = write(&mut state, bucket, key, object, condition, held)?;
        state.uploads.remove(upload_id);
        Ok(written)
    }

    /// One page of `ListMultipartUploads` of `bucket`.
    pub fn list_uploads(
        &self,
        bucket: &str,
        query: &UploadsQuery<'_>,
    ) -> Result<UploadsPage, S3Error> {
        let state = self.lock();
        if !state.buckets.contains_key(bucket) {
            return Err(S3Error::NoSuchBucket(bucket.to_owned()));
        }
        let prefix = query.prefix;
        let delimiter = query.delimiter.filter(|delimiter| !delimiter.is_empty());
        let rolled_up = |key: &str| {
            let delimiter = delimiter?;
            let rest = key.get(prefix.len()..)?;
            rest.find(delimiter)
                .map(|at| key[..prefix.len() + at + delimiter.len()].to_owned())
        };
        let key_marker = query.key_marker.filter(|marker| !marker.is_empty());
        let upload_marker = query.upload_id_marker.filter(|marker| !marker.is_empty());
        let mut uploads: Vec<(&String, &Upload)> = state
            .uploads
            .iter()
            .filter(|(_, upload)| upload.bucket == bucket && upload.key.starts_with(prefix))
            .collect();
        uploads.sort_by(|(_, a), (_, b)| (&a.key, a.sequence).cmp(&(&b.key, b.sequence)));
        // With an upload marker, the marker key's uploads after that upload (in creation order;
        // an id of none of them compares as text, as S3 documents).
        let marker_sequence = key_marker.zip(upload_marker).map(|(key, id)| {
            uploads
                .iter()
                .find(|(other, upload)| other.as_str() == id && upload.key == key)
                .map(|(_, upload)| upload.sequence)
        });
        let after_markers = |id: &String, upload: &Upload| match key_marker {
            None => true,
            Some(marker) if upload.key.as_str() > marker => true,
            Some(marker) if upload.key == marker => match marker_sequence {
                Some(Some(sequence)) => upload.sequence > sequence,
                Some(None) => upload_marker.is_some_and(|marker| id.as_str() > marker),
                None => false,
            },
            Some(_) => false,
        };
        let skipped_prefix =
            key_marker.filter(|marker| rolled_up(marker).as_deref() == Some(*marker));
        let mut page = UploadsPage::default();
        for (id, upload) in uploads {
            if !after_markers(id, upload)
                || skipped_prefix.is_some_and(|skipped| upload.key.starts_with(skipped))
            {
                continue;
            }
            let rolled = rolled_up(&upload.key);
            if rolled.is_some() && page.common_prefixes.last() == rolled.as_ref() {
                continue;
            }
            if page.uploads.len() + page.common_prefixes.len() >= query.max {
                page.is_truncated = true;
                break;
            }
            if let Some(rolled) = rolled {
                page.next_key_marker = Some(rolled.clone());
                page.next_upload_id_marker = None;
                page.common_prefixes.push(rolled);
            } else {
                page.next_key_marker = Some(upload.key.clone());
                page.next_upload_id_marker = Some(id.clone());
                page.uploads.push(ListedUpload {
                    key: upload.key.clone(),
                    upload_id: id.clone(),
                    initiated: upload.initiated,
                });
            }
        }
        Ok(page)
    }

    /// Drops an upload and its parts.
    pub fn abort_upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), S3Error> {
        let mut state = self.lock();
        let held = upload(&mut state.uploads, bucket, key, upload_id)?.size();
        state.uploads.remove(upload_id);
        state.budget.release(held);
        Ok(())
    }

    /// Up to `max_parts` parts of an upload numbered above `after`.
    pub fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        after: u32,
        max_parts: usize,
    ) -> Result<PartsPage, S3Error> {
        let mut state = self.lock();
        let upload = upload(&mut state.uploads, bucket, key, upload_id)?;
        let mut parts = upload
            .parts
            .range(after.saturating_add(1)..)
            .map(|(_, part)| part.clone());
        let page: Vec<UploadedPart> = parts.by_ref().take(max_parts).collect();
        Ok(PartsPage {
            parts: page,
            is_truncated: parts.next().is_some(),
        })
    }
}

/// The upload `upload_id` of `bucket`/`key`, or `NoSuchUpload` (also when the id names another
/// key's upload).
fn upload<'a>(
    uploads: &'a mut BTreeMap<String, Upload>,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> Result<&'a mut Upload, S3Error> {
    uploads
        .get_mut(upload_id)
        .filter(|upload| upload.bucket == bucket && upload.key == key)
        .ok_or_else(|| S3Error::NoSuchUpload(upload_id.to_owned()))
}

/// The bytes of a quoted hex `ETag`.
fn hex_bytes(tag: &str) -> Vec<u8> {
    let hex = tag.trim_matches('"').as_bytes();
    hex.chunks(2)
        .filter_map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}
