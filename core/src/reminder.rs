//! "Add a reminder": an iCalendar file (RFC 5545) with one all-day VEVENT on the day the client
//! secret expires, and an alarm two weeks before. It holds no secret: the app's name, its client
//! ID and what to do. Today's portal allows two years at most: a secret no longer "never
//! expires", so the renewal has to be on someone's calendar.
//!
//! Written here rather than with an iCalendar crate: one event is a dozen lines, while the
//! crates bring a UUID generator (and its randomness source) and a parser into the browser
//! bundle. The tests read the file back with a real parser (the `icalendar` crate).

use chrono::{DateTime, Days, NaiveDate, Utc};

/// Days before the expiry that the calendar's alarm goes off.
pub const ALARM_DAYS_BEFORE: u32 = 14;

/// The file name offered for the download.
pub const FILE_NAME: &str = "client-secret-expiry.ics";

/// The media type of the download.
pub const MEDIA_TYPE: &str = "text/calendar";

/// A TEXT value escaped as RFC 5545 §3.3.11 says: `\`, `;`, `,` and line breaks.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (RFC 5545 §3.1) without splitting a character, ended
/// with CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// The reminder for the secret of app `app_name` (`client_id`) expiring on `expires`, made at
/// `now`. `None` when the date has no next day (the end of the calendar).
pub fn secret_expiry_ics(
    app_name: &str,
    client_id: &str,
    expires: NaiveDate,
    now: DateTime<Utc>,
) -> Option<String> {
    let end = expires.checked_add_days(Days::new(1))?;
    let app = if app_name.trim().is_empty() {
        "the Data Sync app"
    } else {
        app_name.trim()
    };
    let client = client_id.trim();
    let day = |d: NaiveDate| d.format("%Y%m%d").to_string();
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Dataverse connection wizard//Secret expiry reminder//EN".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!(
            "UID:{}-{}@dataverse-connection-wizard",
            text(&client.to_ascii_lowercase()),
            day(expires)
        ),
        format!("DTSTAMP:{}", now.format("%Y%m%dT%H%M%SZ")),
        format!("DTSTART;VALUE=DATE:{}", day(expires)),
        format!("DTEND;VALUE=DATE:{}", day(end)),
        format!(
            "SUMMARY:{}",
            text(&format!("Client secret of {app} expires"))
        ),
        format!(
            "DESCRIPTION:{}",
            text(&format!(
                "The client secret of the app registration {app} (Application (client) ID \
                 {client}) expires today; Data Sync's connection stops working with it.\n\
                 Before then: Entra admin center → App registrations → {app} → Certificates & \
                 secrets → New client secret (24 months at most), copy its Value, paste it into \
                 Data Sync's OAuth2 Client Secret, then delete the old secret."
            ))
        ),
        "TRANSP:TRANSPARENT".to_string(),
        "BEGIN:VALARM".to_string(),
        "ACTION:DISPLAY".to_string(),
        format!("TRIGGER:-P{ALARM_DAYS_BEFORE}D"),
        format!(
            "DESCRIPTION:{}",
            text(&format!(
                "The client secret of {app} expires in {ALARM_DAYS_BEFORE} days"
            ))
        ),
        "END:VALARM".to_string(),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ] {
        line(&mut out, &l);
    }
    Some(out)
}
