//! A searchable, keyboard-accessible picker of entity sets (ARIA combobox + listbox).

use crate::{
    services::browser,
    state::{SchemaState, Wizard},
};
use leptos::prelude::*;
use wizard_core::{
    csdl::filter_sets as filter,
    draft::{Draft, FieldId},
};

/// How many matches are shown at once; typing narrows the rest.
const SHOWN: usize = 60;

/// The entity picker. Choosing a set fills the draft's Entity field.
#[component]
pub fn EntityPicker() -> impl IntoView {
    let wizard = Wizard::expect();
    let state = SchemaState::expect();
    let summaries = Memo::new(move |_| {
        state.loaded.with(|l| {
            l.as_ref()
                .map(|l| l.schema.set_summaries())
                .unwrap_or_default()
        })
    });
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let open = RwSignal::new(false);
    let matches = Memo::new(move |_| {
        summaries
            .with(|sets| query.with(|q| filter(sets, q).into_iter().cloned().collect::<Vec<_>>()))
    });
    let shown = move || matches.with(|m| m.iter().take(SHOWN).cloned().collect::<Vec<_>>());
    let count = move || matches.with(|m| m.len().min(SHOWN));
    let choose = move |name: String| {
        wizard.set_field(FieldId::Entity, name.clone());
        query.set(name);
        open.set(false);
    };
    let listbox = NodeRef::<leptos::html::Ul>::new();
    // Keep the active option in view while moving through a long list.
    Effect::new(move |_| {
        let (i, is_open) = (active.get(), open.get());
        let Some(list) = listbox.get() else {
            return;
        };
        if !is_open {
            return;
        }
        if let Ok(Some(item)) = list.query_selector(&format!("#{}", option_id(i))) {
            browser::scroll_into_list_view(&list, &item);
        }
    });
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = count();
        let last = n.saturating_sub(1);
        let move_to = |ev: &web_sys::KeyboardEvent, to: usize| {
            ev.prevent_default();
            if open.get_untracked() {
                active.set(to.min(last));
            } else {
                open.set(true);
            }
        };
        match ev.key().as_str() {
            "ArrowDown" => move_to(&ev, active.get_untracked() + 1),
            "ArrowUp" => move_to(&ev, active.get_untracked().saturating_sub(1)),
            "PageDown" => move_to(&ev, active.get_untracked() + 10),
            "PageUp" => move_to(&ev, active.get_untracked().saturating_sub(10)),
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(s) = matches.with(|m| m.get(active.get_untracked()).cloned()) {
                    choose(s.name);
                }
            }
            "Escape" if open.get_untracked() => {
                ev.prevent_default();
                open.set(false);
            }
            _ => {}
        }
    };
    let record_url = move || {
        let entity = wizard.draft.with(|d| d.entity.trim().to_string());
        let service = wizard.draft.with(Draft::service_url);
        state.loaded.with(|l| {
            let l = l.as_ref()?;
            l.schema.find_set(&entity)?;
            l.schema.record_url(&service.unwrap_or_default(), &entity)
        })
    };
    view! {
        <div class="picker">
            <label for="entity-search">"Find the entity set"</label>
            <p class="hint" id="entity-search-hint">
                {move || format!("{} entity sets in the schema. Type to filter, use the arrow keys and Enter to choose.", summaries.with(Vec::len))}
            </p>
            <div class="combo">
                <input
                    id="entity-search"
                    type="text"
                    role="combobox"
                    autocomplete="off"
                    spellcheck="false"
                    aria-autocomplete="list"
                    aria-controls="entity-listbox"
                    aria-describedby="entity-search-hint"
                    aria-expanded=move || { if open.get() && count() != 0 { "true" } else { "false" } }
                    aria-activedescendant=move || {
                        (open.get() && active.get() < count()).then(|| option_id(active.get()))
                    }
                    prop:value=move || query.get()
                    on:input:target=move |ev| {
                        query.set(ev.target().value());
                        active.set(0);
                        open.set(true);
                    }
                    on:focus=move |_| open.set(true)
                    on:click=move |_| open.set(true)
                    on:blur=move |_| open.set(false)
                    on:keydown=on_key
                />
                <ul
                    id="entity-listbox"
                    role="listbox"
                    aria-label="Entity sets"
                    class="listbox"
                    node_ref=listbox
                    hidden=move || { !open.get() || count() == 0 }
                >
                    {move || {
                        let q = query.get();
                        shown()
                            .into_iter()
                            .enumerate()
                            .map(|(i, s)| {
                                let name = s.name.clone();
                                let selected = move || active.get() == i;
                                view! {
                                    <li
                                        role="option"
                                        id=option_id(i)
                                        class="option"
                                        class:active=selected
                                        aria-selected=move || if selected() { "true" } else { "false" }
                                        on:mousedown=move |ev| ev.prevent_default()
                                        on:mousemove=move |_| if active.get_untracked() != i { active.set(i) }
                                        on:click=move |_| choose(name.clone())
                                    >
                                        <span class="set-name">{marked(&s.name, &q)}</span>
                                        <span class="set-key">"key: " {marked(&s.key.join(", "), &q)}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
            <p class="hint" role="status">
                {move || {
                    let n = matches.with(Vec::len);
                    if n > SHOWN { format!("Showing {SHOWN} of {n} matches: keep typing to narrow.") }
                    else if n == 0 { "No entity set matches.".to_string() }
                    else { format!("{n} matches.") }
                }}
            </p>
            {move || record_url().map(|url| view! {
                <p class="record-url">
                    "Chosen: " <strong>{wizard.draft.with(|d| d.entity.clone())}</strong>
                    ". Data Sync will address one record as "
                    <code>{url}</code>
                </p>
            })}
        </div>
    }
}

/// The id of the `i`th option shown.
fn option_id(i: usize) -> String {
    format!("entity-option-{i}")
}

/// `text` with the first case-insensitive occurrence of the query emphasised in a `<mark>`.
fn marked(text: &str, query: &str) -> impl IntoView {
    let q = query.trim().to_ascii_lowercase();
    // ASCII lowercasing keeps byte offsets, so the match's range is valid in `text`.
    let at = (!q.is_empty())
        .then(|| text.to_ascii_lowercase().find(&q))
        .flatten()
        .filter(|&at| text.is_char_boundary(at) && text.is_char_boundary(at + q.len()));
    match at {
        Some(at) => {
            let (before, rest) = text.split_at(at);
            let (hit, after) = rest.split_at(q.len());
            view! { {before.to_string()} <mark>{hit.to_string()}</mark> {after.to_string()} }
                .into_any()
        }
        None => text.to_string().into_any(),
    }
}
