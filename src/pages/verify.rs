//! Step 7's "Setup verification" region: every live check with its verdict, "Verify again", and
//! the two fixes (each request shown before it is sent). The work is in
//! [`crate::services::verify`]; the results live in [`crate::state::Verification`].

use crate::{
    services::verify::{self, fixes},
    state::{verdict_class, verdict_words, Session, Verification, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use wizard_core::{
    draft::FieldId,
    verify::{reads::Awaited, CheckId, FixAction, Outcome, Verdict},
};

/// Runs every check now (no-op while a run is under way or when not signed in). Changes a fix
/// just made ([`Verification::awaited`]) are read again for until they show.
pub(super) fn run_checks(wizard: Wizard, session: Session, ver: Verification) {
    if ver.running.get_untracked() {
        return;
    }
    let Some(signed) = session.signed_in.get_untracked() else {
        return;
    };
    ver.running.set(true);
    let inputs = verify::Inputs {
        draft: wizard.draft.get_untracked(),
        signed,
        today: wizard.today,
        awaited: ver.awaited.try_update(std::mem::take).unwrap_or_default(),
        awaited_users: ver
            .awaited_users
            .try_update(std::mem::take)
            .unwrap_or_default(),
        notify: ver.notify(),
    };
    spawn_local(async move {
        let report = verify::run(inputs).await;
        ver.record(wizard, report);
    });
}

/// The "Setup verification" region of step 7.
#[component]
pub fn SetupVerification() -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let ver = Verification::expect();
    let run = move || run_checks(wizard, session, ver);
    // Run once per sign-in; forget the results on sign-out (not when the page opens signed out:
    // the results of the sign-in for Microsoft Graph are shown without a Dataverse sign-in).
    Effect::new(move |was_signed_in: Option<bool>| {
        let signed_in = session.signed_in.with(Option::is_some);
        if signed_in {
            run();
        } else if was_signed_in == Some(true) {
            ver.clear();
        }
        signed_in
    });
    let signed_in = move || session.signed_in.with(Option::is_some);
    let graph_sign_in = move |_| {
        let Some(signed) = session.signed_in.get_untracked() else {
            return;
        };
        let draft = wizard.draft.get_untracked();
        let verdicts = ver.verdicts.get_untracked();
        if let Err(d) = verify::start_graph_sign_in(&signed, &draft, &verdicts) {
            ver.graph_note.set(Some(format!("{} {}", d.title, d.cause)));
        }
    };
    view! {
        <section class="verification" role="region" aria-labelledby="verification-title">
            <h2 id="verification-title">"Setup verification"</h2>
            <super::setup::SetUpForMe />
            <Show
                when=move || signed_in() || ver.verdicts.with(|v| !v.is_empty())
                fallback=|| view! {
                    <p>"Sign in above: the wizard then checks every setup step live (the app registration through Microsoft Graph, the application user through Dataverse) and says what is wrong and how to fix it."</p>
                }
            >
                <Show
                    when=signed_in
                    fallback=|| view! {
                        <p class="note">"The app-registration results came with the sign-in for Microsoft Graph; the application user, its roles and the environment were checked before it, through Dataverse. To check those again, sign in above."</p>
                    }
                >
                    <div class="actions">
                        <button type="button" class="secondary" on:click=move |_| {
                            ver.notice.set(None);
                            ver.new_secret.set(None);
                            run();
                        } disabled=move || ver.running.get()>
                            "Verify again"
                        </button>
                    </div>
                </Show>
                {move || ver.running.get().then(|| view! { <p role="status">"Checking every setup step…"</p> })}
                {move || ver.waiting.get().map(|w| view! { <p class="msg warning" role="status">{w}</p> })}
                {move || (!ver.running.get() && ver.waits.get() > 0).then(|| {
                    let n = ver.waits.get();
                    view! {
                        <p class="note">{format!(
                            "A service was busy and asked the wizard to wait {n} time{} (HTTP 429 or 503, Retry-After); each of those reads was tried again.",
                            if n == 1 { "" } else { "s" }
                        )}</p>
                    }
                })}
                {move || ver.notice.get().map(|n| view! { <p class="msg ok" role="status">{n}</p> })}
                {move || ver.new_secret.get().map(|s| view! {
                    <p class="msg ok">"The new client secret's value, shown this once (it is already in the Client secret value field): " <code>{s.expose().to_string()}</code></p>
                })}
                {move || ver.graph_note.get().map(|n| view! { <p class="note">{n}</p> })}
                <Show when=move || ver.graph_sign_in.get() && signed_in()>
                    <div class="actions">
                        <button type="button" class="primary" on:click=graph_sign_in>"Sign in to Microsoft Graph"</button>
                    </div>
                    <p class="hint">"A second sign-in, asking for Application.Read.All and Directory.Read.All only. The Dataverse results below are kept; the Dataverse sign-in ends with the redirect (tokens live in memory only)."</p>
                </Show>
                {move || ver.environments.with(|e| !e.is_empty()).then(|| view! {
                    <h3>"The app registration (Microsoft Entra ID), once for every environment"</h3>
                })}
                <ul class="verdicts">
                    {move || {
                        // With several environments, each one's Dataverse checks have a region.
                        let several = ver.environments.with(|e| !e.is_empty());
                        ver.verdicts
                            .get()
                            .into_iter()
                            .filter(|v| !several || CheckId::graph_checks().any(|c| c == v.check))
                            .map(|v| view! { <VerdictItem verdict=v /> })
                            .collect_view()
                    }}
                </ul>
                {move || ver.environments.get().into_iter().enumerate().map(|(i, e)| {
                    let title_id = format!("verification-title-{i}");
                    let labelled_by = title_id.clone();
                    view! {
                        <section class="verification environment" role="region" aria-labelledby=labelled_by>
                            <h3 id=title_id>{format!("Setup verification: {}", e.label)}</h3>
                            <p class="hint"><code>{e.url.clone()}</code></p>
                            <ul class="verdicts">
                                {e.verdicts.into_iter().map(|v| view! { <VerdictItem verdict=v env=i /> }).collect_view()}
                            </ul>
                        </section>
                    }
                }).collect_view()}
            </Show>
        </section>
    }
}

/// One verdict; `env` is the index of its environment in [`wizard_core::draft::Draft::per_environment`]
/// (0, the form's, for the app-registration checks).
#[component]
fn VerdictItem(verdict: Verdict, #[prop(optional)] env: usize) -> impl IntoView {
    let ver = Verification::expect();
    let check = verdict.check;
    let step = check.step();
    let class = verdict_class(&verdict);
    let head = format!("{} {}", verdict.symbol(), check.name());
    let words = format!(" ({})", verdict_words(&verdict));
    let go = view! {
        <A href=format!("/setup/{}", step.slug())>{format!("Fix it on step {}: {}", step.number(), step.title())}</A>
    };
    let body = match verdict.outcome.clone() {
        Outcome::Verified { evidence } => view! { <p>{evidence}</p> }.into_any(),
        Outcome::NotCheckable { reason } => view! { <p>{reason}</p> }.into_any(),
        Outcome::Warning {
            cause,
            evidence,
            fix,
        }
        | Outcome::Wrong {
            cause,
            evidence,
            fix,
        } => view! {
            <dl>
                <dt>"Cause"</dt><dd>{cause}</dd>
                <dt>"Evidence"</dt><dd>{evidence}</dd>
                <dt>"Fix"</dt><dd>{fix} " " {go}</dd>
            </dl>
        }
        .into_any(),
    };
    // The fix calls Dataverse: only with the sign-in's token.
    let session = Session::expect();
    let create_user = (verdict.action == Some(FixAction::CreateApplicationUser)).then(|| {
        view! {
            <Show when=move || session.signed_in.with(Option::is_some)>
                <CreateUserFix env />
            </Show>
        }
    });
    let secret_fix = (check == wizard_core::verify::CheckId::ClientSecret
        && !matches!(verdict.outcome, Outcome::Verified { .. }))
    .then(|| {
        view! {
            {move || {
                let can = ver.graph.with(|g| g.as_ref().is_some_and(fixes::can_add_secret))
                    && ver.application_object_id.with(Option::is_some);
                if can {
                    view! { <NewSecretFix /> }.into_any()
                } else if ver.graph.with(Option::is_some) {
                    view! { <p class="note">"Creating a new client secret from here needs the Graph permission Application.ReadWrite.All, consented by an admin (see step 2)."</p> }.into_any()
                } else {
                    // No Graph token at all: the region already says why.
                    ().into_any()
                }
            }}
        }
    });
    // A secret that works still expires: offer the calendar reminder beside its verdict.
    let reminder = (check == wizard_core::verify::CheckId::ClientSecret && verdict.is_ok())
        .then(|| view! { <crate::components::ReminderButton /> });
    view! {
        <li class=class>
            <strong>{head}</strong>
            <span class="visually-hidden">{words}</span>
            {body}
            {create_user}
            {secret_fix}
            {reminder}
        </li>
    }
}

/// Runs the checks again (for the fixes), and the verification context.
fn rerun() -> (impl Fn() + Copy, Verification) {
    let (wizard, session, ver) = (Wizard::expect(), Session::expect(), Verification::expect());
    (move || run_checks(wizard, session, ver), ver)
}

/// A caller for environment `env` of the setup (the sign-in's token, or one exchanged for it),
/// and that environment's draft.
async fn environment_caller(
    wizard: Wizard,
    session: Session,
    ver: Verification,
    env: usize,
) -> Result<(wizard_core::draft::Draft, verify::Caller), String> {
    let signed = session
        .signed_in
        .get_untracked()
        .ok_or_else(|| "Sign in first.".to_string())?;
    let draft = wizard
        .draft
        .with_untracked(|d| d.per_environment().get(env).cloned())
        .ok_or_else(|| "This environment is no longer in the setup.".to_string())?;
    let caller = verify::Caller::new(signed.token.secret(), ver.notify());
    let caller = verify::environment_caller(&signed, &draft, &caller).await?;
    Ok((draft, caller))
}

/// *Create the application user*: load the plan, show the request and a role select, send.
#[component]
fn CreateUserFix(env: usize) -> impl IntoView {
    let wizard = Wizard::expect();
    let session = Session::expect();
    let rerun = rerun();
    let plan = RwSignal::new(None::<Result<fixes::CreateUserPlan, String>>);
    let role = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let ver = rerun.1;
    let prepare = move |_| {
        outcome.set(None);
        spawn_local(async move {
            let (draft, caller) = match environment_caller(wizard, session, ver, env).await {
                Ok(x) => x,
                Err(e) => {
                    plan.set(Some(Err(e)));
                    return;
                }
            };
            let p = fixes::plan_create_user(&draft, &caller).await;
            if let Ok(p) = &p {
                role.set(p.default_role.clone().unwrap_or_default());
            }
            plan.set(Some(p));
        });
    };
    let send = move |_| {
        let Some(Ok(p)) = plan.get_untracked() else {
            return;
        };
        let role_id = role.get_untracked();
        busy.set(true);
        spawn_local(async move {
            let (draft, caller) = match environment_caller(wizard, session, ver, env).await {
                Ok(x) => x,
                Err(e) => {
                    busy.set(false);
                    outcome.set(Some(Err(e)));
                    return;
                }
            };
            let r = fixes::send_create_user(&draft, &caller, &p, &role_id).await;
            busy.set(false);
            plan.set(None);
            match r {
                // The list is rebuilt by the new run: the outcome goes to the region's notice,
                // and the run reads again until the new user shows.
                Ok(m) => {
                    ver.notice.set(Some(m));
                    ver.awaited_users
                        .update(|a| a.push(draft.environment_url.clone()));
                    (rerun.0)();
                }
                Err(e) => outcome.set(Some(Err(e))),
            }
        });
    };
    view! {
        <div class="fix">
            <button type="button" class="primary" on:click=prepare>"Create the application user"</button>
            {move || plan.get().map(|p| match p {
                Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
                Ok(p) => view! {
                    <div class="confirm" role="group" aria-label="Confirm: create the application user">
                        <p>"The wizard will send this request, as you:"</p>
                        <pre class="request">{p.create.display()}</pre>
                        <p>"then assign the role you choose to the new row named in the answer's OData-EntityId header (POST …/systemusers(new id)/systemuserroles_association/$ref). If an application user for this app turns up meanwhile, nothing is created twice."</p>
                        <label for="new-user-role">"Security role"</label>
                        <select id="new-user-role" on:change:target=move |ev| role.set(ev.target().value()) prop:value=move || role.get()>
                            {p.roles.iter().map(|r| {
                                let id = r.roleid.clone();
                                let name = r.name.clone().unwrap_or_else(|| id.clone());
                                view! { <option value=id.clone() selected=move || role.get() == id>{name}</option> }
                            }).collect_view()}
                        </select>
                        <div class="actions">
                            <button type="button" class="primary" on:click=send disabled=move || busy.get()>"Send: create the application user"</button>
                            <button type="button" class="secondary" on:click=move |_| plan.set(None)>"Cancel"</button>
                        </div>
                    </div>
                }.into_any(),
            })}
            {move || busy.get().then(|| view! { <p role="status">"Creating the application user…"</p> })}
            {move || outcome.get().map(|r| match r {
                Ok(m) => view! { <p class="msg ok" role="status">{m}</p> }.into_any(),
                Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
            })}
        </div>
    }
}

/// *Create a new client secret*: choose the expiry, show the request, send, fill the field.
#[component]
fn NewSecretFix() -> impl IntoView {
    let wizard = Wizard::expect();
    let ver = Verification::expect();
    let rerun = rerun();
    let months = RwSignal::new(6u32);
    let request = RwSignal::new(None::<wizard_core::verify::ApiRequest>);
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let prepare = move |_| {
        let Some(app) = ver.application_object_id.get_untracked() else {
            return;
        };
        outcome.set(None);
        request.set(wizard.draft.with_untracked(|d| {
            fixes::add_secret_request(d, &app, wizard.today, months.get_untracked())
        }));
    };
    let send = move |_| {
        let (Some(req), Some(graph)) = (request.get_untracked(), ver.graph.get_untracked()) else {
            return;
        };
        busy.set(true);
        let caller = verify::Caller::new(graph.token.secret(), ver.notify());
        spawn_local(async move {
            match fixes::send_add_secret(&req, &caller).await {
                Ok(new) => {
                    ver.awaited.update(|a| {
                        a.push(Awaited::Secret {
                            key_id: new.key_id.clone(),
                        })
                    });
                    wizard.set_field(FieldId::ClientSecret, new.secret.expose().to_string());
                    if let Some(e) = new.expires.clone() {
                        wizard.set_field(FieldId::SecretExpires, e);
                    }
                    ver.new_secret.set(Some(new.secret.clone()));
                    ver.notice.set(Some(format!(
                        "Created the secret {} (expires {}); its value is now in the Client secret value field (this tab only).",
                        new.key_id,
                        new.expires.as_deref().unwrap_or("?")
                    )));
                    (rerun.0)();
                }
                Err(e) => outcome.set(Some(Err(e))),
            }
            busy.set(false);
            request.set(None);
        });
    };
    view! {
        <div class="fix">
            <label for="new-secret-months">"New secret expires in"</label>
            <select id="new-secret-months" on:change:target=move |ev| months.set(ev.target().value().parse().unwrap_or(6))>
                {fixes::EXPIRY_MONTHS.iter().map(|&m| view! {
                    <option value=m.to_string() selected=m == 6>{format!("{m} months")}</option>
                }).collect_view()}
            </select>
            <button type="button" class="primary" on:click=prepare>"Create a new client secret"</button>
            {move || request.get().map(|r| view! {
                <div class="confirm" role="group" aria-label="Confirm: create a new client secret">
                    <p>"The wizard will send this request to Microsoft Graph, as you:"</p>
                    <pre class="request">{r.display()}</pre>
                    <div class="actions">
                        <button type="button" class="primary" on:click=send disabled=move || busy.get()>"Send: create the secret"</button>
                        <button type="button" class="secondary" on:click=move |_| request.set(None)>"Cancel"</button>
                    </div>
                </div>
            })}
            {move || outcome.get().map(|r| match r {
                Ok(m) => view! { <p class="msg ok" role="status">{m}</p> }.into_any(),
                Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
            })}
        </div>
    }
}
