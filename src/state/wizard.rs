//! The wizard context: one `Draft` signal, persisted on every change.
//!
//! * Non-secret fields, checklist ticks and the last visited step go to `localStorage`, so they
//!   survive a reload and a browser restart.
//! * The client secret goes to `sessionStorage` only (this tab), never to `localStorage` or
//!   IndexedDB. "Start over" clears both.
//! * Two tabs never lose each other's work: beside the draft, `localStorage` keeps the last edit
//!   time of every field ([`EditStamps`]). Each save, and each `storage` event from another tab,
//!   merges the stored draft into this tab's field by field, the newest edit winning
//!   ([`wizard_core::sync::merge`]). The secret is not merged: it stays in its tab.

use crate::services::{
    browser::{self, Store},
    BrowserError,
};
use chrono::NaiveDate;
use leptos::prelude::*;
use wizard_core::checked::CheckedDraft;
use wizard_core::draft::{check_field, Draft, FieldId, FieldStatus, SecretInput, Step};
use wizard_core::sync::{merge, EditStamps, Synced};

/// localStorage key of the draft (JSON of `Draft`, which never serialises the secret).
pub const DRAFT_KEY: &str = "dataverse-wizard.v1.draft";
/// localStorage key of the last step the user visited.
pub const LAST_STEP_KEY: &str = "dataverse-wizard.v1.last-step";
/// localStorage key of the draft with its per-field edit times (JSON of `Synced`), what the other
/// tabs merge: one value, so that a tab never reads edit times without their values.
pub const SYNC_KEY: &str = "dataverse-wizard.v1.draft-sync";
/// sessionStorage key of the client secret.
pub const SECRET_KEY: &str = "dataverse-wizard.v1.client-secret";
/// Prefix shared by every key this app writes, in both stores.
pub const KEY_PREFIX: &str = "dataverse-wizard.";

/// The wizard context. `Copy`, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Wizard {
    /// Everything the user typed or ticked.
    pub draft: RwSignal<Draft>,
    /// The draft checked once per change (problems, connection, connector values): what the
    /// step list, the connector step, the review page and every export read ([`Wizard::checked`]).
    checked: StoredValue<Option<Memo<CheckedDraft>>>,
    /// The app's owner, which the checked draft belongs to.
    owner: StoredValue<Owner>,
    /// Today's date (for secret expiry checks), read once at start.
    pub today: NaiveDate,
    /// A message about storage (could not save, could not restore…), shown in the banner.
    pub storage_notice: RwSignal<Option<String>>,
    /// The last edit time of each field, as this tab knows it.
    stamps: StoredValue<EditStamps>,
    /// The draft `stamps` describe: what this tab last saved or merged.
    saved: StoredValue<Draft>,
}

impl Wizard {
    /// The draft checked once per change. Made on first use, by the steps (a split module): the
    /// checks and their messages are not part of the first screen's module. It belongs to the
    /// app's owner, so it lives as long as the app, whichever page made it.
    pub fn checked(&self) -> Memo<CheckedDraft> {
        if let Some(memo) = self.checked.get_value() {
            return memo;
        }
        let (draft, today) = (self.draft, self.today);
        let memo = self.owner.with_value(|owner| {
            owner.with(|| Memo::new(move |_| draft.with(|d| CheckedDraft::new(d, today))))
        });
        self.checked.set_value(Some(memo));
        memo
    }

    /// Loads saved progress and provides the context. Needs no other context. Changes are saved
    /// once [`Wizard::start_saving`] is called.
    pub fn provide() -> Self {
        let (loaded, notice) = load();
        let draft = RwSignal::new(loaded.clone());
        let today = browser::today();
        let wizard = Wizard {
            draft,
            checked: StoredValue::new(None),
            owner: StoredValue::new(Owner::current().unwrap_or_default()),
            today,
            storage_notice: RwSignal::new(notice),
            stamps: StoredValue::new(EditStamps::default()),
            saved: StoredValue::new(loaded),
        };
        provide_context(wizard);
        wizard
    }

    /// Saves every change from now on (the first save merges what other tabs stored), and takes
    /// other tabs' newer edits. Called once.
    pub fn start_saving(self) {
        let wizard = self;
        // The edit times of the draft as loaded (`saved` is still it: only a save changes it).
        // An edit made before this call differs from it, so the first save counts it as new.
        self.stamps.set_value(self.saved.with_value(stamps_for));
        // Another tab saved: take its newer edits.
        let _ = browser::on_storage_change(move |key| {
            if matches!(key.as_deref(), Some(DRAFT_KEY | SYNC_KEY)) {
                wizard.merge_stored();
            }
        });
        // The effect's value: whether the last save failed to write, so that its notice is
        // cleared once saving works again (and no other notice is).
        Effect::new(move |write_failed: Option<bool>| match wizard.persist() {
            Ok(()) => {
                if write_failed == Some(true) {
                    wizard.storage_notice.set(None);
                }
                false
            }
            Err(e) => {
                wizard.storage_notice.set(Some(e.to_string()));
                matches!(e, BrowserError::StorageWrite(_))
            }
        });
    }

    /// Stamps this tab's edits since the last save, merges what other tabs stored and saves the
    /// result (reactive: tracks the draft).
    fn persist(self) -> Result<(), BrowserError> {
        let current = self.draft.get();
        let merged = self.merged_with_stored(&current);
        let result = self.stamps.with_value(|s| save(&merged, s));
        if merged != current {
            self.draft.set(merged);
        }
        result
    }

    /// Takes the newer edits another tab stored (not reactive).
    fn merge_stored(self) {
        let current = self.draft.get_untracked();
        let merged = self.merged_with_stored(&current);
        if merged != current {
            self.draft.set(merged);
        }
    }

    /// This tab's draft merged field by field with the stored one; updates `stamps` and `saved`.
    fn merged_with_stored(self, current: &Draft) -> Draft {
        let mut stamps = self.stamps.get_value();
        self.saved
            .with_value(|before| stamps.touch(before, current, js_sys::Date::now() as u64));
        let (merged, stamps) = match stored() {
            Some((theirs, their_stamps)) => merge(current, &stamps, &theirs, &their_stamps),
            None => (current.clone(), stamps),
        };
        self.stamps.set_value(stamps);
        self.saved.set_value(merged.clone());
        merged
    }

    /// The wizard context of the current component tree.
    pub fn expect() -> Self {
        expect_context()
    }

    /// The check result of one field (reactive).
    pub fn status(&self, field: FieldId) -> FieldStatus {
        let today = self.today;
        self.draft.with(|d| check_field(d, field, today))
    }

    /// Sets one field from what the user typed.
    pub fn set_field(&self, field: FieldId, value: String) {
        self.draft.update(|d| field.set(d, value));
    }

    /// Whether a checklist item is ticked (reactive).
    pub fn ticked(&self, id: &str) -> bool {
        self.draft.with(|d| d.ticks.contains(id))
    }

    /// Ticks or unticks a checklist item.
    pub fn set_tick(&self, id: &str, on: bool) {
        self.draft.update(|d| {
            if on {
                d.ticks.insert(id.to_string());
            } else {
                d.ticks.remove(id);
            }
        });
    }

    /// Replaces the whole draft (after a successful import or the sandbox prefill).
    pub fn replace(&self, draft: Draft) {
        self.draft.set(draft);
    }

    /// Forgets everything: draft, ticks, secret, last step.
    pub fn start_over(&self) {
        for store in [Store::Local, Store::Session] {
            for key in browser::keys_with_prefix(store, KEY_PREFIX) {
                browser::remove_item(store, &key);
            }
        }
        self.draft.set(Draft::default());
        self.storage_notice.set(None);
    }
}

/// Remembers the step the user is on, for "Continue where you left off".
pub fn remember_step(step: Step) {
    let _ = browser::set_item(Store::Local, LAST_STEP_KEY, step.slug());
}

/// The step the user was last on, if any.
pub fn last_step() -> Option<Step> {
    browser::get_item(Store::Local, LAST_STEP_KEY)
        .ok()
        .flatten()
        .and_then(|s| Step::from_slug(&s))
}

fn load() -> (Draft, Option<String>) {
    let mut notice = None;
    let mut draft = match browser::get_item(Store::Local, DRAFT_KEY) {
        Ok(Some(json)) => match serde_json::from_str::<Draft>(&json) {
            Ok(d) => d,
            Err(e) => {
                // Keep the unreadable copy so nothing is lost, and start fresh.
                let _ = browser::set_item(Store::Local, &format!("{DRAFT_KEY}.unreadable"), &json);
                notice = Some(format!(
                    "Saved progress could not be read ({e}); it was kept aside and the wizard started fresh."
                ));
                Draft::default()
            }
        },
        Ok(None) => Draft::default(),
        Err(e) => {
            notice = Some(format!("Progress will not be saved: {e}."));
            Draft::default()
        }
    };
    if let Ok(Some(secret)) = browser::get_item(Store::Session, SECRET_KEY) {
        draft.client_secret = SecretInput::new(secret);
    }
    (draft, notice)
}

/// The edit times of the draft loaded at start. The draft key is what loads; where the merged
/// record differs from it (written by an older version, or by hand), the loaded values count as
/// the newest edits.
fn stamps_for(loaded: &Draft) -> EditStamps {
    let Some((draft, mut stamps)) = stored() else {
        return EditStamps::default();
    };
    let mut plain = loaded.clone();
    plain.client_secret = SecretInput::default();
    stamps.touch(&draft, &plain, js_sys::Date::now() as u64);
    stamps
}

/// The draft and its edit times as stored by any tab (read whole, from one value); a draft saved
/// without them (an older version of the wizard) counts as never edited. `None` when there is no
/// readable draft.
fn stored() -> Option<(Draft, EditStamps)> {
    let read = |key| browser::get_item(Store::Local, key).ok().flatten();
    if let Some(synced) = read(SYNC_KEY).and_then(|s| serde_json::from_str::<Synced>(&s).ok()) {
        return Some((synced.draft, synced.stamps));
    }
    let draft = serde_json::from_str::<Draft>(&read(DRAFT_KEY)?).ok()?;
    Some((draft, EditStamps::default()))
}

fn save(draft: &Draft, stamps: &EditStamps) -> Result<(), BrowserError> {
    let write = |e: serde_json::Error| BrowserError::StorageWrite(e.to_string());
    let synced = Synced {
        draft: draft.clone(),
        stamps: stamps.clone(),
    };
    browser::set_item(
        Store::Local,
        SYNC_KEY,
        &serde_json::to_string(&synced).map_err(write)?,
    )?;
    let json = serde_json::to_string(draft).map_err(write)?;
    browser::set_item(Store::Local, DRAFT_KEY, &json)?;
    let secret = draft.client_secret.expose();
    if secret.is_empty() {
        browser::remove_item(Store::Session, SECRET_KEY);
    } else {
        browser::set_item(Store::Session, SECRET_KEY, secret)?;
    }
    Ok(())
}
