//! A searchable, keyboard-accessible picker of entity sets (ARIA combobox + listbox).

use crate::state::{SchemaState, Wizard};
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
    let choose = move |name: String| {
        wizard.set_field(FieldId::Entity, name.clone());
        query.set(name);
        open.set(false);
    };
    let option_id = |name: &str| format!("entity-option-{name}");
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let count = matches.with(|m| m.len().min(SHOWN));
        match ev.key().as_str() {
            "ArrowDown" => {
                ev.prevent_default();
                open.set(true);
                if count > 0 {
                    active.update(|a| *a = (*a + 1).min(count - 1));
                }
            }
            "ArrowUp" => {
                ev.prevent_default();
                active.update(|a| *a = a.saturating_sub(1));
            }
            "Enter" => {
                ev.prevent_default();
                if let Some(s) = matches.with(|m| m.get(active.get_untracked()).cloned()) {
                    choose(s.name);
                }
            }
            "Escape" => {
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
            <input
                id="entity-search"
                type="text"
                role="combobox"
                autocomplete="off"
                spellcheck="false"
                aria-autocomplete="list"
                aria-controls="entity-listbox"
                aria-describedby="entity-search-hint"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-activedescendant=move || {
                    if !open.get() { return None; }
                    matches.with(|m| m.get(active.get()).map(|s| option_id(&s.name)))
                }
                prop:value=move || query.get()
                on:input:target=move |ev| {
                    query.set(ev.target().value());
                    active.set(0);
                    open.set(true);
                }
                on:focus=move |_| open.set(true)
                on:keydown=on_key
            />
            <ul id="entity-listbox" role="listbox" aria-label="Entity sets" class="listbox" hidden=move || !open.get()>
                {move || {
                    shown()
                        .into_iter()
                        .enumerate()
                        .map(|(i, s)| {
                            let name = s.name.clone();
                            let selected = move || active.get() == i;
                            view! {
                                <li
                                    role="option"
                                    id=option_id(&s.name)
                                    class:active=selected
                                    aria-selected=move || if selected() { "true" } else { "false" }
                                    on:mousedown=move |ev| ev.prevent_default()
                                    on:click=move |_| choose(name.clone())
                                >
                                    <span class="set-name">{s.name.clone()}</span>
                                    <span class="set-key">{format!("key: {}", s.key.join(", "))}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
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
