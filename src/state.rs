//! The app's contexts: the wizard draft, the sign-in session, the schema in memory and the schema
//! cache's status. [`provide_all`] provides them from `App`.
//!
//! No context reads another when it is provided, so the order does not matter; work that links
//! contexts (showing the cached schema of the environment typed in) is started by its service
//! once they all exist (see [`crate::services::metadata::MetadataService::follow_environment`]).

mod cache;
mod schema;
mod session;
mod verification;
mod wizard;

pub use cache::{CacheState, CacheStatus, CacheTimings};
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
