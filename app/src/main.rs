//! The browser playground (leptos + trunk, engine in a Web Worker) is built in the playground
//! issue; until then this crate only reserves its place in the workspace.

fn main() {}
