//! Link options for the two wasm programs.
//!
//! `--strip-all` drops the wasm "name" section (function names for stack traces). In the
//! worker it is 6.6 MB of 36 MB and about 1.2 MB gzip, the difference between fitting the
//! 4 MB download budget or not. Panic messages (console_error_panic_hook) stay readable;
//! only stack frames show as `wasm-function[N]`. A link argument touches the final link
//! only, so no dependency is rebuilt for it.
fn main() {
    // FORGETLAB_WASM_NAMES=1 keeps the names, for profiling the page or the worker in a browser.
    println!("cargo:rerun-if-env-changed=FORGETLAB_WASM_NAMES");
    let keep_names = std::env::var("FORGETLAB_WASM_NAMES").is_ok_and(|v| v == "1");
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") && !keep_names {
        println!("cargo:rustc-link-arg=--strip-all");
        // wasm-bindgen reads this section to learn which wasm features the code uses.
        println!("cargo:rustc-link-arg=--keep-section=target_features");
    }
}
