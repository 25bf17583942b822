//! Mounts the app. Everything else lives in the library crate so that `tests/web.rs` can use it.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(dataverse_wizard::App);
}
