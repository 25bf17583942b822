//! The live setup checks (issue 9): Microsoft Graph calls with a Graph token (from the sign-in's
//! refresh token), Dataverse calls with the sign-in's token; every answer goes to the pure check
//! functions of [`wizard_core::verify`], which give one [`Verdict`] per [`CheckId`]. The two
//! fixes (create the application user, create a new client secret) are in [`fixes`].
//!
//! Tokens stay in memory; the typed client secret is compared locally and never sent.

pub mod api;
pub mod fixes;

pub use api::{sleep, Answer, Caller, Notify};

use super::browser;
use super::signin::{self, GraphRefused, GraphToken, SignedIn};
use wizard_core::{
    draft::Draft,
    fields::Guid,
    verify::{
        self,
        reads::{self, Awaited},
        requests, ApiRequest, Application, CheckId, GraphList, GraphPermission, ServicePrincipal,
        Verdict,
    },
};

/// What one run of the checks found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One verdict per check, in [`CheckId::ALL`] order.
    pub verdicts: Vec<Verdict>,
    /// The matched secret's expiry (`YYYY-MM-DD`), to fill "Secret expires".
    pub secret_expires: Option<String>,
    /// The Graph token used (memory only), when one was given.
    pub graph: Option<GraphToken>,
    /// Why there is no Graph token, in plain words.
    pub graph_note: Option<String>,
    /// Whether a second sign-in (for Microsoft Graph) would give the Graph checks a token: the
    /// sign-in gave no refresh token to exchange.
    pub graph_sign_in: bool,
    /// The app registration's object `id` (for addPassword).
    pub application_object_id: Option<Guid>,
    /// How many times a service asked the wizard to wait (429/503 with Retry-After).
    pub waits: u32,
    /// With several environments: each one's Dataverse verdicts (the first's are also in
    /// `verdicts`). Empty with one environment.
    pub environments: Vec<EnvironmentVerdicts>,
}

/// One environment's Dataverse checks.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvironmentVerdicts {
    /// What the region is called after: the friendly name, else the organisation.
    pub label: String,
    /// The Environment URL as in the draft.
    pub url: String,
    /// Application user, security roles, table privileges, environment access.
    pub verdicts: Vec<Verdict>,
}

/// Why the Graph checks were skipped when the sign-in gave no refresh token.
pub const NO_REFRESH_TOKEN: &str = "The sign-in gave no refresh token (offline_access), so the \
    wizard cannot exchange it for a Microsoft Graph token. Sign in to Microsoft Graph (a second \
    sign-in, for the app-registration checks only) to run them.";

/// What each Graph check says while it waits for the second sign-in.
const WAITING_FOR_GRAPH: &str =
    "Not checked yet: this needs a Microsoft Graph token (Sign in to Microsoft Graph, above).";

/// The Graph token for the checks: the read scopes, else Application.Read.All alone; `Err` says
/// which permission is missing (or [`NO_REFRESH_TOKEN`]).
pub async fn graph_token(signed: &SignedIn, draft: &Draft) -> Result<GraphToken, String> {
    let Some(refresh) = &signed.refresh else {
        return Err(NO_REFRESH_TOKEN.to_string());
    };
    let cloud = draft.cloud;
    let both = requests::graph_read_scopes(cloud);
    match signin::graph_token(&signed.config, refresh, &both).await {
        Ok(t) => return Ok(t),
        Err(e) if !e.not_consented() => return Err(refused(&e)),
        Err(_) => {}
    }
    let one = GraphPermission::ApplicationReadAll.scope(cloud);
    signin::graph_token(&signed.config, refresh, &one)
        .await
        .map_err(|e| {
            if e.not_consented() {
                needs(GraphPermission::ApplicationReadAll)
            } else {
                refused(&e)
            }
        })
}

fn needs(p: GraphPermission) -> String {
    format!(
        "Not checkable: the wizard needs the Graph permission {}, consented by an admin (see \
         step 2). The other checks still run.",
        p.name()
    )
}

fn refused(e: &GraphRefused) -> String {
    let code = wizard_core::diagnose::aadsts_code(&e.body)
        .map(|c| format!("AADSTS{c}"))
        .unwrap_or_default();
    format!(
        "Not checkable: Entra ID did not give the wizard a Microsoft Graph token (HTTP {} {code}). \
         The other checks still run.",
        e.status
    )
}

/// Everything the checks read from the draft and the page.
pub struct Inputs {
    /// What the user typed.
    pub draft: Draft,
    /// The sign-in.
    pub signed: SignedIn,
    /// Today, for the secret's expiry.
    pub today: chrono::NaiveDate,
    /// Changes the wizard just made, which the reads should show (read again until they do).
    pub awaited: Vec<Awaited>,
    /// The environments (URLs as in the draft) where the wizard just created the application
    /// user: read again there until it shows.
    pub awaited_users: Vec<String>,
    /// Told about each wait a busy service asks for.
    pub notify: Notify,
}

/// Runs every check.
pub async fn run(inputs: Inputs) -> Report {
    let mut report = Report::default();
    let caller = Caller::new(inputs.signed.token.secret(), inputs.notify.clone());
    let graph = graph_token(&inputs.signed, &inputs.draft).await;
    let graph_verdicts = match &graph {
        Ok(token) => {
            let graph_caller = caller.with_token(token.token.secret());
            let secret = inputs
                .awaited
                .iter()
                .find(|a| matches!(a, Awaited::Secret { .. }));
            graph_checks(
                &inputs.draft,
                inputs.today,
                token,
                &graph_caller,
                secret,
                &mut report,
            )
            .await
        }
        Err(note) => {
            report.graph_note = Some(note.clone());
            report.graph_sign_in = inputs.signed.refresh.is_none();
            // The note is shown once above the list; each check says what it waits for.
            let reason = if report.graph_sign_in {
                WAITING_FOR_GRAPH.to_string()
            } else {
                note.clone()
            };
            CheckId::graph_checks()
                .map(|c| Verdict::not_checkable(c, reason.clone()))
                .collect()
        }
    };
    report.graph = graph.ok();
    let mut each = Vec::new();
    for d in inputs.draft.per_environment() {
        let user = inputs.awaited_users.contains(&d.environment_url);
        let verdicts = match environment_caller(&inputs.signed, &d, &caller).await {
            Ok(env_caller) => dataverse_checks(&d, &env_caller, user).await,
            Err(why) => DATAVERSE_CHECKS
                .iter()
                .map(|&c| Verdict::not_checkable(c, why.clone()))
                .collect(),
        };
        each.push(EnvironmentVerdicts {
            label: d.environment_label(),
            url: d.environment_url.clone(),
            verdicts,
        });
    }
    let first = each.first().map(|e| e.verdicts.clone()).unwrap_or_default();
    report.verdicts = verify::combine(graph_verdicts, first, "Not run.");
    if each.len() > 1 {
        report.environments = each;
    }
    report.waits = caller.waits();
    report
}

/// The Dataverse checks, in the order a region lists them.
const DATAVERSE_CHECKS: [CheckId; 4] = [
    CheckId::ApplicationUser,
    CheckId::SecurityRoles,
    CheckId::TablePrivileges,
    CheckId::EnvironmentAccess,
];

/// A caller for `env_draft`'s environment: the sign-in's own token when the sign-in was for it,
/// else the sign-in's refresh token exchanged for that environment's `user_impersonation`.
pub async fn environment_caller(
    signed: &SignedIn,
    env_draft: &Draft,
    caller: &Caller,
) -> Result<Caller, String> {
    let Some(env) = env_draft.environment() else {
        return Err("The Environment URL is missing or not valid.".to_string());
    };
    if wizard_core::fields::EnvironmentUrl::parse(&signed.config.environment)
        .is_ok_and(|c| c.value == env)
    {
        return Ok(caller.clone());
    }
    let Some(refresh) = &signed.refresh else {
        return Err(format!(
            "Not checked: the sign-in is for another environment and gave no refresh token to              ask for a token for {}. Work on this environment (step 4), then sign in again.",
            env.as_str()
        ));
    };
    let scope = wizard_core::entra::user_impersonation_scope(env.as_str());
    match signin::resource_token(&signed.config, refresh, &scope).await {
        Ok(token) => Ok(caller.with_token(token.secret())),
        Err(e) => Err(format!(
            "Not checked: Entra ID gave no token for {} (HTTP {}{}).",
            env.as_str(),
            e.status,
            wizard_core::diagnose::aadsts_code(&e.body)
                .map(|c| format!(" AADSTS{c}"))
                .unwrap_or_default()
        )),
    }
}

/// Reads `request` (a list) until it shows `awaited`, waiting [`reads::VISIBILITY_DELAYS_MS`]
/// between reads: the answer, and whether the change is still not visible after 30 s.
async fn read_until_visible(
    caller: &Caller,
    request: &ApiRequest,
    awaited: Option<&Awaited>,
    client_id: &str,
) -> (Answer, bool) {
    let mut answer = caller.list(request).await;
    let Some(awaited) = awaited else {
        return (answer, false);
    };
    for delay in reads::VISIBILITY_DELAYS_MS {
        if !answer.ok() || awaited.is_visible(&answer.body, client_id) {
            return (answer, false);
        }
        sleep(delay).await;
        answer = caller.list(request).await;
    }
    let missing = answer.ok() && !awaited.is_visible(&answer.body, client_id);
    (answer, missing)
}

/// sessionStorage key of the Dataverse verdicts kept across the Graph sign-in (this tab only;
/// plain text, no token).
const CARRIED_KEY: &str = "dataverse-wizard.v1.verify-carried";

/// The second sign-in, for Microsoft Graph alone (when the first gave no refresh token): keeps
/// `verdicts`' Dataverse checks in this tab's sessionStorage, then goes to Entra ID. The
/// Dataverse token does not survive the redirect (tokens live in memory only).
// A `Diagnosis` is the error the user sees; failures are rare and cold, so its size does not matter.
#[allow(clippy::result_large_err)]
pub fn start_graph_sign_in(
    signed: &SignedIn,
    draft: &Draft,
    verdicts: &[Verdict],
) -> Result<(), wizard_core::diagnose::Diagnosis> {
    let carried = verify::CarriedVerdicts::new(
        &signed.config.client_id,
        &signed.config.environment,
        verdicts,
    );
    if let Ok(json) = serde_json::to_string(&carried) {
        // Best effort: without it the Dataverse checks show as "not run" after the redirect.
        let _ = browser::set_item(browser::Store::Session, CARRIED_KEY, &json);
    }
    let scopes = requests::graph_read_scopes(draft.cloud);
    signin::start(signed.config.for_graph(&scopes))
}

/// Runs the Graph checks with the second sign-in's token (or says why there is none), beside
/// the Dataverse verdicts kept before it (taken from sessionStorage: used once, and only for the
/// same app and environment).
pub async fn run_after_graph_sign_in(
    draft: Draft,
    today: chrono::NaiveDate,
    graph: Result<GraphToken, wizard_core::diagnose::Diagnosis>,
    notify: Notify,
) -> Report {
    let carried = browser::get_item(browser::Store::Session, CARRIED_KEY)
        .ok()
        .flatten();
    browser::remove_item(browser::Store::Session, CARRIED_KEY);
    let dataverse = carried
        .and_then(|c| serde_json::from_str::<verify::CarriedVerdicts>(&c).ok())
        .and_then(|c| c.for_connection(&draft.client_id, &draft.environment_url))
        .unwrap_or_default();
    let mut report = Report::default();
    let graph_verdicts = match graph {
        Ok(graph) => {
            let caller = Caller::new(graph.token.secret(), notify);
            let verdicts = graph_checks(&draft, today, &graph, &caller, None, &mut report).await;
            report.waits = caller.waits();
            report.graph = Some(graph);
            verdicts
        }
        Err(failure) => {
            let note = format!(
                "The sign-in for Microsoft Graph failed ({}: {}), so the app-registration checks \
                 were not run.",
                failure.title, failure.cause
            );
            report.graph_note = Some(note.clone());
            CheckId::graph_checks()
                .map(|c| Verdict::not_checkable(c, note.clone()))
                .collect()
        }
    };
    report.verdicts = verify::combine(
        graph_verdicts,
        dataverse,
        "Not checked: the Dataverse checks need the sign-in above (the sign-in for Microsoft \
         Graph does not reach Dataverse). Sign in, then Verify again.",
    );
    report
}

async fn graph_checks(
    d: &Draft,
    today: chrono::NaiveDate,
    graph: &GraphToken,
    caller: &Caller,
    awaited_secret: Option<&Awaited>,
    report: &mut Report,
) -> Vec<Verdict> {
    let Some(client) = d.client_id() else {
        return CheckId::graph_checks()
            .map(|c| Verdict::not_checkable(c, "No valid Application (client) ID is entered."))
            .collect();
    };
    let cid = client.to_string();
    let (apps, secret_missing) = read_until_visible(
        caller,
        &requests::graph_application(d.cloud, &client),
        awaited_secret,
        &cid,
    )
    .await;
    let sps = caller
        .list(&requests::graph_service_principal(d.cloud, &client))
        .await;
    let dyn_sp = caller
        .send(&requests::graph_dynamics_crm_service_principal(d.cloud))
        .await;
    report.application_object_id = serde_json::from_str::<GraphList<Application>>(&apps.body)
        .ok()
        .and_then(|l| l.value.into_iter().next())
        .and_then(|a| Guid::parse(&a.id).ok());
    let sp_id = serde_json::from_str::<GraphList<ServicePrincipal>>(&sps.body)
        .ok()
        .and_then(|l| l.value.into_iter().next())
        .and_then(|s| Guid::parse(&s.id).ok());
    // The delegated permission and its consent matter only for some grant types.
    let weigh = |v: Verdict| verify::for_grant_type(v, d.grant_type);
    let mut out = Vec::new();
    let failed = |c: CheckId, a: &Answer| verify::graph_failure(c, a.status, &a.body);
    if apps.ok() {
        out.push(verify::check_app_registration(
            &apps.body,
            &cid,
            &d.app_name,
        ));
        let redirect = Some(d.connector_redirect_url.trim()).filter(|s| !s.is_empty());
        out.push(verify::check_redirects(
            &apps.body,
            &cid,
            &browser::origin(),
            d.grant_type,
            redirect,
        ));
        out.push(weigh(if dyn_sp.ok() {
            verify::check_dynamics_permission(&apps.body, &cid, &dyn_sp.body)
        } else {
            failed(CheckId::DynamicsPermission, &dyn_sp)
        }));
        let secret = verify::check_client_secret(&apps.body, &cid, &d.client_secret, today);
        report.secret_expires = secret.expires;
        out.push(match awaited_secret {
            Some(awaited) if secret_missing => reads::not_visible_yet(awaited),
            _ => secret.verdict,
        });
    } else {
        for c in [
            CheckId::AppRegistration,
            CheckId::RedirectUris,
            CheckId::DynamicsPermission,
            CheckId::ClientSecret,
        ] {
            out.push(failed(c, &apps));
        }
    }
    out.push(match (sps.ok(), apps.ok()) {
        (true, true) => verify::check_object_id(&sps.body, &apps.body, &cid, &d.object_id),
        (false, _) => failed(CheckId::ObjectId, &sps),
        (_, false) => failed(CheckId::ObjectId, &apps),
    });
    out.push(if !graph.has(GraphPermission::DirectoryReadAll.name()) {
        Verdict::not_checkable(
            CheckId::AdminConsent,
            needs(GraphPermission::DirectoryReadAll),
        )
    } else if let Some(sp_id) = sp_id {
        let grants = caller
            .list(&requests::graph_permission_grants(d.cloud, &sp_id))
            .await;
        weigh(if grants.ok() && dyn_sp.ok() {
            verify::check_admin_consent(&grants.body, &dyn_sp.body)
        } else if !grants.ok() {
            failed(CheckId::AdminConsent, &grants)
        } else {
            failed(CheckId::AdminConsent, &dyn_sp)
        })
    } else {
        Verdict::not_checkable(
            CheckId::AdminConsent,
            "The app has no Enterprise application (service principal), so no consent can exist \
             (see the Object ID check).",
        )
    });
    out
}

async fn dataverse_checks(d: &Draft, caller: &Caller, awaited_user: bool) -> Vec<Verdict> {
    let (Some(env), Some(client)) = (d.environment(), d.client_id()) else {
        return DATAVERSE_CHECKS
            .iter()
            .map(|&c| Verdict::not_checkable(c, "The Environment URL or the client ID is missing."))
            .collect();
    };
    let cid = client.to_string();
    let v = d.api_version;
    let who = caller.send(&requests::dataverse_who_am_i(&env, v)).await;
    let access = verify::check_environment_access(who.status, &who.body);
    let skip = |why: String| {
        vec![
            Verdict::not_checkable(CheckId::ApplicationUser, why.clone()),
            Verdict::not_checkable(CheckId::SecurityRoles, why.clone()),
            Verdict::not_checkable(CheckId::TablePrivileges, why),
            access.clone(),
        ]
    };
    if !who.ok() {
        return skip(
            "The environment refused the wizard's calls (see Environment access), so this was \
             not checked."
                .to_string(),
        );
    }
    let awaited = awaited_user.then_some(&Awaited::ApplicationUser);
    let (users, user_missing) = read_until_visible(
        caller,
        &requests::dataverse_application_user(&env, v, &client),
        awaited,
        &cid,
    )
    .await;
    if !users.ok() {
        return skip(format!(
            "Dataverse answered HTTP {} to the application-user query, so this was not checked.",
            users.status
        ));
    }
    let user_verdict = if user_missing {
        reads::not_visible_yet(&Awaited::ApplicationUser)
    } else {
        verify::check_application_user(&users.body, &cid)
    };
    let roles = verify::check_security_roles(&users.body, &cid);
    let the_user = verify::application_user_id(&users.body, &cid);
    let no_role = matches!(roles.outcome, verify::Outcome::Wrong { .. });
    let table = match the_user {
        _ if d.entity.trim().is_empty() => verify::no_table_chosen(),
        Some(_) if no_role => Verdict::not_checkable(
            CheckId::TablePrivileges,
            "The application user has no security role (see Security roles), so it can read no \
             table yet: assign a role, then Verify again.",
        ),
        None => Verdict::not_checkable(
            CheckId::TablePrivileges,
            "There is no application user to read privileges of (see the Application user \
             check).",
        ),
        Some(id) => table_privileges(d, caller, &env, &id).await,
    };
    vec![user_verdict, roles, table, access]
}

/// Check 9: the typed entity set's table and its privilege names, then which of them the
/// application user holds (roles and teams).
async fn table_privileges(
    d: &Draft,
    caller: &Caller,
    env: &wizard_core::fields::EnvironmentUrl,
    user: &Guid,
) -> Verdict {
    let v = d.api_version;
    let not_checked = |what: &str, status: u16| {
        Verdict::not_checkable(
            CheckId::TablePrivileges,
            format!("Dataverse answered HTTP {status} to {what}, so this was not checked."),
        )
    };
    let defs = caller
        .list(&requests::dataverse_table_definition(env, v, &d.entity))
        .await;
    if !defs.ok() {
        return not_checked("the table definition query", defs.status);
    }
    let table = match verify::table_access(&defs.body, &d.entity, d.writes) {
        Ok(t) => t,
        Err(verdict) => return verdict,
    };
    let held = caller
        .send(&requests::dataverse_user_privileges_by_names(
            env,
            v,
            user,
            &table.privilege_names(),
        ))
        .await;
    if held.ok() {
        verify::check_table_privileges(&table, &held.body)
    } else {
        not_checked("RetrieveUserSetOfPrivilegesByNames", held.status)
    }
}
