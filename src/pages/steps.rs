//! The content of each setup step: checklists with deep links and copy buttons, and the fields.

use crate::{
    components::{Check, CopyValue, Field, InputKind, PortalLink, ReminderButton},
    services::browser,
    state::{Session, Wizard},
};
use leptos::prelude::*;
use leptos_router::components::A;
use wizard_core::{
    cloud::Cloud,
    derive, dialog,
    draft::{FieldId, Step},
    entra,
    entra::Authority,
    fields::GrantType,
};

/// The checklist items a step must have ticked to count as done.
pub fn checklist_ids(step: Step) -> &'static [&'static str] {
    match step {
        Step::Register => &[
            "register.open",
            "register.name",
            "register.single-tenant",
            "register.spa-redirect",
        ],
        Step::Permissions => &["permissions.add", "permissions.consent"],
        Step::Secret => &["secret.create", "secret.copy-value"],
        Step::Details => &["details.enterprise-app"],
        Step::AppUser => &["app-user.create", "app-user.role"],
        Step::Connector => &["connector.entered"],
        Step::Test | Step::Review => &[],
    }
}

/// The view of one step's content.
pub fn content(step: Step) -> AnyView {
    match step {
        Step::Register => view! { <Register /> }.into_any(),
        Step::Permissions => view! { <Permissions /> }.into_any(),
        Step::Secret => view! { <Secret /> }.into_any(),
        Step::Details => view! { <Details /> }.into_any(),
        Step::AppUser => view! { <AppUser /> }.into_any(),
        Step::Connector => view! { <super::connector::Connector /> }.into_any(),
        Step::Test => view! { <super::test::TestConnection /> }.into_any(),
        Step::Review => view! { <super::export::Review /> }.into_any(),
    }
}

fn cloud() -> Signal<Cloud> {
    let wizard = Wizard::expect();
    Signal::derive(move || wizard.draft.with(|d| d.cloud))
}

/// A portal page of the user's app registration once its client ID is known, else the list of
/// app registrations.
fn app_page(page: fn(Cloud, &wizard_core::fields::Guid) -> String) -> Signal<String> {
    let wizard = Wizard::expect();
    Signal::derive(move || {
        wizard.draft.with(|d| match d.client_id() {
            Some(id) => page(d.cloud, &id),
            None => derive::app_registration_url(d.cloud, None),
        })
    })
}

/// The SPA redirect URI of this wizard: its own origin + the callback path.
pub fn spa_redirect() -> String {
    entra::spa_redirect_uri(&browser::origin())
}

#[component]
fn CloudSelect() -> impl IntoView {
    let wizard = Wizard::expect();
    view! {
        <div class="field">
            <label for="cloud">"Microsoft cloud"</label>
            <p class="hint" id="cloud-hint">
                "Where your tenant lives. Most organisations use the public cloud (this includes GCC, crm9)."
            </p>
            <select
                id="cloud"
                aria-describedby="cloud-hint"
                on:change:target=move |ev| {
                    if let Some(c) = Cloud::from_slug(&ev.target().value()) {
                        wizard.draft.update(|d| d.cloud = c);
                    }
                }
            >
                {Cloud::ALL
                    .iter()
                    .map(|&c| {
                        view! {
                            <option value=c.slug() selected=move || wizard.draft.with(|d| d.cloud == c)>
                                {c.profile().label}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
fn Register() -> impl IntoView {
    let wizard = Wizard::expect();
    let cloud = cloud();
    let list_url = Signal::derive(move || derive::app_registration_url(cloud.get(), None));
    let spa = spa_redirect();
    let web_redirect = Signal::derive(move || {
        wizard.draft.with(|d| {
            // The reference default: Simego's OAuth helper page (step 6 offers your own).
            if d.connector_redirect_url.trim().is_empty() {
                dialog::SIMEGO_OAUTH_HELPER.to_string()
            } else {
                d.connector_redirect_url.trim().to_string()
            }
        })
    });
    let auth_code = move || {
        wizard
            .draft
            .with(|d| d.grant_type == GrantType::AuthorizationCode)
    };
    view! {
        <p class="lead">
            "Register an application in Microsoft Entra ID (Azure AD). Data Sync signs in as this app; this wizard uses it once to prove the setup works."
        </p>
        <CloudSelect />
        <ol class="checklist">
            <Check id="register.open" label="Open App registrations and choose New registration">
                <p>
                    <PortalLink href=list_url>"Open App registrations in the Azure portal"</PortalLink>
                    " (Microsoft Entra ID → App registrations → + New registration)."
                </p>
            </Check>
            <Check id="register.name" label="Give it a name you will recognise">
                <Field field=FieldId::AppName placeholder="Data Sync – Dataverse" />
                <p>"The name becomes the application user's Full Name in Dynamics."</p>
            </Check>
            <Check
                id="register.single-tenant"
                label="Supported account types: Accounts in this organizational directory only (Single tenant)"
            >
                <p>"Single tenant keeps the app inside your organisation; Dataverse only accepts work or school accounts anyway."</p>
            </Check>
            <Check
                id="register.spa-redirect"
                label="Redirect URI: choose the platform Single-page application (SPA) and paste this address"
            >
                <CopyValue label="Redirect URI (Single-page application)" value=Signal::derive(move || spa.clone()) />
                <p class="why">
                    "Why SPA and not Web? This wizard signs in from your browser. Entra ID only lets a browser redeem the sign-in code when the redirect is registered under "
                    <strong>"Single-page application"</strong>
                    ". Under Web the test fails with AADSTS9002326."
                </p>
            </Check>
        </ol>
        <details class="web-redirect" open=auth_code>
            <summary>"Only if Data Sync will use the authorization_code grant: a second redirect under Web"</summary>
            <p>
                "Data Sync's authorization_code flow redeems the code on your computer, not in a browser, so it needs its own redirect under the "
                <strong>"Web"</strong>
                " platform (Authentication → + Add a platform → Web). Keep both: the SPA one for this wizard, the Web one for Data Sync. With client_credentials (the default) no Web redirect is needed."
            </p>
            <CopyValue label="Redirect URI (Web, for Data Sync)" value=web_redirect />
            <p>"Simego's OAuth helper page shows the code after the sign-in; step 6 offers your own redirect (or http://localhost) instead."</p>
        </details>
        <details>
            <summary>"Prefer the command line? (az CLI cannot set SPA redirects directly)"</summary>
            <p>"Replace OBJECT_ID with the app registration's Object ID (Overview page):"</p>
            <CopyValue
                label="az rest command"
                value=Signal::derive(move || {
                    format!(
                        "az rest --method PATCH --uri https://graph.microsoft.com/v1.0/applications/OBJECT_ID --body '{{\"spa\":{{\"redirectUris\":[\"{}\"]}}}}'",
                        spa_redirect()
                    )
                })
            />
        </details>
    }
}

#[component]
fn Permissions() -> impl IntoView {
    let wizard = Wizard::expect();
    let perms_url = app_page(derive::api_permissions_url);
    let consent = Signal::derive(move || {
        wizard.draft.with(|d| match (d.tenant(), d.client_id()) {
            (Some(t), Some(c)) => {
                Authority::of(d.cloud, &t).admin_consent_url(&c, Some(&spa_redirect()))
            }
            _ => String::new(),
        })
    });
    view! {
        <p class="lead">
            "Let the app call Dataverse on behalf of users. Dynamics CRM has one delegated permission, user_impersonation; application (app-only) access comes from the application user you add in step 5."
        </p>
        <ol class="checklist">
            <Check id="permissions.add" label="Add the permission Dynamics CRM → Delegated → user_impersonation">
                <p>
                    <PortalLink href=perms_url>"Open API permissions"</PortalLink>
                    " → + Add a permission → Microsoft APIs → Dynamics CRM (in some tenants: APIs my organization uses → search “Dataverse”) → Delegated permissions → user_impersonation → Add permissions."
                </p>
                <CopyValue label="Dynamics CRM application ID" value=Signal::derive(|| entra::DYNAMICS_CRM_APP_ID.to_string()) />
            </Check>
            <Check id="permissions.consent" label="Grant admin consent for your organisation">
                <p>"In API permissions choose “Grant admin consent for …” (needs an administrator). The Status column turns green."</p>
                <p>"Or send this link to an administrator:"</p>
                <CopyValue
                    label="Admin consent URL"
                    value=consent
                    missing="appears once the Directory (tenant) ID and Application (client) ID are filled in (step 4)"
                />
            </Check>
        </ol>
        <p>
            "Tenant or client ID not entered yet? "
            <A href="/setup/details">"Fill them in at step 4"</A>
            " and come back: the links here become direct."
        </p>
        <GraphPermissionsNote />
    }
}

/// The optional Microsoft Graph permissions the wizard's live checks (step 7) use.
#[component]
fn GraphPermissionsNote() -> impl IntoView {
    view! {
        <section class="graph-permissions" aria-labelledby="graph-permissions-title">
            <h2 id="graph-permissions-title">"Optional: Microsoft Graph permissions for the wizard's checks"</h2>
            <p>"Step 7 can check the app registration itself through Microsoft Graph, if the wizard's app has these delegated permissions, consented by an admin (without them those checks say “not checkable”; nothing else breaks):"</p>
            <ul>
                <li><strong>"Application.Read.All"</strong>" — read the app registration: redirect URIs, API permissions, the secrets' first characters and expiry."</li>
                <li><strong>"Directory.Read.All"</strong>" — read the admin consent grants."</li>
                <li><strong>"Application.ReadWrite.All"</strong>" — only for “Create a new client secret”."</li>
            </ul>
        </section>
    }
}

#[component]
fn Secret() -> impl IntoView {
    let url = app_page(derive::certificates_secrets_url);
    view! {
        <p class="lead">
            "Data Sync's client_credentials grant proves who it is with a client secret. (A public client using authorization_code can leave the secret blank.)"
        </p>
        <ol class="checklist">
            <Check id="secret.create" label="Create a new client secret">
                <p>
                    <PortalLink href=url>"Open Certificates & secrets"</PortalLink>
                    " → Client secrets → + New client secret. Description: e.g. “Data Sync”. Expires: the portal recommends 180 days; 24 months is the longest it offers."
                </p>
                <p class="note">{dialog::SECRETS_EXPIRE}</p>
                <ReminderButton />
            </Check>
            <Check id="secret.copy-value" label="Copy the Value now (not the Secret ID): the portal shows it only once">
                <p>
                    "The secret's "
                    <strong>"Value"</strong>
                    " column looks like “abC8Q~…” (about 40 characters). The "
                    <strong>"Secret ID"</strong>
                    " next to it is a GUID and will not work. If the value is already hidden, delete the secret and create a new one."
                </p>
                <p>
                    "Paste it into "
                    <A href="/setup/details">"Client secret value (step 4)"</A>
                    " with its expiry date. It stays in this tab only."
                </p>
            </Check>
        </ol>
    }
}

#[component]
fn Details() -> impl IntoView {
    let cloud = cloud();
    let enterprise = app_page(derive::enterprise_app_url);
    let example = Signal::derive(move || cloud.get().profile().example_environment);
    view! {
        <p class="lead">
            "Copy these from the portal. The labels are the portal's own words; each value is checked as you type."
        </p>
        <form class="fields" on:submit=|ev| ev.prevent_default()>
            <fieldset>
                <legend>"From the app registration's Overview page"</legend>
                <Field field=FieldId::TenantId placeholder="00000000-0000-0000-0000-000000000000" />
                <TenantLookup />
                <super::create_app::CreateAppRegistration />
                <Field field=FieldId::ClientId placeholder="00000000-0000-0000-0000-000000000000" />
            </fieldset>
            <fieldset>
                <legend>"From the Enterprise application (service principal)"</legend>
                <ol class="checklist">
                    <Check
                        id="details.enterprise-app"
                        label="Open the Enterprise application of the same name and copy its Object ID"
                    >
                        <p>
                            <PortalLink href=enterprise>"Open the Enterprise application"</PortalLink>
                            " (Microsoft Entra ID → Enterprise applications → your app → Overview). Its Object ID differs from the app registration's Object ID, which is the wrong one here."
                        </p>
                    </Check>
                </ol>
                <Field field=FieldId::ObjectId placeholder="00000000-0000-0000-0000-000000000000" />
            </fieldset>
            <fieldset>
                <legend>"The client secret (step 3)"</legend>
                <Field field=FieldId::ClientSecret kind=InputKind::Secret />
                <Field field=FieldId::SecretExpires kind=InputKind::Date />
            </fieldset>
            <fieldset>
                <legend>"Dynamics 365 / Dataverse"</legend>
                <Field field=FieldId::EnvironmentUrl placeholder="https://contoso.crm.dynamics.com" />
                <p class="hint">"Example for the chosen cloud: " <code>{example}</code></p>
                <super::environments::YourEnvironments />
                <Field field=FieldId::TokenEndpoint placeholder="https://login.microsoftonline.com/<tenant>/oauth2/token" />
            </fieldset>
        </form>
    }
}

#[component]
fn AppUser() -> impl IntoView {
    let wizard = Wizard::expect();
    let cloud = cloud();
    let session = Session::expect();
    // The signed-in user's name gives the organisation's real domain for the User Name.
    let values = Memo::new(move |_| {
        let user = session.signed_in.with(|s| {
            s.as_ref()
                .and_then(|s| s.evidence.user().map(str::to_string))
        });
        wizard
            .draft
            .with(|d| derive::application_user_for(d, user.as_deref()))
    });
    let admin = Signal::derive(move || derive::power_platform_app_users_url(cloud.get()));
    let v = move |f: fn(&derive::AppUserValues) -> String| Signal::derive(move || values.with(f));
    view! {
        <p class="lead">
            "Data Sync's client_credentials grant acts as an application user inside the Dynamics environment. Without one, sign-in works but every request answers 403."
        </p>
        <ol class="checklist">
            <Check id="app-user.create" label="Create the application user">
                <p>
                    <PortalLink href=admin>"Open the Power Platform admin center"</PortalLink>
                    " → Environments → your environment → Settings → Users + permissions → Application users → + New app user → + Add an app → pick the app registration, choose the Business unit → Create."
                </p>
                <p class="note">{dialog::OLD_DYNAMICS_PATH}</p>
                <p>"The legacy form asks for these values:"</p>
                <table class="values">
                    <caption class="visually-hidden">"Application user values"</caption>
                    <tbody>
                        <tr><td><CopyValue label="User Name" value=v(|a| a.user_name.clone()) missing="needs the Application (client) ID (step 4)" /></td></tr>
                        <tr><td><CopyValue label="Application ID" value=v(|a| a.application_id.clone()) missing="enter the Application (client) ID in step 4" /></td></tr>
                        <tr><td><CopyValue label="Application ID URI" value=v(|a| a.application_id_uri.clone()) missing="needs the Application (client) ID" /></td></tr>
                    </tbody>
                </table>
                {move || values.with(|v| v.user_name.ends_with(derive::PLACEHOLDER_DOMAIN)).then(|| view! {
                    <p class="msg info" role="note">
                        "Replace " <code>{derive::PLACEHOLDER_DOMAIN}</code>
                        " with your organisation's domain (the part after @ in your own user name), or enter a domain-form tenant in step 4, or sign in at step 7: the wizard then fills it in."
                    </p>
                })}
                <p>"These three you can correct here if your organisation uses other values:"</p>
                <Field field=FieldId::ObjectId />
                <Field field=FieldId::FullName />
                <Field field=FieldId::PrimaryEmail kind=InputKind::Email />
                <CopyValue label="Azure AD Object ID" value=v(|a| a.azure_ad_object_id.clone()) missing="enter the Enterprise application's Object ID" />
                <CopyValue label="Full Name" value=v(|a| a.full_name.clone()) missing="enter the application name (step 1)" />
                <CopyValue label="Primary Email" value=v(|a| a.primary_email.clone()) />
                <p class="hint">{dialog::USER_NAME_IS_PRIMARY_EMAIL}</p>
            </Check>
            <Check id="app-user.role" label="Assign a security role to the application user">
                <p>
                    "Edit security roles → pick a role that can read (and, if Data Sync writes, write) the tables you will sync. An application user without a role gets 403 on every request. Application users need no licence."
                </p>
            </Check>
        </ol>
    }
}

/// A verified domain typed as the tenant: looks up its GUID (the tenant's OpenID discovery
/// document) and shows both, with the GUID one click away.
#[component]
fn TenantLookup() -> impl IntoView {
    let wizard = Wizard::expect();
    let domain = Memo::new(move |_| {
        wizard.draft.with(|d| {
            d.tenant()
                .filter(|t| t.guid().is_none() && !t.is_keyword())
                .map(|t| t.as_str().to_string())
        })
    });
    let found = RwSignal::new(None::<(String, Result<String, String>)>);
    let busy = RwSignal::new(false);
    let look_up = move |_| {
        let Some(d) = domain.get_untracked() else {
            return;
        };
        let login = wizard
            .draft
            .with_untracked(|x| x.cloud.profile().login_base);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let r = crate::services::tenant::tenant_of_domain(login, &d).await;
            found.set(Some((d, r.map(|g| g.to_string()))));
            busy.set(false);
        });
    };
    view! {
        <Show when=move || domain.with(Option::is_some)>
            <div class="actions">
                <button type="button" class="secondary" on:click=look_up disabled=move || busy.get()>"Find the tenant ID"</button>
            </div>
            {move || {
                let current = domain.get();
                found.get().filter(|(d, _)| Some(d) == current.as_ref()).map(|(d, r)| match r {
                    Ok(guid) => {
                        let id = guid.clone();
                        view! {
                            <div class="msg ok" role="status">
                                <p><code>{d}</code> " is the tenant " <code>{guid}</code> "."</p>
                                <button type="button" class="secondary" on:click=move |_| wizard.set_field(FieldId::TenantId, id.clone())>
                                    "Use the tenant ID"
                                </button>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="msg error" role="alert">{e}</p> }.into_any(),
                })
            }}
        </Show>
    }
}
