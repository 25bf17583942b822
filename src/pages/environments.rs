//! Step 4's "Your environments": the Global Discovery Service's list of the environments the
//! signed-in person can reach, one checkbox each; the ticked ones are the setup's environments
//! ([`wizard_core::draft::Draft::add_environment`]), each with its own entity. The reading is in
//! [`crate::services::discovery`] and [`wizard_core::discovery`].

use crate::{
    components::DiagnosisView,
    services::{discovery, signin},
    state::{Session, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use std::rc::Rc;
use wizard_core::discovery::{Availability, DiscoveredEnvironment, FILTER_ABOVE};

type Listing = Option<Result<Vec<DiscoveredEnvironment>, String>>;

/// The group: a sign-in for discovery when there is no token yet, then the list.
#[component]
pub fn YourEnvironments() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let listing = RwSignal::new(None as Listing);
    let busy = RwSignal::new(false);
    // Read once per token source (a discovery sign-in, or the sign-in of step 7) and cloud.
    Effect::new(move |_| {
        let discovery_token = session.discovery.get();
        let signed = session.signed_in.get();
        let cloud = wizard.draft.with(|d| d.cloud);
        if discovery_token.is_none() && signed.is_none() {
            listing.set(None);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let r = discovery::environments(cloud, discovery_token, signed, Rc::new(|_| {})).await;
            if let Ok(list) = &r {
                let known: Vec<_> = list
                    .iter()
                    .filter_map(|e| e.environment().map(|u| (u, e.name.as_str())))
                    .collect();
                let mut d = wizard.draft.get_untracked();
                if d.name_environments(known.iter().map(|(u, n)| (*u, *n))) {
                    wizard.replace(d);
                }
            }
            listing.set(Some(r));
            busy.set(false);
        });
    });
    // A discovery sign-in also signs in to the first environment chosen: its refresh token is
    // exchanged for that environment's token (no second trip to the sign-in page).
    Effect::new(move |_| {
        let Some(discovery_sign_in) = session.discovery.get() else {
            return;
        };
        let env = wizard
            .draft
            .with(|d| d.environment().map(|e| e.as_str().to_string()));
        if session.signed_in.with_untracked(Option::is_some) {
            return;
        }
        if let Some(env) = env {
            spawn_local(async move {
                if let Ok(s) = signin::signed_in_for_environment(&discovery_sign_in, &env).await {
                    if session.signed_in.with_untracked(Option::is_none) {
                        session.finish(Ok(s));
                    }
                }
            });
        }
    });
    let config = Memo::new(move |_| {
        wizard
            .draft
            .with(|d| signin::discovery_config_from_draft(d, super::steps::spa_redirect()))
    });
    let sign_in = move |_| {
        if let Ok(cfg) = config.get_untracked() {
            if let Err(d) = signin::start(cfg) {
                session.discovery_failure.set(Some(d));
            }
        }
    };
    let has_token =
        move || session.discovery.with(Option::is_some) || session.signed_in.with(Option::is_some);
    view! {
        <fieldset class="environments">
            <legend>"Your environments"</legend>
            <Show
                when=has_token
                fallback=move || view! {
                    <p class="hint">"Sign in (as yourself, with this app) and the wizard lists every environment you can reach, from Microsoft's Global Discovery Service: tick the ones Data Sync connects to, instead of copying their URLs. Typing the Environment URL above works too."</p>
                    <div class="actions">
                        <button type="button" class="secondary" on:click=sign_in disabled=move || config.with(Result::is_err)>
                            "Sign in to list your environments"
                        </button>
                    </div>
                    {move || config.get().err().map(|missing| view! {
                        <p class="hint">"First fill in: " {missing.join(", ")} "."</p>
                    })}
                }
            >
                {move || busy.get().then(|| view! { <p role="status">"Listing your environments…"</p> })}
                {move || match listing.get() {
                    None => ().into_any(),
                    Some(Err(e)) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
                    Some(Ok(list)) if list.is_empty() => view! {
                        <p class="msg warning">"The Global Discovery Service lists no environment for you: it lists only environments where your account is an enabled user. Type the Environment URL above, or ask an administrator to add you."</p>
                    }.into_any(),
                    Some(Ok(list)) => view! { <EnvironmentList list /> }.into_any(),
                }}
            </Show>
            {move || session.discovery_failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
            <ChosenEnvironments />
        </fieldset>
    }
}

/// The checkboxes (with a filter box above 8).
#[component]
fn EnvironmentList(list: Vec<DiscoveredEnvironment>) -> impl IntoView {
    let wizard = Wizard::expect();
    let filter = RwSignal::new(String::new());
    let with_filter = list.len() > FILTER_ABOVE;
    let items = list
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let id = format!("environment-{i}");
            let details_id = format!("{id}-details");
            let shown = {
                let e = e.clone();
                move || filter.with(|f| e.matches(f))
            };
            let mut details = vec![e.url.clone()];
            if !e.region.is_empty() {
                details.push(format!("region {}", e.region));
            }
            if let Some(p) = &e.purpose {
                details.push(p.clone());
            }
            if e.is_sys_admin {
                details.push("you are System Administrator".to_string());
            }
            let reason = match &e.availability {
                Availability::Unavailable(why) => Some(why.clone()),
                Availability::Ready(_) => None,
            };
            let unavailable = reason.is_some();
            let env = e.environment().cloned();
            let checked = {
                let env = env.clone();
                move || {
                    env.as_ref()
                        .is_some_and(|u| wizard.draft.with(|d| d.has_environment(u)))
                }
            };
            let name = e.name.clone();
            let on_change = move |ev: leptos::ev::Event| {
                let Some(u) = env.clone() else {
                    return;
                };
                let on = event_target_checked(&ev);
                wizard.draft.update(|d| {
                    if on {
                        d.add_environment(&u, &name);
                    } else {
                        d.remove_environment(&u);
                    }
                });
            };
            view! {
                <li class="environment" class:unavailable=unavailable hidden=move || !shown()>
                    <input
                        type="checkbox"
                        id=id.clone()
                        aria-describedby=details_id.clone()
                        disabled=unavailable
                        prop:checked=checked
                        on:change=on_change
                    />
                    <label for=id>{e.name.clone()}</label>
                    <p class="hint" id=details_id>
                        {details.join(" · ")}
                        {reason.map(|r| view! { <br /><strong>"Not selectable: "</strong>{r} })}
                    </p>
                </li>
            }
        })
        .collect_view();
    view! {
        {with_filter.then(|| view! {
            <div class="field">
                <label for="environment-filter">"Filter environments"</label>
                <input
                    type="search"
                    id="environment-filter"
                    prop:value=move || filter.get()
                    on:input:target=move |ev| filter.set(ev.target().value())
                />
            </div>
        })}
        <ul class="environment-list">{items}</ul>
    }
}

/// The setup's environments when there are several: each with its entity, and the one the form
/// (sign-in, schema picker) works on.
#[component]
fn ChosenEnvironments() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let others = move || wizard.draft.with(|d| d.more_environments.clone());
    view! {
        <Show when=move || wizard.draft.with(|d| !d.more_environments.is_empty())>
            <h3>"In this setup"</h3>
            <p class="hint">{move || format!(
                "One app registration and secret in {} environments. The fields above, the sign-in and the schema picker work on {}; each other environment has its own entity.",
                wizard.draft.with(|d| d.environment_count()),
                wizard.draft.with(|d| d.environment_label()),
            )}</p>
            <ul class="chosen-environments">
                {move || others().into_iter().enumerate().map(|(i, o)| {
                    let label = wizard.draft.with_untracked(|d| d.per_environment()[i + 1].environment_label());
                    let id = format!("other-entity-{i}");
                    view! {
                        <li>
                            <div class="field">
                                <label for=id.clone()>{format!("Entity in {label}")}</label>
                                <input
                                    type="text"
                                    id=id
                                    spellcheck="false"
                                    placeholder=wizard.draft.with_untracked(|d| if d.entity.trim().is_empty() { String::new() } else { format!("same as {}: {}", d.environment_label(), d.entity.trim()) })
                                    prop:value=o.entity.clone()
                                    on:change:target=move |ev| {
                                        let v = ev.target().value();
                                        wizard.draft.update(|d| {
                                            if let Some(o) = d.more_environments.get_mut(i) {
                                                o.entity = v;
                                            }
                                        });
                                    }
                                />
                            </div>
                            <button type="button" class="secondary" on:click=move |_| {
                                wizard.draft.update(|d| d.edit_environment(i));
                                // The sign-in is for the form's environment.
                                session.signed_in.set(None);
                            }>
                                {format!("Work on {label}")}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="hint">"Working on another environment brings it into the fields above and ends the sign-in of step 7, which is for one environment: sign in again there to load its schema."</p>
        </Show>
    }
}
