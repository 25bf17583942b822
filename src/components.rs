//! Reusable pieces of the wizard's pages: checked fields, copy buttons, checklist items.

use crate::{browser, state::Wizard};
use leptos::{prelude::*, task::spawn_local};
use wizard_core::{
    draft::{FieldId, FieldStatus},
    fields::Level,
};

/// The HTML input type of a [`Field`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InputKind {
    /// Free text (IDs, names, URLs).
    #[default]
    Text,
    /// A date picker (`YYYY-MM-DD`).
    Date,
    /// An e-mail address.
    Email,
    /// A secret, hidden unless the user asks to show it.
    Secret,
}

/// A labelled input bound to one draft field, checked as the user types.
///
/// The message sits right under the input, is tied to it with `aria-describedby` and
/// `aria-invalid`, and never blocks typing.
#[component]
pub fn Field(
    /// Which draft field this input edits.
    field: FieldId,
    /// The kind of input.
    #[prop(optional)]
    kind: InputKind,
    /// Example shown inside the empty input.
    #[prop(optional)]
    placeholder: &'static str,
) -> impl IntoView {
    let wizard = Wizard::expect();
    let id = field.dom_id();
    let hint_id = format!("{id}-hint");
    let msg_id = format!("{id}-msg");
    let status = Memo::new(move |_| wizard.status(field));
    let invalid = move || matches!(status.get(), FieldStatus::Invalid(_));
    let required = move || matches!(status.get(), FieldStatus::Blank { required: true });
    let shown = RwSignal::new(false);
    let input_type = move || match kind {
        InputKind::Text => "text",
        InputKind::Date => "date",
        InputKind::Email => "email",
        InputKind::Secret if shown.get() => "text",
        InputKind::Secret => "password",
    };
    let messages = move || match status.get() {
        FieldStatus::Invalid(message) => view! { <p class="msg error">{message}</p> }.into_any(),
        FieldStatus::Valid(notes) => notes
            .into_iter()
            .map(|note| {
                let class = match note.level {
                    Level::Warning => "msg warning",
                    Level::Info => "msg info",
                };
                view! { <p class=class>{note.text}</p> }
            })
            .collect_view()
            .into_any(),
        // The secret is kept for the tab only: after a browser restart the other details are back
        // but the secret is not. Say so by the field, not only in the review.
        FieldStatus::Blank { required: true }
            if field == FieldId::ClientSecret
                && wizard.draft.with(|d| !d.client_id.trim().is_empty()) =>
        {
            view! { <p class="msg info">{field.missing_message()}</p> }.into_any()
        }
        FieldStatus::Blank { .. } => ().into_any(),
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>
                {field.label()}
                <span class="req" aria-hidden="true">{move || if required() { " *" } else { "" }}</span>
            </label>
            <p class="hint" id=hint_id.clone()>{field.hint()}</p>
            <div class="input-row">
                <input
                    id=id
                    name=id
                    type=input_type
                    placeholder=placeholder
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=move || wizard.draft.with(|d| field.get(d))
                    on:input:target=move |ev| wizard.set_field(field, ev.target().value())
                    aria-invalid=move || if invalid() { "true" } else { "false" }
                    aria-required=move || if required() { "true" } else { "false" }
                    aria-describedby=format!("{hint_id} {msg_id}")
                />
                {(kind == InputKind::Secret)
                    .then(|| {
                        view! {
                            <button
                                type="button"
                                class="secondary"
                                aria-pressed=move || if shown.get() { "true" } else { "false" }
                                aria-controls=id
                                on:click=move |_| shown.update(|s| *s = !*s)
                            >
                                {move || if shown.get() { "Hide" } else { "Show" }}
                            </button>
                        }
                    })}
            </div>
            <div id=msg_id class="messages" aria-live="polite">
                {messages}
            </div>
        </div>
    }
}

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
    let copied = RwSignal::new(None::<Result<(), String>>);
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
                        Some(Err(e)) => e,
                        None => String::new(),
                    }}
                </span>
            </Show>
        </div>
    }
}

/// One checklist item: a checkbox whose tick is saved, with its explanation.
#[component]
pub fn Check(
    /// Stable id of the item, saved in the draft's ticks (e.g. `register.create`).
    id: &'static str,
    /// The instruction, as the checkbox label.
    label: &'static str,
    /// Details, links and values shown under the label.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let wizard = Wizard::expect();
    let dom_id = format!("check-{}", id.replace('.', "-"));
    view! {
        <li class="check" class:done=move || wizard.ticked(id)>
            <div class="check-head">
                <input
                    type="checkbox"
                    id=dom_id.clone()
                    prop:checked=move || wizard.ticked(id)
                    on:change:target=move |ev| wizard.set_tick(id, ev.target().checked())
                />
                <label for=dom_id>{label}</label>
            </div>
            {children.map(|c| view! { <div class="check-body">{c()}</div> })}
        </li>
    }
}

/// A link that opens a portal page in a new tab.
#[component]
pub fn PortalLink(
    /// Where it goes.
    #[prop(into)]
    href: Signal<String>,
    /// Link text.
    children: Children,
) -> impl IntoView {
    view! {
        <a href=href target="_blank" rel="noopener noreferrer" class="portal-link">
            {children()}
            <span class="visually-hidden">" (opens in a new tab)"</span>
        </a>
    }
}
