//! The two one-click fixes: create the application user (with a security role chosen from its
//! business unit's roles) and create a new client secret. The page shows each request
//! ([`ApiRequest::display`]) before calling the `send_*` function here.

use super::{send, sleep, Answer};
use crate::services::signin::GraphToken;
use wizard_core::{
    draft::Draft,
    fields::Guid,
    verify::{
        self, requests, ApiRequest, GraphPermission, Method, NewSecret, Role, SYSTEM_ADMINISTRATOR,
    },
    webapi,
};

/// The default role offered for a new application user, when the business unit has it.
pub const DEFAULT_ROLE: &str = "Basic User";

/// What creating the application user will do: the request, and the roles to choose from.
#[derive(Clone, Debug)]
pub struct CreateUserPlan {
    /// `POST systemusers`, shown before it is sent.
    pub create: ApiRequest,
    /// The roles of the signed-in user's business unit (never System Administrator by default).
    pub roles: Vec<Role>,
    /// The preselected role's id: "Basic User" when present, else the first that is not System
    /// Administrator.
    pub default_role: Option<String>,
}

/// Reads the business unit (WhoAmI) and its roles, and builds the create request.
pub async fn plan_create_user(draft: &Draft, token: &str) -> Result<CreateUserPlan, String> {
    let (Some(env), Some(client)) = (draft.environment(), draft.client_id()) else {
        return Err("Enter the Environment URL and the Application (client) ID first.".into());
    };
    let v = draft.api_version;
    let who = send(&requests::dataverse_who_am_i(&env, v), token).await;
    if !who.ok() {
        return Err(format!("WhoAmI failed (HTTP {}).", who.status));
    }
    let who = verify::parse_who_am_i(&who.body)?;
    let bu = Guid::parse(&who.business_unit_id)
        .map_err(|_| "WhoAmI gave no business unit id.".to_string())?;
    let list = ApiRequest {
        method: Method::Get,
        url: format!(
            "{}roles?$filter=_businessunitid_value%20eq%20{bu}&$select=roleid,name,_businessunitid_value",
            webapi::service_url(&env, v)
        ),
        body: None,
        headers: vec![
            ("Accept", "application/json"),
            ("OData-MaxVersion", "4.0"),
            ("OData-Version", "4.0"),
        ],
        permission: None,
        purpose: "List the security roles of your business unit.",
    };
    let roles = send(&list, token).await;
    if !roles.ok() {
        return Err(format!(
            "The roles of your business unit could not be read (HTTP {}).",
            roles.status
        ));
    }
    let mut roles = verify::parse_roles(&roles.body)?;
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let named = |r: &&Role, n: &str| r.name.as_deref() == Some(n);
    let default_role = roles
        .iter()
        .find(|r| named(r, DEFAULT_ROLE))
        .or_else(|| roles.iter().find(|r| !named(r, SYSTEM_ADMINISTRATOR)))
        .map(|r| r.roleid.clone());
    Ok(CreateUserPlan {
        create: requests::dataverse_create_application_user(&env, v, &client, &bu),
        roles,
        default_role,
    })
}

/// A refusal, in plain words: 403 means the signed-in user may not create users.
fn refused(what: &str, a: &Answer) -> String {
    let d = wizard_core::diagnose::dataverse_error(a.status, &a.body, None);
    if a.status == 403 {
        format!(
            "Dataverse refused to {what} (HTTP 403, {}): only a System Administrator of the \
             environment can do this. Sign in as one, or ask one to add the application user in \
             the Power Platform admin center (step 5).",
            d.code
        )
    } else {
        format!(
            "Dataverse refused to {what} (HTTP {}): {}",
            a.status, d.cause
        )
    }
}

/// Sends `plan.create`, waits for the new user to appear (replication), then assigns the role
/// `role_id`, retrying while it replicates. `Ok` says what was done.
pub async fn send_create_user(
    draft: &Draft,
    token: &str,
    plan: &CreateUserPlan,
    role_id: &str,
) -> Result<String, String> {
    let (Some(env), Some(client)) = (draft.environment(), draft.client_id()) else {
        return Err("Enter the Environment URL and the Application (client) ID first.".into());
    };
    let v = draft.api_version;
    let role = Guid::parse(role_id).map_err(|_| "Choose a security role.".to_string())?;
    let created = send(&plan.create, token).await;
    if !created.ok() {
        return Err(refused("create the application user", &created));
    }
    let find = requests::dataverse_application_user(&env, v, &client);
    let cid = client.to_string();
    let mut last = String::from("the new application user did not appear");
    for _ in 0..20 {
        let users = send(&find, token).await;
        if let Some(id) = users
            .ok()
            .then(|| verify::application_user_id(&users.body, &cid))
            .flatten()
        {
            let assign = requests::dataverse_assign_role(&env, v, &id, &role);
            let a = send(&assign, token).await;
            if a.ok() {
                return Ok(format!(
                    "Created the application user {id} and assigned the role."
                ));
            }
            if a.status == 403 {
                return Err(refused("assign the security role", &a));
            }
            last = format!("assigning the role answered HTTP {}", a.status);
        }
        sleep(500).await;
    }
    Err(format!(
        "The application user was created, but {last}. Verify again in a moment, or assign the \
         role in the Power Platform admin center."
    ))
}

/// The expiry choices for a new secret, in months; 6 is the default.
pub const EXPIRY_MONTHS: [u32; 4] = [3, 6, 12, 24];

/// The addPassword request for a new secret expiring `months` from `today`.
pub fn add_secret_request(
    draft: &Draft,
    application_object_id: &Guid,
    today: chrono::NaiveDate,
    months: u32,
) -> Option<ApiRequest> {
    let expires = today.checked_add_months(chrono::Months::new(months))?;
    Some(requests::graph_add_password(
        draft.cloud,
        application_object_id,
        "Data Sync (created by the wizard)",
        expires,
    ))
}

/// Whether the Graph token allows creating a secret (Application.ReadWrite.All).
pub fn can_add_secret(graph: &GraphToken) -> bool {
    graph.has(GraphPermission::ApplicationReadWriteAll.name())
}

/// Sends addPassword; the new secret (value shown once).
pub async fn send_add_secret(
    request: &ApiRequest,
    graph: &GraphToken,
) -> Result<NewSecret, String> {
    let a = send(request, graph.token.secret()).await;
    if !a.ok() {
        let v = verify::graph_failure(verify::CheckId::ClientSecret, a.status, &a.body);
        return Err(match v.outcome {
            verify::Outcome::NotCheckable { reason } => reason,
            _ => format!("Microsoft Graph answered HTTP {}.", a.status),
        });
    }
    verify::parse_add_password(&a.body)
}
