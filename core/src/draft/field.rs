//! The wizard's inputs, each declared once: id, HTML id, label, hint, step, when it is required,
//! where it lives in the [`Draft`], and which check parses it. Everything else (the views, the
//! problem list, import paths) reads this table.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Draft, SecretInput, Step};
use crate::fields::{FieldError, GrantType, Note};

/// When a field must be filled in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Required {
    Always,
    Never,
    /// Only for this grant type.
    For(GrantType),
}

/// A field's parse result: `None` when blank, notes or the error otherwise.
pub(super) type Checked = Option<Result<Vec<Note>, FieldError>>;

/// One row of the table.
struct Spec {
    dom_id: &'static str,
    label: &'static str,
    hint: &'static str,
    step: Step,
    required: Required,
    value: fn(&Draft) -> &str,
}

/// Declares [`FieldId`] and its table in one place, in step order.
macro_rules! fields {
    ($(
        $(#[$doc:meta])*
        $id:ident {
            dom_id: $dom:literal,
            label: $label:literal,
            step: $step:ident,
            required: $required:expr,
            value: $value:expr,
            set: $set:expr,
            check: $check:expr,
            hint: $hint:literal $(,)?
        }
    )*) => {
        /// One input of the wizard.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum FieldId {
            $( $(#[$doc])* $id, )*
        }

        impl FieldId {
            /// Every field, in step order.
            pub const ALL: [FieldId; [$(stringify!($id)),*].len()] = [$(FieldId::$id),*];

            fn spec(self) -> Spec {
                match self {
                    $(FieldId::$id => Spec {
                        dom_id: $dom,
                        label: $label,
                        hint: $hint,
                        step: Step::$step,
                        required: $required,
                        value: $value,
                    },)*
                }
            }

            /// The field's setter, apart from its [`Spec`] for the same reason as its check
            /// (the Environment URL's parses URLs).
            fn setter(self) -> fn(&mut Draft, String) {
                match self {
                    $(FieldId::$id => $set,)*
                }
            }

            /// The field's check, apart from its [`Spec`]: reading a label must not reach every
            /// check and the parsers behind them (the first screen's wasm module holds all the
            /// code its screen reaches, and a function in a table is reached).
            fn checker(self) -> fn(&Draft, NaiveDate) -> Checked {
                match self {
                    $(FieldId::$id => $check,)*
                }
            }
        }
    };
}

fields! {
    /// Application name.
    AppName {
        dom_id: "app-name",
        label: "Application name",
        step: Register,
        required: Required::Never,
        value: |d| &d.app_name,
        set: |d, v| d.app_name = v,
        check: |d, _| notes(Draft::p_text(&d.app_name)),
        hint: "The name you gave the app registration, e.g. Simego Data Sync. Dynamics shows it as the application user's name.",
    }
    /// Directory (tenant) ID.
    TenantId {
        dom_id: "tenant-id",
        label: "Directory (tenant) ID",
        step: Details,
        required: Required::Always,
        value: |d| &d.tenant_id,
        set: |d, v| d.tenant_id = v,
        check: |d, _| notes(d.p_tenant()),
        hint: "App registrations, your app, Overview: Directory (tenant) ID.",
    }
    /// Application (client) ID.
    ClientId {
        dom_id: "client-id",
        label: "Application (client) ID",
        step: Details,
        required: Required::Always,
        value: |d| &d.client_id,
        set: |d, v| d.client_id = v,
        check: |d, _| notes(d.p_client_id()),
        hint: "App registrations, your app, Overview: Application (client) ID.",
    }
    /// Client secret value.
    ClientSecret {
        dom_id: "client-secret",
        label: "Client secret value",
        step: Details,
        required: Required::For(GrantType::ClientCredentials),
        value: |d| d.client_secret.expose(),
        set: |d, v| d.client_secret = SecretInput::new(v),
        check: |d, _| notes(d.p_secret()),
        hint: "Certificates & secrets, Client secrets: the Value column, copied right after you create the secret.",
    }
    /// Secret expires.
    SecretExpires {
        dom_id: "secret-expires",
        label: "Secret expires",
        step: Details,
        required: Required::Never,
        value: |d| &d.secret_expires,
        set: |d, v| d.secret_expires = v,
        check: |d, today| notes(d.p_expiry(today)),
        hint: "Certificates & secrets, Client secrets: the Expires column.",
    }
    /// Object ID (Enterprise application).
    ObjectId {
        dom_id: "object-id",
        label: "Object ID (Enterprise application)",
        step: Details,
        required: Required::Always,
        value: |d| &d.object_id,
        set: |d, v| d.object_id = v,
        check: |d, _| notes(d.p_object_id()),
        hint: "Enterprise applications, your app, Overview: Object ID (not the Object ID on the App registrations page).",
    }
    /// Environment URL.
    EnvironmentUrl {
        dom_id: "environment-url",
        label: "Environment URL",
        step: Details,
        required: Required::Always,
        value: |d| &d.environment_url,
        set: |d, v| d.set_environment_url(v),
        check: |d, _| notes(d.p_environment()),
        hint: "Power Platform admin center, Environments, your environment: Environment URL.",
    }
    /// Token endpoint (optional).
    TokenEndpoint {
        dom_id: "token-endpoint",
        label: "Token endpoint (optional)",
        step: Details,
        required: Required::Never,
        value: |d| &d.token_endpoint,
        set: |d, v| d.token_endpoint = v,
        check: |d, _| notes(d.p_token()),
        hint: "App registrations, your app, Overview, Endpoints: \"OAuth 2.0 token endpoint (v1)\", the form the Simego page uses (Resource filled, Scope blank). A (v2) endpoint switches every value to v2. Leave blank to build it from the tenant.",
    }
    /// Full Name.
    FullName {
        dom_id: "full-name",
        label: "Full Name",
        step: AppUser,
        required: Required::Never,
        value: |d| &d.full_name,
        set: |d, v| d.full_name = v,
        check: |d, _| notes(Draft::p_text(&d.full_name)),
        hint: "Optional: the application user's name in Dynamics. Blank uses the application name.",
    }
    /// Primary Email.
    PrimaryEmail {
        dom_id: "primary-email",
        label: "Primary Email",
        step: AppUser,
        required: Required::Never,
        value: |d| &d.primary_email,
        set: |d, v| d.primary_email = v,
        check: |d, _| notes(d.p_email()),
        hint: "Optional: the application user's e-mail in Dynamics. Blank uses the generated user name.",
    }
    /// Redirect URL for the connector (Web platform).
    ConnectorRedirectUrl {
        dom_id: "connector-redirect-url",
        label: "Redirect URL for the connector (Web platform)",
        step: Connector,
        required: Required::For(GrantType::AuthorizationCode),
        value: |d| &d.connector_redirect_url,
        set: |d, v| d.connector_redirect_url = v,
        check: |d, _| notes(d.p_redirect()),
        hint: "The Web redirect URI Data Sync uses, e.g. http://localhost; add it under Authentication, platform Web.",
    }
    /// Entity.
    Entity {
        dom_id: "entity",
        label: "Entity",
        step: Connector,
        required: Required::Always,
        value: |d| &d.entity,
        set: |d, v| d.entity = v,
        check: |d, _| notes(d.p_entity()),
        hint: "The entity set name of the table to sync, e.g. accounts or contacts.",
    }
}

/// Keeps a parse result's notes (the value itself is read through the draft's accessors).
fn notes<T>(parsed: super::parse::Parsed<T>) -> Checked {
    parsed.map(|r| r.map(|c| c.notes))
}

impl FieldId {
    /// The label, in the portal's terms.
    pub fn label(self) -> &'static str {
        self.spec().label
    }

    /// The HTML id (kebab-case).
    pub fn dom_id(self) -> &'static str {
        self.spec().dom_id
    }

    /// One line shown under the label: where to find the value.
    pub fn hint(self) -> &'static str {
        self.spec().hint
    }

    /// The step on which the field is entered. (Step 4 gathers every ID, the secret and the
    /// URLs in one place, in the portal's words.)
    pub fn step(self) -> Step {
        self.spec().step
    }

    /// The raw value (the secret: its exposed text).
    pub fn get(self, d: &Draft) -> String {
        (self.spec().value)(d).to_string()
    }

    /// Replaces the raw value.
    pub fn set(self, d: &mut Draft, value: String) {
        (self.setter())(d, value)
    }

    /// Whether the field must be filled in for this draft (depends on the grant type).
    pub fn is_required(self, d: &Draft) -> bool {
        match self.spec().required {
            Required::Always => true,
            Required::Never => false,
            Required::For(grant) => d.grant_type == grant,
        }
    }

    /// Parses the field in the context of the whole draft.
    pub(super) fn check(self, d: &Draft, today: NaiveDate) -> Checked {
        (self.checker())(d, today)
    }

    /// The message for a required field left blank.
    pub fn missing_message(self) -> String {
        match self {
            FieldId::ClientSecret => "Client secret value is blank. Please enter the client secret value again: it is kept only for this tab and never saved. Paste the Value from Certificates & secrets (if it is hidden there, create a new secret).".to_string(),
            FieldId::Entity => "Entity is blank: type the entity set name, e.g. accounts.".to_string(),
            FieldId::ConnectorRedirectUrl => "Redirect URL for the connector is missing: the Authorization code grant needs a Web redirect URI, e.g. http://localhost, registered under Authentication, platform Web.".to_string(),
            f => format!("{} is missing. {}", f.label(), f.hint()),
        }
    }
}
