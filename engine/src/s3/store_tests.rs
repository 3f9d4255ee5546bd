use std::sync::Barrier;

use super::*;

fn store_with_bucket() -> ObjectStore {
    let store = ObjectStore::new();
    store.create_bucket("invoices").expect("bucket");
    store
}

#[test]
fn conditional_put_under_concurrency_lets_exactly_one_writer_in() {
    let store = store_with_bucket();
    let barrier = Arc::new(Barrier::new(100));
    let writers: Vec<_> = (0..100)
        .map(|writer| {
            let store = store.clone();
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                store.put_object(
                    "invoices",
                    "inv-1.json",
                    Bytes::from(format!("writer {writer}")),
                    ObjectHeaders::default(),
                    &WriteCondition::IfAbsent,
                )
            })
        })
        .collect();
    let results: Vec<_> = writers
        .into_iter()
        .map(|writer| writer.join().expect("writer thread"))
        .collect();
    let winners: Vec<_> = results.iter().filter(|result| result.is_ok()).collect();
    assert_eq!(winners.len(), 1);
    assert!(
        results
            .iter()
            .filter(|result| result.is_err())
            .all(|result| result == &Err(S3Error::PreconditionFailed))
    );
    let stored = store.get_object("invoices", "inv-1.json").expect("stored");
    assert_eq!(&winners[0].as_ref().expect("winner").etag, &stored.etag);
}

#[test]
fn unconditional_put_overwrites() {
    let store = store_with_bucket();
    store
        .put_object(
            "invoices",
            "k",
            Bytes::from_static(b"one"),
            ObjectHeaders::default(),
            &WriteCondition::Always,
        )
        .expect("first");
    store
        .put_object(
            "invoices",
            "k",
            Bytes::from_static(b"two"),
            ObjectHeaders::default(),
            &WriteCondition::Always,
        )
        .expect("second");
    assert_eq!(store.get("invoices", "k"), Some(b"two".to_vec()));
    assert_eq!(
        store
            .get_object("invoices", "k")
            .expect("stored")
            .content_type,
        DEFAULT_CONTENT_TYPE
    );
}

#[test]
fn etag_is_the_quoted_md5() {
    assert_eq!(etag(b"hello"), "\"5d41402abc4b2a76b9719d911017c592\"");
}

#[test]
fn listing_pages_through_a_prefix() {
    let store = store_with_bucket();
    for key in ["a/1", "a/2", "a/3", "b/1", "a0"] {
        put_x(&store, key);
    }
    let query = |after| ListQuery {
        prefix: "a/",
        after,
        max_keys: 2,
        ..ListQuery::default()
    };
    let first = store
        .list_objects("invoices", &query(None))
        .expect("first page");
    let keys = |page: &ListPage| -> Vec<String> {
        page.contents
            .iter()
            .map(|object| object.key.clone())
            .collect()
    };
    assert_eq!(keys(&first), ["a/1", "a/2"]);
    assert!(first.is_truncated);
    let second = store
        .list_objects("invoices", &query(first.next.as_ref()))
        .expect("second page");
    assert_eq!(keys(&second), ["a/3"]);
    assert!(!second.is_truncated);
    assert_eq!(second.next, None);
    assert_eq!(
        store.list("invoices", "a"),
        [
            ("a/1".into(), 1),
            ("a/2".into(), 1),
            ("a/3".into(), 1),
            ("a0".into(), 1)
        ]
    );
    assert!(store.list("missing", "").is_empty());
}

#[test]
fn buckets_follow_s3_rules() {
    let store = store_with_bucket();
    assert_eq!(
        store.create_bucket("invoices"),
        Err(S3Error::BucketAlreadyOwnedByYou("invoices".into()))
    );
    for invalid in ["ab", "Upper", "-lead", "trail-", "under_score"] {
        assert!(store.create_bucket(invalid).is_err(), "{invalid}");
    }
    store
        .put_object(
            "invoices",
            "k",
            Bytes::new(),
            ObjectHeaders::default(),
            &WriteCondition::Always,
        )
        .expect("put");
    assert_eq!(
        store.delete_bucket("invoices"),
        Err(S3Error::BucketNotEmpty("invoices".into()))
    );
    store.delete_object("invoices", "k").expect("delete");
    store.delete_object("invoices", "k").expect("delete again");
    store.delete_bucket("invoices").expect("delete bucket");
    assert_eq!(
        store.head_bucket("invoices"),
        Err(S3Error::NoSuchBucket("invoices".into()))
    );
}

#[test]
fn a_delimiter_rolls_keys_up_into_common_prefixes_across_pages() {
    let store = store_with_bucket();
    for key in ["a/1", "a/2", "b", "c/x/1", "c/y", "d"] {
        put_x(&store, key);
    }
    let page = |after: Option<&Resume>| {
        store
            .list_objects(
                "invoices",
                &ListQuery {
                    prefix: "",
                    delimiter: Some("/"),
                    after,
                    max_keys: 2,
                },
            )
            .expect("a page")
    };
    let first = page(None);
    assert_eq!(first.common_prefixes, ["a/"]);
    assert_eq!(first.contents.len(), 1);
    assert_eq!(first.contents[0].key, "b");
    assert_eq!(first.next, Some(Resume::AfterKey("b".into())));
    let second = page(first.next.as_ref());
    assert_eq!(second.common_prefixes, ["c/"]);
    assert_eq!(second.contents[0].key, "d");
    assert!(!second.is_truncated);
    // Resuming after a common prefix skips every key under it.
    let after_prefix = page(Some(&Resume::AfterPrefix("a/".into())));
    assert_eq!(after_prefix.contents[0].key, "b");
    assert_eq!(after_prefix.common_prefixes, ["c/"]);
}

/// Writes a one-byte object at `key` of `invoices`.
fn put_x(store: &ObjectStore, key: &str) {
    store
        .put_object(
            "invoices",
            key,
            Bytes::from_static(b"x"),
            ObjectHeaders::default(),
            &WriteCondition::Always,
        )
        .expect("put");
}

fn budgeted(cap: u64) -> (ObjectStore, Budget) {
    let budget = Budget::new(cap);
    let store = ObjectStore::with_limits(Limits::default(), budget.clone());
    store.create_bucket("invoices").expect("bucket");
    (store, budget)
}

#[test]
fn upload_parts_are_held_until_completed_or_aborted() {
    let (store, budget) = budgeted(100);
    let id = store
        .create_upload("invoices", "k", ObjectHeaders::default())
        .expect("upload");
    let tag = store
        .upload_part("invoices", "k", &id, 1, Bytes::from(vec![b'x'; 60]))
        .expect("part 1");
    assert_eq!(budget.used(), 60);
    assert!(matches!(
        store.upload_part("invoices", "k", &id, 2, Bytes::from(vec![b'y'; 60])),
        Err(S3Error::StorageCapReached(_))
    ));
    // The object takes the parts' place in the budget.
    let object = store
        .complete_upload("invoices", "k", &id, &[(1, tag)], &WriteCondition::Always)
        .expect("complete");
    assert!(object.etag.ends_with("-1\""), "{}", object.etag);
    assert_eq!(budget.used(), 60);
    let other = store
        .create_upload("invoices", "j", ObjectHeaders::default())
        .expect("upload");
    store
        .upload_part("invoices", "j", &other, 1, Bytes::from(vec![b'z'; 30]))
        .expect("part");
    assert_eq!(budget.used(), 90);
    store.abort_upload("invoices", "j", &other).expect("abort");
    assert_eq!(budget.used(), 60);
    assert_eq!(
        store.abort_upload("invoices", "j", &other),
        Err(S3Error::NoSuchUpload(other))
    );
}

#[test]
fn an_upload_id_names_one_key() {
    let store = store_with_bucket();
    let id = store
        .create_upload("invoices", "k", ObjectHeaders::default())
        .expect("upload");
    assert_eq!(
        store.upload_part("invoices", "other", &id, 1, Bytes::new()),
        Err(S3Error::NoSuchUpload(id.clone()))
    );
    assert!(matches!(
        store.upload_part("invoices", "k", &id, 10_001, Bytes::new()),
        Err(S3Error::InvalidArgument(_))
    ));
}

#[test]
fn versions_stack_and_deletes_unstack_them() {
    let (store, budget) = budgeted(1000);
    let write = |body: &'static str| {
        store
            .put_object(
                "invoices",
                "k",
                Bytes::from_static(body.as_bytes()),
                ObjectHeaders::default(),
                &WriteCondition::Always,
            )
            .expect("write")
    };
    write("before");
    store
        .set_versioning("invoices", Versioning::Enabled)
        .expect("enable");
    let one = write("one").version_id.expect("a version");
    assert_eq!(budget.used(), 9, "the unversioned object is kept as `null`");
    let marker = store.delete_object("invoices", "k").expect("delete");
    assert!(marker.delete_marker);
    assert!(store.get_object("invoices", "k").is_err());
    assert_eq!(
        store.delete_marker("invoices", "k"),
        marker.version_id.clone()
    );
    let null = store.get_version("invoices", "k", "null").expect("null");
    assert_eq!(null.body, Bytes::from_static(b"before"));
    store
        .delete_version("invoices", "k", &marker.version_id.expect("id"))
        .expect("remove the marker");
    assert_eq!(store.get("invoices", "k"), Some(b"one".to_vec()));
    store
        .delete_version("invoices", "k", &one)
        .expect("remove one");
    assert_eq!(store.get("invoices", "k"), Some(b"before".to_vec()));
    assert_eq!(budget.used(), 6);

    store
        .set_versioning("invoices", Versioning::Suspended)
        .expect("suspend");
    assert_eq!(write("two").version_id.as_deref(), Some("null"));
    assert_eq!(
        budget.used(),
        3,
        "a suspended write replaces the `null` version"
    );
    assert_eq!(
        store.delete_bucket("invoices"),
        Err(S3Error::BucketNotEmpty("invoices".into()))
    );
}
