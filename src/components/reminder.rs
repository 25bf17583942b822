//! "Add a reminder": downloads the secret's expiry as an iCalendar event
//! ([`wizard_core::reminder`]); nothing secret is in it.

use crate::{services::browser, state::Wizard};
use leptos::prelude::*;
use wizard_core::reminder;

/// The button, shown while "Secret expires" holds a date; says what happened after a click.
#[component]
pub fn ReminderButton() -> impl IntoView {
    let wizard = Wizard::expect();
    let said = RwSignal::new(None::<String>);
    let expires = Memo::new(move |_| {
        wizard
            .draft
            .with(|d| chrono::NaiveDate::parse_from_str(d.secret_expires.trim(), "%Y-%m-%d").ok())
    });
    let add = move |_| {
        let Some(day) = expires.get_untracked() else {
            return;
        };
        let (app, client) = wizard
            .draft
            .with_untracked(|d| (d.app_name.clone(), d.client_id.clone()));
        let now = chrono::DateTime::from_timestamp(browser::now_secs(), 0).unwrap_or_default();
        let text = reminder::secret_expiry_ics(&app, &client, day, now);
        said.set(Some(
            match text.map(|t| browser::download(reminder::FILE_NAME, reminder::MEDIA_TYPE, &t)) {
                Some(Ok(())) => format!(
                    "Downloaded {}: open it to add the expiry ({day}) to your calendar, with an alert {} days before.",
                    reminder::FILE_NAME,
                    reminder::ALARM_DAYS_BEFORE
                ),
                Some(Err(e)) => format!("The browser refused the download: {e}"),
                None => "That date cannot go into a calendar.".to_string(),
            },
        ));
    };
    view! {
        <Show when=move || expires.with(Option::is_some)>
            <div class="actions">
                <button type="button" class="secondary" on:click=add>"Add a reminder"</button>
            </div>
            <p class="hint">"A calendar event (.ics) for the day the secret expires, with an alert two weeks before. It holds no secret."</p>
            {move || said.get().map(|s| view! { <p class="msg ok" role="status">{s}</p> })}
        </Show>
    }
}
