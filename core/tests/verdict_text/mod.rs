//! Shared by the verification tests: every text of a verdict, for `contains` checks.
use wizard_core::verify::{Outcome, Verdict};

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
