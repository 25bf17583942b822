//! The two one-click fixes: create the application user (with a security role chosen from its
//! business unit's roles) and create a new client secret. The page shows each request
//! ([`ApiRequest::display`]) before calling the `send_*` function here.

use super::{read_until_visible, sleep, Answer, Caller};
use crate::services::signin::GraphToken;
use wizard_core::{
    draft::Draft,
    fields::Guid,
    verify::{
        self,
        reads::{self, Awaited},
        requests, ApiRequest, GraphPermission, NewSecret, Role, SYSTEM_ADMINISTRATOR,
    },
};

/// The default role offered for a new application user, when the business unit has it.
pub const DEFAULT_ROLE: &str = "Basic User";

/// What creating the application user will do: the request, and the roles to choose from.
#[derive(Clone, Debug)]
pub struct CreateUserPlan {
    /// `POST systemusers` into the root business unit, shown before it is sent.
    pub create: ApiRequest,
    /// The roles of the root business unit (never System Administrator by default).
    pub roles: Vec<Role>,
    /// The preselected role's id: "Basic User" when present, else the first that is not System
    /// Administrator.
    pub default_role: Option<String>,
}

const ENTER_FIRST: &str = "Enter the Environment URL and the Application (client) ID first.";

/// The application user already there for the app, named (read past the cache), if any.
async fn existing_user(draft: &Draft, caller: &Caller) -> Option<String> {
    let (env, client) = (draft.environment()?, draft.client_id()?);
    let a = caller
        .list(&requests::dataverse_application_user(
            &env,
            draft.api_version,
            &client,
        ))
        .await;
    a.ok()
        .then(|| verify::existing_application_user(&a.body, client.as_str()))
        .flatten()
}

/// Reads what a create needs, as Microsoft's own tools do: no user for the app yet (else says
/// which record there is), the root business unit, and its roles.
pub async fn plan_create_user(draft: &Draft, caller: &Caller) -> Result<CreateUserPlan, String> {
    let (Some(env), Some(client)) = (draft.environment(), draft.client_id()) else {
        return Err(ENTER_FIRST.into());
    };
    if let Some(there) = existing_user(draft, caller).await {
        return Err(there);
    }
    let v = draft.api_version;
    let units = caller
        .list(&requests::dataverse_root_business_unit(&env, v))
        .await;
    if !units.ok() {
        return Err(refused("read the root business unit", &units));
    }
    let (root, _) = verify::parse_root_business_unit(&units.body)?;
    let roles = caller
        .list(&requests::dataverse_roles_of_business_unit(&env, v, &root))
        .await;
    if !roles.ok() {
        return Err(refused("list the security roles", &roles));
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
        create: requests::dataverse_create_application_user(&env, v, &client, &root),
        roles,
        default_role,
    })
}

/// A refusal, in plain words: 403 means the signed-in user may not do it.
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

/// Sends `plan.create` (Dataverse answers `204` with the new row in `OData-EntityId`), then
/// assigns the role `role_id` to that row. A refused create names the application user that is
/// already there, if there is one. `Ok` says what was done; the next verification awaits the
/// new user ([`Awaited::ApplicationUser`]).
pub async fn send_create_user(
    draft: &Draft,
    caller: &Caller,
    plan: &CreateUserPlan,
    role_id: &str,
) -> Result<String, String> {
    let (Some(env), Some(client)) = (draft.environment(), draft.client_id()) else {
        return Err(ENTER_FIRST.into());
    };
    let v = draft.api_version;
    let role = Guid::parse(role_id).map_err(|_| "Choose a security role.".to_string())?;
    let created = caller.send(&plan.create).await;
    if !created.ok() {
        return Err(existing_user(draft, caller)
            .await
            .unwrap_or_else(|| refused("create the application user", &created)));
    }
    let id = match created.entity_id.as_deref().and_then(verify::entity_id) {
        Some(id) => id,
        // No readable header: find the new row by its application id.
        None => {
            let find = requests::dataverse_application_user(&env, v, &client);
            let cid = client.to_string();
            let (users, _) =
                read_until_visible(caller, &find, Some(&Awaited::ApplicationUser), &cid).await;
            verify::application_user_id(&users.body, &cid).ok_or_else(|| {
                "The application user was created, but its id could not be read. Verify again \
                 in a moment, then assign the role in the Power Platform admin center."
                    .to_string()
            })?
        }
    };
    let assign = requests::dataverse_assign_role(&env, v, &id, &role);
    let mut last = caller.send(&assign).await;
    for delay in reads::VISIBILITY_DELAYS_MS {
        if last.ok() || last.status == 403 {
            break;
        }
        sleep(delay).await;
        last = caller.send(&assign).await;
    }
    if last.ok() {
        Ok(format!(
            "Created the application user {id} in the root business unit and assigned the role."
        ))
    } else {
        Err(format!(
            "The application user {id} was created, but {}",
            refused("assign the security role", &last)
        ))
    }
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

/// Sends addPassword with the Graph token; the new secret (value shown once). The next
/// verification awaits it ([`Awaited::Secret`]).
pub async fn send_add_secret(request: &ApiRequest, caller: &Caller) -> Result<NewSecret, String> {
    let a = caller.send(request).await;
    if !a.ok() {
        let v = verify::graph_failure(verify::CheckId::ClientSecret, a.status, &a.body);
        return Err(match v.outcome {
            verify::Outcome::NotCheckable { reason } => reason,
            _ => format!("Microsoft Graph answered HTTP {}.", a.status),
        });
    }
    verify::parse_add_password(&a.body)
}
