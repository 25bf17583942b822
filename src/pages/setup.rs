//! "Set it up for me" in the Setup verification region: the plan (each step's exact request,
//! what it needs, whether you seem to have it), one confirmation, each step's state while it
//! runs, the message for an administrator, a copyable log without secrets, then Verify again.
//! The work is in [`crate::services::setup`].

use crate::{
    components::DiagnosisView,
    services::{browser, setup, signin, verify},
    state::{Session, Verification, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use std::rc::Rc;
use wizard_core::{
    draft::FieldId,
    entra::Authority,
    setup::{admin_message, step_for_check, write_scopes, Progress, StepId, StepState},
    verify::{reads::Awaited, CheckId, NewSecret, Outcome},
};

/// The checks a call of the plan can put right.
const FIXABLE: [CheckId; 6] = [
    CheckId::RedirectUris,
    CheckId::DynamicsPermission,
    CheckId::AdminConsent,
    CheckId::ClientSecret,
    CheckId::ObjectId,
    CheckId::ApplicationUser,
];

/// Whether any check a call can fix is ✗ or ⚠ (in any environment).
fn something_to_fix(ver: Verification) -> bool {
    let bad = |v: &wizard_core::verify::Verdict| {
        FIXABLE.contains(&v.check)
            && matches!(v.outcome, Outcome::Wrong { .. } | Outcome::Warning { .. })
    };
    ver.verdicts.with(|v| v.iter().any(bad))
        || ver
            .environments
            .with(|e| e.iter().any(|e| e.verdicts.iter().any(bad)))
}

/// sessionStorage key of the steps the verdicts asked for, kept across the setup's sign-in for
/// Graph (memory is gone after its redirect): the administrator's message when it is refused.
const STEPS_KEY: &str = "dataverse-wizard.v1.setup-steps";

/// The steps a call would do, from the verdicts (✗ or ⚠ of a fixable check), with their labels.
fn steps_from_verdicts(ver: Verification) -> Vec<(StepId, String)> {
    let bad = |v: &wizard_core::verify::Verdict| {
        matches!(v.outcome, Outcome::Wrong { .. } | Outcome::Warning { .. })
    };
    let several = ver.environments.with_untracked(|e| !e.is_empty());
    let mut steps: Vec<(StepId, String)> = Vec::new();
    for v in ver.verdicts.get_untracked().iter().filter(|v| bad(v)) {
        match step_for_check(v.check, 0) {
            Some(StepId::ApplicationUser(_)) if several => {}
            Some(s) => steps.push((s, s.title().to_string())),
            None => {}
        }
    }
    for (n, e) in ver.environments.get_untracked().iter().enumerate() {
        if e.verdicts
            .iter()
            .any(|v| v.check == CheckId::ApplicationUser && bad(v))
        {
            let s = StepId::ApplicationUser(u8::try_from(n).unwrap_or(u8::MAX));
            steps.push((s, format!("{} in {}", s.title(), e.label)));
        }
    }
    steps
}

/// The state's words and CSS class.
fn state_words(s: StepState) -> (&'static str, &'static str) {
    match s {
        StepState::Planned => ("planned", "planned"),
        StepState::Running => ("running…", "running"),
        StepState::Done => ("done", "done"),
        StepState::Skipped => ("skipped: already right", "skipped"),
        StepState::Failed => ("failed (see the log)", "failed"),
        StepState::NeedsAdmin => ("needs an administrator", "needs-admin"),
    }
}

/// Builds the plan's inputs: the Graph caller with `graph_token`, one caller per environment.
async fn inputs(
    wizard: Wizard,
    session: Session,
    ver: Verification,
    graph_token: String,
    for_plan: bool,
) -> Result<setup::Inputs, String> {
    let signed = session
        .signed_in
        .get_untracked()
        .ok_or_else(|| "Sign in first.".to_string())?;
    let draft = wizard.draft.get_untracked();
    let base = verify::Caller::new(signed.token.secret(), ver.notify());
    let mut environments = Vec::new();
    for env in draft.per_environment() {
        let caller = verify::environment_caller(&signed, &env, &base).await;
        environments.push((env, caller));
    }
    // Whether you are System Administrator in each environment: the Global Discovery Service says
    // (only the plan shows it; the run does not ask again).
    let discovered = if for_plan {
        crate::services::discovery::environments(
            draft.cloud,
            session.discovery.get_untracked(),
            Some(signed.clone()),
            ver.notify(),
        )
        .await
        .unwrap_or_default()
    } else {
        Vec::new()
    };
    let sys_admin = environments
        .iter()
        .map(|(d, _)| {
            let env = d.environment()?;
            discovered
                .iter()
                .find(|x| x.environment() == Some(&env))
                .map(|x| x.is_sys_admin)
        })
        .collect();
    Ok(setup::Inputs {
        sys_admin,
        graph: base.with_token(&graph_token),
        environments,
        today: wizard.today,
        spa_redirect: super::steps::spa_redirect(),
        draft,
    })
}

/// The region's part: the button, the plan, its run.
#[component]
pub fn SetUpForMe() -> impl IntoView {
    let (wizard, session, ver) = (Wizard::expect(), Session::expect(), Verification::expect());
    let plan = RwSignal::new(None::<setup::Plan>);
    let graph_token = StoredValue::new(None::<String>);
    let needs_sign_in = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<Progress>);
    let user_role = RwSignal::new(String::new());
    // Whether the plan shown has run (its steps then show how each ended).
    let ran = RwSignal::new(false);

    let show_plan = move |token: String| {
        graph_token.set_value(Some(token.clone()));
        ran.set(false);
        needs_sign_in.set(false);
        busy.set(true);
        spawn_local(async move {
            match inputs(wizard, session, ver, token, true).await {
                Ok(i) => {
                    let p = setup::plan(&i).await;
                    let saved = setup::saved_progress(&i.draft.client_id);
                    // Chosen once: a resumed run keeps the role of the first.
                    let role = Some(saved.user_role.clone())
                        .filter(|r| p.user_roles.contains(r))
                        .or(p.default_user_role.clone())
                        .unwrap_or_default();
                    user_role.set(role);
                    progress.set(Some(saved));
                    // The steps carried across the sign-in serve a refused sign-in only.
                    browser::remove_item(browser::Store::Session, STEPS_KEY);
                    plan.set(Some(p));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    // Starting: a token with the write permissions, from the sign-in's refresh token when they
    // are consented; else the second sign-in that asks for them (then the plan shows on return).
    let start = move |_| {
        error.set(None);
        if let Some(s) = session.setup.get_untracked() {
            show_plan(s.token.secret().to_string());
            return;
        }
        let Some(signed) = session.signed_in.get_untracked() else {
            return;
        };
        let scopes = wizard.draft.with_untracked(|d| write_scopes(d.cloud));
        spawn_local(async move {
            let exchanged = match &signed.refresh {
                Some(r) => signin::graph_token(&signed.config, r, &scopes).await.ok(),
                None => None,
            };
            match exchanged {
                Some(t) if t.has("Application.ReadWrite.All") => {
                    show_plan(t.token.secret().to_string())
                }
                _ => needs_sign_in.set(true),
            }
        });
    };
    let sign_in_for_setup = move |_| {
        let Some(signed) = session.signed_in.get_untracked() else {
            return;
        };
        let scopes = wizard.draft.with_untracked(|d| write_scopes(d.cloud));
        let _ = browser::set_item(browser::Store::Session, setup::RESUME_KEY, "plan");
        if let Ok(json) = serde_json::to_string(&steps_from_verdicts(ver)) {
            let _ = browser::set_item(browser::Store::Session, STEPS_KEY, &json);
        }
        let config = wizard_core::auth::SignInConfig {
            purpose: wizard_core::auth::SignInPurpose::Setup { scopes },
            ..signed.config.clone()
        };
        if let Err(d) = signin::start(config) {
            session.setup_failure.set(Some(d));
        }
    };
    // Back from that sign-in: show the plan at once.
    Effect::new(move |_| {
        let Some(s) = session.setup.get() else {
            return;
        };
        let resume = browser::get_item(browser::Store::Session, setup::RESUME_KEY)
            .ok()
            .flatten();
        if resume.is_some() && session.signed_in.with(Option::is_some) {
            browser::remove_item(browser::Store::Session, setup::RESUME_KEY);
            show_plan(s.token.secret().to_string());
        }
    });

    let run = move |_| {
        let Some(token) = graph_token.get_value() else {
            return;
        };
        busy.set(true);
        let role = user_role.get_untracked();
        spawn_local(async move {
            let i = match inputs(wizard, session, ver, token, false).await {
                Ok(i) => i,
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                    return;
                }
            };
            // A new secret goes into its field at once; the other fields when the run ends.
            let keep_secret = |secret: &NewSecret| {
                wizard.set_field(FieldId::ClientSecret, secret.secret.expose().to_string());
                if let Some(e) = secret.expires.clone() {
                    wizard.set_field(FieldId::SecretExpires, e);
                }
                ver.awaited.update(|a| {
                    a.push(Awaited::Secret {
                        key_id: secret.key_id.clone(),
                    })
                });
                ver.new_secret.set(Some(secret.secret.clone()));
            };
            let out = setup::run(&i, &role, |p| progress.set(Some(p.clone())), keep_secret).await;
            if let Some(id) = out.object_id {
                if wizard.draft.with_untracked(|d| d.object_id.trim() != id) {
                    wizard.set_field(FieldId::ObjectId, id);
                }
            }
            if let Some(name) = out.app_name {
                if wizard
                    .draft
                    .with_untracked(|d| d.app_name.trim().is_empty())
                {
                    wizard.set_field(FieldId::AppName, name);
                }
            }
            ver.awaited_users.update(|a| a.extend(out.users_created));
            busy.set(false);
            ran.set(true);
            super::verify::run_checks(wizard, session, ver);
        });
    };

    let admin = move || {
        // Without a plan (the sign-in for Graph's write permissions was refused): every step a
        // call would do, from the verdicts.
        let Some(p) = plan.get() else {
            session.setup_failure.with(Option::is_some).then_some(())?;
            let steps: Vec<(StepId, String)> =
                browser::get_item(browser::Store::Session, STEPS_KEY)
                    .ok()
                    .flatten()
                    .and_then(|j| serde_json::from_str(&j).ok())
                    .unwrap_or_else(|| steps_from_verdicts(ver));
            let d = wizard.draft.get();
            let link = d.client_id().zip(d.tenant()).map(|(c, t)| {
                Authority::of(d.cloud, &t)
                    .admin_consent_url(&c, Some(&super::steps::spa_redirect()))
            });
            return (!steps.is_empty())
                .then(|| admin_message(&steps, &d.app_name, &d.client_id, link.as_deref()));
        };
        let steps: Vec<(StepId, String)> = p
            .steps
            .iter()
            .filter(|s| {
                s.allowed == Some(false)
                    || progress.with(|pr| {
                        pr.as_ref()
                            .is_some_and(|pr| pr.state(s.id) == StepState::NeedsAdmin)
                    })
            })
            .map(|s| (s.id, s.label.clone()))
            .collect();
        if steps.is_empty() {
            return None;
        }
        let d = wizard.draft.get();
        let link = d.client_id().zip(d.tenant()).map(|(c, t)| {
            Authority::of(d.cloud, &t).admin_consent_url(&c, Some(&super::steps::spa_redirect()))
        });
        Some(admin_message(
            &steps,
            &d.app_name,
            &d.client_id,
            link.as_deref(),
        ))
    };

    view! {
        <Show when=move || session.setup_failure.with(Option::is_some) || (session.signed_in.with(Option::is_some) && (something_to_fix(ver) || plan.with(Option::is_some) || progress.with(Option::is_some)))>
            <section class="set-up" role="region" aria-labelledby="set-up-title">
                <h3 id="set-up-title">"Set it up for me"</h3>
                <p class="hint">"The wizard can do the setup steps below that a call can do, as you: it shows every request first, runs them only when you confirm, never deletes or overwrites anything (it reads, merges, then writes), and a second run changes nothing."</p>
                <div class="actions">
                    <button type="button" class="primary" on:click=start disabled=move || busy.get()>"Set it up for me"</button>
                </div>
                <Show when=move || needs_sign_in.get()>
                    <div class="msg info" role="status">
                        <p>"The plan needs two Microsoft Graph permissions your sign-in does not have yet: Application.ReadWrite.All (to change the app registration and create its Enterprise application and secret) and DelegatedPermissionGrant.ReadWrite.All (to grant admin consent). A second sign-in asks for them; nothing is changed before you confirm the plan."</p>
                        <button type="button" class="primary" on:click=sign_in_for_setup>"Sign in to Microsoft Graph for the setup"</button>
                    </div>
                </Show>
                {move || session.setup_failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
                {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
                {move || (busy.get() && plan.with(Option::is_none)).then(|| view! { <p role="status">"Reading what is there…"</p> })}
                {move || plan.get().map(|p| {
                    let has_users = p.steps.iter().any(|s| matches!(s.id, StepId::ApplicationUser(_)));
                    let empty = p.steps.is_empty();
                    let roles = p.user_roles.clone();
                    view! {
                        <div class="plan" role="group" aria-label="The plan">
                            <p class="hint">{if p.roles.is_empty() {
                                "Your directory roles: none (what owners of the app may do, you may do if you own it).".to_string()
                            } else {
                                format!("Your directory roles: {}.", p.roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(", "))
                            }}</p>
                            {empty.then(|| view! { <p class="msg ok" role="status">"Nothing to do: every step a call can do is already right."</p> })}
                            <ol class="plan-steps">
                                {p.steps.into_iter().map(|s| {
                                    let id = s.id;
                                    let state = move || progress.with(|pr| pr.as_ref().map_or(StepState::Planned, |pr| pr.state(id)));
                                    let needs = match id.permission() {
                                        Some(perm) => format!("Needs Microsoft Graph {} and {}.", perm.name(), id.who_may()),
                                        None => format!("Needs {}.", id.who_may()),
                                    };
                                    let seems = match (s.allowed, id) {
                                        (Some(true), _) => "You seem to have it.",
                                        (Some(false), _) => "You do not seem to have it: an administrator's message is below.",
                                        (None, StepId::ApplicationUser(_)) => "The wizard cannot tell (the Global Discovery Service did not say).",
                                        (None, _) => "The wizard cannot tell (an owner of the app may).",
                                    };
                                    view! {
                                        <li class=move || format!("plan-step {}", state_words(state()).1)>
                                            <strong>{s.label.clone()}</strong>
                                            " — " <span class="state">{move || state_words(state()).0}</span>
                                            {match &s.request {
                                                Some(r) => view! { <pre class="request">{r.display()}</pre> }.into_any(),
                                                None => view! { <p class="note">"Its request is made from reads Dataverse refused you (HTTP 403)."</p> }.into_any(),
                                            }}
                                            <p class="hint">{needs} " " {seems}</p>
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                            {has_users.then(|| view! {
                                <div class="field" hidden=move || ran.get()>
                                <label for="set-up-user-role">"Security role for the application users"</label>
                                <select id="set-up-user-role" on:change:target=move |ev| user_role.set(ev.target().value()) prop:value=move || user_role.get()>
                                    {roles.into_iter().map(|r| {
                                        let value = r.clone();
                                        view! { <option value=value.clone() selected=move || user_role.get() == value>{r}</option> }
                                    }).collect_view()}
                                </select>
                                </div>
                            })}
                            {p.notes.into_iter().map(|n| view! { <p class="note">{n}</p> }).collect_view()}
                            {(!empty).then(|| view! {
                                <Show
                                    when=move || !ran.get()
                                    fallback=move || view! {
                                        <p class="msg ok" role="status">"The plan has run: each step says how it ended, and the checks below run again. Set it up for me again continues with what is left; it changes nothing that is already right."</p>
                                        <button type="button" class="secondary" on:click=move |_| plan.set(None)>"Close the plan"</button>
                                    }
                                >
                                    <div class="actions">
                                        <button type="button" class="primary" on:click=run disabled=move || busy.get()>"Run the plan"</button>
                                        <button type="button" class="secondary" on:click=move |_| plan.set(None)>"Cancel"</button>
                                    </div>
                                </Show>
                            })}
                        </div>
                    }
                })}
                {move || busy.get().then(|| plan.with(Option::is_some).then(|| view! { <p role="status">"Running the plan…"</p> }))}
                {move || admin().map(|m| view! {
                    <div class="admin-message">
                        <label for="set-up-admin-message">"Message for an administrator"</label>
                        <textarea id="set-up-admin-message" rows="7" readonly>{m.clone()}</textarea>
                        <CopyButton label="Copy the message" text=m />
                    </div>
                })}
                {move || progress.get().filter(|p| !p.log.is_empty()).map(|p| {
                    let text = Rc::new(p.log.join("\n\n"));
                    view! {
                        <details class="set-up-log">
                            <summary>"Log of the setup (requests and answers, secrets redacted)"</summary>
                            <pre>{text.to_string()}</pre>
                        </details>
                        <CopyButton label="Copy the log" text=text.to_string() />
                    }
                })}
            </section>
        </Show>
    }
}

/// A button that copies `text`, and says whether it did.
#[component]
fn CopyButton(label: &'static str, text: String) -> impl IntoView {
    let result = RwSignal::new(None::<Result<(), String>>);
    let text = StoredValue::new(text);
    let copy = move |_| {
        let t = text.get_value();
        spawn_local(async move {
            result.set(Some(
                browser::copy_text(&t).await.map_err(|e| e.to_string()),
            ));
        });
    };
    view! {
        <button type="button" class="secondary" on:click=copy>{label}</button>
        <span role="status">{move || match result.get() {
            Some(Ok(())) => "Copied.".to_string(),
            Some(Err(e)) => e,
            None => String::new(),
        }}</span>
    }
}
