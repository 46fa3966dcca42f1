//! The worker program: trunk builds it as a Web Worker (`data-type="worker"` in index.html).
fn main() {
    forgetlab_app::worker::start();
}
