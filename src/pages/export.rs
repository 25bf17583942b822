//! Step 7 (review and export) and the import panel.

use crate::{services::browser, state::Wizard};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use wizard_core::{
    draft::{Severity, Step},
    export,
};

/// Step 7: every open problem, then export (download or copy), then import.
#[component]
pub fn Review() -> impl IntoView {
    let wizard = Wizard::expect();
    let problems = Memo::new(move |_| wizard.draft.with(|d| d.problems(wizard.today)));
    let errors =
        move || problems.with(|p| p.iter().filter(|p| p.severity == Severity::Error).count());
    let include_secret = RwSignal::new(false);
    let result = RwSignal::new(None::<Result<String, String>>);

    let exported = move || -> Result<(String, String), String> {
        let conn = wizard
            .draft
            .with_untracked(|d| d.validate(wizard.today))
            .map_err(|p| {
                format!(
                    "Fix the {} problem(s) listed above first.",
                    p.iter().filter(|p| p.severity == Severity::Error).count()
                )
            })?;
        let json = export::export_json(&conn, include_secret.get_untracked(), browser::now_utc());
        Ok((export::suggested_file_name(&conn), json))
    };
    let on_download = move |_| {
        result.set(Some(exported().and_then(|(name, json)| {
            browser::download(&name, "application/json", &json)
                .map(|_| format!("Downloaded {name}."))
                .map_err(|e| e.to_string())
        })));
    };
    let on_copy = move |_| match exported() {
        Ok((_, json)) => spawn_local(async move {
            let copied = browser::copy_text(&json).await;
            result.set(Some(
                copied
                    .map(|_| "Copied the connection JSON to the clipboard.".to_string())
                    .map_err(|e| e.to_string()),
            ));
        }),
        Err(e) => result.set(Some(Err(e))),
    };

    view! {
        <p class="lead">"Everything the connection needs, checked once more. Export it to keep it, hand it over, or resume later."</p>
        <h2 id="problems-title">"Open problems"</h2>
        {move || {
            let list = problems.get();
            if list.is_empty() {
                view! { <p class="ok" role="status">"No problems: the connection is complete."</p> }.into_any()
            } else {
                view! {
                    <ul class="problems" aria-labelledby="problems-title">
                        {list.into_iter().map(|p| {
                            let href = match p.field {
                                Some(f) => format!("/setup/{}#{}", p.step.slug(), f.dom_id()),
                                None => format!("/setup/{}", p.step.slug()),
                            };
                            let (class, word) = match p.severity {
                                Severity::Error => ("problem error", "Error"),
                                Severity::Warning => ("problem warning", "Warning"),
                            };
                            let place = match p.field {
                                Some(f) => format!("{} (step {})", f.label(), p.step.number()),
                                None => format!("Step {}: {}", p.step.number(), p.step.title()),
                            };
                            view! {
                                <li class=class>
                                    <strong>{word} ": "</strong>
                                    <A href=href>{place}</A>
                                    " — " {p.message}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }
        }}
        <crate::components::VerificationProblems />
        <h2>"Export"</h2>
        <div class="field checkbox">
            <input
                type="checkbox"
                id="include-secret"
                aria-describedby="include-secret-warning"
                prop:checked=move || include_secret.get()
                on:change:target=move |ev| include_secret.set(ev.target().checked())
            />
            <label for="include-secret">"Include client secret"</label>
            <p id="include-secret-warning" class="msg warning">
                "Anyone with the file can then act as the application. Leave it out unless the file goes straight into a password manager or Data Sync; Data Sync encrypts it once entered."
            </p>
        </div>
        <div class="actions">
            <button type="button" class="primary" on:click=on_download disabled=move || { errors() > 0 }>
                "Download connection JSON"
            </button>
            <button type="button" class="secondary" on:click=on_copy disabled=move || { errors() > 0 }>
                "Copy connection JSON"
            </button>
        </div>
        <Show when=move || { errors() > 0 }>
            <p class="msg info">{move || format!("Export is available once the {} error(s) above are fixed.", errors())}</p>
        </Show>
        <div role="status" aria-live="polite" class="result">
            {move || match result.get() {
                Some(Ok(m)) => view! { <p class="msg ok">{m}</p> }.into_any(),
                Some(Err(m)) => view! { <p class="msg error">{m}</p> }.into_any(),
                None => ().into_any(),
            }}
        </div>
        <ImportPanel />
    }
}

/// Import a connection JSON (from a file or pasted) to resume or edit it.
///
/// Strict: a malformed file, a wrong version or an invalid value gives a message and changes
/// nothing of the current state.
#[component]
pub fn ImportPanel() -> impl IntoView {
    let wizard = Wizard::expect();
    let text = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    let apply = move |json: String| match export::import_json(&json, wizard.today) {
        Ok(mut draft) => {
            // Keep the user's checklist ticks; everything else comes from the file.
            draft.ticks = wizard.draft.with_untracked(|d| d.ticks.clone());
            let had_secret = !draft.client_secret.expose().is_empty();
            wizard.replace(draft);
            message.set(Some(Ok(if had_secret {
                "Imported the connection, including its client secret (kept for this tab only).".into()
            } else {
                "Imported the connection. Enter the client secret value again in step 4 if Data Sync needs it.".into()
            })));
            true
        }
        Err(e) => {
            message.set(Some(Err(format!("Nothing was changed: {e}"))));
            false
        }
    };
    let apply_file = apply;
    let on_file = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let apply = apply_file;
        spawn_local(async move {
            match browser::read_file_text(&file).await {
                Ok(json) => {
                    apply(json);
                }
                Err(e) => message.set(Some(Err(format!("Nothing was changed: {e}")))),
            }
        });
        input.set_value("");
    };
    view! {
        <section class="import" aria-labelledby="import-title">
            <h2 id="import-title">"Import a connection JSON"</h2>
            <p class="hint">"Resume or edit a connection exported by this wizard. Your current values are replaced only if the whole file is valid."</p>
            <div class="field">
                <label for="import-file">"Connection JSON file"</label>
                <input type="file" id="import-file" accept=".json,application/json" on:change=on_file />
            </div>
            <div class="field">
                <label for="import-text">"Or paste the JSON"</label>
                <textarea
                    id="import-text"
                    rows="6"
                    spellcheck="false"
                    prop:value=move || text.get()
                    on:input:target=move |ev| text.set(ev.target().value())
                ></textarea>
            </div>
            <button
                type="button"
                class="secondary"
                on:click=move |_| {
                    if apply(text.get_untracked()) {
                        text.set(String::new());
                    }
                }
            >
                "Import pasted JSON"
            </button>
            <div role="status" aria-live="polite" class="result">
                {move || match message.get() {
                    Some(Ok(m)) => view! {
                        <p class="msg ok">{m} " " <A href=format!("/setup/{}", Step::Review.slug())>"Review it"</A></p>
                    }.into_any(),
                    Some(Err(m)) => view! { <p class="msg error">{m}</p> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </section>
    }
}
