//! The IndexedDB schema cache (`src/services/cache.rs`) in headless Chromium. Every test uses its own
//! random database name.
#![cfg(target_arch = "wasm32")]

use dataverse_wizard::services::{
    cache::{self, Cache, Lookup, DB_VERSION, STORE, V1_STORE},
    BrowserError,
};
use indexed_db_futures::{database::Database, prelude::*, transaction::TransactionMode};
use std::{cell::Cell, rc::Rc};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;
use wizard_core::{
    cache_record::{self, RecordError, RecordMeta, FORMAT_VERSION},
    csdl::{EntitySet, EntityType, Property, Schema},
};

wasm_bindgen_test_configure!(run_in_browser);

fn db_name() -> String {
    format!("test-cache-{}", js_sys::Math::random().to_bits())
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

fn schema(sets: &[&str]) -> Schema {
    Schema {
        entity_types: vec![EntityType {
            namespace: "NS".into(),
            name: "account".into(),
            base_type: None,
            key: vec!["accountid".into()],
            properties: vec![Property {
                name: "accountid".into(),
                type_name: "Edm.Guid".into(),
                nullable: false,
            }],
            navigation: vec![],
            open: false,
            is_abstract: false,
        }],
        entity_sets: sets
            .iter()
            .map(|s| EntitySet {
                name: (*s).into(),
                entity_type: "NS.account".into(),
            })
            .collect(),
        ..Schema::default()
    }
}

const A: &str = "https://a.crm.dynamics.com/api/data/v9.2/";
const B: &str = "https://b.crm4.dynamics.com/api/data/v9.2/";

/// Stores the record of a schema with these entity sets, encoded as the parse worker does.
async fn put(
    cache: &Cache,
    url: &str,
    sets: &[&str],
    source_bytes: u64,
    fetched_at_ms: f64,
) -> Result<RecordMeta, BrowserError> {
    let schema = schema(sets);
    let payload = cache_record::encode_payload(&schema);
    cache
        .put(url, &schema, &payload, source_bytes, fetched_at_ms)
        .await
}

async fn open(name: &str) -> Cache {
    let (cache, notice) = Cache::open(name, || panic!("not blocked")).await.unwrap();
    assert_eq!(notice, None, "a new database has nothing to discard");
    cache
}

#[wasm_bindgen_test]
async fn store_load_replace_and_list() {
    let name = db_name();
    let cache = open(&name).await;
    assert_eq!(cache.version(), DB_VERSION as f64);
    assert_eq!(cache.get(A).await, Ok(Lookup::Miss));

    let meta = put(&cache, A, &["accounts"], 3_500_000, 1000.0)
        .await
        .unwrap();
    assert_eq!(meta.entity_sets, 1);
    assert_eq!(meta.format, FORMAT_VERSION);
    match cache.get(A).await.unwrap() {
        Lookup::Hit {
            meta: m,
            schema: s,
            read_ms,
        } => {
            assert_eq!(m, meta);
            assert_eq!(s, schema(&["accounts"]));
            assert!(read_ms >= 0.0);
        }
        other => panic!("expected a hit, got {other:?}"),
    }
    // A second put replaces the record.
    put(&cache, A, &["accounts", "leads"], 10, 2000.0)
        .await
        .unwrap();
    put(&cache, B, &[], 20, 3000.0).await.unwrap();
    let (list, bad) = cache.list().await.unwrap();
    assert!(bad.is_empty());
    assert_eq!(
        list.iter().map(|m| m.url.as_str()).collect::<Vec<_>>(),
        [A, B]
    );
    assert_eq!(list[0].entity_sets, 2);
    assert_eq!(list[0].fetched_at_ms, 2000.0);

    // Survives closing and reopening.
    cache.close();
    let cache = open(&name).await;
    assert!(matches!(cache.get(B).await, Ok(Lookup::Hit { .. })));
}

#[wasm_bindgen_test]
async fn clear_one_and_clear_all() {
    let cache = open(&db_name()).await;
    put(&cache, A, &["a"], 1, 1.0).await.unwrap();
    put(&cache, B, &["b"], 1, 1.0).await.unwrap();
    cache.delete(A).await.unwrap();
    assert_eq!(cache.get(A).await, Ok(Lookup::Miss));
    assert!(matches!(cache.get(B).await, Ok(Lookup::Hit { .. })));
    cache.delete("https://never.stored/").await.unwrap();
    put(&cache, A, &["a"], 1, 1.0).await.unwrap();
    cache.clear().await.unwrap();
    assert_eq!(cache.list().await.unwrap(), (vec![], vec![]));
}

/// Creates `name` at version 1 with the v1 layout and one v1 record; returns the open connection.
async fn create_v1(name: &str) -> Database {
    let db = Database::open(name)
        .with_version(1u32)
        .with_on_upgrade_needed(|_, db| {
            db.create_object_store(V1_STORE).build()?;
            Ok(())
        })
        .await
        .unwrap();
    let tx = db
        .transaction(V1_STORE)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    let store = tx.object_store(V1_STORE).unwrap();
    store
        .put(JsValue::from_str("{\"entity_sets\":[]}"))
        .with_key(A.to_string())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    db
}

#[wasm_bindgen_test]
async fn upgrades_a_version_1_database() {
    let name = db_name();
    create_v1(&name).await.close();
    let (cache, notice) = Cache::open(&name, || panic!("not blocked")).await.unwrap();
    assert_eq!(cache.version(), DB_VERSION as f64);
    assert_eq!(cache.store_names(), vec![STORE.to_string()]);
    assert!(
        notice.as_deref().is_some_and(|n| n.contains("discarded")),
        "{notice:?}"
    );
    // The upgraded database works.
    put(&cache, A, &["a"], 1, 1.0).await.unwrap();
    assert!(matches!(cache.get(A).await, Ok(Lookup::Hit { .. })));
}

#[wasm_bindgen_test]
async fn blocked_upgrade_waits_for_the_old_tab_and_says_so() {
    let name = db_name();
    let old_tab = create_v1(&name).await; // kept open, like another tab of an older build
    let blocked = Rc::new(Cell::new(false));
    let done = Rc::new(Cell::new(None));
    {
        let (blocked, done, name) = (blocked.clone(), done.clone(), name.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let result = Cache::open(&name, move || blocked.set(true)).await;
            done.set(Some(result.map(|(c, n)| (c.store_names(), n))));
        });
    }
    for _ in 0..100 {
        if blocked.get() {
            break;
        }
        sleep(10).await;
    }
    assert!(blocked.get(), "the blocked event was not reported");
    assert!(done.take().is_none(), "the upgrade finished while blocked");
    old_tab.close();
    for _ in 0..200 {
        if let Some(result) = done.take() {
            let (stores, notice) = result.unwrap();
            assert_eq!(stores, vec![STORE.to_string()]);
            assert!(notice.is_some());
            return;
        }
        sleep(10).await;
    }
    panic!("the upgrade did not finish after the old connection closed");
}

#[wasm_bindgen_test]
async fn an_open_cache_lets_a_newer_version_upgrade() {
    let name = db_name();
    let cache = open(&name).await;
    // A newer build in another tab: our connection closes itself on `versionchange`.
    let (newer, _) =
        Cache::open_version(&name, DB_VERSION + 1, || panic!("blocked by our own tab"))
            .await
            .unwrap();
    assert_eq!(newer.version(), (DB_VERSION + 1) as f64);
    // The old connection now fails cleanly instead of panicking.
    assert!(matches!(cache.get(A).await, Err(BrowserError::Idb(_))));
}

#[wasm_bindgen_test]
async fn open_failure_means_no_cache() {
    let name = db_name();
    // A database already at a newer version than this build: opening it fails (VersionError),
    // just as it fails when IndexedDB is unavailable.
    let (newer, _) = Cache::open_version(&name, DB_VERSION + 5, || {})
        .await
        .unwrap();
    newer.close();
    let err = Cache::open(&name, || {})
        .await
        .err()
        .expect("open must fail");
    assert!(matches!(err, BrowserError::CacheUnavailable(_)), "{err:?}");
}

/// Writes a raw value into the v2 store, bypassing the cache's checks.
async fn put_raw(name: &str, value: JsValue) {
    let db = Database::open(name).await.unwrap();
    let tx = db
        .transaction(STORE)
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    tx.object_store(STORE).unwrap().put(value).await.unwrap();
    tx.commit().await.unwrap();
    db.close();
}

fn raw(url: &str, format: u32, payload: JsValue) -> JsValue {
    let good = cache_record::RecordMeta::new(url, &Schema::default(), 1, &[], 1.0);
    let v = cache::to_js(&good, &[]);
    js_sys::Reflect::set(&v, &"format".into(), &format.into()).unwrap();
    js_sys::Reflect::set(&v, &"payload".into(), &payload).unwrap();
    v
}

/// Checks the reason a record was discarded.
type Expect = fn(&RecordError) -> bool;

#[wasm_bindgen_test]
async fn unusable_records_are_discarded_with_a_reason() {
    let name = db_name();
    open(&name).await.close();
    let garbage: JsValue = js_sys::Uint8Array::from(&b"DVWZ\x02\0\0\0not deflate"[..]).into();
    let old_payload: JsValue =
        js_sys::Uint8Array::from(&cache_record::encode_payload(&schema(&["a"]))[..]).into();
    let no_url = js_sys::Object::new();
    js_sys::Reflect::set(&no_url, &"url".into(), &"https://d/".into()).unwrap();
    js_sys::Reflect::set(&no_url, &"format".into(), &FORMAT_VERSION.into()).unwrap();
    let cases: Vec<(&str, JsValue, Expect)> = vec![
        ("https://old/", raw("https://old/", 1, old_payload), |e| {
            matches!(e, RecordError::OldFormat { found: 1, .. })
        }),
        (
            "https://shape/",
            raw("https://shape/", FORMAT_VERSION, "text".into()),
            |e| *e == RecordError::Field("payload"),
        ),
        (
            "https://corrupt/",
            raw("https://corrupt/", FORMAT_VERSION, garbage),
            |e| matches!(e, RecordError::Inflate(_)),
        ),
        ("https://d/", no_url.into(), |e| {
            *e == RecordError::Field("payload")
        }),
    ];
    for (_, value, _) in &cases {
        put_raw(&name, value.clone()).await;
    }
    let cache = open(&name).await;
    // `list` discards what it cannot read too: check `get` on half, `list` on the rest.
    for (url, _, expected) in &cases[..2] {
        match cache.get(url).await.unwrap() {
            Lookup::Discarded(e) => assert!(expected(&e), "{url}: {e:?}"),
            other => panic!("{url}: expected a discard, got {other:?}"),
        }
        assert_eq!(
            cache.get(url).await,
            Ok(Lookup::Miss),
            "{url} was not deleted"
        );
    }
    put(&cache, A, &["a"], 1, 1.0).await.unwrap();
    // `list` reads the fields only (not the payload): it discards the record without a payload.
    let (good, bad) = cache.list().await.unwrap();
    let urls: Vec<_> = good.iter().map(|m| m.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://a.crm.dynamics.com/api/data/v9.2/",
            "https://corrupt/"
        ]
    );
    assert_eq!(bad, vec!["https://d/".to_string()]);
    assert_eq!(cache.list().await.unwrap().1, Vec::<String>::new());
    // The corrupt payload behind valid fields is found when the schema is read.
    assert!(matches!(
        cache.get("https://corrupt/").await,
        Ok(Lookup::Discarded(RecordError::Inflate(_)))
    ));
    assert_eq!(cache.list().await.unwrap().0.len(), 1);
}
