//! `/settings`: the cached schemas (clear one or all) and "Forget wizard progress".

use crate::{
    components::human_bytes,
    services::browser,
    state::{CacheState, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use wizard_core::cache_record::{age_text, RecordMeta};

/// The settings page.
#[component]
pub fn Settings() -> impl IntoView {
    let wizard = Wizard::expect();
    let cache = CacheState::expect();
    let rows = RwSignal::new(None::<Vec<RecordMeta>>);
    let message = RwSignal::new(None::<String>);

    // Reload the list whenever the cache becomes ready or its records change.
    Effect::new(move |_| {
        cache.revision.track();
        if !cache.is_ready() {
            return;
        }
        let Some(c) = cache.cache() else { return };
        spawn_local(async move {
            match c.list().await {
                Ok((good, bad)) => {
                    if !bad.is_empty() {
                        cache.notice.set(Some(format!(
                            "{} cached record(s) could not be read and were discarded.",
                            bad.len()
                        )));
                    }
                    rows.set(Some(good));
                }
                Err(e) => cache
                    .notice
                    .set(Some(format!("Could not read the schema cache: {e}."))),
            }
        });
    });

    let forget_cached = move |url: Option<String>| {
        let in_memory = cache
            .current
            .with_untracked(|m| m.as_ref().map(|m| m.url.clone()));
        if url.is_none() || url == in_memory {
            cache.current.set(None);
        }
    };
    let clear_one = move |url: String| {
        let Some(c) = cache.cache() else { return };
        spawn_local(async move {
            match c.delete(&url).await {
                Ok(()) => {
                    forget_cached(Some(url.clone()));
                    message.set(Some(format!("Cleared the cached schema of {url}.")));
                    cache.changed();
                }
                Err(e) => message.set(Some(format!("Could not clear {url}: {e}."))),
            }
        });
    };
    let clear_all = move |_| {
        let Some(c) = cache.cache() else { return };
        spawn_local(async move {
            match c.clear().await {
                Ok(()) => {
                    forget_cached(None);
                    message.set(Some("Cleared every cached schema.".to_string()));
                    cache.changed();
                }
                Err(e) => message.set(Some(format!("Could not clear the cache: {e}."))),
            }
        });
    };
    let forget_progress = move |_| {
        if browser::confirm(
            "Forget everything you typed and ticked in the wizard? Cached schemas are kept.",
        ) {
            wizard.start_over();
            message.set(Some(
                "Wizard progress forgotten. Cached schemas were kept.".to_string(),
            ));
        }
    };

    view! {
        <section class="settings">
            <h1>"Settings"</h1>
            <section aria-labelledby="cache-title">
                <h2 id="cache-title">"Cached schemas"</h2>
                <p>
                    "The wizard keeps each environment's schema in this browser (IndexedDB), so the entity picker opens at once. Only the schema is kept: never the client secret or a token."
                </p>
                <p class="note">{wizard_core::dialog::CACHES_COMPARED}</p>
                {move || cache.unavailable_text().map(|t| view! { <p class="msg warning" role="status">{t}</p> })}
                {move || cache.notice.get().map(|t| view! { <p class="msg warning" role="status">{t}</p> })}
                {move || match rows.get() {
                    None => view! { <p>{move || if cache.is_ready() { "Reading the cache…" } else { "" }}</p> }.into_any(),
                    Some(list) if list.is_empty() => view! { <p role="status">"No schema is cached."</p> }.into_any(),
                    Some(list) => {
                        let now = js_sys::Date::now();
                        view! {
                            <table class="cache-list">
                                <caption>"Cached environments"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Environment"</th>
                                        <th scope="col">"Entity sets"</th>
                                        <th scope="col">"Size"</th>
                                        <th scope="col">"Age"</th>
                                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|m| {
                                        let url = m.url.clone();
                                        let label = format!("Clear {}", m.url);
                                        view! {
                                            <tr>
                                                <th scope="row"><code>{m.url.clone()}</code></th>
                                                <td data-label="Entity sets">{m.entity_sets}</td>
                                                <td data-label="Size">{format!("{} (source {})", human_bytes(m.record_bytes), human_bytes(m.source_bytes))}</td>
                                                <td data-label="Age">{age_text(now, m.fetched_at_ms)}</td>
                                                <td>
                                                    <button type="button" class="secondary" aria-label=label on:click=move |_| clear_one(url.clone())>"Clear"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <div class="actions">
                                <button type="button" class="danger" on:click=clear_all>"Clear all"</button>
                            </div>
                        }.into_any()
                    }
                }}
            </section>
            <section aria-labelledby="progress-title">
                <h2 id="progress-title">"Wizard progress"</h2>
                <p>"Forget everything typed and ticked in the wizard (and the client secret of this tab). Cached schemas are kept."</p>
                <div class="actions">
                    <button type="button" class="danger" on:click=forget_progress>"Forget wizard progress"</button>
                </div>
            </section>
            {move || message.get().map(|m| view! { <p class="msg ok" role="status">{m}</p> })}
        </section>
    }
}
