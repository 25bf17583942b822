//! "Set it up for me" (issue 22): the plan (each step's exact request, read fresh, included only
//! when needed, with what it needs and whether the person seems to have it) and its run (each
//! step read again just before it writes, so a second run changes nothing; progress and a log
//! without secrets in this tab's sessionStorage, so a reload continues where it stopped). The
//! requests and merges are [`wizard_core::setup`]'s; the application user is the existing fix's.

use super::browser::{self, Store};
use super::verify::{fixes, Caller};
use wizard_core::{
    draft::Draft,
    fields::Guid,
    setup::{self, ConsentAction, DirectoryRole, Progress, StepId, StepState},
    verify::{
        self, requests, ApiRequest, Application, GraphList, NewSecret, OAuth2PermissionGrant,
    },
};

/// sessionStorage key of the run's [`Progress`] (no token, no secret).
pub const PROGRESS_KEY: &str = "dataverse-wizard.v1.setup-progress";
/// sessionStorage key set while the setup's sign-in for Graph is under way: run on return.
pub const RESUME_KEY: &str = "dataverse-wizard.v1.setup-resume";

/// Months a secret created by the plan lives (the fix's default).
const SECRET_MONTHS: u32 = 6;

/// Everything a plan or a run reads from the page.
#[derive(Clone)]
pub struct Inputs {
    /// What the user typed (the secret too: compared locally, never sent).
    pub draft: Draft,
    /// Today, for the secret's expiry.
    pub today: chrono::NaiveDate,
    /// The wizard's SPA redirect URI.
    pub spa_redirect: String,
    /// Microsoft Graph, with the best token there is (read for the plan, write for the run).
    pub graph: Caller,
    /// One caller per environment of the setup (or why there is none), in
    /// [`Draft::per_environment`] order.
    pub environments: Vec<(Draft, Result<Caller, String>)>,
    /// Whether discovery said the person is System Administrator, per environment.
    pub sys_admin: Vec<Option<bool>>,
}

/// One step as the plan shows it.
#[derive(Clone, Debug)]
pub struct PlannedStep {
    /// Which step.
    pub id: StepId,
    /// What it does, with the environment's name for the application user.
    pub label: String,
    /// The exact request (for the application user: the create; the role follows it). `None`
    /// when the reads it is made from were refused (HTTP 403): an administrator's step.
    pub request: Option<ApiRequest>,
    /// Whether the person seems to have the right (`None`: cannot tell).
    pub allowed: Option<bool>,
}

/// The plan: the steps needed now, the person's directory roles, the roles an application user
/// can get (by name, from the first environment), and what could not be read.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// The steps, in the order they run.
    pub steps: Vec<PlannedStep>,
    /// The person's directory roles.
    pub roles: Vec<DirectoryRole>,
    /// Security role names for the new application users (chosen once).
    pub user_roles: Vec<String>,
    /// The preselected one.
    pub default_user_role: Option<String>,
    /// Reads that failed, in plain words (the plan then leaves those steps out).
    pub notes: Vec<String>,
}

/// What the Graph reads found.
struct Observed {
    app: Option<Application>,
    app_body: String,
    sp: Option<Guid>,
    dynamics: Option<(Guid, String)>,
    grants: Option<Vec<OAuth2PermissionGrant>>,
}

fn first<T: serde::de::DeserializeOwned>(body: &str) -> Option<T> {
    serde_json::from_str::<GraphList<T>>(body)
        .ok()
        .and_then(|l| l.value.into_iter().next())
}

async fn observe(d: &Draft, client: &Guid, graph: &Caller) -> Result<Observed, String> {
    let apps = graph
        .list(&requests::graph_application(d.cloud, client))
        .await;
    if !apps.ok() {
        return Err(format!(
            "Microsoft Graph answered HTTP {} to the app registration read.",
            apps.status
        ));
    }
    let app: Option<Application> = first(&apps.body);
    let sps = graph
        .list(&requests::graph_service_principal(d.cloud, client))
        .await;
    let sp = first::<verify::ServicePrincipal>(&sps.body).and_then(|s| Guid::parse(&s.id).ok());
    let dyn_sp = graph
        .send(&requests::graph_dynamics_crm_service_principal(d.cloud))
        .await;
    let dynamics = serde_json::from_str::<serde_json::Value>(&dyn_sp.body)
        .ok()
        .and_then(|v| {
            let id = Guid::parse(v.get("id")?.as_str()?).ok()?;
            Some((id, setup::user_impersonation_id(&dyn_sp.body)?))
        });
    // `None` when the consents could not be read (HTTP 403 without a directory role): the plan
    // then says nothing about consent rather than guess it is missing.
    let grants = match &sp {
        Some(sp) => {
            let g = graph
                .list(&requests::graph_permission_grants(d.cloud, sp))
                .await;
            g.ok()
                .then(|| serde_json::from_str::<GraphList<OAuth2PermissionGrant>>(&g.body).ok())
                .flatten()
                .map(|l| l.value)
        }
        None => Some(Vec::new()),
    };
    Ok(Observed {
        app,
        app_body: apps.body,
        sp,
        dynamics,
        grants,
    })
}

/// The Graph steps' requests now (each `None` when already right), read fresh.
async fn graph_requests(i: &Inputs) -> Result<Vec<(StepId, ApiRequest)>, String> {
    let d = &i.draft;
    let client = d
        .client_id()
        .ok_or_else(|| "Enter the Application (client) ID first (step 4).".to_string())?;
    let seen = observe(d, &client, &i.graph).await?;
    let Some(app) = &seen.app else {
        return Err("No app registration has this Application (client) ID in this tenant.".into());
    };
    let mut out = Vec::new();
    if seen.sp.is_none() {
        out.push((
            StepId::EnterpriseApplication,
            setup::create_service_principal(d.cloud, &client),
        ));
    }
    if let Some((_, scope_id)) = &seen.dynamics {
        if let Some(r) = setup::permission_patch(d.cloud, app, scope_id) {
            out.push((StepId::DynamicsPermission, r));
        }
    }
    let web = (d.grant_type == wizard_core::fields::GrantType::AuthorizationCode)
        .then(|| d.connector_redirect_url.trim())
        .filter(|w| !w.is_empty());
    if let Some(r) = setup::redirect_patch(d.cloud, app, &i.spa_redirect, web) {
        out.push((StepId::Redirects, r));
    }
    if let (Some((dyn_id, _)), Some(grants)) = (&seen.dynamics, &seen.grants) {
        // Without the Enterprise application yet, the consent names the one the step before
        // creates.
        let sp = seen
            .sp
            .as_ref()
            .map_or(setup::NEW_SERVICE_PRINCIPAL.to_string(), Guid::to_string);
        match setup::consent_action(d.cloud, grants, &sp, dyn_id) {
            ConsentAction::Granted => {}
            ConsentAction::Create(r) | ConsentAction::Extend(r) => {
                out.push((StepId::AdminConsent, r))
            }
        }
    }
    let secret =
        verify::check_client_secret(&seen.app_body, client.as_str(), &d.client_secret, i.today);
    if !secret.verdict.is_ok() {
        if let Some(r) = Guid::parse(&app.id)
            .ok()
            .and_then(|id| fixes::add_secret_request(d, &id, i.today, SECRET_MONTHS))
        {
            out.push((StepId::ClientSecret, r));
        }
    }
    Ok(out)
}

/// The application user's create in environment `n`, when there is none yet.
async fn user_request(
    env: &Draft,
    caller: &Caller,
) -> Result<Option<fixes::CreateUserPlan>, String> {
    let (Some(url), Some(client)) = (env.environment(), env.client_id()) else {
        return Err("The Environment URL or the client ID is missing.".into());
    };
    let users = caller
        .list(&requests::dataverse_application_user(
            &url,
            env.api_version,
            &client,
        ))
        .await;
    if users.ok() && verify::application_user_id(&users.body, client.as_str()).is_some() {
        return Ok(None);
    }
    fixes::plan_create_user(env, caller).await.map(Some)
}

/// Reads everything and lists the steps needed now.
pub async fn plan(i: &Inputs) -> Plan {
    let mut plan = Plan::default();
    // A step this tab's run already did is not planned again, whatever a read says now: the
    // directory may not show a new secret or service principal yet (Graph replication), and the
    // run would skip it anyway.
    let progress = saved_progress(i.draft.client_id.trim());
    let done = |id: StepId| progress.state(id) == StepState::Done;
    let me = i.graph.send(&setup::my_roles_request(i.draft.cloud)).await;
    plan.roles = setup::roles_of(&me.body);
    match graph_requests(i).await {
        Ok(steps) => {
            for (id, request) in steps.into_iter().filter(|(id, _)| !done(*id)) {
                plan.steps.push(PlannedStep {
                    id,
                    label: id.title().to_string(),
                    allowed: id.seems_allowed(&plan.roles, None),
                    request: Some(request),
                });
            }
        }
        Err(e) => plan.notes.push(e),
    }
    for (n, (env, caller)) in i.environments.iter().enumerate() {
        let label = format!(
            "{} in {}",
            StepId::ApplicationUser(0).title(),
            env.environment_label()
        );
        let caller = match caller {
            Ok(c) => c,
            Err(e) => {
                plan.notes.push(format!("{}: {e}", env.environment_label()));
                continue;
            }
        };
        let id = StepId::ApplicationUser(u8::try_from(n).unwrap_or(u8::MAX));
        if done(id) {
            continue;
        }
        match user_request(env, caller).await {
            Ok(None) => {}
            Ok(Some(p)) => {
                if plan.user_roles.is_empty() {
                    plan.user_roles = p.roles.iter().filter_map(|r| r.name.clone()).collect();
                    plan.default_user_role = p
                        .roles
                        .iter()
                        .find(|r| Some(&r.roleid) == p.default_role.as_ref())
                        .and_then(|r| r.name.clone());
                }
                plan.steps.push(PlannedStep {
                    id,
                    label,
                    allowed: id.seems_allowed(&plan.roles, i.sys_admin.get(n).copied().flatten()),
                    request: Some(p.create),
                });
            }
            // Refused: you may not do it there; an administrator's step.
            Err(e) if e.contains("HTTP 403") => {
                plan.steps.push(PlannedStep {
                    id,
                    label,
                    allowed: Some(false),
                    request: None,
                });
                plan.notes.push(format!("{}: {e}", env.environment_label()));
            }
            Err(e) => plan.notes.push(format!("{}: {e}", env.environment_label())),
        }
    }
    plan
}

/// What a run changed that the page fills in.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// A secret the plan created (its value shown once, then in the secret field).
    pub secret: Option<NewSecret>,
    /// The Enterprise application's Object ID.
    pub object_id: Option<String>,
    /// The app registration's display name.
    pub app_name: Option<String>,
    /// Environments (URLs as in the draft) where an application user was created.
    pub users_created: Vec<String>,
}

/// The saved progress of this tab, for the app `client_id` (another app's is not resumed).
pub fn saved_progress(client_id: &str) -> Progress {
    browser::get_item(Store::Session, PROGRESS_KEY)
        .ok()
        .flatten()
        .and_then(|s| serde_json::from_str::<Progress>(&s).ok())
        .filter(|p| p.client_id == client_id)
        .unwrap_or_else(|| Progress {
            client_id: client_id.to_string(),
            ..Progress::default()
        })
}

fn save(p: &Progress) {
    if let Ok(json) = serde_json::to_string(p) {
        // Best effort: without it a reload starts the plan again, which is safe (it reads first).
        let _ = browser::set_item(Store::Session, PROGRESS_KEY, &json);
    }
}

fn now_text() -> String {
    browser::now_utc().format("%H:%M:%S").to_string()
}

/// Runs the plan: each step read again just before it writes (left out when already right),
/// the Graph steps with `i.graph` (a token with the write permissions), the application users
/// with the role named `user_role`. `report` is told after every step; `keep_secret` gets a new
/// client secret as soon as it is created (its value is shown only once: a reload before the run
/// ends must not lose it). Steps that fail or are refused do not stop the others.
pub async fn run(
    i: &Inputs,
    user_role: &str,
    report: impl Fn(&Progress),
    keep_secret: impl Fn(&NewSecret),
) -> Outcome {
    let client = i.draft.client_id.trim().to_string();
    let mut progress = saved_progress(&client);
    progress.user_role = user_role.to_string();
    let mut out = Outcome::default();
    let mut created_sp: Option<String> = None;
    let tell = |p: &Progress| {
        save(p);
        report(p);
    };
    // The Graph steps, in order; each step's request is computed again right before it runs.
    for step in [
        StepId::EnterpriseApplication,
        StepId::DynamicsPermission,
        StepId::Redirects,
        StepId::AdminConsent,
        StepId::ClientSecret,
    ] {
        if matches!(progress.state(step), StepState::Done | StepState::Skipped) {
            continue;
        }
        let request = match graph_requests(i).await {
            Ok(list) => list.into_iter().find(|(s, _)| *s == step).map(|(_, r)| r),
            Err(e) => {
                progress
                    .log
                    .push(format!("{} {}: {e}", now_text(), step.title()));
                progress.set(step, StepState::Failed);
                tell(&progress);
                continue;
            }
        };
        let Some(mut request) = request else {
            progress.set(step, StepState::Skipped);
            tell(&progress);
            continue;
        };
        if let Some(body) = request.body.as_mut() {
            // The consent names the Enterprise application created a step before (directory
            // reads may not show it yet).
            if body.get("clientId").and_then(|v| v.as_str()) == Some(setup::NEW_SERVICE_PRINCIPAL) {
                match &created_sp {
                    Some(id) => body["clientId"] = serde_json::Value::String(id.clone()),
                    None => {
                        progress.log.push(format!(
                            "{} {}: the app has no Enterprise application yet (the step before did not create it).",
                            now_text(),
                            step.title()
                        ));
                        progress.set(step, StepState::Failed);
                        tell(&progress);
                        continue;
                    }
                }
            }
        }
        progress.set(step, StepState::Running);
        tell(&progress);
        let answer = i.graph.send(&request).await;
        progress.record(&now_text(), &request, answer.status, &answer.body);
        let state = match answer.status {
            s if (200..300).contains(&s) => StepState::Done,
            403 => StepState::NeedsAdmin,
            // Created meanwhile (at a consent, or by a run whose read missed it: directory reads
            // lag behind writes): already there.
            409 => StepState::Skipped,
            _ => StepState::Failed,
        };
        if state == StepState::Done {
            match step {
                StepId::ClientSecret => {
                    out.secret = verify::parse_add_password(&answer.body).ok();
                    if let Some(secret) = &out.secret {
                        keep_secret(secret);
                    }
                }
                StepId::EnterpriseApplication => {
                    created_sp = serde_json::from_str::<serde_json::Value>(&answer.body)
                        .ok()
                        .and_then(|v| v.get("id")?.as_str().map(str::to_string));
                    out.object_id.clone_from(&created_sp);
                }
                _ => {}
            }
        }
        progress.set(step, state);
        tell(&progress);
    }
    if let Some(c) = i.draft.client_id() {
        let apps = i
            .graph
            .list(&requests::graph_application(i.draft.cloud, &c))
            .await;
        out.app_name = first::<Application>(&apps.body).and_then(|a| a.display_name);
        if out.object_id.is_none() {
            let sps = i
                .graph
                .list(&requests::graph_service_principal(i.draft.cloud, &c))
                .await;
            out.object_id = first::<verify::ServicePrincipal>(&sps.body).map(|s| s.id);
        }
    }
    for (n, (env, caller)) in i.environments.iter().enumerate() {
        let step = StepId::ApplicationUser(u8::try_from(n).unwrap_or(u8::MAX));
        if matches!(progress.state(step), StepState::Done | StepState::Skipped) {
            continue;
        }
        let Ok(caller) = caller else {
            progress.set(step, StepState::Failed);
            tell(&progress);
            continue;
        };
        let plan = match user_request(env, caller).await {
            Ok(None) => {
                progress.set(step, StepState::Skipped);
                tell(&progress);
                continue;
            }
            Ok(Some(p)) => p,
            Err(e) => {
                progress
                    .log
                    .push(format!("{} {}: {e}", now_text(), env.environment_label()));
                progress.set(
                    step,
                    if e.contains("HTTP 403") {
                        StepState::NeedsAdmin
                    } else {
                        StepState::Failed
                    },
                );
                tell(&progress);
                continue;
            }
        };
        let role = plan
            .roles
            .iter()
            .find(|r| r.name.as_deref() == Some(user_role))
            .map(|r| r.roleid.clone())
            .or(plan.default_role.clone())
            .unwrap_or_default();
        progress.set(step, StepState::Running);
        tell(&progress);
        let result = fixes::send_create_user(env, caller, &plan, &role).await;
        let (status, text) = match &result {
            Ok(m) => (204, m.clone()),
            Err(e) => (if e.contains("HTTP 403") { 403 } else { 0 }, e.clone()),
        };
        progress.record(&now_text(), &plan.create, status, &text);
        let state = match (&result, status) {
            (Ok(_), _) => {
                out.users_created.push(env.environment_url.clone());
                StepState::Done
            }
            (Err(_), 403) => StepState::NeedsAdmin,
            _ => StepState::Failed,
        };
        progress.set(step, state);
        tell(&progress);
    }
    out
}
