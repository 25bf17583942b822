//! Shared view pieces of the wizard's pages: checked fields, copy buttons, checklist items, the
//! diagnosis box and the entity picker. They read the contexts in [`crate::state`]; none runs a
//! pipeline of its own.

mod checklist;
mod copy_value;
mod diagnosis;
mod field;
mod picker;
mod reminder;
mod verification;

pub use checklist::{Check, PortalLink};
pub use copy_value::CopyValue;
pub use diagnosis::DiagnosisView;
pub use field::{Field, InputKind};
pub use picker::EntityPicker;
pub use reminder::ReminderButton;
pub use verification::{VerdictMark, VerificationProblems};

/// Human-readable size: "3.5 MB", "812 KB".
pub fn human_bytes(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1} MB", n as f64 / 1_000_000.0)
    } else if n >= 1_000 {
        format!("{} KB", n / 1_000)
    } else {
        format!("{n} bytes")
    }
}
