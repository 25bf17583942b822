//! A browser wizard that gets a Dynamics 365 / Dataverse connection right the first time.
//!
//! The app shell and routes live here. The layers, each only using the ones after it:
//! [`pages`] (render and dispatch), [`components`] (shared view pieces), [`services::metadata`]
//! (the `$metadata` loader, which publishes into the state), [`state`] (the contexts), and the
//! rest of [`services`] (browser glue). All checking and deriving is done by the pure
//! `wizard_core` crate.

pub mod components;
pub mod pages;
pub mod services;
pub mod split;
pub mod state;

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

/// The whole app: header, routes, footer.
#[component]
pub fn App() -> impl IntoView {
    let app = state::provide_all();
    app.start(Owner::current().unwrap_or_default());
    let wizard = app.wizard;
    // Once the first screen is up, fetch the steps' module in the background, so that opening a
    // step does not wait for it (a failure here is retried when a step is shown).
    Effect::new(move |_| {
        set_timeout(
            || leptos::task::spawn_local(split::preload_steps()),
            std::time::Duration::from_millis(300),
        )
    });
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
                    <Route path=path!("/auth/callback") view=|| {
                        let query = pages::callback_query();
                        split::lazy_view(move || split::auth_callback(query.clone()))
                    } />
                    <Route path=path!("/settings") view=|| split::lazy_view(split::settings_page) />
                </Routes>
            </main>
        </Router>
    }
}
