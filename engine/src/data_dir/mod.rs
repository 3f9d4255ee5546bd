//! `--data-dir`: the engine's objects, queues and tables in a folder, so they survive a
//! restart, and objects can be browsed as files.
//!
//! Layout of the folder:
//! - `<bucket>/<key>`: the body of each key's current object, the key's `/` as folders (see
//!   [`paths`] for the few escapes: `%`, control characters, empty, `.` and `..` segments, and a
//!   key that is also a folder, which gets a trailing `%`).
//! - `.engine/`: the engine's own records. A bucket name starts with a letter or a digit, so no
//!   bucket is ever called `.engine`, and nothing of it sits among a bucket's keys.
//!   - `.engine/s3/<bucket>.json`: per key its content type, `ETag`, times, user metadata,
//!     standard headers, versions, and where its bytes are.
//!   - `.engine/s3/<bucket>/versions/<sha256 of key>.<version id>`: bodies of older versions.
//!   - `.engine/s3/<bucket>/long/<sha256 of key>`: bodies of keys with a segment too long for a
//!     file name.
//!   - `.engine/sqs.json`: every queue's settings and messages (attributes, receive counts,
//!     visibility deadlines, FIFO sequence numbers and deduplication ids).
//!   - `.engine/dynamodb.json`: every table's description and items.
//!
//! The engine saves what changed since the last save once a second and when it stops
//! ([`crate::Engine::close`]); a save replaces each file atomically. Files are written, not
//! synced: a process killed with `SIGKILL` loses at most the last second of writes; a power
//! loss may lose what the system had not yet flushed. Edits made by hand in the folder are not
//! read back while the engine runs and are overwritten by the next save of that key.
//! Multipart uploads in progress are not saved: a client restarts them.

mod buckets;
mod files;
pub mod paths;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hyper::body::Bytes;

use crate::dynamodb::{DynamoDb, SavedTable};
use crate::s3::ObjectStore;
use crate::s3::store::BucketImage;
use crate::sqs::Sqs;
use crate::sqs::registry::SavedQueue;
use buckets::{BucketRecord, VersionRecord, bucket_of, millis, nanos, object_record};

/// The engine's own folder inside the data folder.
pub const ENGINE_FOLDER: &str = ".engine";

/// Why the data folder could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    /// A file or folder could not be read or written.
    #[error("cannot read or write `{}`: {source}; check the data folder's permissions and free space", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A record of the engine is not what it wrote.
    #[error("`{}` is not a record this engine can read ({message}); restore it, or start with an empty `--data-dir`", path.display())]
    Corrupt {
        /// The record.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// What is written where, so a save writes only what changed.
#[derive(Debug, Default)]
pub struct DataDir {
    root: PathBuf,
    /// Body files written: path relative to the root → (`ETag`, write time in nanoseconds).
    bodies: BTreeMap<PathBuf, (String, u64)>,
    /// Bucket records written, as their JSON text.
    records: BTreeMap<String, String>,
    /// The queues' record as written.
    queues: Option<String>,
    /// The tables' record as written.
    tables: Option<String>,
}

impl DataDir {
    /// Opens `root` (created if missing) and puts what it holds back into `store` and `sqs`.
    pub fn open(
        root: &Path,
        store: &ObjectStore,
        sqs: &Sqs,
        dynamodb: &DynamoDb,
    ) -> Result<Self, DataDirError> {
        let mut data = Self {
            root: root.to_owned(),
            ..Self::default()
        };
        let s3 = data.engine().join("s3");
        std::fs::create_dir_all(&s3).map_err(|source| DataDirError::Io {
            path: s3.clone(),
            source,
        })?;
        let mut images = Vec::new();
        let listing = std::fs::read_dir(&s3).map_err(|source| DataDirError::Io {
            path: s3.clone(),
            source,
        })?;
        for entry in listing {
            let path = entry
                .map_err(|source| DataDirError::Io {
                    path: s3.clone(),
                    source,
                })?
                .path();
            let Some(bucket) = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.strip_suffix(".json"))
                .map(str::to_owned)
            else {
                continue;
            };
            let text =
                String::from_utf8(files::read(&path)?).map_err(|error| corrupt(&path, &error))?;
            let mut record: BucketRecord =
                serde_json::from_str(&text).map_err(|error| corrupt(&path, &error))?;
            let mut read = BTreeMap::<String, Bytes>::new();
            let objects = record.objects.values_mut().chain(
                record
                    .versions
                    .values_mut()
                    .flatten()
                    .filter_map(|version| version.object.as_mut()),
            );
            for object in objects {
                let body = if let Some(body) = read.get(&object.file) {
                    body.clone()
                } else {
                    let file = data.root.join(&object.file);
                    if !file.exists() {
                        return Err(corrupt(
                            &path,
                            &format!(
                                "the file of key `{}`, `{}`, is missing",
                                object.file,
                                file.display()
                            ),
                        ));
                    }
                    let body = Bytes::from(files::read(&file)?);
                    read.insert(object.file.clone(), body.clone());
                    body
                };
                // A file changed by hand since: its bytes win, with their own ETag.
                if body.len() as u64 != object.size
                    || (!object.etag.contains('-') && crate::s3::store::etag(&body) != object.etag)
                {
                    object.size = body.len() as u64;
                    object.etag = crate::s3::store::etag(&body);
                    object.parts.clear();
                    if let Some((algorithm, value)) = &mut object.checksum
                        && let Some(known) = crate::s3::checksums::Algorithm::named(algorithm)
                    {
                        *value = known.compute(&body);
                    }
                }
                data.bodies.insert(
                    PathBuf::from(&object.file),
                    (object.etag.clone(), object.written),
                );
            }
            let image = bucket_of(&bucket, &record, |object| {
                Ok::<_, DataDirError>(read.get(&object.file).cloned().unwrap_or_default())
            })?
            .ok_or_else(|| corrupt(&path, &format!("versioning `{}`", record.versioning)))?;
            data.records.insert(bucket, text);
            images.push(image);
        }
        store.restore(images);
        data.restore_records(sqs, dynamodb)?;
        Ok(data)
    }

    /// Puts the queues and tables back from their records, if there are any.
    fn restore_records(&mut self, sqs: &Sqs, dynamodb: &DynamoDb) -> Result<(), DataDirError> {
        let queues = self.engine().join("sqs.json");
        if queues.exists() {
            let text = String::from_utf8(files::read(&queues)?)
                .map_err(|error| corrupt(&queues, &error))?;
            let saved: Vec<SavedQueue> =
                serde_json::from_str(&text).map_err(|error| corrupt(&queues, &error))?;
            sqs.restore(saved)
                .map_err(|error| corrupt(&queues, &error))?;
            self.queues = Some(text);
        }
        let tables = self.engine().join("dynamodb.json");
        if tables.exists() {
            let text = String::from_utf8(files::read(&tables)?)
                .map_err(|error| corrupt(&tables, &error))?;
            let saved: Vec<SavedTable> =
                serde_json::from_str(&text).map_err(|error| corrupt(&tables, &error))?;
            dynamodb
                .restore(saved)
                .map_err(|error| corrupt(&tables, &error))?;
            self.tables = Some(text);
        }
        Ok(())
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn engine(&self) -> PathBuf {
        self.root.join(ENGINE_FOLDER)
    }

    fn scratch(&self) -> PathBuf {
        self.engine().join("tmp")
    }

    /// Writes what changed in `store` and `sqs` since the last save.
    pub fn save(
        &mut self,
        store: &ObjectStore,
        sqs: &Sqs,
        dynamodb: &DynamoDb,
    ) -> Result<(), DataDirError> {
        let images = store.image();
        let mut wanted: BTreeMap<PathBuf, (String, u64, Bytes)> = BTreeMap::new();
        let mut records = BTreeMap::new();
        for image in &images {
            let record = record(image, &mut wanted);
            let text = serde_json::to_string_pretty(&record).expect("a bucket record serialises");
            records.insert(image.name.clone(), text);
        }
        // Removals first: a key's file may have to make way for a folder of the same name.
        let stale: Vec<PathBuf> = self
            .bodies
            .keys()
            .filter(|path| !wanted.contains_key(*path))
            .cloned()
            .collect();
        for path in stale {
            files::remove(&self.root.join(&path), &self.root)?;
            self.bodies.remove(&path);
        }
        let scratch = self.scratch();
        for (path, (etag, written, body)) in wanted {
            let stamp = (etag, written);
            if self.bodies.get(&path) != Some(&stamp) {
                files::replace(&scratch, &self.root.join(&path), &body)?;
                self.bodies.insert(path, stamp);
            }
        }
        let s3 = self.engine().join("s3");
        for (bucket, text) in &records {
            let folder = self.root.join(bucket);
            std::fs::create_dir_all(&folder).map_err(|source| DataDirError::Io {
                path: folder,
                source,
            })?;
            if self.records.get(bucket) != Some(text) {
                files::replace(
                    &scratch,
                    &s3.join(format!("{bucket}.json")),
                    text.as_bytes(),
                )?;
            }
        }
        let deleted: Vec<String> = self
            .records
            .keys()
            .filter(|bucket| !records.contains_key(*bucket))
            .cloned()
            .collect();
        for bucket in deleted {
            files::remove(&s3.join(format!("{bucket}.json")), &s3)?;
            let _ = std::fs::remove_dir_all(s3.join(&bucket));
            let _ = std::fs::remove_dir(self.root.join(&bucket));
        }
        self.records = records;
        let queues = serde_json::to_string_pretty(&sqs.image()).expect("queues serialise");
        if self.queues.as_ref() != Some(&queues) {
            files::replace(&scratch, &self.engine().join("sqs.json"), queues.as_bytes())?;
            self.queues = Some(queues);
        }
        let tables = serde_json::to_string(&dynamodb.image()).expect("tables serialise");
        if self.tables.as_ref() != Some(&tables) {
            files::replace(
                &scratch,
                &self.engine().join("dynamodb.json"),
                tables.as_bytes(),
            )?;
            self.tables = Some(tables);
        }
        Ok(())
    }
}

/// The record of one bucket; adds the bodies it names to `wanted`.
fn record(
    image: &BucketImage,
    wanted: &mut BTreeMap<PathBuf, (String, u64, Bytes)>,
) -> BucketRecord {
    let engine = PathBuf::from(ENGINE_FOLDER).join("s3").join(&image.name);
    let mut objects = BTreeMap::new();
    for (key, object) in &image.objects {
        let folder_prefix = format!("{key}/");
        let is_folder = image
            .objects
            .range(folder_prefix.clone()..)
            .next()
            .is_some_and(|(other, _)| other.starts_with(&folder_prefix));
        let file = paths::browsable(key, is_folder).map_or_else(
            || engine.join("long").join(paths::hashed(key)),
            |path| PathBuf::from(&image.name).join(path),
        );
        wanted.insert(
            file.clone(),
            (
                object.etag.clone(),
                nanos(object.written),
                object.body.clone(),
            ),
        );
        objects.insert(key.clone(), object_record(object, slashed(&file)));
    }
    let mut versions = BTreeMap::new();
    for (key, history) in &image.versions {
        let current = objects.get(key);
        let records = history
            .iter()
            .map(|version| VersionRecord {
                id: version.id.clone(),
                last_modified: millis(version.last_modified),
                object: version.object.as_ref().map(|object| {
                    let file = match current {
                        Some(current)
                            if current.version_id.as_deref() == Some(version.id.as_str())
                                && current.written == nanos(object.written) =>
                        {
                            current.file.clone()
                        }
                        _ => {
                            let file = engine.join("versions").join(format!(
                                "{}.{}",
                                paths::hashed(key),
                                version.id
                            ));
                            wanted.insert(
                                file.clone(),
                                (
                                    object.etag.clone(),
                                    nanos(object.written),
                                    object.body.clone(),
                                ),
                            );
                            slashed(&file)
                        }
                    };
                    object_record(object, file)
                }),
            })
            .collect();
        versions.insert(key.clone(), records);
    }
    BucketRecord {
        created: millis(image.created),
        versioning: buckets::versioning_name(image.versioning).to_owned(),
        objects,
        versions,
    }
}

/// `path` with `/` between its parts, as records keep it on every system.
fn slashed(path: &Path) -> String {
    path.components()
        .map(|part| part.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn corrupt(path: &Path, error: &dyn std::fmt::Display) -> DataDirError {
    DataDirError::Corrupt {
        path: path.to_owned(),
        message: error.to_string(),
    }
}
