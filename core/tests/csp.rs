//! The Content Security Policy's `connect-src` (scripts/csp.mjs) must let the app reach every
//! login host and Dataverse host of the cloud profiles, and nothing needs `unsafe-eval`.

use wizard_core::cloud::{classify_dataverse_host, Cloud};

fn policy_script() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../scripts/csp.mjs")).unwrap()
}

fn connect_src() -> Vec<String> {
    let script = policy_script();
    let start = script.find("CONNECT_SRC = [").expect("CONNECT_SRC list") + "CONNECT_SRC = [".len();
    let end = start + script[start..].find("];").unwrap();
    script[start..end]
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Does a CSP host-source like `https://*.dynamics.com` or `http://localhost:8081` allow `origin`?
fn allows(source: &str, origin: &str) -> bool {
    let (s_scheme, s_host) = source.split_once("://").unwrap_or(("", source));
    let (o_scheme, o_host) = origin.split_once("://").unwrap();
    if s_scheme != o_scheme {
        return false;
    }
    match s_host.strip_prefix("*.") {
        Some(suffix) => o_host.ends_with(&format!(".{suffix}")),
        None => s_host == o_host,
    }
}

#[test]
fn connect_src_allows_every_login_host() {
    let sources = connect_src();
    for cloud in Cloud::ALL {
        let login = cloud.profile().login_base;
        assert!(
            sources.iter().any(|s| allows(s, login)),
            "connect-src misses {login} ({cloud:?})"
        );
    }
}

#[test]
fn connect_src_allows_every_graph_host() {
    let sources = connect_src();
    for cloud in Cloud::ALL {
        let graph = cloud.profile().graph_base;
        assert!(
            sources.iter().any(|s| allows(s, graph)),
            "connect-src misses {graph} ({cloud:?})"
        );
    }
}

#[test]
fn connect_src_allows_every_global_discovery_host() {
    let sources = connect_src();
    for cloud in Cloud::ALL {
        let disco = cloud.profile().discovery_base;
        assert!(
            sources.iter().any(|s| allows(s, disco)),
            "connect-src misses {disco} ({cloud:?})"
        );
    }
}

#[test]
fn connect_src_allows_every_example_environment_and_api_host() {
    let sources = connect_src();
    for cloud in Cloud::ALL {
        let env = cloud.profile().example_environment;
        assert!(
            sources.iter().any(|s| allows(s, env)),
            "connect-src misses {env}"
        );
        let (scheme, rest) = env.split_once("://").unwrap();
        let (host, port) = match rest.split_once(':') {
            Some((h, p)) => (h, p.parse().ok()),
            None => (rest, None),
        };
        assert!(
            classify_dataverse_host(host, port).is_some(),
            "{host} is a Dataverse host"
        );
        if cloud != Cloud::Sandbox {
            let api = format!("{scheme}://{}", host.replacen('.', ".api.", 1));
            assert!(
                sources.iter().any(|s| allows(s, &api)),
                "connect-src misses {api}"
            );
        }
    }
}

#[test]
fn policy_has_no_unsafe_eval_and_frames_nobody() {
    let script = policy_script();
    assert!(!script.contains("'unsafe-eval'"));
    assert!(!script.contains("'unsafe-inline'"));
    assert!(script.contains("frame-ancestors 'none'"));
}
