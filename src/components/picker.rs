//! A searchable, keyboard-accessible picker of entity sets (ARIA combobox + listbox).

use crate::{
    services::browser,
    state::{SchemaState, Wizard},
};
use leptos::prelude::*;
use wizard_core::{
    csdl::{SetSearch, SetSummary},
    draft::{Draft, FieldId},
};

/// How many matches are shown at once; typing narrows the rest. About three screens of the list
/// (it shows seven). Each is a row made once, when the picker is: a keystroke only changes the
/// text of the rows (`make bench`: making and dropping rows was most of a keystroke's cost, and
/// all of the first one's).
const SHOWN: usize = 20;

/// How many rows a keystroke fills: a little more than the list shows (about seven). The others
/// stay hidden and empty until the list is scrolled or the keyboard moves near the last one, so
/// typing pays only for what is seen.
const FIRST: usize = 8;

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
    // Positions in `summaries`, best first: row `i` shows the `i`th (two sets may share a name
    // in a hostile document, never a position).
    let search = Memo::new(move |_| summaries.with(|sets| SetSearch::new(sets)));
    let matches = Memo::new(move |_| search.with(|s| query.with(|q| s.positions(q))));
    // How many rows are filled: FIRST after a keystroke, up to SHOWN on demand.
    let limit = RwSignal::new(FIRST);
    let count = move || matches.with(|m| m.len().min(limit.get()));
    let name_at = move |i: usize| {
        let at = matches.with(|m| m.get(i).copied())?;
        summaries.with(|sets| sets.get(at).map(|s| s.name.clone()))
    };
    let choose = move |name: String| {
        wizard.set_field(FieldId::Entity, name.clone());
        query.set(name);
        open.set(false);
    };
    // Only the option that stops being active and the one that becomes active re-render, not all.
    let is_active = Selector::new(move || active.get());
    let listbox = NodeRef::<leptos::html::Ul>::new();
    // Whether the list is scrolled away from its top (kept by its scroll events).
    let scrolled = StoredValue::new(false);
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
        let move_to = |ev: &web_sys::KeyboardEvent, to: usize| {
            ev.prevent_default();
            if !open.get_untracked() {
                open.set(true);
                return;
            }
            // Near the last option built: build the rest of the window first.
            if to + 1 >= limit.get_untracked() {
                set_if_changed(limit, SHOWN);
            }
            active.set(to.min(count().saturating_sub(1)));
        };
        match ev.key().as_str() {
            "ArrowDown" => move_to(&ev, active.get_untracked() + 1),
            "ArrowUp" => move_to(&ev, active.get_untracked().saturating_sub(1)),
            "PageDown" => move_to(&ev, active.get_untracked() + 10),
            "PageUp" => move_to(&ev, active.get_untracked().saturating_sub(10)),
            "Enter" if open.get_untracked() => {
                ev.prevent_default();
                if let Some(name) = name_at(active.get_untracked()) {
                    choose(name);
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
                        set_if_changed(active, 0);
                        set_if_changed(open, true);
                        set_if_changed(limit, FIRST);
                        // The new matches start at the top of the list. Only when it is
                        // scrolled: setting scrollTop makes the browser lay out the page now.
                        if scrolled.get_value() {
                            if let Some(list) = listbox.get_untracked() {
                                list.set_scroll_top(0);
                            }
                        }
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
                    on:scroll:target=move |ev| {
                        let down = ev.target().scroll_top() > 0;
                        scrolled.set_value(down);
                        if down {
                            set_if_changed(limit, SHOWN);
                        }
                    }
                    // One handler each for every option (the option is found from the event's
                    // target), so a keystroke builds no closures per option.
                    on:mousedown=move |ev| ev.prevent_default()
                    on:mousemove=move |ev| {
                        if let Some(i) = option_index(&ev) {
                            set_if_changed(active, i);
                        }
                    }
                    on:click=move |ev| {
                        if let Some(name) = option_index(&ev).and_then(name_at) {
                            choose(name);
                        }
                    }
                >
                    {(0..SHOWN)
                        .map(|i| {
                            // The set this row shows (a position in `summaries`), if any.
                            let at = Memo::new(move |_| {
                                if i < limit.get() { matches.with(|m| m.get(i).copied()) } else { None }
                            });
                            // The row's text with the query marked; an empty row does not
                            // follow the query, so a keystroke leaves it alone.
                            let text = move |part: fn(&SetSummary) -> String| {
                                let text = at
                                    .get()
                                    .and_then(|at| summaries.with(|sets| sets.get(at).map(part)))
                                    .unwrap_or_default();
                                if text.is_empty() {
                                    return marked("", "");
                                }
                                query.with(|q| marked(&text, q))
                            };
                            let selected = {
                                let is_active = is_active.clone();
                                Signal::derive(move || is_active.selected(&i))
                            };
                            view! {
                                <li
                                    role="option"
                                    id=option_id(i)
                                    data-index=i
                                    class="option"
                                    class:active=selected
                                    aria-selected=move || if selected.get() { "true" } else { "false" }
                                    hidden=move || at.with(Option::is_none)
                                >
                                    <span class="set-name">
                                        {move || text(|s| s.name.clone())}
                                    </span>
                                    <span class="set-key">
                                        "key: " {move || text(|s| s.key.join(", "))}
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()}
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

/// Sets `signal` only when the value differs: setting always notifies, and every subscriber
/// would re-run on each keystroke.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: T) {
    signal.maybe_update(|v| {
        let changed = *v != value;
        if changed {
            *v = value;
        }
        changed
    });
}

/// The position of the option an event on the listbox happened in (its `data-index`).
fn option_index(ev: &web_sys::MouseEvent) -> Option<usize> {
    use wasm_bindgen::JsCast;
    let target = ev.target()?.dyn_into::<web_sys::Element>().ok()?;
    let option = target.closest("[role=option]").ok()??;
    option.get_attribute("data-index")?.parse().ok()
}

/// The id of the `i`th option shown.
fn option_id(i: usize) -> String {
    format!("entity-option-{i}")
}

/// `text` with the first case-insensitive occurrence of the query emphasised in a `<mark>`.
///
/// The same nodes whatever the query (text, an empty `<mark>` when nothing matches, text): a
/// keystroke then changes three text nodes per option instead of replacing its elements, which
/// kept the slowest keystrokes of `make bench` high.
fn marked(text: &str, query: &str) -> impl IntoView {
    let (before, hit, after) = wizard_core::csdl::around_match(text, query);
    view! { {before.to_string()} <mark>{hit.to_string()}</mark> {after.to_string()} }
}
