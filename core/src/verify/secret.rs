//! Check 6: the client secret, compared locally with the app registration's
//! `passwordCredentials` (the typed secret is never sent anywhere).

use chrono::NaiveDate;

use super::entra_checks::{same_id, the_application};
use super::graph::PasswordCredential;
use super::{list_words, CheckId, FixAction, Verdict};
use crate::draft::SecretInput;

/// Days before a secret's expiry from which its check is a warning (as the Secret expires field).
pub const SECRET_WARN_DAYS: i64 = crate::fields::SecretExpiry::WARN_DAYS;

/// `YYYY-MM-DD` of an ISO 8601 timestamp (`2026-07-01T10:00:00Z` → `2026-07-01`).
pub(crate) fn date_of(timestamp: &str) -> Option<String> {
    parse_date(timestamp).map(|d| d.format("%Y-%m-%d").to_string())
}

fn parse_date(timestamp: &str) -> Option<NaiveDate> {
    let t = timestamp.trim();
    NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok()
}

/// Check 6's result: the verdict and, when exactly one secret matched, its expiry
/// (`YYYY-MM-DD`, for "Secret expires") and Secret ID.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretCheck {
    /// The verdict.
    pub verdict: Verdict,
    /// The matched secret's expiry date, `YYYY-MM-DD`.
    pub expires: Option<String>,
    /// The matched secret's Secret ID (`keyId`).
    pub key_id: Option<String>,
}

/// Check 6, done locally: the typed secret is never sent. Its first three characters must match
/// the `hint` of exactly one of the app's `passwordCredentials`; that secret must not be expired
/// (≤ [`SECRET_WARN_DAYS`] days left → warning). A value equal to a `keyId` is the Secret ID,
/// not the Value. Not checkable when no secret is typed.
pub fn check_client_secret(
    applications: &str,
    client_id: &str,
    secret: &SecretInput,
    today: NaiveDate,
) -> SecretCheck {
    let check = CheckId::ClientSecret;
    let plain = |verdict: Verdict| SecretCheck {
        verdict,
        expires: None,
        key_id: None,
    };
    let app = match the_application(check, applications, client_id) {
        Ok(a) => a,
        Err(v) => return plain(v),
    };
    let typed = secret.expose().trim();
    if typed.is_empty() {
        return plain(Verdict::not_checkable(
            check,
            "No client secret is entered, so there is nothing to compare.",
        ));
    }
    let creds = &app.password_credentials;
    let describe = |c: &PasswordCredential| {
        // A secret added without a description has no name: don't show empty quotes.
        let name = match c.display_name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => format!("\u{201c}{n}\u{201d}"),
            _ => "the secret".to_string(),
        };
        format!(
            "{name} ({}…, Secret ID {}, expires {})",
            c.hint.as_deref().unwrap_or("?"),
            c.key_id,
            c.end_date_time
                .as_deref()
                .and_then(date_of)
                .unwrap_or_else(|| "never".to_string())
        )
    };
    let all: Vec<String> = creds.iter().map(describe).collect();
    let evidence_all = format!("The app's secrets: {}.", list_words(&all));
    const NEW: &str = "Certificates & secrets → New client secret, copy its Value (shown only \
                       once) and paste it here.";
    if let Some(c) = creds.iter().find(|c| same_id(&c.key_id, typed)) {
        return plain(
            Verdict::wrong(
                check,
                "This is the Secret ID, not the Value.",
                format!("It is the Secret ID of {}.", describe(c)),
                "Paste the secret's Value. It is shown only right after the secret is created; if \
                 you no longer have it, create a new client secret and copy its Value.",
            )
            .with_action(FixAction::AddSecret),
        );
    }
    if creds.is_empty() {
        return plain(
            Verdict::wrong(
                check,
                "The app has no client secrets.",
                "passwordCredentials is empty.",
                NEW,
            )
            .with_action(FixAction::AddSecret),
        );
    }
    let prefix: String = typed.chars().take(3).collect();
    let matching: Vec<&PasswordCredential> = creds
        .iter()
        .filter(|c| c.hint.as_deref() == Some(prefix.as_str()))
        .collect();
    match matching.as_slice() {
        [] => plain(
            Verdict::wrong(
                check,
                "The secret you entered matches no secret of the app (its first characters match \
                 none of them): it belongs to another app, was deleted, or was mistyped.",
                evidence_all,
                NEW,
            )
            .with_action(FixAction::AddSecret),
        ),
        [c] => {
            let end = c.end_date_time.as_deref().and_then(parse_date);
            let start = c.start_date_time.as_deref().and_then(parse_date);
            let expires = end.map(|d| d.format("%Y-%m-%d").to_string());
            let evidence = format!("It matches {}.", describe(c));
            let verdict = match end.map(|d| (d - today).num_days()) {
                Some(days) if days < 0 => Verdict::wrong(
                    check,
                    format!(
                        "This secret expired {} day{} ago (AADSTS7000222).",
                        -days,
                        if days == -1 { "" } else { "s" }
                    ),
                    evidence,
                    NEW,
                )
                .with_action(FixAction::AddSecret),
                Some(days) if days <= SECRET_WARN_DAYS => Verdict::warning(
                    check,
                    format!(
                        "This secret expires in {days} day{}.",
                        if days == 1 { "" } else { "s" }
                    ),
                    evidence,
                    "Create a new client secret before then, update Data Sync with its Value, and \
                     delete the old one afterwards.",
                )
                .with_action(FixAction::AddSecret),
                _ if start.is_some_and(|s| s > today) => Verdict::warning(
                    check,
                    "This secret is not valid yet (its start date is in the future).",
                    evidence,
                    "Wait until its start date, or create a secret that is valid now.",
                ),
                _ => Verdict::verified(check, evidence),
            };
            SecretCheck {
                verdict,
                expires,
                key_id: Some(c.key_id.clone()),
            }
        }
        many => {
            let which: Vec<String> = many.iter().map(|c| describe(c)).collect();
            let dates: Vec<Option<String>> = many
                .iter()
                .map(|c| c.end_date_time.as_deref().and_then(date_of))
                .collect();
            let same_date = dates.windows(2).all(|w| w[0] == w[1]);
            plain(Verdict::warning(
                check,
                format!(
                    "{} secrets start with the same three characters, so the wizard cannot tell \
                     which one you entered: {}.",
                    many.len(),
                    list_words(&which)
                ),
                evidence_all,
                "Compare the Expires column in Certificates & secrets, and delete secrets that are \
                 no longer used.",
            ))
            .with_expires(if same_date {
                dates.into_iter().next().flatten()
            } else {
                None
            })
        }
    }
}

impl SecretCheck {
    fn with_expires(mut self, expires: Option<String>) -> SecretCheck {
        self.expires = expires;
        self
    }
}
