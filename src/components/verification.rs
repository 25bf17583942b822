//! The live checks' verdicts outside step 7: the mark next to a step or a checklist item, and the
//! review page's list of open ✗ (see [`crate::state::Verification`]).

use crate::state::{verdict_class, verdict_words, Verification};
use leptos::prelude::*;
use leptos_router::components::A;
use wizard_core::verify::{Outcome, Verdict};

/// A verdict's symbol (✓ ⚠ ✗ ?) with its meaning in words for screen readers.
#[component]
pub fn VerdictMark(verdict: Verdict) -> impl IntoView {
    let title = format!("Setup verification: {}", verdict_words(&verdict));
    view! {
        <span class=format!("{} mark", verdict_class(&verdict)) title=title>
            " "
            <span aria-hidden="true">{verdict.symbol()}</span>
            <span class="visually-hidden">{format!(" (live check: {})", verdict_words(&verdict))}</span>
        </span>
    }
}

/// The review page's section: every check that ran and found something wrong (✗), with a link
/// to the step that fixes it. Nothing when there is none.
#[component]
pub fn VerificationProblems() -> impl IntoView {
    let ver = Verification::expect();
    let wrong = move || {
        ver.verdicts.with(|v| {
            v.iter()
                .filter(|v| matches!(v.outcome, Outcome::Wrong { .. }))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    move || {
        let wrong = wrong();
        (!wrong.is_empty()).then(|| {
            view! {
                <section class="verification-problems" aria-labelledby="verification-problems-title">
                    <h2 id="verification-problems-title">"Problems found by the setup verification"</h2>
                    <ul>
                        {wrong.into_iter().map(|v| {
                            let step = v.check.step();
                            let cause = match &v.outcome {
                                Outcome::Wrong { cause, .. } => cause.clone(),
                                _ => String::new(),
                            };
                            view! {
                                <li class="verdict wrong">
                                    <strong>{format!("{} {}", v.symbol(), v.check.name())}</strong>
                                    ": " {cause} " "
                                    <A href=format!("/setup/{}", step.slug())>{format!("Go to step {}: {}", step.number(), step.title())}</A>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })
    }
}
