//! A failure explained: cause and fix in plain words, the raw answer one click away.

use leptos::prelude::*;
use wizard_core::diagnose::Diagnosis;

/// Shows a diagnosis: cause and fix in plain words, the raw answer one click away.
#[component]
pub fn DiagnosisView(diagnosis: Diagnosis) -> impl IntoView {
    view! {
        <div class="diagnosis error" role="alert">
            <h3>{diagnosis.title.clone()} <span class="code">{format!(" ({})", diagnosis.code)}</span></h3>
            <p><strong>"Cause: "</strong>{diagnosis.cause.clone()}</p>
            <p><strong>"Fix: "</strong>{diagnosis.fix.clone()}</p>
            {diagnosis.link.clone().map(|href| view! {
                <p><a href=href target="_blank" rel="noopener noreferrer">"More about this error"</a></p>
            })}
            <details>
                <summary>"Raw server answer"</summary>
                <pre>{diagnosis.raw.clone()}</pre>
            </details>
        </div>
    }
}
