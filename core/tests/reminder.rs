//! The secret-expiry reminder is an iCalendar file a real parser reads back (issue 23): one
//! all-day event on the expiry day, an alarm two weeks before, and no secret in it.

use chrono::{NaiveDate, TimeZone, Utc};
use icalendar::{Calendar, CalendarComponent, Component, DatePerhapsTime};
use wizard_core::reminder::{secret_expiry_ics, ALARM_DAYS_BEFORE};

const CLIENT: &str = "AAAAAAAA-0000-4000-8000-000000000001";

fn make(app: &str) -> String {
    secret_expiry_ics(
        app,
        CLIENT,
        NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
        Utc.with_ymd_and_hms(2026, 12, 2, 22, 3, 4).unwrap(),
    )
    .unwrap()
}

#[test]
fn it_parses_as_icalendar_with_one_all_day_event_on_the_expiry_day() {
    let ics = make("Data Sync, Contoso; prod");
    let calendar: Calendar = ics.parse().expect("RFC 5545");
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter_map(|c| match c {
            CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 1);
    let e = events[0];
    assert_eq!(
        e.get_start(),
        Some(DatePerhapsTime::Date(
            NaiveDate::from_ymd_opt(2027, 6, 30).unwrap()
        ))
    );
    assert_eq!(
        e.get_end(),
        Some(DatePerhapsTime::Date(
            NaiveDate::from_ymd_opt(2027, 7, 1).unwrap()
        ))
    );
    // Commas and semicolons are escaped, so the summary reads back whole.
    assert_eq!(
        e.get_summary(),
        Some("Client secret of Data Sync, Contoso; prod expires")
    );
    assert!(e
        .get_description()
        .unwrap()
        .contains("Certificates & secrets → New client secret"));
    assert_eq!(
        e.get_uid(),
        Some("aaaaaaaa-0000-4000-8000-000000000001-20270630@dataverse-connection-wizard")
    );
    assert!(ics.contains(&format!("TRIGGER:-P{ALARM_DAYS_BEFORE}D\r\n")));
    assert!(ics.contains("DTSTAMP:20261202T220304Z\r\n"));
}

#[test]
fn every_line_is_folded_to_75_octets_and_ends_with_crlf() {
    let ics = make(&"Ünïcødé app ".repeat(12));
    assert!(ics.ends_with("END:VCALENDAR\r\n"));
    for l in ics.split("\r\n") {
        assert!(l.len() <= 75, "{} octets: {l}", l.len());
        assert!(!l.contains('\n'));
    }
    let calendar: Calendar = ics.parse().unwrap();
    assert_eq!(calendar.components.len(), 1);
    // A blank name still says whose secret it is.
    assert!(make("  ").contains("SUMMARY:Client secret of the Data Sync app expires"));
}

#[test]
fn no_secret_and_no_date_past_the_calendar() {
    let ics = make("App");
    assert!(!ics.to_lowercase().contains("secret value:"));
    assert!(!ics.contains("Sbx8Q~"));
    assert_eq!(
        secret_expiry_ics("a", "b", NaiveDate::MAX, Utc::now()),
        None
    );
}

#[test]
fn a_line_of_exactly_75_octets_is_not_folded_and_76_is() {
    let app = "a".repeat(42);
    let ics = make(&app);
    let line = format!("SUMMARY:Client secret of {app} expires\r\n");
    assert_eq!(line.len(), 77);
    assert!(ics.contains(&line), "{ics}");
    let ics = make(&"a".repeat(43));
    assert!(
        ics.contains(&format!(
            "SUMMARY:Client secret of {} expire\r\n s\r\n",
            "a".repeat(43)
        )),
        "{ics}"
    );
}
