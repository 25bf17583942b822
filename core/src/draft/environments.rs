//! One setup, several environments (dev, test, production): one app registration, tenant and
//! secret; per environment its own URL, friendly name and entity.
//!
//! The form's fields hold the first environment ([`Draft::environment_url`], `entity`,
//! `environment_name`); the others wait in [`Draft::more_environments`]. Everything per
//! environment — Service URL, checks, fixes, export, targets — is derived from
//! [`Draft::per_environment`]: one ordinary one-environment draft each, read by the same
//! functions as a one-environment setup, so no value is built twice.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{check_field, Connection, Draft, FieldId, FieldStatus, Problem, Severity};
use crate::fields::EnvironmentUrl;

/// Another environment of the same setup.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OtherEnvironment {
    /// Its Environment URL.
    pub url: String,
    /// Its friendly name (blank when unknown).
    pub name: String,
    /// The entity set name Data Sync reads there (may differ per environment; blank: the same
    /// as the form's).
    pub entity: String,
}

/// Whether two typed Environment URLs name the same environment (after the field's own
/// normalisation; as typed when either does not parse).
fn same_environment(a: &str, b: &str) -> bool {
    match (EnvironmentUrl::parse(a), EnvironmentUrl::parse(b)) {
        (Ok(a), Ok(b)) => a.value == b.value,
        _ => a.trim() == b.trim(),
    }
}

impl Draft {
    /// The Environment URL field's setter: another environment's URL forgets the friendly name
    /// of the one before.
    pub(super) fn set_environment_url(&mut self, value: String) {
        if !same_environment(&self.environment_url, &value) {
            self.environment_name.clear();
        }
        self.environment_url = value;
    }

    /// One draft per environment, the form's first: each with that environment's URL, name and
    /// entity, and no others. A draft without any environment gives itself alone.
    pub fn per_environment(&self) -> Vec<Draft> {
        let mut first = self.clone();
        first.more_environments.clear();
        let mut out = vec![first.clone()];
        for other in &self.more_environments {
            let mut d = first.clone();
            d.environment_url = other.url.clone();
            d.environment_name = other.name.clone();
            // Blank: the same entity as the form's environment.
            if !other.entity.trim().is_empty() {
                d.entity = other.entity.clone();
            }
            out.push(d);
        }
        out
    }

    /// How many environments the setup has (the form's counts once it is typed).
    pub fn environment_count(&self) -> usize {
        usize::from(!self.environment_url.trim().is_empty()) + self.more_environments.len()
    }

    /// What screens call this draft's (first) environment: its friendly name, else its
    /// organisation name, else the URL as typed.
    pub fn environment_label(&self) -> String {
        let name = self.environment_name.trim();
        if !name.is_empty() {
            return name.to_string();
        }
        match EnvironmentUrl::parse(&self.environment_url) {
            Ok(e) => e.value.org().to_string(),
            Err(_) => self.environment_url.trim().to_string(),
        }
    }

    /// Whether `env` is one of the setup's environments.
    pub fn has_environment(&self, env: &EnvironmentUrl) -> bool {
        let url = env.as_str();
        same_environment(&self.environment_url, url)
            || self
                .more_environments
                .iter()
                .any(|o| same_environment(&o.url, url))
    }

    /// Adds a chosen environment: into the form when its Environment URL is blank, else after
    /// the others, reading the first one's entity. Choosing the form's own environment again
    /// only names it.
    pub fn add_environment(&mut self, env: &EnvironmentUrl, name: &str) {
        let url = env.as_str().to_string();
        if self.environment_url.trim().is_empty() || same_environment(&self.environment_url, &url) {
            self.environment_url = url;
            self.environment_name = name.trim().to_string();
        } else if !self.has_environment(env) {
            self.more_environments.push(OtherEnvironment {
                url,
                name: name.trim().to_string(),
                entity: self.entity.clone(),
            });
        }
    }

    /// Takes an environment out of the setup. When it is the form's, the next one moves into
    /// the form (with its name and entity); when it was the only one, the form's URL is cleared.
    pub fn remove_environment(&mut self, env: &EnvironmentUrl) {
        let url = env.as_str();
        if same_environment(&self.environment_url, url) {
            if self.more_environments.is_empty() {
                self.environment_url.clear();
                self.environment_name.clear();
            } else {
                let next = self.more_environments.remove(0);
                self.environment_url = next.url;
                self.environment_name = next.name;
                self.entity = next.entity;
            }
        } else {
            self.more_environments
                .retain(|o| !same_environment(&o.url, url));
        }
    }

    /// Gives each of the setup's environments that has no friendly name the one `known` reports
    /// for its URL (the Global Discovery list). Returns whether a name was filled in.
    pub fn name_environments<'a>(
        &mut self,
        known: impl IntoIterator<Item = (&'a EnvironmentUrl, &'a str)> + Clone,
    ) -> bool {
        let name_of = |url: &str| {
            known
                .clone()
                .into_iter()
                .find(|(e, _)| same_environment(e.as_str(), url))
                .map(|(_, n)| n.trim().to_string())
        };
        let mut changed = false;
        if self.environment_name.trim().is_empty() {
            if let Some(n) = name_of(&self.environment_url) {
                self.environment_name = n;
                changed = true;
            }
        }
        for other in &mut self.more_environments {
            if other.name.trim().is_empty() {
                if let Some(n) = name_of(&other.url) {
                    other.name = n;
                    changed = true;
                }
            }
        }
        changed
    }

    /// Brings the other environment `index` into the form, and the form's takes its place: how
    /// the sign-in, the schema picker and the fields work on another environment.
    pub fn edit_environment(&mut self, index: usize) {
        let Some(other) = self.more_environments.get_mut(index) else {
            return;
        };
        std::mem::swap(&mut self.environment_url, &mut other.url);
        std::mem::swap(&mut self.environment_name, &mut other.name);
        std::mem::swap(&mut self.entity, &mut other.entity);
    }

    /// The checked connection of every environment, the form's first, or every problem.
    pub fn validate_all(&self, today: NaiveDate) -> Result<Vec<Connection>, Vec<Problem>> {
        let problems = self.problems(today);
        if problems.iter().any(|p| p.severity == Severity::Error) {
            return Err(problems);
        }
        self.per_environment()
            .iter()
            .map(|d| d.build(today, true))
            .collect::<Option<Vec<_>>>()
            .ok_or(problems)
    }

    /// The problems of the other environments (their URL and entity, checked like the form's),
    /// and an environment listed twice, each message starting with the environment's name.
    pub(super) fn other_environment_problems(&self, today: NaiveDate) -> Vec<Problem> {
        let mut out = Vec::new();
        let drafts = self.per_environment();
        for (i, d) in drafts.iter().enumerate().skip(1) {
            let label = d.environment_label();
            for field in [FieldId::EnvironmentUrl, FieldId::Entity] {
                let message = match check_field(d, field, today) {
                    FieldStatus::Blank { .. } => field.missing_message(),
                    FieldStatus::Invalid(m) => format!("{}: {m}", field.label()),
                    FieldStatus::Valid(_) => continue,
                };
                out.push(Problem {
                    field: None,
                    step: field.step(),
                    severity: Severity::Error,
                    message: format!("{label}: {message}"),
                });
            }
            if drafts[..i]
                .iter()
                .any(|e| same_environment(&e.environment_url, &d.environment_url))
            {
                out.push(Problem {
                    field: None,
                    step: FieldId::EnvironmentUrl.step(),
                    severity: Severity::Error,
                    message: format!(
                        "{label}: this environment is in the setup twice; untick one under Your \
                         environments."
                    ),
                });
            }
        }
        out
    }
}
