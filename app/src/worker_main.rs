//! The worker program: trunk builds it as a Web Worker (`data-type="worker"` in index.html).
/// Counts the worker's live bytes for the memory line and the long-session test.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: forgetlab_app::worker::memory::CountingAllocator =
    forgetlab_app::worker::memory::CountingAllocator;

#[cfg(target_arch = "wasm32")]
fn main() {
    forgetlab_app::run_static_constructors();
    forgetlab_app::worker::start();
}

/// Natively there is no worker (the engine runs natively through the CLI).
#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "forgetlab-worker is the playground's Web Worker: build it for the browser \
            (scripts/build-web.sh)"
    );
}
