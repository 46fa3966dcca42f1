//! ForgetLab's playground: a leptos page ([`ui`]) and a Web Worker ([`worker`]) that runs the
//! engine (`forgetlab`, the core crate). They talk only through [`protocol`]'s typed messages:
//! UI → `Command` → worker → engine → `Event` → UI. No math lives in this crate.
//!
//! What the page knows without a browser is plain Rust, built and tested natively
//! (`cargo test -p forgetlab-app --lib`): the settings and their link ([`settings`]), the run
//! history ([`run_store`]) and the guided labs' format ([`lab_file`]). The page and the worker
//! are wasm32 only.

pub mod lab_file;
pub mod protocol;
pub mod run_store;
pub mod settings;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
