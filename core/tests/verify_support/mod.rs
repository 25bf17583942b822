//! Shared by the verification tests: every text of a verdict, for `contains` checks; the
//! environment and GUIDs they build requests with.
use wizard_core::fields::{EnvironmentUrl, Guid};
use wizard_core::verify::{Outcome, Verdict};

/// The environment the request tests use.
pub fn env() -> EnvironmentUrl {
    EnvironmentUrl::parse("https://contoso.crm4.dynamics.com")
        .unwrap()
        .value
}

/// A GUID from its text.
pub fn guid(s: &str) -> Guid {
    Guid::parse(s).unwrap()
}

/// Cause, evidence and fix (or the evidence, or the reason), joined with ` | `.
pub fn text(v: &Verdict) -> String {
    match &v.outcome {
        Outcome::Verified { evidence } => evidence.clone(),
        Outcome::Warning {
            cause,
            evidence,
            fix,
        }
        | Outcome::Wrong {
            cause,
            evidence,
            fix,
        } => format!("{cause} | {evidence} | {fix}"),
        Outcome::NotCheckable { reason } => reason.clone(),
    }
}
