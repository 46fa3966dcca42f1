//! The page program: trunk builds it as the main wasm module of index.html.
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(forgetlab_app::ui::App);
}
