//! Step 8 (review, "Use it in…") and the import panel.

mod use_it_in;

use crate::{services::browser, state::Wizard};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use use_it_in::UseItIn;
use wizard_core::draft::{Severity, Step};

/// Step 8: every open problem, then the connection for every tool (copy or download), then
/// import.
#[component]
pub fn Review() -> impl IntoView {
    let wizard = Wizard::expect();
    let problems = Memo::new(move |_| wizard.draft.with(|d| d.problems(wizard.today)));
    let errors =
        move || problems.with(|p| p.iter().filter(|p| p.severity == Severity::Error).count());
    let include_secret = RwSignal::new(false);

    view! {
        <p class="lead">"Everything the connection needs, checked once more. Export it for the tool that uses it, hand it over, or keep it to resume later."</p>
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
        <h2>"In Data Sync"</h2>
        <p class="note">{wizard_core::dialog::DATA_SYNC_SCHEMA_CACHE}</p>
        <p class="hint">"The client secret expires: put the day in your calendar before you hand the connection over."</p>
        <crate::components::ReminderButton />
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
        <Show when=move || { errors() > 0 }>
            <p class="msg info">{move || format!("Export is available once the {} error(s) above are fixed.", errors())}</p>
        </Show>
        <UseItIn include_secret=include_secret />
        <ImportPanel />
    }
}

/// Import a connection to resume or edit it: the wizard's JSON, a Dataverse connection string,
/// a Data Factory linked service, a Postman environment or a `.env` (from a file or pasted).
///
/// What the input holds is merged into the current values; an invalid input gives one message
/// and changes nothing.
#[component]
pub fn ImportPanel() -> impl IntoView {
    let wizard = Wizard::expect();
    let text = RwSignal::new(String::new());
    let message = RwSignal::new(None::<Result<String, String>>);
    // The readers of every format are a split module (`split::import_connection`), fetched on
    // the first import; the panel itself shows at once.
    let apply = move |input: String, clear_text: bool| {
        let current = wizard.draft.get_untracked();
        spawn_local(async move {
            // Without the readers' module, or with an input they refuse: nothing changes.
            let merged = crate::split::import_connection(input, current, wizard.today)
                .await
                .map_err(|e| e.to_string())
                .and_then(|read| read.map_err(|e| e.to_string()));
            match merged {
                Ok(m) => {
                    wizard.replace(m.draft);
                    message.set(Some(Ok(m.report.summary())));
                    if clear_text {
                        text.set(String::new());
                    }
                }
                Err(e) => message.set(Some(Err(format!("Nothing was changed: {e}")))),
            }
        });
    };
    let on_file = move |ev: web_sys::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        spawn_local(async move {
            match browser::read_file_text(&file).await {
                Ok(json) => apply(json, false),
                Err(e) => message.set(Some(Err(format!("Nothing was changed: {e}")))),
            }
        });
        input.set_value("");
    };
    view! {
        <section class="import" aria-labelledby="import-title">
            <h2 id="import-title">"Import a connection"</h2>
            <p class="hint">"Resume or edit a connection: the JSON this wizard exports, a Dataverse connection string, a Data Factory linked service, a Postman environment or a .env file. What it holds replaces those values; the rest stays. Nothing changes if it is not valid."</p>
            <div class="field">
                <label for="import-file">"Connection file"</label>
                <input type="file" id="import-file" accept=".json,.txt,.env,application/json,text/plain" on:change=on_file />
            </div>
            <div class="field">
                <label for="import-text">"Or paste it here"</label>
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
                on:click=move |_| apply(text.get_untracked(), true)
            >
                "Import pasted text"
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
