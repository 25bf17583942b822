//! Each field parsed in the context of the whole draft (tenant vs client ID, object ID vs client
//! ID, cloud of the environment vs the chosen one, …). Blank is `None`: "not typed yet".

use chrono::NaiveDate;

use super::Draft;
use crate::entra::{CALLBACK_PATH, DYNAMICS_CRM_APP_ID};
use crate::fields::{
    check_entity_set, Checked, ClientSecret, Email, EnvironmentUrl, FieldError, GrantType, Guid,
    Note, RedirectUrl, SecretExpiry, TenantId, TokenEndpoint,
};

/// `None` when blank, else the parse result.
pub(super) type Parsed<T> = Option<Result<Checked<T>, FieldError>>;

pub(super) fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

impl Draft {
    pub(super) fn p_tenant(&self) -> Parsed<TenantId> {
        if blank(&self.tenant_id) {
            return None;
        }
        Some(
            TenantId::parse(&self.tenant_id, self.grant_type).and_then(|t| {
                match (t.value.guid(), Guid::parse(&self.client_id)) {
                    (Some(g), Ok(c)) if *g == c => Err(FieldError::TenantIsClientId),
                    _ => Ok(t),
                }
            }),
        )
    }

    pub(super) fn p_client_id(&self) -> Parsed<Guid> {
        if blank(&self.client_id) {
            return None;
        }
        Some(Guid::parse(&self.client_id).and_then(|g| {
            if g.as_str() == DYNAMICS_CRM_APP_ID {
                Err(FieldError::ClientIdIsDynamics)
            } else {
                Ok(Checked::clean(g))
            }
        }))
    }

    pub(super) fn p_object_id(&self) -> Parsed<Guid> {
        if blank(&self.object_id) {
            return None;
        }
        Some(Guid::parse(&self.object_id).and_then(|g| {
            if Guid::parse(&self.client_id).is_ok_and(|c| c == g) {
                Err(FieldError::ObjectIdIsClientId)
            } else if Guid::parse(&self.tenant_id).is_ok_and(|t| t == g) {
                Err(FieldError::ObjectIdIsTenantId)
            } else {
                Ok(Checked::clean(g))
            }
        }))
    }

    pub(super) fn p_secret(&self) -> Parsed<ClientSecret> {
        if self.client_secret.is_blank() {
            return None;
        }
        Some(ClientSecret::parse(self.client_secret.expose()))
    }

    pub(super) fn p_expiry(&self, today: NaiveDate) -> Parsed<SecretExpiry> {
        if blank(&self.secret_expires) {
            return None;
        }
        Some(SecretExpiry::parse(&self.secret_expires, today))
    }

    pub(super) fn p_environment(&self) -> Parsed<EnvironmentUrl> {
        if blank(&self.environment_url) {
            return None;
        }
        Some(EnvironmentUrl::parse(&self.environment_url).and_then(|e| {
            if e.value.cloud() != self.cloud {
                Err(FieldError::CloudMismatch {
                    url_cloud: e.value.cloud(),
                    chosen: self.cloud,
                })
            } else {
                Ok(e)
            }
        }))
    }

    pub(super) fn p_token(&self) -> Parsed<TokenEndpoint> {
        if blank(&self.token_endpoint) {
            return None;
        }
        let tenant = self.tenant();
        Some(TokenEndpoint::parse(
            &self.token_endpoint,
            tenant.as_ref(),
            self.cloud,
        ))
    }

    pub(super) fn p_redirect(&self) -> Parsed<RedirectUrl> {
        if blank(&self.connector_redirect_url) {
            return None;
        }
        Some(
            RedirectUrl::parse(&self.connector_redirect_url).map(|mut r| {
                let path = r
                    .value
                    .as_str()
                    .split_once("://")
                    .map(|(_, rest)| rest.find('/').map_or("", |i| &rest[i..]))
                    .unwrap_or("");
                if path.trim_end_matches('/') == CALLBACK_PATH {
                    r.notes.push(Note::warning(format!(
                    "This looks like the wizard's own sign-in address (…{CALLBACK_PATH}), which is \
                     registered on the Single-page application platform. Data Sync needs its own \
                     redirect on the Web platform, such as http://localhost; using the SPA one \
                     fails with AADSTS9002327."
                )));
                }
                if self.grant_type == GrantType::ClientCredentials {
                    r.notes.push(Note::info(
                    "Client credentials does not use a redirect URL, so the connector's Redirect \
                     URL stays blank. This one is kept only in case you switch to Authorization \
                     code.",
                ));
                }
                r
            }),
        )
    }

    pub(super) fn p_email(&self) -> Parsed<Email> {
        if blank(&self.primary_email) {
            return None;
        }
        Some(Email::parse(&self.primary_email))
    }

    pub(super) fn p_entity(&self) -> Parsed<String> {
        if blank(&self.entity) {
            return None;
        }
        Some(check_entity_set(&self.entity))
    }

    pub(super) fn p_text(s: &str) -> Parsed<String> {
        if blank(s) {
            None
        } else {
            Some(Ok(Checked::clean(s.trim().to_string())))
        }
    }
}
