//! The schema part of step 7: load `$metadata` (download with progress and Cancel, or a file),
//! the cached copy and its Refresh with what changed. The loading itself is
//! [`MetadataService`]; this page only dispatches and shows the outcome.

use super::test::sign_in_config;
use crate::{
    components::{human_bytes, DiagnosisView},
    services::{
        dataverse::Progress,
        metadata::{Cancel, Downloaded, LoadProgress, MetadataService, Mode, Refreshed},
        signin,
    },
    state::{CacheState, SchemaOrigin, SchemaState, Session, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use wizard_core::{
    cache_record::{age_text, SchemaDiff},
    diagnose::Diagnosis,
    draft::Draft,
};

/// Loads `$metadata` through CORS (streaming, progress, cancel) or from a file.
#[component]
pub fn MetadataLoader() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let schema_state = SchemaState::expect();
    let cache_state = CacheState::expect();
    let service = MetadataService::expect();
    let progress = RwSignal::new(None::<Progress>);
    let failure = RwSignal::new(None::<Diagnosis>);
    let cancel = StoredValue::new_local(None::<Cancel>);
    let busy = move || progress.with(Option::is_some);
    // A schema is about to be loaded on this page: start the parse worker's wasm now.
    service.warm_up();

    // A refreshed schema waiting for the user's decision, with what changed.
    let pending = RwSignal::new(None::<Refreshed>);

    let download = move |mode: Mode| {
        let Some(signed) = session.signed_in.get_untracked() else {
            return;
        };
        let url = wizard
            .draft
            .with_untracked(Draft::service_url)
            .unwrap_or_default();
        let Ok(handle) = Cancel::new() else {
            return;
        };
        cancel.set_value(Some(handle.clone()));
        failure.set(None);
        pending.set(None);
        progress.set(Some(Progress::default()));
        spawn_local(async move {
            let on_progress = move |p| match p {
                LoadProgress::Downloading(p) => progress.set(Some(p)),
                LoadProgress::Downloaded => {
                    cancel.set_value(None);
                    progress.set(None);
                }
            };
            match service
                .download(&url, &signed.token, mode, &handle, on_progress)
                .await
            {
                Ok(Downloaded::Published) => {}
                Ok(Downloaded::Changed(refreshed)) => pending.set(Some(refreshed)),
                Err(e) => failure.set(Some(e.diagnosis())),
            }
        });
    };
    let on_load = move |_| download(Mode::Load);
    let on_refresh = move |_| download(Mode::Refresh);
    let on_replace = move |_| {
        let Some(refreshed) = pending.get_untracked() else {
            return;
        };
        pending.set(None);
        spawn_local(service.accept(refreshed));
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
        let url = wizard.draft.with(Draft::service_url)?;
        cache_state
            .current
            .get()
            .filter(|m| m.url == url)
            .filter(|_| {
                schema_state
                    .loaded
                    .with(|l| l.as_ref().is_some_and(|l| !l.origin.is_file()))
            })
    };
    let on_cancel = move |_| {
        cancel.with_value(|c| {
            if let Some(c) = c {
                c.cancel()
            }
        });
    };
    let on_file = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        failure.set(None);
        spawn_local(async move {
            if let Err(e) = service.open_file(&file).await {
                failure.set(Some(e.diagnosis()));
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
                    <div class="progress">
                        <label for="metadata-progress">{label.clone()}</label>
                        <progress id="metadata-progress" max=max value=p.received as f64 aria-valuetext=label></progress>
                    </div>
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
            {move || pending.get().map(|r| view! {
                <SchemaDiffView diff=r.diff>
                    <div class="actions">
                        <button type="button" class="primary" on:click=on_replace>"Replace the cached schema"</button>
                        <button type="button" class="secondary" on:click=on_keep>"Keep the old one"</button>
                    </div>
                </SchemaDiffView>
            })}
            // One truth: after a failed load the schema still in use is said to be the previous
            // one, never shown as a fresh success beside the failure.
            {move || schema_state.loaded.get().map(|l| {
                let what = match l.origin {
                    SchemaOrigin::Cache { .. } => format!(
                        "the cache: {} entity sets, {} entity types (source {}, read in {} ms)",
                        l.schema.entity_sets.len(), l.schema.entity_types.len(), human_bytes(l.bytes as u64), l.parse_ms.round()
                    ),
                    _ => format!(
                        "{}: {} entity sets, {} entity types, {} ({} ms to parse)",
                        l.origin, l.schema.entity_sets.len(), l.schema.entity_types.len(), human_bytes(l.bytes as u64), l.parse_ms.round()
                    ),
                };
                if failure.with(Option::is_some) {
                    view! {
                        <p class="msg info still-in-use" role="status">
                            <strong>"The previous schema is still in use: "</strong>
                            {format!("the failed load changed nothing, and the picker offers the same schema as before. Schema loaded from {what}.")}
                        </p>
                    }.into_any()
                } else {
                    view! { <p class="msg ok" role="status">{format!("Schema loaded from {what}.")}</p> }.into_any()
                }
            })}
            {move || {
                let write_ms = cache_state.timings.get().write_ms;
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

/// What changed between the cached copy and the refreshed schema; `children` are the actions.
#[component]
fn SchemaDiffView(diff: SchemaDiff, children: Children) -> impl IntoView {
    let d = diff;
    view! {
        <section class="diff" aria-labelledby="diff-title">
            <h3 id="diff-title">"What changed since the cached copy"</h3>
            <p role="status">{d.summary()}</p>
            {(!d.sets_added.is_empty()).then(|| view! {
                <h4>"Entity sets added"</h4>
                <ul aria-label="Entity sets added">{d.sets_added.iter().map(|n| view! { <li><code>{n.clone()}</code></li> }).collect_view()}</ul>
                <p class="msg info" role="note">{wizard_core::dialog::DATA_SYNC_SCHEMA_CACHE}</p>
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
            {children()}
        </section>
    }
}
