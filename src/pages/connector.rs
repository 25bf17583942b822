//! Step 6: the connector's settings (Web API version, grant type, Redirect URL, the entity) and
//! Data Sync's own dialog in its order ([`wizard_core::dialog`]), every value from the one
//! derivation ([`wizard_core::connector::connector_values`]) with a Copy button.

use crate::{
    components::{Check, CopyValue, EntityPicker, Field},
    state::{SchemaState, Wizard},
};
use leptos::prelude::*;
use leptos_router::components::A;
use wizard_core::{
    connector::{ConnectorField, ConnectorValue, ConnectorValues, Endpoints},
    dialog::{self, DialogStep},
    draft::FieldId,
    fields::{ApiVersion, EndpointVersion, GrantType},
};

fn alternative(values: Memo<ConnectorValues>, f: fn(&Endpoints) -> String) -> Signal<String> {
    Signal::derive(move || values.with(|v| v.alternative().map(f).unwrap_or_default()))
}

/// One connector property: its value with a copy button, or why it is blank or still missing.
#[component]
fn ConnectorRow(field: ConnectorField, values: Memo<ConnectorValues>) -> impl IntoView {
    let value = Signal::derive(move || {
        values.with(|v| match v.get(field) {
            ConnectorValue::Value(s) => s.clone(),
            ConnectorValue::Secret(s) => s.expose().to_string(),
            _ => String::new(),
        })
    });
    let note = move || {
        values.with(|v| match v.get(field) {
            ConnectorValue::Blank { why } => why.to_string(),
            ConnectorValue::Missing { because, .. } => because.clone(),
            _ => String::new(),
        })
    };
    let masked = field == ConnectorField::ClientSecret;
    view! {
        <Show
            when=move || !value.with(String::is_empty)
            fallback=move || view! {
                <div class="copy-value">
                    <span class="copy-label">{field.label()}</span>
                    <span class="missing">{note}</span>
                </div>
            }
        >
            <CopyValue label=field.label() value masked />
        </Show>
    }
}

/// Where Data Sync's authorization_code sign-in lands: Simego's helper page (the default) or
/// the person's own redirect (the code typed in by hand).
#[component]
fn RedirectChoice() -> impl IntoView {
    let wizard = Wizard::expect();
    let helper = move || wizard.draft.with(|d| d.uses_simego_helper());
    let choose_helper = move |_| {
        wizard.set_field(
            FieldId::ConnectorRedirectUrl,
            dialog::SIMEGO_OAUTH_HELPER.into(),
        )
    };
    let choose_own = move |_| {
        if helper() {
            wizard.set_field(FieldId::ConnectorRedirectUrl, "http://localhost".into());
        }
    };
    view! {
        <fieldset class="radios">
            <legend>"Redirect URL for Data Sync's sign-in"</legend>
            <div class="radio">
                <input type="radio" name="redirect-choice" id="redirect-helper" prop:checked=helper on:change=choose_helper />
                <label for="redirect-helper">"Simego's OAuth helper page"</label>
                <span class="hint">" — " <code>{dialog::SIMEGO_OAUTH_HELPER}</code> ": after you sign in it shows the code for Data Sync. The reference page's choice."</span>
            </div>
            <div class="radio">
                <input type="radio" name="redirect-choice" id="redirect-own" prop:checked=move || !helper() on:change=choose_own />
                <label for="redirect-own">"Your own redirect, or http://localhost"</label>
                <span class="hint">" — the browser lands there with ?code=… in the address bar (http://localhost shows no page); you copy the code and type it into Data Sync."</span>
            </div>
        </fieldset>
        <Show when=move || !helper()>
            <Field field=FieldId::ConnectorRedirectUrl placeholder="http://localhost" />
        </Show>
        <p class="hint">"Whichever you choose must be registered under Authentication → Web in the app registration; the setup verification checks it."</p>
    }
}

/// A v2.0 token endpoint switched the set: say what changed, offer the v1 set in one click.
#[component]
fn V2Notice(values: Memo<ConnectorValues>) -> impl IntoView {
    let wizard = Wizard::expect();
    move || {
        values.with(ConnectorValues::v2_notice).map(|(text, v1)| {
            let use_v1 = v1.map(|url| {
                view! {
                    <button type="button" class="secondary" on:click=move |_| wizard.set_field(FieldId::TokenEndpoint, url.clone())>
                        "Use the v1 endpoints"
                    </button>
                }
            });
            view! {
                <div class="msg info" role="note">
                    <p>{text}</p>
                    {use_v1}
                </div>
            }
        })
    }
}

/// One step of Data Sync's dialog: what to click or fill, and the value when it has one.
#[component]
fn DialogItem(step: DialogStep, grant: GrantType, values: Memo<ConnectorValues>) -> impl IntoView {
    let field = match step {
        DialogStep::Property(f) | DialogStep::OAuthField(f) => Some(f),
        _ => None,
    };
    let class = if matches!(step, DialogStep::OAuthField(_)) {
        "dialog-step oauth-field"
    } else {
        "dialog-step"
    };
    view! {
        <li class=class>
            {match field {
                Some(f) => view! { <ConnectorRow field=f values /> }.into_any(),
                None => view! { <strong class="dialog-title">{step.title()}</strong> }.into_any(),
            }}
            {step.instruction(grant).map(|t| view! { <p class="hint">{t}</p> })}
        </li>
    }
}

#[component]
pub fn Connector() -> impl IntoView {
    let wizard = Wizard::expect();
    let schema_state = SchemaState::expect();
    // The one derivation: the review page and every export read the same values.
    let values = Memo::new(move |_| wizard.checked().with(|c| c.connector().clone()));
    let grant = Memo::new(move |_| wizard.draft.with(|d| d.grant_type));
    let auth_code = move || grant.get() == GrantType::AuthorizationCode;
    view! {
        <p class="lead">
            "Data Sync's OData 4.0 connector takes these values. Below they follow its own dialog, in the order you meet it, each with Copy."
        </p>
        <form class="fields" on:submit=|ev| ev.prevent_default()>
            <div class="field">
                <label for="api-version">"Web API version"</label>
                <p class="hint" id="api-version-hint">"v9.2 is current; v9.0 and v9.1 keep working for older tools."</p>
                <select
                    id="api-version"
                    aria-describedby="api-version-hint"
                    on:change:target=move |ev| {
                        if let Some(v) = ApiVersion::parse(&ev.target().value()) {
                            wizard.draft.update(|d| d.api_version = v);
                        }
                    }
                >
                    {ApiVersion::ALL.iter().map(|&v| view! {
                        <option value=v.as_str() selected=move || wizard.draft.with(|d| d.api_version == v)>{v.as_str()}</option>
                    }).collect_view()}
                </select>
            </div>
            <fieldset class="radios">
                <legend>"Grant Type"</legend>
                {GrantType::ALL.iter().map(|&g| {
                    let id = format!("grant-{}", g.as_str());
                    view! {
                        <div class="radio">
                            <input
                                type="radio"
                                name="grant-type"
                                id=id.clone()
                                value=g.as_str()
                                prop:checked=move || grant.get() == g
                                on:change=move |_| wizard.draft.update(|d| d.set_grant_type(g))
                            />
                            <label for=id>{g.as_str()}</label>
                            <span class="hint">" — " {g.help()}</span>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <Show when=auth_code>
                <RedirectChoice />
            </Show>
            <Show
                when=move || schema_state.loaded.with(Option::is_some)
                fallback=|| view! {
                    <p class="hint">
                        "Type the entity set name, or "
                        <A href="/setup/test">"sign in and load the schema (step 7)"</A>
                        " to pick it from a list."
                    </p>
                }
            >
                <EntityPicker />
            </Show>
            <Field field=FieldId::Entity placeholder="accounts" />
            <div class="field checkbox">
                <input
                    type="checkbox"
                    id="data-sync-writes"
                    aria-describedby="data-sync-writes-hint"
                    prop:checked=move || wizard.draft.with(|d| d.writes)
                    on:change:target=move |ev| {
                        let on = ev.target().checked();
                        wizard.draft.update(|d| d.writes = on);
                    }
                />
                <label for="data-sync-writes">"Data Sync will write to this table"</label>
                <p class="hint" id="data-sync-writes-hint">
                    "Tick it when Data Sync creates or updates rows here, not only reads them: the setup verification (step 7) then checks that the application user's roles allow Create and Write as well as Read."
                </p>
            </div>
        </form>
        <h2>"In Data Sync, step by step"</h2>
        <V2Notice values />
        <ol class="checklist">
            <Check id="connector.entered" label="Fill in Data Sync's connection dialog, in this order">
                <ol class="dialog">
                    {move || {
                        let g = grant.get();
                        dialog::data_sync_dialog(g)
                            .into_iter()
                            .map(|step| view! { <DialogItem step grant=g values /> })
                            .collect_view()
                    }}
                </ol>
            </Check>
        </ol>
        {move || values.with(|v| v.alternative().map(|e| e.version)).map(|other| {
            let (summary, authorize, token, scope) = match other {
                EndpointVersion::V2 => (
                    "The same endpoints in the v2.0 form (for tools that use scope instead of resource)",
                    "Authorize URL (v2.0)", "Token URL (v2.0)", "Scope (v2.0)",
                ),
                EndpointVersion::V1 => (
                    "The same endpoints in the v1 form (for tools that use resource instead of scope)",
                    "Authorize URL (v1)", "Token URL (v1)", "Scope (v1)",
                ),
            };
            view! {
                <details>
                    <summary>{summary}</summary>
                    <CopyValue label=authorize value=alternative(values, |e| e.authorise_url.clone()) />
                    <CopyValue label=token value=alternative(values, |e| e.token_url.clone()) />
                    <CopyValue label=scope value=alternative(values, |e| e.scope.clone()) missing="leave blank: v1 uses Resource" />
                </details>
            }
        })}
    }
}
