//! Delegated permission grants (`oauth2PermissionGrants`) as Graph lists them: the tenant's
//! grants of [`super::objects`] (configured ones first — per app the `AllPrincipals` grant to
//! Microsoft Graph, its `extra_grants`, the `AllPrincipals` grant to Dynamics CRM when consented,
//! then one `Principal` grant per user who consented alone — then those made at run time, once
//! replicated). Entra keeps one grant per client, resource, consent type and principal.

use super::directory::{graph_json, with_context, Directory};
use super::not_found;
use crate::dataverse::ODataQuery;
use crate::now_ms;
use crate::paging::Paging;
use axum::response::Response;
use serde_json::Value;

impl Directory<'_> {
    /// Delegated permission grants of the tenant's apps, filtered by client SP and consent type.
    pub fn list_grants(
        &self,
        client_sp: Option<&str>,
        consent_type: Option<&str>,
        paging: &Paging,
    ) -> Response {
        let now = now_ms();
        let rows: Vec<Value> = self
            .objects
            .grants
            .iter()
            .filter(|g| g.visible_from_ms <= now)
            .filter(|g| client_sp.is_none_or(|c| c.eq_ignore_ascii_case(&g.client_id)))
            .filter(|g| consent_type.is_none_or(|c| c == g.consent_type))
            .map(|g| g.json())
            .collect();
        let context = self.context("oauth2PermissionGrants", &ODataQuery::default());
        graph_json(paging.collection(context, rows))
    }

    /// `GET oauth2PermissionGrants/{id}`.
    pub fn get_grant(&self, id: &str) -> Response {
        let now = now_ms();
        match self
            .objects
            .grants
            .iter()
            .find(|g| g.id == id && g.visible_from_ms <= now)
        {
            Some(g) => {
                let mut v = g.json();
                with_context(
                    &mut v,
                    self.context("oauth2PermissionGrants/$entity", &ODataQuery::default()),
                );
                graph_json(v)
            }
            None => not_found(id),
        }
    }
}
