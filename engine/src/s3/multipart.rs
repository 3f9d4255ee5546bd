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
        state.uploads.insert(
            id.clone(),
            Upload {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
                headers,
                parts: BTreeMap::new(),
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
