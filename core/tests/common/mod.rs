//! Shared by the integration tests: where the shared fixtures are.
use std::path::PathBuf;

/// `$FIXTURES_DIR` (holding `csdl/` and `entra/`) when set, else `../shared/fixtures` beside the
/// workspace (CI clones the repository with `shared/` as a sibling).
pub fn fixtures_dir() -> PathBuf {
    match std::env::var_os("FIXTURES_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/fixtures"
        )),
    }
}
