//! A browser wizard that gets a Dynamics 365 / Dataverse connection right the first time.
//!
//! The app shell and routes live here; pages are in [`pages`], shared pieces in [`components`],
//! state in [`state`], browser glue in [`browser`]. All checking and deriving is done by the pure
//! `wizard_core` crate.

pub mod browser;
pub mod cache;
pub mod components;
pub mod dataverse;
pub mod pages;
pub mod picker;
pub mod schema;
pub mod signin;
pub mod state;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};
use state::Wizard;

/// The whole app: header, routes, footer.
#[component]
pub fn App() -> impl IntoView {
    let wizard = Wizard::provide();
    signin::Session::provide();
    schema::SchemaState::provide();
    cache::CacheState::provide();
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="site-header">
                <A href="/" attr:class="brand">"Dataverse connection wizard"</A>
                <nav aria-label="Site">
                    <A href="/setup/register">"Setup"</A>
                    <A href="/settings">"Settings"</A>
                </nav>
            </header>
            <Show when=move || wizard.storage_notice.with(Option::is_some)>
                <div class="banner warning" role="alert">
                    {move || wizard.storage_notice.get().unwrap_or_default()}
                </div>
            </Show>
            <main id="main" tabindex="-1">
                <Routes fallback=pages::NotFound>
                    <Route path=path!("/") view=pages::Welcome />
                    <Route path=path!("/setup/:step") view=pages::StepPage />
                    <Route path=path!("/auth/callback") view=pages::AuthCallback />
                    <Route path=path!("/settings") view=pages::Settings />
                </Routes>
            </main>
        </Router>
    }
}
