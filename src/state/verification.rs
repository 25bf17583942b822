//! The live checks' results (issue 9), in memory only: the verdicts shown on step 7, next to the
//! steps and checklist items, and on the review page; the Graph token they used.

use super::Wizard;
use crate::services::{
    signin::GraphToken,
    verify::{EnvironmentVerdicts, Notify, Report},
};
use leptos::prelude::*;
use std::rc::Rc;
use wizard_core::{
    draft::{FieldId, SecretInput, Step},
    fields::Guid,
    verify::{reads::Awaited, CheckId, Outcome, Verdict},
};

/// The verification context. Memory only: gone on reload, like the sign-in.
#[derive(Clone, Copy)]
pub struct Verification {
    /// The last run's verdicts (empty before the first run).
    pub verdicts: RwSignal<Vec<Verdict>>,
    /// Whether a run is under way.
    pub running: RwSignal<bool>,
    /// The Graph token of the last run (memory only; `Debug` redacted).
    pub graph: RwSignal<Option<GraphToken>>,
    /// Why the Graph checks were skipped, if they were.
    pub graph_note: RwSignal<Option<String>>,
    /// Whether to offer the second sign-in, for Microsoft Graph (no refresh token to exchange).
    pub graph_sign_in: RwSignal<bool>,
    /// The app registration's object id (for "Create a new client secret").
    pub application_object_id: RwSignal<Option<Guid>>,
    /// What the last run changed in the draft ("Secret expires" filled), or a fix's outcome.
    pub notice: RwSignal<Option<String>>,
    /// A secret just created by the fix, shown once (memory only; `Debug` redacted).
    pub new_secret: RwSignal<Option<SecretInput>>,
    /// What a busy service asked the wizard to wait for, while it waits.
    pub waiting: RwSignal<Option<String>>,
    /// How many waits the last run made (429/503 with Retry-After).
    pub waits: RwSignal<u32>,
    /// Changes a fix just made, which the next run reads again for until they show.
    pub awaited: RwSignal<Vec<Awaited>>,
    /// Environments (URLs as in the draft) where the fix just created the application user.
    pub awaited_users: RwSignal<Vec<String>>,
    /// With several environments: each one's Dataverse verdicts (empty with one).
    pub environments: RwSignal<Vec<EnvironmentVerdicts>>,
}

impl Verification {
    /// Provides the context. Needs no other context.
    pub fn provide() -> Self {
        let v = Verification {
            verdicts: RwSignal::new(Vec::new()),
            running: RwSignal::new(false),
            graph: RwSignal::new(None),
            graph_note: RwSignal::new(None),
            graph_sign_in: RwSignal::new(false),
            application_object_id: RwSignal::new(None),
            notice: RwSignal::new(None),
            new_secret: RwSignal::new(None),
            waiting: RwSignal::new(None),
            waits: RwSignal::new(0),
            awaited: RwSignal::new(Vec::new()),
            awaited_users: RwSignal::new(Vec::new()),
            environments: RwSignal::new(Vec::new()),
        };
        provide_context(v);
        v
    }

    /// The context.
    pub fn expect() -> Self {
        expect_context()
    }

    /// Forgets every result (sign out, start over).
    pub fn clear(&self) {
        self.verdicts.set(Vec::new());
        self.graph.set(None);
        self.graph_note.set(None);
        self.graph_sign_in.set(false);
        self.application_object_id.set(None);
        self.notice.set(None);
        self.new_secret.set(None);
        self.waiting.set(None);
        self.waits.set(0);
        self.awaited.set(Vec::new());
        self.awaited_users.set(Vec::new());
        self.environments.set(Vec::new());
    }

    /// Tells the page about each wait a busy service asks for (the region shows it).
    pub fn notify(&self) -> Notify {
        let waiting = self.waiting;
        Rc::new(move |notice| waiting.set(notice))
    }

    /// Shows a run's `report`. When its matched secret's expiry differs from "Secret expires",
    /// the field is filled in and the notice says so.
    pub fn record(&self, wizard: Wizard, report: Report) {
        if let Some(expires) = report.secret_expires {
            let before = wizard
                .draft
                .with_untracked(|d| d.secret_expires.trim().to_string());
            if before != expires {
                wizard.set_field(FieldId::SecretExpires, expires.clone());
                self.notice.set(Some(if before.is_empty() {
                    format!("Secret expires was blank: filled in with {expires}, the matching secret's expiry in the app registration.")
                } else {
                    format!("Secret expires said {before}; changed to {expires}, the matching secret's expiry in the app registration.")
                }));
            }
        }
        self.graph.set(report.graph);
        self.graph_note.set(report.graph_note);
        self.graph_sign_in.set(report.graph_sign_in);
        self.application_object_id.set(report.application_object_id);
        self.waits.set(report.waits);
        self.waiting.set(None);
        self.environments.set(report.environments);
        self.verdicts.set(report.verdicts);
        self.running.set(false);
    }

    /// The verdict of `check`, if it ran (reactive).
    pub fn of(&self, check: CheckId) -> Option<Verdict> {
        self.verdicts
            .with(|v| v.iter().find(|v| v.check == check).cloned())
    }

    /// The step list's mark for `step`: the worst verdict (✗ before ⚠ before ✓) among its
    /// checks that a finished run could check. None while a run is under way, before any run,
    /// or when none of its checks could be checked: a "?" there would say nothing.
    pub fn worst_for_step(&self, step: Step) -> Option<Verdict> {
        if self.running.get() {
            return None;
        }
        // Every environment counts: a ✗ in the second one marks the step too.
        let others: Vec<Verdict> = self
            .environments
            .with(|e| e.iter().flat_map(|e| e.verdicts.clone()).collect());
        self.verdicts.with(|v| {
            v.iter()
                .chain(others.iter())
                .filter(|v| v.check.step() == step)
                .filter(|v| !matches!(v.outcome, Outcome::NotCheckable { .. }))
                .max_by_key(|v| rank(v))
                .cloned()
        })
    }

    /// The verdict shown next to a checklist item (by its id), if the item has a check.
    pub fn for_item(&self, item: &str) -> Option<Verdict> {
        item_check(item).and_then(|c| self.of(c))
    }
}

fn rank(v: &Verdict) -> u8 {
    match v.outcome {
        Outcome::Verified { .. } => 0,
        Outcome::NotCheckable { .. } => 1,
        Outcome::Warning { .. } => 2,
        Outcome::Wrong { .. } => 3,
    }
}

/// The check that verifies a checklist item.
pub fn item_check(item: &str) -> Option<CheckId> {
    Some(match item {
        "register.open" | "register.name" | "register.single-tenant" => CheckId::AppRegistration,
        "register.spa-redirect" => CheckId::RedirectUris,
        "permissions.add" => CheckId::DynamicsPermission,
        "permissions.consent" => CheckId::AdminConsent,
        "secret.create" | "secret.copy-value" => CheckId::ClientSecret,
        "details.enterprise-app" => CheckId::ObjectId,
        "app-user.create" => CheckId::ApplicationUser,
        "app-user.role" => CheckId::SecurityRoles,
        _ => return None,
    })
}

/// The words a screen reader says for a verdict's symbol.
pub fn verdict_words(v: &Verdict) -> &'static str {
    match v.outcome {
        Outcome::Verified { .. } => "verified",
        Outcome::Warning { .. } => "warning",
        Outcome::Wrong { .. } => "wrong",
        Outcome::NotCheckable { .. } => "not checkable",
    }
}

/// The CSS class for a verdict.
pub fn verdict_class(v: &Verdict) -> &'static str {
    match v.outcome {
        Outcome::Verified { .. } => "verdict ok",
        Outcome::Warning { .. } => "verdict warn",
        Outcome::Wrong { .. } => "verdict wrong",
        Outcome::NotCheckable { .. } => "verdict unknown",
    }
}
