//! What the Environment URL field says about a host that is not Dataverse's: every cloud's host
//! patterns, so a user in any cloud sees the form their address should have.

use wizard_core::cloud::Cloud;
use wizard_core::fields::EnvironmentUrl;

#[test]
fn a_foreign_host_is_told_every_clouds_dataverse_host_patterns() {
    let e = EnvironmentUrl::parse("https://contoso.sharepoint.com")
        .expect_err("SharePoint is not a Dataverse host")
        .to_string();
    assert!(
        e.starts_with("contoso.sharepoint.com is not a Dataverse environment address"),
        "{e}"
    );
    assert!(
        e.contains("{org}.crm{N}.dynamics.com or {org}.api.crm{N}.dynamics.com"),
        "the public cloud's two forms, joined: {e}"
    );
    assert!(e.contains("{org}.crm.microsoftdynamics.us"), "{e}");
    for cloud in Cloud::ALL.into_iter().filter(|c| *c != Cloud::Sandbox) {
        assert!(e.contains(&cloud.dataverse_hosts_text()), "{cloud:?}: {e}");
    }
    assert!(!e.contains("localhost"), "the sandbox is not offered: {e}");
}
