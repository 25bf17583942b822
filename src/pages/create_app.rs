//! Step 4's "Create the app registration for me", offered only when the deployment's
//! `config.json` names a setup app and no Application (client) ID is entered: sign in with the
//! setup app, see the exact `POST /applications`, confirm, and the new app's client ID and name
//! fill the fields. "Set it up for me" (step 7) then does the rest.

use crate::{
    components::DiagnosisView,
    services::{signin, verify},
    state::{Session, Verification, Wizard},
};
use leptos::{prelude::*, task::spawn_local};
use wizard_core::{
    auth::{SignInConfig, SignInPurpose},
    deploy::DeployConfig,
    draft::FieldId,
    fields::GrantType,
    setup::{create_application, user_impersonation_id, write_scopes},
    verify::{requests, ApiRequest},
};

/// The group; nothing without a setup app, or once a client ID is entered.
#[component]
pub fn CreateAppRegistration() -> impl IntoView {
    let (wizard, session, ver) = (Wizard::expect(), Session::expect(), Verification::expect());
    // The deployment's config.json, read here (not at start-up) and only while no client ID is
    // entered: nothing else needs it.
    let deploy = RwSignal::new(None::<DeployConfig>);
    if wizard
        .draft
        .with_untracked(|d| d.client_id.trim().is_empty())
    {
        spawn_local(async move {
            match crate::services::deploy::load().await {
                Ok(c) => deploy.set(c),
                // A deployment mistake: said in the console for whoever deployed it.
                Err(e) => leptos::logging::warn!("{e}"),
            }
        });
    }
    let setup_app = move || deploy.with(|d| d.as_ref().and_then(|d| d.setup_client_id.clone()));
    let request = RwSignal::new(None::<Result<ApiRequest, String>>);
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    // The setup app's sign-in, when it is the one in the session.
    let setup_token = move || {
        let app = setup_app()?;
        session.setup.with(|s| {
            s.as_ref()
                .filter(|s| s.config.client_id == app.to_string())
                .map(|s| s.token.secret().to_string())
        })
    };
    let sign_in = move |_| {
        let Some(app) = setup_app() else {
            return;
        };
        let (cloud, tenant) = wizard.draft.with_untracked(|d| (d.cloud, d.tenant()));
        let config = SignInConfig {
            login_base: cloud.profile().login_base.to_string(),
            tenant: tenant.map_or("organizations".to_string(), |t| t.as_str().to_string()),
            client_id: app.to_string(),
            redirect_uri: super::steps::spa_redirect(),
            environment: cloud.profile().graph_base.to_string(),
            purpose: SignInPurpose::Setup {
                scopes: write_scopes(cloud),
            },
        };
        if let Err(d) = signin::start(config) {
            session.setup_failure.set(Some(d));
        }
    };
    // Signed in with the setup app: read Dynamics CRM's permission id, show the request.
    Effect::new(move |_| {
        let Some(token) = setup_token() else {
            return;
        };
        if request.with_untracked(Option::is_some) {
            return;
        }
        let d = wizard.draft.get_untracked();
        let caller = verify::Caller::new(&token, ver.notify());
        spawn_local(async move {
            let sp = caller
                .send(&requests::graph_dynamics_crm_service_principal(d.cloud))
                .await;
            let web = (d.grant_type == GrantType::AuthorizationCode)
                .then(|| d.connector_redirect_url.trim().to_string());
            request.set(Some(
                user_impersonation_id(&sp.body)
                    .map(|scope| {
                        create_application(
                            d.cloud,
                            &d.app_name,
                            &super::steps::spa_redirect(),
                            web.as_deref(),
                            &scope,
                        )
                    })
                    .ok_or_else(|| {
                        format!(
                            "Microsoft Graph answered HTTP {} to the Dynamics CRM service principal read: the wizard needs its user_impersonation id.",
                            sp.status
                        )
                    }),
            ));
        });
    });
    let create = move |_| {
        let (Some(token), Some(Ok(req))) = (setup_token(), request.get_untracked()) else {
            return;
        };
        busy.set(true);
        let caller = verify::Caller::new(&token, ver.notify());
        spawn_local(async move {
            let answer = caller.send(&req).await;
            let created = serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .filter(|_| answer.ok())
                .and_then(|v| {
                    let app_id = v.get("appId")?.as_str()?.to_string();
                    let name = v.get("displayName")?.as_str()?.to_string();
                    Some((app_id, name))
                });
            match created {
                Some((app_id, name)) => {
                    wizard.set_field(FieldId::ClientId, app_id.clone());
                    wizard.set_field(FieldId::AppName, name.clone());
                    // The tenant of the sign-in, when none was typed.
                    let tid = session.setup.with_untracked(|s| {
                        s.as_ref()
                            .and_then(|s| s.evidence.id_claims.as_ref())
                            .and_then(|c| c.tid.clone())
                    });
                    if let Some(tid) =
                        tid.filter(|_| wizard.draft.with_untracked(|d| d.tenant().is_none()))
                    {
                        wizard.set_field(FieldId::TenantId, tid);
                    }
                    outcome.set(Some(Ok(format!(
                        "Created the app registration \u{201c}{name}\u{201d}: its Application (client) ID {app_id} is in the field above. Choose your environments, then on step 7 sign in and Set it up for me does the rest (Enterprise application, consent, secret, application users)."
                    ))));
                }
                None => outcome.set(Some(Err(format!(
                    "Microsoft Graph answered HTTP {} to POST /applications: {}",
                    answer.status,
                    wizard_core::setup::redact(answer.body.trim())
                )))),
            }
            busy.set(false);
        });
    };
    let offered = move || {
        setup_app().is_some()
            && (wizard.draft.with(|d| d.client_id.trim().is_empty())
                || outcome.with(Option::is_some))
    };
    view! {
        <Show when=offered>
            <section class="create-app" role="region" aria-labelledby="create-app-title">
                <h3 id="create-app-title">"Create the app registration for me"</h3>
                <p class="hint">"This deployment has a setup app: sign in with it and the wizard creates the Data Sync app registration (single tenant, the redirect URIs, the Dynamics CRM permission), showing the request first. Nobody needs the Entra portal."</p>
                <Show when=move || setup_token().is_none()>
                    <div class="actions">
                        <button type="button" class="primary" on:click=sign_in>"Sign in with the setup app"</button>
                    </div>
                </Show>
                {move || session.setup_failure.get().map(|d| view! { <DiagnosisView diagnosis=d /> })}
                {move || request.get().map(|r| match r {
                    Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
                    Ok(req) => view! {
                        <div class="confirm" role="group" aria-label="Confirm: create the app registration">
                            <p>"The wizard will send this request to Microsoft Graph, as you:"</p>
                            <pre class="request">{req.display()}</pre>
                            <Show when=move || outcome.with(Option::is_none)>
                                <button type="button" class="primary" on:click=create disabled=move || busy.get()>"Create the app registration"</button>
                            </Show>
                        </div>
                    }.into_any(),
                })}
                {move || outcome.get().map(|r| match r {
                    Ok(m) => view! { <p class="msg ok" role="status">{m}</p> }.into_any(),
                    Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
                })}
            </section>
        </Show>
    }
}
