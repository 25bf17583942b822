//! Step 7: prove the setup works — sign in with PKCE, check the token, WhoAmI, load `$metadata`
//! (see [`super::metadata`]), pick the entity. Also the `/auth/callback` page.

use super::metadata::MetadataLoader;
use crate::{
    components::{DiagnosisView, EntityPicker},
    services::{browser, dataverse, signin, verify},
    state::{SchemaState, Session, Verification, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use wizard_core::{
    auth::SignInConfig,
    diagnose::{self, Diagnosis},
    draft::Draft,
};

/// What signing in asks for, or the fields still missing for it (reactive).
pub(super) fn sign_in_config(wizard: Wizard) -> Result<SignInConfig, Vec<&'static str>> {
    wizard
        .draft
        .with(|d| signin::config_from_draft(d, super::steps::spa_redirect()))
}

/// The test step.
#[component]
pub fn TestConnection() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let schema_state = SchemaState::expect();
    let config = Memo::new(move |_| sign_in_config(wizard));
    let start_failure = RwSignal::new(None::<Diagnosis>);
    let on_sign_in = move |_| {
        session.sign_out();
        if let Ok(cfg) = config.get_untracked() {
            if let Err(d) = signin::start(cfg) {
                start_failure.set(Some(d));
            }
        }
    };

    // WhoAmI, as soon as there is a token.
    let who = RwSignal::new(None::<Result<dataverse::WhoAmI, Diagnosis>>);
    Effect::new(move |_| {
        let Some(signed) = session.signed_in.get() else {
            who.set(None);
            return;
        };
        let service = wizard
            .draft
            .with_untracked(Draft::service_url)
            .unwrap_or_default();
        spawn_local(async move {
            who.set(Some(
                dataverse::who_am_i(&service, signed.token.secret()).await,
            ));
        });
    });

    // From the token response and the ID token; the access token only when it is a JWT.
    let checks = move || {
        session.signed_in.with(|s| {
            s.as_ref().map(|s| {
                s.evidence
                    .checks(&s.config.environment, &s.config.tenant, browser::now_secs())
            })
        })
    };

    view! {
        <p class="lead">
            "Sign in once, in this browser, to prove that the app registration, the permission, the tenant and the Environment URL fit together, then load the environment's schema to pick the entity."
        </p>
        <p class="note">
            "After the sign-in, the Setup verification below checks every setup step live, as you: the app registration, its redirects, permission, consent and Object ID through Microsoft Graph; the client secret by its first characters and expiry (the secret itself is never sent); the application user, its roles (also through teams) and the table's privileges through the Dataverse Web API. Entra ID refuses client secrets from web pages, so the one thing left for Data Sync is the secret's sign-in itself: its Connect button."
        </p>
        {move || match config.get() {
            Err(missing) => view! {
                <div class="msg warning" role="status">
                    <p>"Before signing in, fill in: " {missing.join(", ")} "."</p>
                    <p><A href="/setup/details">"Go to step 4: Gather the details"</A></p>
                </div>
            }.into_any(),
            Ok(cfg) => view! {
                <dl class="summary">
                    <dt>"Sign in at"</dt><dd><code>{cfg.login_base.clone()} "/" {cfg.tenant.clone()}</code></dd>
                    <dt>"App"</dt><dd><code>{cfg.client_id.clone()}</code></dd>
                    <dt>"Redirect URI (must be under Single-page application)"</dt><dd><code>{cfg.redirect_uri.clone()}</code></dd>
                    <dt>"Permission asked"</dt><dd><code>{cfg.scope()}</code></dd>
                </dl>
            }.into_any(),
        }}
        <div class="actions">
            <button type="button" class="primary" on:click=on_sign_in disabled=move || config.with(Result::is_err)>
                {move || if session.signed_in.with(Option::is_some) { "Sign in again" } else { "Sign in and test" }}
            </button>
            <Show when=move || session.signed_in.with(Option::is_some)>
                <button type="button" class="secondary" on:click=move |_| session.sign_out()>"Sign out"</button>
            </Show>
        </div>
        {move || start_failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
        {move || session.failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
        {move || session.signed_in.get().map(|s| {
            let who_label = s.evidence.user().unwrap_or("(your account: Entra ID sent no ID token)").to_string();
            let opaque = (!s.evidence.access_token_readable()).then(|| view! {
                <p class="note">"The access token is not a readable JWT, as Microsoft allows for its own APIs: the wizard does not read it. The evidence is Entra ID's answer (granted scope, lifetime), the ID token, and Dataverse's WhoAmI below."</p>
            });
            view! {
                <section class="signed-in" aria-labelledby="signed-in-title">
                    <h2 id="signed-in-title">"Signed in"</h2>
                    <p role="status">"Signed in as " <strong>{who_label}</strong> "."</p>
                    <ul class="claim-checks">
                        {checks().unwrap_or_default().into_iter().map(|c| view! {
                            <li class=if c.ok { "ok" } else { "bad" }>
                                <strong>{c.label} ": "</strong>
                                {if c.ok { "✓ " } else { "✗ " }}
                                {c.detail}
                            </li>
                        }).collect_view()}
                    </ul>
                    {opaque}
                    {checks().and_then(|c| diagnose::token_claims_mismatch(&c)).map(|d| view! { <DiagnosisView diagnosis=d /> })}
                    {move || match who.get() {
                        None => view! { <p role="status">"Asking Dataverse who you are (WhoAmI)…"</p> }.into_any(),
                        Some(Ok(w)) => view! {
                            <p class="msg ok" role="status">
                                "Dataverse answers: you are user " <code>{w.user_id}</code>
                                " in organization " <code>{w.organization_id}</code> "."
                            </p>
                        }.into_any(),
                        Some(Err(d)) => view! { <DiagnosisView diagnosis=d /> }.into_any(),
                    }}
                </section>
            }
        })}
        <MetadataLoader />
        <Show when=move || schema_state.loaded.with(Option::is_some)>
            <h2>"Choose the entity"</h2>
            <EntityPicker />
        </Show>
        <super::verify::SetupVerification />
    }
}

/// The `/auth/callback` address's query; strips code and state from the address bar and history
/// before anything else (before the page's module is even fetched).
pub fn callback_query() -> String {
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    signin::clean_address_bar();
    query
}

/// `/auth/callback`: finishes the sign-in exactly once, then returns to the test step.
#[component]
pub fn AuthCallback(
    /// The address bar's query as the page was loaded (read and cleared by [`callback_query`]).
    query: String,
) -> impl IntoView {
    let session = Session::expect();
    let navigate = use_navigate();
    let (wizard, ver) = (Wizard::expect(), Verification::expect());
    spawn_local(async move {
        // Where the sign-in goes back to: the test step, or step 4 where it began.
        let back_to = match signin::handle_callback(&query).await {
            signin::Finished::Dataverse(result) => {
                session.finish(result);
                "/setup/test"
            }
            // The live checks' second sign-in: run the Graph checks now, beside the Dataverse
            // results kept from before the redirect.
            signin::Finished::Graph(graph) => {
                ver.running.set(true);
                let draft = wizard.draft.get_untracked();
                let report =
                    verify::run_after_graph_sign_in(draft, wizard.today, graph, ver.notify()).await;
                ver.record(wizard, report);
                "/setup/test"
            }
            // "Set it up for me"'s sign-in for Graph: its refresh token also gives the
            // environment's token again (the redirect ended the sign-in before it).
            // The deployment's setup app (creating the app registration) came back to step 4.
            signin::Finished::Setup(result) => {
                let own_app = result.as_ref().is_ok_and(|setup| {
                    wizard
                        .draft
                        .with_untracked(|d| d.client_id.trim() == setup.config.client_id)
                });
                match result {
                    Ok(setup) => {
                        let env = wizard
                            .draft
                            .with_untracked(|d| d.environment().map(|e| e.as_str().to_string()));
                        // Only a sign-in with the Data Sync app itself stands for it in Dataverse.
                        if let (true, Some(env)) = (own_app, env) {
                            if let Ok(s) = signin::signed_in_for_environment(&setup, &env).await {
                                session.finish(Ok(s));
                            }
                        }
                        session.setup_failure.set(None);
                        session.setup.set(Some(setup));
                    }
                    Err(d) => session.setup_failure.set(Some(d)),
                }
                let creating_app = !own_app
                    && wizard
                        .draft
                        .with_untracked(|d| d.client_id.trim().is_empty());
                if creating_app {
                    "/setup/details"
                } else {
                    "/setup/test"
                }
            }
            // "Your environments" is on step 4: back there.
            signin::Finished::Discovery(result) => {
                session.finish_discovery(result);
                "/setup/details"
            }
        };
        navigate(
            back_to,
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
    view! {
        <section>
            <h1>"Finishing sign-in…"</h1>
            <p role="status">"Checking the answer from Microsoft Entra ID and redeeming the code."</p>
        </section>
    }
}
