//! Delegated permission grants (`oauth2PermissionGrants`) of a tenant's apps: per app the
//! `AllPrincipals` grant to Microsoft Graph (its `graph_permissions`), its `extra_grants`, the
//! `AllPrincipals` grant to Dynamics CRM when consented, then one `Principal` grant per user who
//! consented alone. Entra keeps one grant per client, resource, consent type and principal.

use super::directory::{graph_json, Directory};
use crate::dataverse::ODataQuery;
use crate::entra::{DYNAMICS_APP_ID, GRAPH_APP_ID};
use crate::paging::Paging;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

impl Directory<'_> {
    /// Delegated permission grants of the tenant's apps, filtered by client SP and consent type.
    pub fn list_grants(
        &self,
        client_sp: Option<&str>,
        consent_type: Option<&str>,
        paging: &Paging,
    ) -> Response {
        let dynamics = self.first_party_sp_id(DYNAMICS_APP_ID);
        let graph = self.first_party_sp_id(GRAPH_APP_ID);
        let consents = self.state.store().consents.clone();
        let mut rows = Vec::new();
        for app in &self.tenant.apps {
            let sp = &app.service_principal_object_id;
            if client_sp.is_some_and(|c| !c.eq_ignore_ascii_case(sp)) {
                continue;
            }
            if !app.graph_permissions.is_empty() {
                rows.push(grant_json(
                    sp,
                    &graph,
                    None,
                    &app.graph_permissions.join(" "),
                ));
            }
            for g in &app.extra_grants {
                let resource = self.first_party_sp_id(&g.resource_app_id);
                rows.push(grant_json(sp, &resource, None, &g.scope));
            }
            let org_wide = app.consented || consents.contains(&(app.client_id.clone(), None));
            if org_wide {
                rows.push(grant_json(sp, &dynamics, None, "user_impersonation"));
            }
            let mut users: Vec<String> = app.user_consents.clone();
            for (client, user) in &consents {
                if let (true, Some(u)) = (client == &app.client_id, user) {
                    if !users.contains(u) {
                        users.push(u.clone());
                    }
                }
            }
            users.sort();
            for u in users {
                rows.push(grant_json(sp, &dynamics, Some(&u), "user_impersonation"));
            }
        }
        let rows: Vec<Value> = rows
            .into_iter()
            .filter(|g| consent_type.is_none_or(|c| g["consentType"].as_str() == Some(c)))
            .collect();
        let context = self.context("oauth2PermissionGrants", &ODataQuery::default());
        graph_json(paging.collection(context, rows))
    }
}

fn guid_bytes(s: &str) -> Vec<u8> {
    uuid::Uuid::parse_str(s)
        .map(|u| u.to_bytes_le().to_vec())
        .unwrap_or_else(|_| s.as_bytes().to_vec())
}

/// A grant as Graph shows it; its `id` is the client, resource (and principal) IDs, base64url.
fn grant_json(client: &str, resource: &str, principal: Option<&str>, scope: &str) -> Value {
    let mut raw = guid_bytes(client);
    raw.extend(guid_bytes(resource));
    if let Some(p) = principal {
        raw.extend(guid_bytes(p));
    }
    json!({
        "clientId": client,
        "consentType": if principal.is_some() { "Principal" } else { "AllPrincipals" },
        "id": URL_SAFE_NO_PAD.encode(raw),
        "principalId": principal,
        "resourceId": resource,
        "scope": scope,
    })
}
