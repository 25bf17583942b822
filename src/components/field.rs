//! A labelled input bound to one draft field, checked as the user types.

use crate::state::Wizard;
use leptos::prelude::*;
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
