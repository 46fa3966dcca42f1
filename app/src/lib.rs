//! ForgetLab's playground: a leptos page ([`ui`]) and a Web Worker ([`worker`]) that runs the
//! engine (`forgetlab`, the core crate). They talk only through [`protocol`]'s typed messages:
//! UI → `Command` → worker → engine → `Event` → UI. No math lives in this crate.
//!
//! What the page knows without a browser is plain Rust, built and tested natively
//! (`cargo test -p forgetlab-app --lib`): the settings and their link ([`settings`]), the run
//! history ([`run_store`]) and the guided labs' format ([`lab_file`]). The page and the worker
//! are wasm32 only.

/// Run the static constructors, once: the first thing both programs' `main` does.
///
/// cubecl registers its operations with `inventory`, as static constructors. wasm-ld links a
/// program with a `main` "command-style": unless the module calls `__wasm_call_ctors` itself, it
/// wraps *every* exported function so that all constructors run again on each call — each DOM
/// event, message and promise callback from JavaScript. That made the page take 3.5 s to render
/// its first view. Calling it here tells wasm-ld the program runs them itself.
#[cfg(target_arch = "wasm32")]
pub fn run_static_constructors() {
    unsafe extern "C" {
        fn __wasm_call_ctors();
    }
    // SAFETY: wasm-ld synthesises this function; it is called exactly once, before anything
    // that reads what the constructors register.
    unsafe { __wasm_call_ctors() }
}

pub mod lab_file;
pub mod protocol;
pub mod run_store;
pub mod settings;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
