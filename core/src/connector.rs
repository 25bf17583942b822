//! The values to type into Simego Data Sync's OData 4.0 connector, derived once.
//!
//! [`connector_values`] turns a draft — complete or not — into every connector property, each
//! either a value, "leave blank" (with why) or "missing, because …" (with the field that fixes
//! it). Step 6 shows exactly these, the review page and the export read exactly these, and every
//! export target builds on them: nothing else derives a connector value.
//!
//! The endpoint rule: Simego's connector speaks Entra ID v1 (`resource=`), so without a typed
//! token endpoint the Authorise/Token URLs are the v1 ones, Resource is the environment and
//! Scope stays blank. A typed token endpoint is used as given and decides the version: with a
//! v2.0 one the Authorise URL is the matching v2.0 one and Scope is filled, because v2.0
//! ignores `resource=` ([`Endpoints::for_version`]).

use std::fmt;

use crate::draft::{Draft, FieldId, SecretInput};
use crate::entra::{default_scope, user_impersonation_scope, Authority};
use crate::fields::{EndpointVersion, GrantType};
use crate::webapi;

/// Simego's item URL convention for Dynamics (`{entity}({key})`; other OData services use
/// `{entity}/{key}`).
pub const ENTITY_URL_ITEM_CONVENTION: &str = "{entity}({key})";

/// One property of the OData 4.0 connector, in the order its property grid lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConnectorField {
    /// ServiceURL: the Web API root.
    ServiceUrl,
    /// Entity: the entity set name.
    Entity,
    /// EntityURLItemConvention.
    EntityUrlItemConvention,
    /// OAuth2 › AuthoriseURL.
    AuthoriseUrl,
    /// OAuth2 › TokenURL.
    TokenUrl,
    /// OAuth2 › ClientID.
    ClientId,
    /// OAuth2 › ClientSecret.
    ClientSecret,
    /// OAuth2 › Resource.
    Resource,
    /// OAuth2 › RedirectURL.
    RedirectUrl,
    /// OAuth2 › State.
    State,
    /// OAuth2 › Scope.
    Scope,
    /// OAuth2 › GrantType.
    GrantType,
}

impl ConnectorField {
    /// Every property, in the connector's order.
    pub const ALL: [ConnectorField; 12] = [
        ConnectorField::ServiceUrl,
        ConnectorField::Entity,
        ConnectorField::EntityUrlItemConvention,
        ConnectorField::AuthoriseUrl,
        ConnectorField::TokenUrl,
        ConnectorField::ClientId,
        ConnectorField::ClientSecret,
        ConnectorField::Resource,
        ConnectorField::RedirectUrl,
        ConnectorField::State,
        ConnectorField::Scope,
        ConnectorField::GrantType,
    ];

    /// The property's own name in Data Sync (and the key in the exported JSON).
    pub fn name(self) -> &'static str {
        match self {
            ConnectorField::ServiceUrl => "ServiceURL",
            ConnectorField::Entity => "Entity",
            ConnectorField::EntityUrlItemConvention => "EntityURLItemConvention",
            ConnectorField::AuthoriseUrl => "AuthoriseURL",
            ConnectorField::TokenUrl => "TokenURL",
            ConnectorField::ClientId => "ClientID",
            ConnectorField::ClientSecret => "ClientSecret",
            ConnectorField::Resource => "Resource",
            ConnectorField::RedirectUrl => "RedirectURL",
            ConnectorField::State => "State",
            ConnectorField::Scope => "Scope",
            ConnectorField::GrantType => "GrantType",
        }
    }

    /// The label the wizard shows (the property grid's wording).
    pub fn label(self) -> &'static str {
        match self {
            ConnectorField::ServiceUrl => "ServiceURL",
            ConnectorField::Entity => "Entity",
            ConnectorField::EntityUrlItemConvention => "EntityURLItemConvention",
            ConnectorField::AuthoriseUrl => "Authorise URL",
            ConnectorField::TokenUrl => "Token URL",
            ConnectorField::ClientId => "Client ID",
            ConnectorField::ClientSecret => "Client Secret",
            ConnectorField::Resource => "Resource",
            ConnectorField::RedirectUrl => "Redirect URL",
            ConnectorField::State => "State",
            ConnectorField::Scope => "Scope",
            ConnectorField::GrantType => "Grant Type",
        }
    }

    /// Whether the property sits under the connector's OAuth2 group.
    pub fn is_oauth2(self) -> bool {
        !matches!(
            self,
            ConnectorField::ServiceUrl
                | ConnectorField::Entity
                | ConnectorField::EntityUrlItemConvention
        )
    }
}

/// What one property should hold.
#[derive(Clone, PartialEq, Eq)]
pub enum ConnectorValue {
    /// Type this.
    Value(String),
    /// The client secret the user typed (kept wrapped: `Debug` never shows it).
    Secret(SecretInput),
    /// Leave the property blank, on purpose.
    Blank {
        /// Why, e.g. "leave blank for client_credentials".
        why: &'static str,
    },
    /// Not known yet.
    Missing {
        /// The wizard field that fixes it.
        field: FieldId,
        /// What to do, e.g. "enter the Environment URL (step 4)".
        because: String,
    },
}

impl ConnectorValue {
    /// The text to type: the value, or empty when blank, missing or secret (a secret is only
    /// ever revealed through [`ConnectorValue::Secret`] explicitly).
    pub fn text(&self) -> &str {
        match self {
            ConnectorValue::Value(v) => v,
            _ => "",
        }
    }

    /// Whether something must still be done before this property is right.
    pub fn is_missing(&self) -> bool {
        matches!(self, ConnectorValue::Missing { .. })
    }
}

impl fmt::Debug for ConnectorValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnectorValue::Value(v) => f.debug_tuple("Value").field(v).finish(),
            ConnectorValue::Secret(s) => f.debug_tuple("Secret").field(s).finish(),
            ConnectorValue::Blank { why } => f.debug_struct("Blank").field("why", why).finish(),
            ConnectorValue::Missing { field, because } => f
                .debug_struct("Missing")
                .field("field", field)
                .field("because", because)
                .finish(),
        }
    }
}

/// Authorise URL, Token URL and Scope of one Entra ID endpoint version: always a consistent set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// v1 or v2.0.
    pub version: EndpointVersion,
    /// Authorise URL.
    pub authorise_url: String,
    /// Token URL.
    pub token_url: String,
    /// Scope: blank for v1 (which uses Resource); for v2.0 `{env}/.default` with client
    /// credentials, `{env}/user_impersonation offline_access` with authorization code.
    pub scope: String,
}

impl Endpoints {
    /// The set for `version` at `authority`, for the grant and environment origin.
    pub fn for_version(
        authority: &Authority,
        version: EndpointVersion,
        grant: GrantType,
        environment: &str,
    ) -> Endpoints {
        let scope = match (version, grant) {
            (EndpointVersion::V1, _) => String::new(),
            (EndpointVersion::V2, GrantType::ClientCredentials) => default_scope(environment),
            (EndpointVersion::V2, GrantType::AuthorizationCode) => {
                format!("{} offline_access", user_impersonation_scope(environment))
            }
        };
        Endpoints {
            version,
            authorise_url: authority.authorize_url(version),
            token_url: authority.token_url(version),
            scope,
        }
    }
}

/// Every connector property for a draft, plus the endpoint version they follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectorValues {
    values: Vec<(ConnectorField, ConnectorValue)>,
    version: EndpointVersion,
    alternative: Option<Endpoints>,
}

impl ConnectorValues {
    /// The value of one property.
    pub fn get(&self, field: ConnectorField) -> &ConnectorValue {
        // Every field is present: `connector_values` pushes ConnectorField::ALL in order.
        let index = ConnectorField::ALL
            .iter()
            .position(|f| *f == field)
            .unwrap_or_default();
        &self.values[index].1
    }

    /// The text of one property (empty when blank, missing or secret).
    pub fn text(&self, field: ConnectorField) -> &str {
        self.get(field).text()
    }

    /// Every property in the connector's order.
    pub fn iter(&self) -> impl Iterator<Item = (ConnectorField, &ConnectorValue)> {
        self.values.iter().map(|(f, v)| (*f, v))
    }

    /// The Entra ID endpoint version the Authorise/Token URLs and Scope follow.
    pub fn version(&self) -> EndpointVersion {
        self.version
    }

    /// The same endpoints in the other version, for tools that use it (known once the tenant and
    /// environment are).
    pub fn alternative(&self) -> Option<&Endpoints> {
        self.alternative.as_ref()
    }

    /// When the typed token endpoint is a v2.0 one, what that changed, in plain words, and the
    /// v1 token URL that brings back the reference page's values (`None` with v1, the reference).
    pub fn v2_notice(&self) -> Option<(String, Option<String>)> {
        if self.version != EndpointVersion::V2 {
            return None;
        }
        let scope = self.text(ConnectorField::Scope);
        let text = format!(
            "The token endpoint you pasted is a v2.0 one, so every OAuth value is the v2.0 set: \
             Authorise URL and Token URL end in /oauth2/v2.0/…, Resource is blank and Scope is \
             {}. Data Sync works with either set, but the Simego page shows the v1 set (Resource \
             filled, Scope blank).",
            if scope.is_empty() { "filled" } else { scope }
        );
        let v1 = self
            .alternative
            .as_ref()
            .filter(|e| e.version == EndpointVersion::V1)
            .map(|e| e.token_url.clone());
        Some((text, v1))
    }

    /// Whether any property is still missing.
    pub fn is_complete(&self) -> bool {
        self.values.iter().all(|(_, v)| !v.is_missing())
    }
}

/// "enter the X (step N)" for a blank field, "fix the X (step N)" for an invalid one.
fn because(draft: &Draft, field: FieldId) -> ConnectorValue {
    let verb = if field.get(draft).trim().is_empty() {
        "enter"
    } else {
        "fix"
    };
    let label = field.label().trim_end_matches(" (optional)");
    ConnectorValue::Missing {
        field,
        because: format!("{verb} the {label} (step {})", field.step().number()),
    }
}

fn value_or(v: Option<String>, missing: impl FnOnce() -> ConnectorValue) -> ConnectorValue {
    v.map(ConnectorValue::Value).unwrap_or_else(missing)
}

/// Every connector property derived from what the draft holds now. The one derivation that the
/// connector step, the review page and every export read.
pub fn connector_values(draft: &Draft) -> ConnectorValues {
    use ConnectorField as F;
    use ConnectorValue as V;

    let env = draft.environment();
    let typed_token = draft.token_endpoint();
    let token_typed_but_invalid = typed_token.is_none() && !draft.token_endpoint.trim().is_empty();
    // The typed endpoint decides version and tenant; otherwise v1 at the typed tenant.
    let (authority, version) = match &typed_token {
        Some(t) => (Some(Authority::of(draft.cloud, t.tenant())), t.version()),
        None => (
            draft.tenant().map(|t| Authority::of(draft.cloud, &t)),
            EndpointVersion::V1,
        ),
    };
    let endpoints = match (&authority, &env) {
        (Some(a), Some(e)) => Some(Endpoints::for_version(
            a,
            version,
            draft.grant_type,
            e.as_str(),
        )),
        _ => None,
    };
    let endpoint_missing = || {
        if token_typed_but_invalid {
            because(draft, FieldId::TokenEndpoint)
        } else {
            because(draft, FieldId::TenantId)
        }
    };
    let authorise = match &authority {
        Some(a) if !token_typed_but_invalid => V::Value(a.authorize_url(version)),
        _ => endpoint_missing(),
    };
    let token = match (&typed_token, &authority) {
        (Some(t), _) => V::Value(t.as_str().to_string()),
        (None, Some(a)) if !token_typed_but_invalid => V::Value(a.token_url(version)),
        _ => endpoint_missing(),
    };
    let scope = match version {
        EndpointVersion::V1 if !token_typed_but_invalid => V::Blank {
            why: "leave blank: the v1 endpoints use Resource",
        },
        _ => match &endpoints {
            Some(e) if !token_typed_but_invalid => V::Value(e.scope.clone()),
            _ if env.is_none() => because(draft, FieldId::EnvironmentUrl),
            _ => endpoint_missing(),
        },
    };
    let secret = match (draft.grant_type, draft.client_secret.is_blank()) {
        (GrantType::AuthorizationCode, true) => V::Blank {
            why: "leave blank for a public client",
        },
        _ if draft.client_secret_checked() => V::Secret(draft.client_secret.clone()),
        _ => because(draft, FieldId::ClientSecret),
    };
    let redirect = match draft.grant_type {
        GrantType::ClientCredentials => V::Blank {
            why: "leave blank for client_credentials",
        },
        GrantType::AuthorizationCode => {
            value_or(draft.connector_redirect().map(|r| r.to_string()), || {
                because(draft, FieldId::ConnectorRedirectUrl)
            })
        }
    };
    let alternative = match (&authority, &env) {
        (Some(a), Some(e)) if !token_typed_but_invalid => {
            let other = match version {
                EndpointVersion::V1 => EndpointVersion::V2,
                EndpointVersion::V2 => EndpointVersion::V1,
            };
            Some(Endpoints::for_version(
                a,
                other,
                draft.grant_type,
                e.as_str(),
            ))
        }
        _ => None,
    };

    let values = vec![
        (
            F::ServiceUrl,
            value_or(
                env.as_ref()
                    .map(|e| webapi::service_url(e, draft.api_version)),
                || because(draft, FieldId::EnvironmentUrl),
            ),
        ),
        (
            F::Entity,
            value_or(draft.entity_set(), || because(draft, FieldId::Entity)),
        ),
        (
            F::EntityUrlItemConvention,
            V::Value(ENTITY_URL_ITEM_CONVENTION.to_string()),
        ),
        (F::AuthoriseUrl, authorise),
        (F::TokenUrl, token),
        (
            F::ClientId,
            value_or(draft.client_id().map(|c| c.to_string()), || {
                because(draft, FieldId::ClientId)
            }),
        ),
        (F::ClientSecret, secret),
        (
            F::Resource,
            value_or(env.as_ref().map(webapi::resource), || {
                because(draft, FieldId::EnvironmentUrl)
            }),
        ),
        (F::RedirectUrl, redirect),
        (F::State, V::Blank { why: "leave blank" }),
        (F::Scope, scope),
        (
            F::GrantType,
            V::Value(draft.grant_type.as_str().to_string()),
        ),
    ];
    ConnectorValues {
        values,
        version,
        alternative,
    }
}
