//! The app's contexts: the wizard draft, the sign-in session, the schema in memory and the schema
//! cache's status. [`provide_all`] provides them from `App`.
//!
//! No context reads another when it is provided, so the order does not matter. What they do in
//! the background (saving the draft, opening the schema cache, showing the cached schema of the
//! environment typed in) starts once the first screen is painted: [`AppState::start`].

mod cache;
mod schema;
mod session;
mod verification;
mod wizard;

pub use cache::{CacheState, CacheStatus, CacheTimings};
use leptos::prelude::{Owner, Set};
pub use schema::{Loaded, SchemaOrigin, SchemaState};
pub use session::Session;
pub use verification::{item_check, verdict_class, verdict_words, Verification};
pub use wizard::{
    last_step, remember_step, Wizard, DRAFT_KEY, KEY_PREFIX, LAST_STEP_KEY, SECRET_KEY,
};

/// Every context of the app. `Copy`, like each of them.
#[derive(Clone, Copy)]
pub struct AppState {
    /// What the user typed and ticked.
    pub wizard: Wizard,
    /// The sign-in.
    pub session: Session,
    /// The schema in memory.
    pub schema: SchemaState,
    /// The schema cache.
    pub cache: CacheState,
    /// The live checks' results.
    pub verification: Verification,
}

/// Provides every context of the app (in any order: none reads another while being provided).
pub fn provide_all() -> AppState {
    AppState {
        wizard: Wizard::provide(),
        session: Session::provide(),
        schema: SchemaState::provide(),
        cache: CacheState::provide(),
        verification: Verification::provide(),
    }
}

impl AppState {
    /// Starts what the contexts do in the background, once the first screen is painted (none of
    /// it is on that screen, and its code would delay it): saving the draft, then, from a split
    /// module of its own ([`crate::split::start_background`]), opening the schema cache and
    /// showing the cached schema of the environment typed in. Saving does not wait for a
    /// download: a change must be stored even if the page is left or the network is gone.
    /// `owner` (the app's) owns the effects they make.
    pub fn start(self, owner: Owner) {
        crate::services::browser::after_next_paint(move || {
            owner.with(|| self.wizard.start_saving());
            leptos::task::spawn_local(async move {
                if let Err(e) = crate::split::start_background(self, owner).await {
                    self.cache.status.set(CacheStatus::Unavailable(e.into()));
                }
            });
        });
    }
}
