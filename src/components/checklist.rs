//! Checklist items and the portal links inside them.

use crate::state::{Verification, Wizard};
use leptos::prelude::*;

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
    let ver = Verification::expect();
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
                {move || ver.for_item(id).map(|v| view! { <super::VerdictMark verdict=v /> })}
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
