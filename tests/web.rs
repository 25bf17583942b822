//! Browser glue tests, run in headless Chromium by `wasm-bindgen-test` (`make test-wasm`).
#![cfg(target_arch = "wasm32")]

use dataverse_wizard::{
    services::browser::{self, Store},
    state::{self, Wizard},
};
use leptos::prelude::*;
use wasm_bindgen_test::*;
use wizard_core::draft::{Draft, FieldId, SecretInput};

wasm_bindgen_test_configure!(run_in_browser);

fn clear() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    for store in [Store::Local, Store::Session] {
        for key in browser::keys_with_prefix(store, state::KEY_PREFIX) {
            browser::remove_item(store, &key);
        }
    }
}

/// Lets effects run.
async fn tick() {
    leptos::task::tick().await;
    gloo_timers_sleep(10).await;
}

async fn gloo_timers_sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
fn storage_round_trip_in_both_stores() {
    clear();
    for store in [Store::Local, Store::Session] {
        browser::set_item(store, "dataverse-wizard.test", "value").unwrap();
        assert_eq!(
            browser::get_item(store, "dataverse-wizard.test")
                .unwrap()
                .as_deref(),
            Some("value")
        );
        browser::remove_item(store, "dataverse-wizard.test");
        assert_eq!(
            browser::get_item(store, "dataverse-wizard.test").unwrap(),
            None
        );
    }
}

#[wasm_bindgen_test]
fn full_storage_gives_a_message_and_keeps_the_previous_value() {
    clear();
    browser::set_item(Store::Local, "dataverse-wizard.keep", "previous").unwrap();
    // Far beyond Chromium's per-origin localStorage quota (5 MiB of UTF-16).
    let huge = "x".repeat(12 * 1024 * 1024);
    let err = browser::set_item(Store::Local, "dataverse-wizard.huge", &huge)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("full"),
        "message should say storage is full: {err}"
    );
    assert_eq!(
        browser::get_item(Store::Local, "dataverse-wizard.keep")
            .unwrap()
            .as_deref(),
        Some("previous")
    );
    clear();
}

#[wasm_bindgen_test]
async fn draft_persists_to_local_storage_and_secret_only_to_session_storage() {
    clear();
    let owner = Owner::new();
    owner.set();
    let wizard = Wizard::provide();
    wizard.start_saving();
    wizard.set_field(
        FieldId::TenantId,
        "11111111-2222-3333-4444-555555555555".into(),
    );
    wizard.set_field(
        FieldId::ClientSecret,
        "abC8Q~very-secret-value-1234567890abcdefgh".into(),
    );
    wizard.set_tick("register.open", true);
    tick().await;

    let local = browser::get_item(Store::Local, state::DRAFT_KEY)
        .unwrap()
        .expect("draft saved");
    assert!(local.contains("11111111-2222-3333-4444-555555555555"));
    assert!(local.contains("register.open"));
    assert!(
        !local.contains("very-secret"),
        "the secret must never reach localStorage"
    );
    let session = browser::get_item(Store::Session, state::SECRET_KEY).unwrap();
    assert_eq!(
        session.as_deref(),
        Some("abC8Q~very-secret-value-1234567890abcdefgh")
    );

    // A second wizard (a reload) restores both.
    let owner2 = Owner::new();
    owner2.set();
    let reloaded = Wizard::provide();
    reloaded.start_saving();
    let draft = reloaded.draft.get_untracked();
    assert_eq!(draft.tenant_id, "11111111-2222-3333-4444-555555555555");
    assert!(draft.ticks.contains("register.open"));
    assert_eq!(
        draft.client_secret.expose(),
        "abC8Q~very-secret-value-1234567890abcdefgh"
    );

    // Start over forgets everything, in both stores.
    reloaded.start_over();
    tick().await;
    assert_eq!(
        browser::get_item(Store::Session, state::SECRET_KEY).unwrap(),
        None
    );
    let local = browser::get_item(Store::Local, state::DRAFT_KEY)
        .unwrap()
        .unwrap_or_default();
    assert!(!local.contains("11111111-2222"));
    assert_eq!(reloaded.draft.get_untracked(), Draft::default());
    clear();
}

#[wasm_bindgen_test]
fn unreadable_saved_progress_is_kept_aside_with_a_notice() {
    clear();
    browser::set_item(Store::Local, state::DRAFT_KEY, "{not json").unwrap();
    let owner = Owner::new();
    owner.set();
    let wizard = Wizard::provide();
    assert_eq!(wizard.draft.get_untracked().tenant_id, "");
    assert!(wizard
        .storage_notice
        .get_untracked()
        .unwrap()
        .contains("could not be read"));
    let kept =
        browser::get_item(Store::Local, &format!("{}.unreadable", state::DRAFT_KEY)).unwrap();
    assert_eq!(kept.as_deref(), Some("{not json"));
    clear();
}

#[wasm_bindgen_test]
fn secret_input_debug_is_redacted() {
    let s = SecretInput::new("abC8Q~very-secret".into());
    assert!(!format!("{s:?}").contains("very-secret"));
}

#[wasm_bindgen_test]
fn contexts_can_be_provided_in_any_order() {
    clear();
    // Reverse of `provide_all`'s order: no constructor may read another context.
    let owner = Owner::new();
    owner.set();
    state::CacheState::provide();
    state::SchemaState::provide();
    state::Session::provide();
    Wizard::provide();
    clear();
}

#[wasm_bindgen_test]
fn schema_origin_reads_as_the_status_line_says() {
    use state::SchemaOrigin;
    let url = "http://contoso.crm.localhost:8081/api/data/v9.2/".to_string();
    let network = SchemaOrigin::Network {
        service_url: url.clone(),
    };
    assert_eq!(
        network.to_string(),
        "http://contoso.crm.localhost:8081/api/data/v9.2/$metadata"
    );
    let file = SchemaOrigin::File {
        name: "trippin.xml".into(),
    };
    assert_eq!(file.to_string(), "file: trippin.xml");
    assert!(file.is_file());
    let cache = SchemaOrigin::Cache {
        service_url: url.clone(),
        saved_at_ms: 1.0,
    };
    assert!(cache.is_cache_of(&url));
    assert!(!network.is_cache_of(&url));
    assert!(!cache.is_cache_of("https://other.crm.dynamics.com/api/data/v9.2/"));
}

#[wasm_bindgen_test]
fn checklist_items_map_to_their_live_checks() {
    use wizard_core::verify::CheckId;
    assert_eq!(
        state::item_check("register.spa-redirect"),
        Some(CheckId::RedirectUris)
    );
    assert_eq!(
        state::item_check("permissions.consent"),
        Some(CheckId::AdminConsent)
    );
    assert_eq!(
        state::item_check("app-user.create"),
        Some(CheckId::ApplicationUser)
    );
    assert_eq!(state::item_check("connector.entered"), None);
    // Every check the checklist maps to is fixed on the step the item is on.
    for (item, step) in [
        ("register.name", "register"),
        ("permissions.add", "permissions"),
        ("secret.copy-value", "secret"),
        ("details.enterprise-app", "details"),
        ("app-user.role", "app-user"),
    ] {
        let check = state::item_check(item).expect("mapped");
        assert_eq!(check.step().slug(), step, "{item}");
    }
}

#[wasm_bindgen_test]
fn verification_context_starts_empty_and_clears() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.with(|| {
        let v = state::Verification::provide();
        assert!(v.verdicts.get_untracked().is_empty());
        v.verdicts.set(vec![wizard_core::verify::Verdict::wrong(
            wizard_core::verify::CheckId::ClientSecret,
            "a",
            "b",
            "c",
        )]);
        assert_eq!(
            v.worst_for_step(wizard_core::draft::Step::Secret)
                .map(|v| v.symbol()),
            Some("✗")
        );
        assert!(v.for_item("secret.create").is_some());
        v.clear();
        assert!(v.verdicts.get_untracked().is_empty());
        assert!(v.graph.get_untracked().is_none());
    });
}
