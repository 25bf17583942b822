//! Split points: parts of the app that the first screens do not need, each compiled into a wasm
//! module of its own and fetched the first time it is shown (issue 24: the first visit downloads
//! the main module only).
//!
//! With the `split` feature (which `scripts/build-app.mjs` turns on), each function below is a
//! `wasm_split` point: `tools/wasm-split` moves the code only it reaches into `<module>.wasm`, and
//! calling it fetches that module once. Without the feature (tests, `cargo check`) it is an
//! ordinary async function. A module that cannot be fetched (offline, a new deployment that
//! removed it) is a [`LoadError`], shown where the view would be, never a panic.
//!
//! The generated loader code is `unsafe` (an extern import the splitter rewrites), hence the allow.
#![allow(unsafe_code)]

use chrono::NaiveDate;
use leptos::prelude::*;
use wizard_core::{
    cache_record::RecordError,
    csdl::Schema,
    draft::{Draft, Step},
    targets::{ImportError, Merged},
};

/// A split module could not be fetched or instantiated (the browser console has the reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a part of the wizard could not be downloaded; check the connection and reload the page")]
pub struct LoadError;

impl From<wasm_split_helpers::SplitLoaderError> for LoadError {
    fn from(_: wasm_split_helpers::SplitLoaderError) -> Self {
        LoadError
    }
}

/// Declares a split point in `$module` returning `Result<$ret, LoadError>`.
macro_rules! split_point {
    ($module:ident, $(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
        #[cfg(feature = "split")]
        #[wasm_split_helpers::wasm_split($module, fallible)]
        $(#[$meta])*
        $vis fn $name($($arg: $ty),*) -> Result<$ret, LoadError> {
            Ok($body)
        }

        #[cfg(not(feature = "split"))]
        $(#[$meta])*
        $vis async fn $name($($arg: $ty),*) -> Result<$ret, LoadError> {
            Ok($body)
        }
    };
}

/// Fetches the steps' module ahead of use (a failure is retried when a step is shown).
pub async fn preload_steps() {
    #[cfg(feature = "split")]
    let _ = __wasm_split_preload_step_content().await;
}

split_point!(
    steps,
    /// The content of a setup step.
    pub fn step_content(step: Step) -> AnyView {
        crate::pages::steps::content(step)
    }
);

split_point!(
    steps,
    /// The list of steps, with what is done (it reads the checked draft, which the steps make).
    pub fn step_list(step: Step) -> AnyView {
        view! { <crate::pages::StepList current=step /> }.into_any()
    }
);

split_point!(
    schema,
    /// Decodes a cached schema record: only a returning visitor with a cached schema needs it.
    pub fn decode_schema(payload: Vec<u8>) -> Result<Schema, RecordError> {
        wizard_core::cache_record::decode_payload(&payload)
    }
);

split_point!(
    background,
    /// The schema cache, from the app's start (see [`crate::state::AppState::start`]): opens it
    /// and shows the cached schema of the environment typed in. The effect belongs to `owner`.
    pub fn start_background(app: crate::state::AppState, owner: Owner) -> () {
        app.cache.open();
        owner.with(|| {
            crate::services::metadata::MetadataService::new(app.schema, app.cache)
                .follow_environment(app.wizard)
        });
    }
);

split_point!(
    import,
    /// Reads an imported connection (any format the wizard knows) into `current`.
    pub fn import_connection(
        text: String,
        current: Draft,
        today: NaiveDate,
    ) -> Result<Merged, ImportError> {
        wizard_core::targets::import_any(&text, &current, today)
    }
);

split_point!(
    settings,
    /// The settings page.
    pub fn settings_page() -> AnyView {
        view! { <crate::pages::Settings /> }.into_any()
    }
);

split_point!(
    callback,
    /// The end of a sign-in (`/auth/callback`), with the query the address bar had.
    pub fn auth_callback(query: String) -> AnyView {
        view! { <crate::pages::AuthCallback query=query /> }.into_any()
    }
);

/// Shows what `load` gives once its module is there; a failed load says so in its place, with a
/// button to reload the page.
pub fn lazy_view<F>(load: impl Fn() -> F + Send + Sync + 'static) -> impl IntoView
where
    F: std::future::Future<Output = Result<AnyView, LoadError>> + 'static,
{
    lazy_view_or(load, || {
        view! {
            <div class="msg error" role="alert">
                <p>"This part of the wizard could not be downloaded. Check the connection, then reload the page."</p>
                <button type="button" class="secondary" on:click=|_| crate::services::browser::reload()>
                    "Reload the page"
                </button>
            </div>
        }
        .into_any()
    })
}

/// [`lazy_view`] with `failed` shown when the module cannot be fetched.
pub fn lazy_view_or<F>(
    load: impl Fn() -> F + Send + Sync + 'static,
    failed: fn() -> AnyView,
) -> impl IntoView
where
    F: std::future::Future<Output = Result<AnyView, LoadError>> + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || {
                let pending = load();
                // The loader's future holds the browser's promise, so it stays on this thread.
                Suspend::new(send_wrapper::SendWrapper::new(async move {
                    pending.await.unwrap_or_else(|_| failed())
                }))
            }}
        </Suspense>
    }
}
