//! A draft checked once per change: the problems, the connection (when complete) and the
//! connector values. The app keeps one of these in a memo, so every screen and export of one
//! draft change reads the same result instead of parsing the draft again.

use chrono::NaiveDate;

use crate::connector::{connector_values, ConnectorValues};
use crate::draft::{Connection, Draft, Problem, Severity};

/// Everything derived from one state of the draft.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedDraft {
    problems: Vec<Problem>,
    connection: Option<Connection>,
    connections: Vec<Connection>,
    connector: ConnectorValues,
}

impl CheckedDraft {
    /// Checks `draft` as of `today`.
    pub fn new(draft: &Draft, today: NaiveDate) -> CheckedDraft {
        // What `Draft::validate` does, keeping the problems it computes on the way.
        let problems = draft.problems(today);
        let has_error = problems.iter().any(|p| p.severity == Severity::Error);
        let connections: Vec<Connection> = if has_error {
            Vec::new()
        } else {
            draft
                .per_environment()
                .iter()
                .map(|d| d.build(today, true))
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default()
        };
        CheckedDraft {
            problems,
            connection: connections.first().cloned(),
            connections,
            connector: connector_values(draft),
        }
    }

    /// Every problem (errors and warnings), in step order.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// How many problems are errors.
    pub fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }

    /// The checked connection, when there is no error.
    pub fn connection(&self) -> Option<&Connection> {
        self.connection.as_ref()
    }

    /// The checked connection of every environment, the form's first (empty while there is an
    /// error).
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The connector values (complete or not).
    pub fn connector(&self) -> &ConnectorValues {
        &self.connector
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draft::tests::{good, today};

    #[test]
    fn agrees_with_validate_and_the_connector_values() {
        let mut d = good();
        let c = CheckedDraft::new(&d, today());
        assert_eq!(c.connection(), d.validate(today()).ok().as_ref());
        assert_eq!(Ok(c.connections().to_vec()), d.validate_all(today()));
        assert_eq!(c.problems(), d.problems(today()));
        assert_eq!(c.error_count(), 0);
        assert_eq!(c.connector(), &connector_values(&d));

        d.tenant_id = "nope".into();
        let c = CheckedDraft::new(&d, today());
        assert!(c.connection().is_none());
        assert_eq!(c.error_count(), 1);
        assert_eq!(Err(c.problems().to_vec()), d.validate(today()));
        assert!(c.connections().is_empty());
    }
}
