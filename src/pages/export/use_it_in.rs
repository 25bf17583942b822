//! "Use it in…" on the review step: the finished connection for every tool that talks to
//! Dataverse, one WAI-ARIA tab per target (arrow keys, Home, End; selection follows focus), each
//! output with Copy and Download.
//!
//! Every text comes from `wizard_core::targets::render`: this view only shows, copies and
//! downloads it. Each output is shown as text before it is copied; on screen an included secret
//! is masked, Copy and Download carry it.

use crate::{services::browser, state::Wizard};
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsCast;
use wizard_core::draft::Connection;
use wizard_core::targets;
use wizard_core::targets::{
    render, render_setup_json, setup_json_file_name, Format, SecretMode, Target, SECRET_PLACEHOLDER,
};

fn tab_id(t: Target) -> String {
    format!("use-it-in-tab-{}", t.slug())
}

fn panel_id(t: Target) -> String {
    format!("use-it-in-panel-{}", t.slug())
}

/// Moves the focus to a tab (after the arrow keys changed the selection).
fn focus_tab(t: Target) {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(&tab_id(t)))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = el {
        let _ = el.focus();
    }
}

/// The section: an explanation of the placeholder, the tab list and one panel per target.
#[component]
pub fn UseItIn(
    /// Whether *Include client secret* is ticked.
    #[prop(into)]
    include_secret: Signal<bool>,
) -> impl IntoView {
    let wizard = Wizard::expect();
    // Every environment's connection: one output per environment (the connection JSON: one
    // file for all of them).
    let connections = Memo::new(move |_| {
        wizard
            .draft
            .with(|d| d.validate_all(wizard.today).unwrap_or_default())
    });
    let selected = RwSignal::new(0usize);
    let count = Target::ALL.len();
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        let now = selected.get_untracked();
        let next = match ev.key().as_str() {
            "ArrowRight" => (now + 1) % count,
            "ArrowLeft" => (now + count - 1) % count,
            "Home" => 0,
            "End" => count - 1,
            _ => return,
        };
        ev.prevent_default();
        selected.set(next);
        focus_tab(Target::ALL[next]);
    };
    view! {
        <section class="use-it-in" aria-labelledby="use-it-in-title">
            <h2 id="use-it-in-title">"Use it in…"</h2>
            <p id="use-it-in-secret-note">
                "Unless Include client secret is ticked, each output holds the placeholder "
                <code>{SECRET_PLACEHOLDER}</code>
                " where the client secret goes (Data Factory: a reference to a Key Vault secret): replace it with the secret's Value where you use it. When the secret is included, it is in what you copy or download, but never shown here."
            </p>
            <div role="tablist" aria-label="Use it in" class="tablist" on:keydown=on_keydown>
                {Target::ALL
                    .into_iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let is = move || selected.get() == i;
                        view! {
                            <button
                                type="button"
                                role="tab"
                                id=tab_id(t)
                                aria-controls=panel_id(t)
                                aria-selected=move || if is() { "true" } else { "false" }
                                tabindex=move || if is() { "0" } else { "-1" }
                                on:click=move |_| selected.set(i)
                            >
                                {t.title()}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {Target::ALL
                .into_iter()
                .enumerate()
                .map(|(i, t)| {
                    view! {
                        <div
                            role="tabpanel"
                            id=panel_id(t)
                            aria-labelledby=tab_id(t)
                            tabindex="0"
                            class="tabpanel"
                            hidden=move || selected.get() != i
                        >
                            <h3>{t.title()}</h3>
                            <p class="hint">{t.intro()}</p>
                            {t
                                .formats()
                                .iter()
                                .map(|&f| view! { <Outputs format=f connections include_secret /> })
                                .collect_view()}
                        </div>
                    }
                })
                .collect_view()}
        </section>
    }
}

/// What one output shows and carries: its text, notes and file name.
type Rendering = Option<(String, targets::Rendered)>;

/// One format's outputs: the connection JSON once for the whole setup; every other format once
/// per environment, named after it when there are several.
#[component]
fn Outputs(
    format: Format,
    connections: Memo<Vec<Connection>>,
    include_secret: Signal<bool>,
) -> impl IntoView {
    let render_with = move |index: Option<usize>, mode: SecretMode| -> Rendering {
        connections.with(|all| match index {
            None => render_setup_json(all, mode, browser::now_utc())
                .map(|r| (setup_json_file_name(all), r)),
            Some(i) => all.get(i).map(|c| {
                (
                    format.file_name(c),
                    render(format, c, mode, browser::now_utc()),
                )
            }),
        })
    };
    move || {
        let labels: Vec<String> = connections.with(|all| {
            all.iter()
                .map(|c| c.to_draft().environment_label())
                .collect()
        });
        if format == Format::ConnectionJson || labels.len() < 2 {
            let index = (format != Format::ConnectionJson).then_some(0);
            let name = format.name().to_string();
            view! { <Output name media_type=format.media_type() render_with=Callback::new(move |m| render_with(index, m)) include_secret /> }.into_any()
        } else {
            labels
                .into_iter()
                .enumerate()
                .map(|(i, label)| {
                    let name = format!("{} for {label}", format.name());
                    view! { <Output name media_type=format.media_type() render_with=Callback::new(move |m| render_with(Some(i), m)) include_secret /> }
                })
                .collect_view()
                .into_any()
        }
    }
}

/// One output: shown (secret masked), its notes, Copy and Download.
#[component]
fn Output(
    name: String,
    media_type: &'static str,
    render_with: Callback<SecretMode, Rendering>,
    include_secret: Signal<bool>,
) -> impl IntoView {
    let result = RwSignal::new(None::<Result<String, String>>);
    let name = StoredValue::new(name);
    // What Copy and Download carry: the secret itself only when the user asked for it.
    let output = move || {
        let mode = if include_secret.get_untracked() {
            SecretMode::Real
        } else {
            SecretMode::Placeholder
        };
        untrack(|| render_with.run(mode)).map(|(file, r)| (file, r.text))
    };
    let shown = Memo::new(move |_| {
        let mode = if include_secret.get() {
            SecretMode::Masked
        } else {
            SecretMode::Placeholder
        };
        render_with.run(mode).map(|(_, r)| r)
    });
    let on_copy = move |_| {
        let Some((_, text)) = output() else {
            return;
        };
        spawn_local(async move {
            let copied = browser::copy_text(&text).await;
            result.set(Some(
                copied
                    .map(|_| format!("Copied the {} to the clipboard.", name.get_value()))
                    .map_err(|e| e.to_string()),
            ));
        });
    };
    let on_download = move |_| {
        if let Some((file, text)) = output() {
            result.set(Some(
                browser::download(&file, media_type, &text)
                    .map(|_| format!("Downloaded {file}."))
                    .map_err(|e| e.to_string()),
            ));
        }
    };
    let unavailable = move || shown.with(Option::is_none);
    view! {
        <div class="target-output">
            <h4>{name.get_value()}</h4>
            {move || {
                // Read before you copy: every output as text, the secret as its placeholder (or
                // masked when included).
                shown.get().map(|r| {
                    view! {
                        <pre class="output" tabindex="0" aria-label=format!("{}, as text", name.get_value())><code>{r.text}</code></pre>
                        <ul class="notes">
                            {r.notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}
                        </ul>
                    }
                })
            }}
            <div class="actions">
                <button type="button" class="secondary" on:click=on_copy disabled=unavailable>
                    {format!("Copy {}", name.get_value())}
                </button>
                <button type="button" class="secondary" on:click=on_download disabled=unavailable>
                    {format!("Download {}", name.get_value())}
                </button>
            </div>
            <div role="status" aria-live="polite" class="result">
                {move || match result.get() {
                    Some(Ok(m)) => view! { <p class="msg ok">{m}</p> }.into_any(),
                    Some(Err(m)) => view! { <p class="msg error">{m}</p> }.into_any(),
                    None => ().into_any(),
                }}
            </div>
        </div>
    }
}
