//! The exact requests the live checks and fixes send, for the app to show before sending and
//! then send: method, URL, JSON body, the headers to add (besides `Authorization`), and for Graph
//! the delegated permission the request needs.
//!
//! Graph requests go to the cloud's [`crate::cloud::CloudProfile::graph_base`] (`/v1.0/…`);
//! Dataverse requests to the environment's Web API root ([`crate::webapi::service_url`]).

use serde::Serialize;
use serde_json::{json, Value};

use crate::cloud::Cloud;
use crate::entra::DYNAMICS_CRM_APP_ID;
use crate::fields::{ApiVersion, EnvironmentUrl, Guid};

/// An HTTP method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PATCH (Graph updates: the lists sent replace the ones there, so they are read and merged
    /// first).
    Patch,
}

impl Method {
    /// `"GET"`, `"POST"` or `"PATCH"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
        }
    }
}

/// A delegated Microsoft Graph permission the wizard asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum GraphPermission {
    /// Read app registrations and service principals (checks 1, 2, 3, 5, 6).
    ApplicationReadAll,
    /// Read consent grants (check 4).
    DirectoryReadAll,
    /// Add a client secret (the secret fix); change the app registration, create its
    /// Enterprise application (Set it up for me).
    ApplicationReadWriteAll,
    /// Grant admin consent (Set it up for me).
    DelegatedPermissionGrantReadWriteAll,
}

impl GraphPermission {
    /// `Application.Read.All`, `Directory.Read.All`, `Application.ReadWrite.All`,
    /// `DelegatedPermissionGrant.ReadWrite.All`.
    pub fn name(self) -> &'static str {
        match self {
            GraphPermission::ApplicationReadAll => "Application.Read.All",
            GraphPermission::DirectoryReadAll => "Directory.Read.All",
            GraphPermission::ApplicationReadWriteAll => "Application.ReadWrite.All",
            GraphPermission::DelegatedPermissionGrantReadWriteAll => {
                "DelegatedPermissionGrant.ReadWrite.All"
            }
        }
    }

    /// The scope to request in the cloud: `{graph_base}/{name}`, e.g.
    /// `https://graph.microsoft.com/Application.Read.All`.
    pub fn scope(self, cloud: Cloud) -> String {
        format!("{}/{}", cloud.profile().graph_base, self.name())
    }
}

/// The Graph scopes (space separated) for reading everything the checks need:
/// `Application.Read.All` and `Directory.Read.All`.
pub fn graph_read_scopes(cloud: Cloud) -> String {
    format!(
        "{} {}",
        GraphPermission::ApplicationReadAll.scope(cloud),
        GraphPermission::DirectoryReadAll.scope(cloud)
    )
}

/// One request, to show and then send.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApiRequest {
    /// GET or POST.
    pub method: Method,
    /// The URL as sent (spaces in the query encoded as `%20`).
    pub url: String,
    /// The JSON body, for POST.
    pub body: Option<Value>,
    /// Headers to add besides `Authorization: Bearer …`.
    pub headers: Vec<(&'static str, &'static str)>,
    /// The Graph permission the request needs (`None` for Dataverse).
    pub permission: Option<GraphPermission>,
    /// What the request is for, in plain words.
    pub purpose: &'static str,
}

impl ApiRequest {
    /// The URL as a person reads it (`%20` shown as a space).
    pub fn display_url(&self) -> String {
        self.url.replace("%20", " ")
    }

    /// `METHOD url` and, when there is one, the pretty-printed JSON body: what the app shows
    /// before sending.
    pub fn display(&self) -> String {
        let mut s = format!("{} {}", self.method.as_str(), self.display_url());
        if let Some(body) = &self.body {
            s.push('\n');
            s.push_str(&serde_json::to_string_pretty(body).unwrap_or_else(|_| body.to_string()));
        }
        s
    }

    /// The body as sent (`None` for GET).
    pub fn body_text(&self) -> Option<String> {
        self.body.as_ref().map(Value::to_string)
    }
}

fn q(s: &str) -> String {
    s.replace(' ', "%20")
}

pub(crate) fn graph(
    cloud: Cloud,
    method: Method,
    path: &str,
    body: Option<Value>,
    permission: GraphPermission,
    purpose: &'static str,
) -> ApiRequest {
    let mut headers = vec![("Accept", "application/json")];
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    ApiRequest {
        method,
        url: format!("{}/v1.0/{}", cloud.profile().graph_base, q(path)),
        body,
        headers,
        permission: Some(permission),
        purpose,
    }
}

/// Checks 1, 2, 3, 6 (and 5): the app registration by client ID.
/// `GET {graph}/v1.0/applications?$filter=appId eq '{clientId}'&$select=id,appId,displayName,signInAudience,spa,web,requiredResourceAccess,passwordCredentials`.
pub fn graph_application(cloud: Cloud, client_id: &Guid) -> ApiRequest {
    graph(
        cloud,
        Method::Get,
        &format!(
            "applications?$filter=appId eq '{client_id}'&$select=id,appId,displayName,signInAudience,spa,web,requiredResourceAccess,passwordCredentials"
        ),
        None,
        GraphPermission::ApplicationReadAll,
        "Read the app registration (name, redirect URIs, API permissions, secrets' expiry and \
         first three characters).",
    )
}

/// Check 5 (and 4): the app's service principal.
/// `GET {graph}/v1.0/servicePrincipals?$filter=appId eq '{clientId}'&$select=id,appId,displayName,accountEnabled`.
pub fn graph_service_principal(cloud: Cloud, client_id: &Guid) -> ApiRequest {
    graph(
        cloud,
        Method::Get,
        &format!(
            "servicePrincipals?$filter=appId eq '{client_id}'&$select=id,appId,displayName,accountEnabled"
        ),
        None,
        GraphPermission::ApplicationReadAll,
        "Read the app's Enterprise application (service principal) and its Object ID.",
    )
}

/// Checks 3 and 4: the Dynamics CRM service principal and the permissions it exposes.
/// `GET {graph}/v1.0/servicePrincipals(appId='00000007-0000-0000-c000-000000000000')?$select=id,appId,displayName,oauth2PermissionScopes`.
pub fn graph_dynamics_crm_service_principal(cloud: Cloud) -> ApiRequest {
    graph(
        cloud,
        Method::Get,
        &format!(
            "servicePrincipals(appId='{DYNAMICS_CRM_APP_ID}')?$select=id,appId,displayName,oauth2PermissionScopes"
        ),
        None,
        GraphPermission::ApplicationReadAll,
        "Read Dynamics CRM's service principal: the id of its user_impersonation permission.",
    )
}

/// Check 4: the consents given to the app's service principal (its object `id`, from
/// [`graph_service_principal`]). `GET {graph}/v1.0/servicePrincipals/{id}/oauth2PermissionGrants`.
pub fn graph_permission_grants(cloud: Cloud, service_principal_id: &Guid) -> ApiRequest {
    graph(
        cloud,
        Method::Get,
        &format!("servicePrincipals/{service_principal_id}/oauth2PermissionGrants"),
        None,
        GraphPermission::DirectoryReadAll,
        "Read the consents granted to the app (admin consent for Dynamics CRM).",
    )
}

/// The secret fix: `POST {graph}/v1.0/applications/{objectId}/addPassword` with
/// `{"passwordCredential": {"displayName": …, "endDateTime": "YYYY-MM-DDT00:00:00Z"}}`.
/// `application_object_id` is the app registration's `id` (not the client ID); parse the answer
/// with [`super::parse_add_password`].
pub fn graph_add_password(
    cloud: Cloud,
    application_object_id: &Guid,
    display_name: &str,
    expires: chrono::NaiveDate,
) -> ApiRequest {
    graph(
        cloud,
        Method::Post,
        &format!("applications/{application_object_id}/addPassword"),
        Some(json!({
            "passwordCredential": {
                "displayName": display_name,
                "endDateTime": format!("{}T00:00:00Z", expires.format("%Y-%m-%d")),
            }
        })),
        GraphPermission::ApplicationReadWriteAll,
        "Create a new client secret; its Value is shown once.",
    )
}

/// The headers of every Dataverse Web API request (Microsoft Learn, "Compose HTTP requests and
/// handle errors").
pub const DATAVERSE_HEADERS: [(&str, &str); 3] = [
    ("Accept", "application/json"),
    ("OData-MaxVersion", "4.0"),
    ("OData-Version", "4.0"),
];

/// `If-None-Match: null`, sent with every Dataverse Web API read (Microsoft Learn, "Join tables
/// using OData": expanded collections may be cached and miss recent changes).
pub const NO_CACHE: (&str, &str) = ("If-None-Match", "null");

fn dataverse(
    env: &EnvironmentUrl,
    version: ApiVersion,
    method: Method,
    path: &str,
    body: Option<Value>,
    purpose: &'static str,
) -> ApiRequest {
    let mut headers = DATAVERSE_HEADERS.to_vec();
    // Expanded collections may come from a cache that misses recent changes (a role just
    // assigned); Microsoft's documented remedy is this header on every read.
    if method == Method::Get {
        headers.push(NO_CACHE);
    }
    if body.is_some() {
        headers.push(("Content-Type", "application/json"));
    }
    ApiRequest {
        method,
        url: format!("{}{}", crate::webapi::service_url(env, version), q(path)),
        body,
        headers,
        permission: None,
        purpose,
    }
}

/// Check 10 and the default business unit for a new application user: `GET {webapi}WhoAmI`.
pub fn dataverse_who_am_i(env: &EnvironmentUrl, version: ApiVersion) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Get,
        "WhoAmI",
        None,
        "Ask the environment who you are (and your business unit).",
    )
}

/// Checks 7 and 8: `GET {webapi}systemusers?$filter=applicationid eq {clientId}&$select=systemuserid,fullname,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,_businessunitid_value&$expand=systemuserroles_association($select=roleid,name),teammembership_association($select=teamid,name;$expand=teamroles_association($select=roleid,name))`:
/// the user's own roles and the roles of the teams it belongs to (a nested `$expand` of
/// collection-valued navigation properties, Microsoft Learn "Join tables using OData").
pub fn dataverse_application_user(
    env: &EnvironmentUrl,
    version: ApiVersion,
    client_id: &Guid,
) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Get,
        &format!(
            "systemusers?$filter=applicationid eq {client_id}&$select=systemuserid,fullname,isdisabled,accessmode,applicationid,azureactivedirectoryobjectid,_businessunitid_value&$expand=systemuserroles_association($select=roleid,name),teammembership_association($select=teamid,name;$expand=teamroles_association($select=roleid,name))"
        ),
        None,
        "Find the app's application user, its security roles and its teams' roles.",
    )
}

/// Check 9, first: the table behind an entity set and its own privilege names.
/// `GET {webapi}EntityDefinitions?$filter=EntitySetName eq '{set}'&$select=LogicalName,SchemaName,EntitySetName,Privileges`
/// (Microsoft Learn, "Query table definitions using the Web API"). Privilege names follow the
/// schema name and have exceptions (notes are `prvReadNote`), so they are read, never built.
pub fn dataverse_table_definition(
    env: &EnvironmentUrl,
    version: ApiVersion,
    entity_set: &str,
) -> ApiRequest {
    let set = odata_string(entity_set);
    dataverse(
        env,
        version,
        Method::Get,
        &format!(
            "EntityDefinitions?$filter=EntitySetName eq '{set}'&$select=LogicalName,SchemaName,EntitySetName,Privileges"
        ),
        None,
        "Find the table behind the entity set and the names of its privileges.",
    )
}

/// Check 9, then: which of `privilege_names` the application user holds, through its own roles
/// and its teams' roles (`RetrieveUserPrivileges` counts only its own roles).
/// `GET {webapi}systemusers({id})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)?@p=["prvReadAccount",…]`
/// (the `@p` value percent-encoded).
pub fn dataverse_user_privileges_by_names(
    env: &EnvironmentUrl,
    version: ApiVersion,
    systemuserid: &Guid,
    privilege_names: &[String],
) -> ApiRequest {
    let names = Value::from(privilege_names.to_vec()).to_string();
    let encoded = percent_encoding::utf8_percent_encode(&names, percent_encoding::NON_ALPHANUMERIC);
    let mut r = dataverse(
        env,
        version,
        Method::Get,
        &format!(
            "systemusers({systemuserid})/Microsoft.Dynamics.CRM.RetrieveUserSetOfPrivilegesByNames(PrivilegeNames=@p)"
        ),
        None,
        "Ask which of the table's privileges the application user holds (its roles and its \
         teams' roles).",
    );
    r.url = format!("{}?@p={encoded}", r.url);
    r
}

/// The application-user fix, first: the root business unit, where Microsoft's own tools create
/// application users. `GET {webapi}businessunits?$filter=parentbusinessunitid eq null&$select=businessunitid,name`.
pub fn dataverse_root_business_unit(env: &EnvironmentUrl, version: ApiVersion) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Get,
        "businessunits?$filter=parentbusinessunitid eq null&$select=businessunitid,name",
        None,
        "Find the environment's root business unit.",
    )
}

/// The application-user fix, then: the roles to choose from.
/// `GET {webapi}roles?$filter=_businessunitid_value eq {bu}&$select=roleid,name,_businessunitid_value`.
pub fn dataverse_roles_of_business_unit(
    env: &EnvironmentUrl,
    version: ApiVersion,
    business_unit: &Guid,
) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Get,
        &format!(
            "roles?$filter=_businessunitid_value eq {business_unit}&$select=roleid,name,_businessunitid_value"
        ),
        None,
        "List the security roles of the root business unit.",
    )
}

/// A string literal inside an OData URL: `'` doubled.
fn odata_string(s: &str) -> String {
    s.trim().replace('\'', "''")
}

/// The role fix, step 1: the role row named `name` in business unit `business_unit`.
/// `GET {webapi}roles?$filter=name eq '{name}' and _businessunitid_value eq {bu}&$select=roleid,name,_businessunitid_value`.
pub fn dataverse_role_by_name(
    env: &EnvironmentUrl,
    version: ApiVersion,
    name: &str,
    business_unit: &Guid,
) -> ApiRequest {
    let name = odata_string(name);
    dataverse(
        env,
        version,
        Method::Get,
        &format!(
            "roles?$filter=name eq '{name}' and _businessunitid_value eq {business_unit}&$select=roleid,name,_businessunitid_value"
        ),
        None,
        "Find the security role in the application user's business unit.",
    )
}

/// The application-user fix: `POST {webapi}systemusers` with
/// `{"applicationid": "{clientId}", "accessmode": 4, "isdisabled": false, "businessunitid@odata.bind": "/businessunits({root bu})"}`,
/// the body Microsoft's Power Platform Terraform provider sends. Dataverse answers `204` with the
/// new row's URL in `OData-EntityId` ([`super::entity_id`]). Needs the System Administrator role.
pub fn dataverse_create_application_user(
    env: &EnvironmentUrl,
    version: ApiVersion,
    client_id: &Guid,
    root_business_unit: &Guid,
) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Post,
        "systemusers",
        Some(json!({
            "applicationid": client_id.as_str(),
            "accessmode": 4,
            "isdisabled": false,
            "businessunitid@odata.bind": format!("/businessunits({root_business_unit})"),
        })),
        "Create the application user for the app.",
    )
}

/// The role fix, step 2: `POST {webapi}systemusers({id})/systemuserroles_association/$ref` with
/// `{"@odata.id": "{webapi}roles({roleid})"}`.
pub fn dataverse_assign_role(
    env: &EnvironmentUrl,
    version: ApiVersion,
    systemuserid: &Guid,
    roleid: &Guid,
) -> ApiRequest {
    dataverse(
        env,
        version,
        Method::Post,
        &format!("systemusers({systemuserid})/systemuserroles_association/$ref"),
        Some(json!({
            "@odata.id": format!("{}roles({roleid})", crate::webapi::service_url(env, version)),
        })),
        "Assign the security role to the application user.",
    )
}
