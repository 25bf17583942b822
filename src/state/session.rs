//! The sign-in context: the token and the last sign-in failure, in memory only.

use crate::services::signin::{self, SignedIn};
use leptos::prelude::*;
use wizard_core::diagnose::Diagnosis;

/// In-memory sign-in state shared by the test page and the callback.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in result, if any. Memory only: gone on reload, by design.
    pub signed_in: RwSignal<Option<SignedIn>>,
    /// The last sign-in failure, shown on the test page.
    pub failure: RwSignal<Option<Diagnosis>>,
    /// A sign-in for "Your environments" alone (a Global Discovery token). Memory only.
    pub discovery: RwSignal<Option<SignedIn>>,
    /// Why the last discovery sign-in failed, shown under "Your environments".
    pub discovery_failure: RwSignal<Option<Diagnosis>>,
    /// "Set it up for me"'s sign-in for Graph write permissions. Memory only.
    pub setup: RwSignal<Option<SignedIn>>,
    /// Why that sign-in failed.
    pub setup_failure: RwSignal<Option<Diagnosis>>,
}

impl Session {
    /// Provides the context. Needs no other context.
    pub fn provide() -> Self {
        let s = Session {
            signed_in: RwSignal::new(None),
            failure: RwSignal::new(None),
            discovery: RwSignal::new(None),
            discovery_failure: RwSignal::new(None),
            setup: RwSignal::new(None),
            setup_failure: RwSignal::new(None),
        };
        provide_context(s);
        s
    }

    /// The session context.
    pub fn expect() -> Self {
        expect_context()
    }

    /// Records how a sign-in ended: the token, or why there is none.
    pub fn finish(&self, result: Result<SignedIn, Diagnosis>) {
        match result {
            Ok(signed) => {
                self.failure.set(None);
                self.signed_in.set(Some(signed));
            }
            Err(d) => {
                self.signed_in.set(None);
                self.failure.set(Some(d));
            }
        }
    }

    /// Records how a discovery sign-in ended.
    pub fn finish_discovery(&self, result: Result<SignedIn, Diagnosis>) {
        match result {
            Ok(signed) => {
                self.discovery_failure.set(None);
                self.discovery.set(Some(signed));
            }
            Err(d) => self.discovery_failure.set(Some(d)),
        }
    }

    /// Forgets the tokens and any failure (sign out).
    pub fn sign_out(&self) {
        self.signed_in.set(None);
        self.failure.set(None);
        self.discovery.set(None);
        self.discovery_failure.set(None);
        self.setup.set(None);
        self.setup_failure.set(None);
        signin::forget_pending();
    }
}
