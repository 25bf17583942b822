//! Step 7: prove the setup works — sign in with PKCE, check the token, WhoAmI, load `$metadata`,
//! pick the entity. Also the `/auth/callback` page.

use crate::{
    browser,
    cache::{self, CacheState},
    dataverse::{self, Progress},
    picker::EntityPicker,
    schema::{self, human_bytes, Loaded, SchemaState},
    signin::{self, Session},
    state::Wizard,
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{components::A, hooks::use_navigate, NavigateOptions};
use wizard_core::{
    auth::SignInConfig,
    cache_record::{self, age_text, SchemaDiff},
    csdl,
    diagnose::{self, Diagnosis},
    draft::Draft,
    jwt,
};

/// Shows a diagnosis: cause and fix in plain words, the raw answer one click away.
#[component]
pub fn DiagnosisView(diagnosis: Diagnosis) -> impl IntoView {
    view! {
        <div class="diagnosis" role="alert">
            <h3>{diagnosis.title.clone()} <span class="code">{format!(" ({})", diagnosis.code)}</span></h3>
            <p><strong>"Cause: "</strong>{diagnosis.cause.clone()}</p>
            <p><strong>"Fix: "</strong>{diagnosis.fix.clone()}</p>
            {diagnosis.link.clone().map(|href| view! {
                <p><a href=href target="_blank" rel="noopener noreferrer">"More about this error"</a></p>
            })}
            <details>
                <summary>"Raw server answer"</summary>
                <pre>{diagnosis.raw.clone()}</pre>
            </details>
        </div>
    }
}

fn sign_in_config(wizard: Wizard) -> Result<SignInConfig, Vec<&'static str>> {
    wizard.draft.with(|d| {
        let mut missing = Vec::new();
        let tenant = d.tenant();
        let client = d.client_id();
        let env = d.environment();
        if tenant.is_none() {
            missing.push("Directory (tenant) ID");
        }
        if client.is_none() {
            missing.push("Application (client) ID");
        }
        if env.is_none() {
            missing.push("Environment URL");
        }
        match (tenant, client, env) {
            (Some(t), Some(c), Some(e)) => Ok(SignInConfig {
                login_base: d.cloud.profile().login_base.to_string(),
                tenant: t.as_str().to_string(),
                client_id: c.to_string(),
                redirect_uri: super::steps::spa_redirect(),
                environment: e.as_str().to_string(),
            }),
            _ => Err(missing),
        }
    })
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

    let checks = move || {
        session.signed_in.with(|s| {
            s.as_ref().map(|s| {
                jwt::check_claims(
                    &s.claims,
                    &s.config.environment,
                    &s.config.tenant,
                    browser::now_secs(),
                )
            })
        })
    };

    view! {
        <p class="lead">
            "Sign in once, in this browser, to prove that the app registration, the permission, the tenant and the Environment URL fit together, then load the environment's schema to pick the entity."
        </p>
        <p class="note">
            "A browser can only test the delegated (sign-in) path: Entra ID refuses client secrets from web pages. The client_credentials secret and the application user are tested by Data Sync itself when you press Connect."
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
            let who_label = s.claims.user().unwrap_or("(no user name in the token)").to_string();
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
    }
}

/// Loads `$metadata` through CORS (streaming, progress, cancel) or from a file.
#[component]
fn MetadataLoader() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let schema_state = SchemaState::expect();
    let cache_state = CacheState::expect();
    let progress = RwSignal::new(None::<Progress>);
    let failure = RwSignal::new(None::<Diagnosis>);
    let cancel = StoredValue::new_local(None::<web_sys::AbortController>);
    let busy = move || progress.with(Option::is_some);
    // A schema is about to be loaded on this page: start the parse worker's wasm now.
    schema::warm_up_worker();

    // A refreshed schema waiting for the user's decision, with what changed.
    let pending = RwSignal::new(None::<(Loaded, SchemaDiff)>);

    // Downloads and parses `$metadata`. A plain load replaces the schema in memory and the cached
    // record; a refresh of a cached schema first shows what changed (see `pending`).
    let fetch = move |refresh: bool| {
        let Some(signed) = session.signed_in.get_untracked() else {
            return;
        };
        let service = wizard
            .draft
            .with_untracked(Draft::service_url)
            .unwrap_or_default();
        let Ok(controller) = web_sys::AbortController::new() else {
            return;
        };
        let signal = controller.signal();
        cancel.set_value(Some(controller));
        failure.set(None);
        pending.set(None);
        progress.set(Some(Progress::default()));
        spawn_local(async move {
            let result = dataverse::metadata(
                &service,
                signed.token.secret(),
                &signal,
                csdl::MAX_METADATA_BYTES,
                |p| progress.set(Some(p)),
            )
            .await;
            let was_cancelled = signal.aborted();
            cancel.set_value(None);
            progress.set(None);
            match result {
                Ok(bytes) => {
                    match schema::parse_off_thread(bytes, format!("{service}$metadata")).await {
                        Ok(loaded) => {
                            let old = schema_state.loaded.with_untracked(|l| {
                                l.as_ref()
                                    .filter(|l| l.source == cache::cache_source(&service))
                                    .map(|l| l.schema.clone())
                            });
                            match old {
                                Some(old) if refresh => {
                                    let d = cache_record::diff(&old, &loaded.schema);
                                    pending.set(Some((loaded, d)));
                                }
                                _ => {
                                    let (schema, bytes) = (loaded.schema.clone(), loaded.bytes);
                                    schema_state.loaded.set(Some(loaded));
                                    cache_state.store(&service, &schema, bytes as u64).await;
                                }
                            }
                        }
                        Err(e) => failure.set(Some(diagnose::csdl_error(&e))),
                    }
                }
                Err(_) if was_cancelled => failure.set(Some(cancelled())),
                Err(d) => failure.set(Some(d)),
            }
        });
    };
    let on_load = move |_| fetch(false);
    let on_refresh = move |_| fetch(true);
    let on_replace = move |_| {
        let Some((loaded, _)) = pending.get_untracked() else {
            return;
        };
        pending.set(None);
        let service = wizard
            .draft
            .with_untracked(Draft::service_url)
            .unwrap_or_default();
        let (schema, bytes) = (loaded.schema.clone(), loaded.bytes);
        schema_state.loaded.set(Some(loaded));
        spawn_local(async move {
            cache_state.store(&service, &schema, bytes as u64).await;
        });
    };
    let on_keep = move |_| pending.set(None);
    let on_sign_in_to_refresh = move |_| {
        if let Ok(cfg) = sign_in_config(wizard) {
            if let Err(d) = signin::start(cfg) {
                failure.set(Some(d));
            }
        }
    };
    // The cached record behind the schema on screen, when it belongs to this environment.
    let cached_here = move || {
        let service = wizard.draft.with(Draft::service_url)?;
        cache_state
            .current
            .get()
            .filter(|m| m.url == service)
            .filter(|_| {
                schema_state
                    .loaded
                    .with(|l| l.as_ref().is_some_and(|l| !l.source.starts_with("file: ")))
            })
    };
    let on_cancel = move |_| {
        cancel.with_value(|c| {
            if let Some(c) = c {
                c.abort()
            }
        });
    };
    let on_file = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        failure.set(None);
        if file.size() as usize > csdl::MAX_METADATA_BYTES {
            failure.set(Some(diagnose::csdl_error(&csdl::CsdlError::TooLarge {
                bytes: file.size() as usize,
                limit: csdl::MAX_METADATA_BYTES,
            })));
            return;
        }
        spawn_local(async move {
            let name = file.name();
            match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buf) => {
                    let bytes = js_sys::Uint8Array::new(&buf).to_vec();
                    match schema::parse_off_thread(bytes, format!("file: {name}")).await {
                        Ok(loaded) => schema_state.loaded.set(Some(loaded)),
                        Err(e) => failure.set(Some(diagnose::csdl_error(&e))),
                    }
                }
                Err(e) => failure.set(Some(diagnose::network_error(
                    diagnose::Stage::Metadata,
                    &browser::js_message(&e),
                ))),
            }
        });
        input.set_value("");
    };
    view! {
        <section class="metadata" aria-labelledby="metadata-title">
            <h2 id="metadata-title">"Load the schema ($metadata)"</h2>
            <div class="actions">
                <button type="button" class="primary" on:click=on_load disabled=move || busy() || session.signed_in.with(Option::is_none)>
                    "Load $metadata"
                </button>
                <Show when=busy>
                    <button type="button" class="danger" on:click=on_cancel>"Cancel"</button>
                </Show>
            </div>
            <Show when=move || session.signed_in.with(Option::is_none)>
                <p class="hint">"Sign in first, or load a $metadata file you saved."</p>
            </Show>
            {move || progress.get().map(|p| {
                let label = match p.total {
                    Some(t) => format!("Downloading $metadata: {} of {}", human_bytes(p.received), human_bytes(t)),
                    None => format!("Downloading $metadata: {} (size not announced)", human_bytes(p.received)),
                };
                // Without a length, Dataverse documents are 3 to 10 MB: show progress against 8 MB.
                let max = p.total.unwrap_or(8_000_000.max(p.received + 1)) as f64;
                view! {
                    <label for="metadata-progress">{label.clone()}</label>
                    <progress id="metadata-progress" max=max value=p.received as f64 aria-valuetext=label></progress>
                }
            })}
            {move || failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
            {move || cache_state.unavailable_text().map(|t| view! { <p class="msg warning" role="status">{t}</p> })}
            {move || cache_state.notice.get().map(|t| view! { <p class="msg warning" role="status">{t}</p> })}
            {move || cached_here().map(|m| view! {
                <div class="cached" role="group" aria-label="Cached schema">
                    <p role="status">
                        {format!(
                            "This environment's schema is cached in this browser: {} entity sets, {}.",
                            m.entity_sets,
                            age_text(js_sys::Date::now(), m.fetched_at_ms)
                        )}
                    </p>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=on_refresh disabled=move || busy() || session.signed_in.with(Option::is_none)>"Refresh"</button>
                    </div>
                    <Show when=move || session.signed_in.with(Option::is_none)>
                        <p class="hint">"Refreshing fetches $metadata anew, which needs sign-in."</p>
                        <button type="button" class="secondary" on:click=on_sign_in_to_refresh>"Sign in to refresh"</button>
                    </Show>
                </div>
            })}
            {move || pending.get().map(|(_, d)| view! {
                <section class="diff" aria-labelledby="diff-title">
                    <h3 id="diff-title">"What changed since the cached copy"</h3>
                    <p role="status">{d.summary()}</p>
                    {(!d.sets_added.is_empty()).then(|| view! {
                        <h4>"Entity sets added"</h4>
                        <ul aria-label="Entity sets added">{d.sets_added.iter().map(|n| view! { <li><code>{n.clone()}</code></li> }).collect_view()}</ul>
                    })}
                    {(!d.sets_removed.is_empty()).then(|| view! {
                        <h4>"Entity sets removed"</h4>
                        <ul aria-label="Entity sets removed">{d.sets_removed.iter().map(|n| view! { <li><code>{n.clone()}</code></li> }).collect_view()}</ul>
                    })}
                    {(!d.sets_retyped.is_empty()).then(|| view! {
                        <h4>"Entity sets with a new entity type"</h4>
                        <ul aria-label="Entity sets with a new entity type">{d.sets_retyped.iter().map(|n| view! { <li><code>{n.clone()}</code></li> }).collect_view()}</ul>
                    })}
                    {(!d.types_changed.is_empty()).then(|| view! {
                        <h4>"Entity types whose properties changed"</h4>
                        <ul aria-label="Entity types whose properties changed">
                            {d.types_changed.iter().map(|t| {
                                let mut parts = Vec::new();
                                if !t.added.is_empty() { parts.push(format!("added {}", t.added.join(", "))); }
                                if !t.removed.is_empty() { parts.push(format!("removed {}", t.removed.join(", "))); }
                                if !t.retyped.is_empty() {
                                    parts.push(format!("type changed: {}", t.retyped.iter().map(|r| format!("{} {} → {}", r.name, r.old_type, r.new_type)).collect::<Vec<_>>().join(", ")));
                                }
                                view! { <li><code>{t.entity_type.clone()}</code> ": " {parts.join("; ")}</li> }
                            }).collect_view()}
                        </ul>
                    })}
                    <div class="actions">
                        <button type="button" class="primary" on:click=on_replace>"Replace the cached schema"</button>
                        <button type="button" class="secondary" on:click=on_keep>"Keep the old one"</button>
                    </div>
                </section>
            })}
            {move || schema_state.loaded.get().map(|l| view! {
                <p class="msg ok" role="status">
                    {if l.source.starts_with("cache: ") {
                        format!(
                            "Schema loaded from the cache: {} entity sets, {} entity types (source {}, read in {} ms).",
                            l.schema.entity_sets.len(), l.schema.entity_types.len(), human_bytes(l.bytes as u64), l.parse_ms.round()
                        )
                    } else {
                        format!(
                            "Schema loaded from {}: {} entity sets, {} entity types, {} ({} ms to parse).",
                            l.source, l.schema.entity_sets.len(), l.schema.entity_types.len(), human_bytes(l.bytes as u64), l.parse_ms.round()
                        )
                    }}
                </p>
            })}
            {move || {
                let (_, write_ms) = cache_state.timings.get();
                let m = cached_here()?;
                let write_ms = write_ms?;
                Some(view! {
                    <p class="hint" role="status">
                        {format!(
                            "Cached in this browser: record {} ({:.1} % of the source), written in {} ms.",
                            human_bytes(m.record_bytes),
                            m.record_bytes as f64 * 100.0 / (m.source_bytes.max(1)) as f64,
                            write_ms.round()
                        )}
                    </p>
                })
            }}
            <div class="field">
                <label for="metadata-file">"Or load $metadata from a file"</label>
                <p class="hint" id="metadata-file-hint">"For environments where sign-in or CORS is not possible: save " <code>"…/api/data/v9.2/$metadata"</code> " from a signed-in browser tab and choose the file here."</p>
                <input type="file" id="metadata-file" accept=".xml,.csdl,application/xml,text/xml" aria-describedby="metadata-file-hint" on:change=on_file />
            </div>
        </section>
    }
}

fn cancelled() -> Diagnosis {
    Diagnosis {
        code: "CANCELLED".into(),
        title: "Download cancelled".into(),
        cause: "You cancelled the $metadata download.".into(),
        fix: "Press Load $metadata to start again. Nothing you loaded before was changed.".into(),
        raw: String::new(),
        link: None,
    }
}

/// `/auth/callback`: finishes the sign-in exactly once, then returns to the test step.
#[component]
pub fn AuthCallback() -> impl IntoView {
    let session = Session::expect();
    let navigate = use_navigate();
    let query = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    // Strip code and state from the address bar and history before anything else.
    signin::clean_address_bar();
    spawn_local(async move {
        match signin::handle_callback(&query).await {
            Ok(signed) => {
                session.failure.set(None);
                session.signed_in.set(Some(signed));
            }
            Err(d) => {
                session.signed_in.set(None);
                session.failure.set(Some(d));
            }
        }
        navigate(
            "/setup/test",
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
