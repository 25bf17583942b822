//! A value to paste elsewhere, with a copy button.

use crate::services::{browser, BrowserError};
use leptos::{prelude::*, task::spawn_local};

/// A value the user must paste somewhere else, with a labelled copy button.
#[component]
pub fn CopyValue(
    /// What the value is, in the words of the page it is pasted into.
    label: &'static str,
    /// The value (may change as the user types elsewhere).
    #[prop(into)]
    value: Signal<String>,
    /// Text shown instead when the value is not known yet.
    #[prop(optional)]
    missing: &'static str,
    /// Hide the value on screen (secrets); copying still works.
    #[prop(optional)]
    masked: bool,
) -> impl IntoView {
    let copied = RwSignal::new(None::<Result<(), BrowserError>>);
    let on_copy = move |_| {
        let text = value.get_untracked();
        spawn_local(async move {
            copied.set(Some(browser::copy_text(&text).await));
        });
    };
    let known = move || !value.with(String::is_empty);
    view! {
        <div class="copy-value">
            <span class="copy-label">{label}</span>
            <Show
                when=known
                fallback=move || {
                    view! { <span class="missing">{if missing.is_empty() { "(blank)" } else { missing }}</span> }
                }
            >
                <code class="value">
                    {move || if masked { "••••••••".to_string() } else { value.get() }}
                </code>
                <button
                    type="button"
                    class="copy"
                    aria-label=format!("Copy {label}")
                    on:click=on_copy
                >
                    "Copy"
                </button>
                <span class="copied" role="status">
                    {move || match copied.get() {
                        Some(Ok(())) => "Copied".to_string(),
                        Some(Err(e)) => e.to_string(),
                        None => String::new(),
                    }}
                </span>
            </Show>
        </div>
    }
}
