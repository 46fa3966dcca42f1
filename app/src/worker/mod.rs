//! The worker: receives [`Command`]s, drives the engine, posts [`Event`]s. No math here — every
//! number comes from `forgetlab_core` (core).
//!
//! One future owns the session. `onmessage` only queues commands; the driver drains the queue
//! between training steps and yields to the event loop after each step, so Pause and Stop are
//! seen within one step.

mod backend;
mod files;
pub mod memory;
mod session;
pub mod store;

use futures_channel::mpsc::{UnboundedReceiver, unbounded};
use futures_util::StreamExt;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::{Command, Event, decode, encode};

/// Post an event to the page.
pub fn post(event: Event) {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    match encode(&event) {
        Ok(value) => {
            let _ = scope.post_message(&value);
        }
        Err(e) => {
            if let Ok(v) =
                encode(&Event::Error(format!("internal: an event could not be encoded: {e}")))
            {
                let _ = scope.post_message(&v);
            }
        }
    }
}

thread_local! {
    static STARTED_AT: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
}

/// When this worker's program started (ms since the epoch): its wasm downloaded and compiled.
pub fn started_at() -> f64 {
    STARTED_AT.with(|s| s.get())
}

/// Entry point of the worker program.
pub fn start() {
    STARTED_AT.with(|s| s.set(js_sys::Date::now()));
    std::panic::set_hook(Box::new(|info| {
        // A panic is a bug, and wasm cannot unwind: this worker is done. The page restarts it.
        post(Event::Crashed(info.to_string()));
        console_error_panic_hook::hook(info);
    }));
    let (tx, rx) = unbounded::<Command>();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
            match decode::<Command>(msg.data()) {
                Ok(cmd) => {
                    let _ = tx.unbounded_send(cmd);
                }
                Err(e) => post(Event::Error(format!(
                    "internal: the worker could not read a command: {e}"
                ))),
            }
        });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(drive(rx));
    post(Event::Started);
}

async fn drive(mut rx: UnboundedReceiver<Command>) {
    let mut session = session::Session::default();
    loop {
        // Everything already queued first: a Pause clicked during a step wins over the next step.
        while let Ok(cmd) = rx.try_recv() {
            session.handle(cmd).await;
        }
        if session.playing() {
            session.play_one().await;
            // A macrotask boundary lets `onmessage` run.
            gloo_timers::future::TimeoutFuture::new(0).await;
        } else {
            match rx.next().await {
                Some(cmd) => session.handle(cmd).await,
                None => return,
            }
        }
    }
}
