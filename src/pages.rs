//! The wizard's pages: welcome, the setup steps, settings, and not-found. Pages render and
//! dispatch: the work is in [`crate::services`], the shared state in [`crate::state`].

mod connector;
mod create_app;
mod environments;
mod export;
mod metadata;
mod settings;
mod setup;
pub(crate) mod steps;
mod test;
mod verify;

pub use export::ImportPanel;
pub use settings::Settings;
pub use test::{callback_query, AuthCallback};

use crate::{
    components::VerdictMark,
    services::browser,
    state::{self, Verification, Wizard},
};
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};
use std::cell::Cell;
use wizard_core::draft::{Severity, Step};

/// Landing page: what the wizard does, start or continue, import a saved connection.
#[component]
pub fn Welcome() -> impl IntoView {
    other_page_shown();
    let last = state::last_step();
    let continue_href = format!("/setup/{}", last.unwrap_or(Step::Register).slug());
    view! {
        <section class="welcome">
            <h1>"Connect Data Sync to Dynamics 365, right the first time"</h1>
            <p>
                "This wizard walks you through the Microsoft Entra ID app registration, the Dynamics 365 application user and the OData 4.0 connector settings. It checks every value as you type it, verifies the setup live once you sign in, and hands the finished connection to Data Sync and the other tools you use on Dataverse."
            </p>
            <p>"Nothing is installed and nothing leaves your browser unless you export it. The client secret is kept only for this tab."</p>
            <div class="actions">
                {match last {
                    Some(step) => view! {
                        <A href=continue_href attr:class="button primary">
                            {format!("Continue where you left off (step {}: {})", step.number(), step.title())}
                        </A>
                    }.into_any(),
                    None => view! {
                        <A href="/setup/register" attr:class="button primary">"Start the setup"</A>
                    }.into_any(),
                }}
            </div>
            <TrySandbox />
            <h2>"The steps"</h2>
            <ol class="overview">
                {Step::ALL.iter().map(|s| view! { <li>{s.title()}</li> }).collect_view()}
            </ol>
            <ImportPanel />
        </section>
    }
}

/// "Try with the sandbox": fills in the local sandbox tenant's ready-made app and environment.
#[component]
pub fn TrySandbox() -> impl IntoView {
    use wizard_core::draft::sandbox::{scenario_named, SCENARIOS};
    let wizard = Wizard::expect();
    let navigate = leptos_router::hooks::use_navigate();
    let scenario = RwSignal::new(SCENARIOS[0].name.to_string());
    let ver = Verification::expect();
    let on_click = move |_| {
        let typed = wizard.draft.with_untracked(|d| {
            !d.tenant_id.is_empty() || !d.client_id.is_empty() || !d.environment_url.is_empty()
        });
        if typed && !browser::confirm("Replace the values you entered with the sandbox's?") {
            return;
        }
        let mut draft = scenario
            .with_untracked(|n| scenario_named(n).map(|s| s.draft(wizard.today)))
            .unwrap_or_else(|| wizard_core::draft::sandbox::draft(wizard.today));
        draft.ticks = wizard.draft.with_untracked(|d| d.ticks.clone());
        wizard.replace(draft);
        ver.clear();
        navigate("/setup/details", Default::default());
    };
    view! {
        <section class="sandbox" aria-labelledby="sandbox-title">
            <h2 id="sandbox-title">"No tenant at hand?"</h2>
            <p>
                "The local sandbox (started by " <code>"make serve"</code>
                ") emulates Entra ID and a Dataverse environment on this computer. Try the whole flow with its ready-made app."
            </p>
            <p>
                <label for="sandbox-scenario">"Sandbox scenario"</label>
                " "
                <select id="sandbox-scenario" on:change:target=move |ev| scenario.set(ev.target().value())>
                    {SCENARIOS.iter().map(|s| view! {
                        <option value=s.name selected=s.name == SCENARIOS[0].name>{s.name}</option>
                    }).collect_view()}
                </select>
            </p>
            <button type="button" class="secondary" on:click=on_click>"Try with the sandbox"</button>
        </section>
    }
}

/// Unknown address.
#[component]
pub fn NotFound() -> impl IntoView {
    other_page_shown();
    view! {
        <section>
            <h1>"Page not found"</h1>
            <p><A href="/">"Go to the start page"</A></p>
        </section>
    }
}

/// The shell of every setup step: the step list, the step's content, Back / Next.
#[component]
pub fn StepPage() -> impl IntoView {
    let params = use_params_map();
    let step = Memo::new(move |_| params.with(|p| p.get("step").and_then(|s| Step::from_slug(&s))));
    Effect::new(move |_| {
        if let Some(s) = step.get() {
            state::remember_step(s);
        }
    });
    // Moving to another step replaces the page's content: put the focus at the start of the new
    // step (its heading, or the field named in the address such as #client-secret from the
    // review's problem list), so keyboard and screen-reader users are not left at the top of the
    // document. Not when the page was just loaded: then the browser's own focus stays.
    let location = leptos_router::hooks::use_location();
    Effect::new(move |_| {
        let Some(current) = step.get() else {
            return;
        };
        let last = LAST_STEP.replace(Some(current));
        let navigated = PAGE_SHOWN.replace(true);
        if navigated && last != Some(current) {
            // After the router has put the new step into the document.
            let hash = location.hash.get_untracked();
            request_animation_frame(move || focus_step_start(&hash));
        }
    });
    move || {
        match step.get() {
        None => view! { <NotFound /> }.into_any(),
        Some(step) => view! {
            <div class="wizard">
                // Without its module the list is left out (its column kept): the content says why.
                {crate::split::lazy_view_or(move || crate::split::step_list(step), || {
                    view! { <div class="step-list"></div> }.into_any()
                })}
                <section class="step" aria-labelledby="step-title">
                    <p class="step-count">{format!("Step {} of {}", step.number(), Step::ALL.len())}</p>
                    <h1 id="step-title" tabindex="-1">{step.title()}</h1>
                    {crate::split::lazy_view(move || crate::split::step_content(step))}
                    <StepButtons step=step />
                </section>
            </div>
        }
        .into_any(),
    }
    }
}

thread_local! {
    /// Whether a page of the wizard was already shown since the document loaded (so showing a
    /// step now is a navigation inside the app, not a page load).
    static PAGE_SHOWN: Cell<bool> = const { Cell::new(false) };
    /// The step shown last (kept across re-created step pages).
    static LAST_STEP: Cell<Option<Step>> = const { Cell::new(None) };
}

/// Records that a page other than a step is shown: the next step shown gets the focus.
fn other_page_shown() {
    PAGE_SHOWN.set(true);
    LAST_STEP.set(None);
}

/// Focuses the element named by the address's fragment (`#client-secret`), else the step heading.
fn focus_step_start(hash: &str) {
    use wasm_bindgen::JsCast;
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let id = hash.strip_prefix('#').unwrap_or(hash);
    let target = Some(id)
        .filter(|id| !id.is_empty())
        .and_then(|id| doc.get_element_by_id(id))
        .or_else(|| doc.get_element_by_id("step-title"));
    if let Some(el) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}

/// The list of steps: where the user is (`aria-current="step"`) and what is done.
#[component]
pub(crate) fn StepList(current: Step) -> impl IntoView {
    let wizard = Wizard::expect();
    let ver = Verification::expect();
    view! {
        <nav class="step-list" aria-label="Setup steps">
            <ol>
                {Step::ALL
                    .iter()
                    .map(|&s| {
                        let done = move || {
                            let items = steps::checklist_ids(s);
                            let ticked = items.iter().all(|id| wizard.ticked(id));
                            let clean = wizard.checked().with(|c| !c.problems().iter().any(|p| p.step == s && p.severity == Severity::Error));
                            ticked && clean && !matches!(s, Step::Review | Step::Test)
                        };
                        view! {
                            <li class:current=s == current class:done=done>
                                <A
                                    href=format!("/setup/{}", s.slug())
                                    attr:aria-current=if s == current { Some("step") } else { None }
                                >
                                    <span class="num">{s.number()}</span>
                                    {move || ver.worst_for_step(s).map(|v| view! { <VerdictMark verdict=v /> })}
                                    " "
                                    {s.title()}
                                    <span class="state">{move || if done() { " (done)" } else { "" }}</span>
                                </A>
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
            <StartOver />
        </nav>
    }
}

#[component]
fn StepButtons(step: Step) -> impl IntoView {
    view! {
        <div class="step-buttons">
            {step.prev().map(|p| view! {
                <A href=format!("/setup/{}", p.slug()) attr:class="button secondary" attr:rel="prev">
                    {format!("Back: {}", p.title())}
                </A>
            })}
            {step.next().map(|n| view! {
                <A href=format!("/setup/{}", n.slug()) attr:class="button primary" attr:rel="next">
                    {format!("Next: {}", n.title())}
                </A>
            })}
        </div>
    }
}

/// "Start over": forgets progress, ticks and the secret, after a confirmation.
#[component]
pub fn StartOver() -> impl IntoView {
    let wizard = Wizard::expect();
    let ver = Verification::expect();
    let navigate = leptos_router::hooks::use_navigate();
    view! {
        <button
            type="button"
            class="danger start-over"
            on:click=move |_| {
                if browser::confirm(
                    "Start over? This forgets every value, tick and the client secret in this browser.",
                ) {
                    wizard.start_over();
                    ver.clear();
                    navigate("/setup/register", Default::default());
                }
            }
        >
            "Start over"
        </button>
    }
}
