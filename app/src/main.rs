//! The page program: trunk builds it as the main wasm module of index.html.
#[cfg(target_arch = "wasm32")]
fn main() {
    forgetlab_app::run_static_constructors();
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(forgetlab_app::ui::App);
}

/// Natively there is no page (the crate's pure parts are tested natively; the page is wasm32).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "forgetlab-app is the playground's page: build it for the browser (scripts/build-web.sh)"
    );
}
