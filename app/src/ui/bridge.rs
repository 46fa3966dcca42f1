//! The page's end of the worker: start it, send [`Command`]s, hand its [`Event`]s to whoever
//! started it. It knows the protocol only, not the page's state.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{Command, Event, decode, encode};

/// trunk writes the worker program and a small loader for it (`data-loader-shim`) at the site root.
const WORKER_SCRIPT: &str = "./forgetlab-worker_loader.js";

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
    /// Commands sent before the worker said [`Event::Started`]: a worker drops messages that
    /// arrive while its wasm is still compiling, so they wait here.
    static WAITING: RefCell<Option<Vec<Command>>> = const { RefCell::new(Some(Vec::new())) };
}

/// Start the worker; its events go to `on_event`. A message the page cannot read and a crash
/// of the worker arrive as [`Event::Error`].
pub fn start(on_event: impl Fn(Event) + 'static) -> Result<(), String> {
    let worker = Worker::new(WORKER_SCRIPT)
        .map_err(|e| format!("the engine's Web Worker could not start: {e:?}"))?;
    let on_event = Rc::new(on_event);
    let to_page = on_event.clone();
    let on_message =
        Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
            match decode::<Event>(msg.data()) {
                Ok(Event::Started) => {
                    for cmd in WAITING.with(|w| w.borrow_mut().take()).unwrap_or_default() {
                        post(&cmd);
                    }
                }
                Ok(event) => to_page(event),
                Err(e) => to_page(Event::Error(format!(
                    "internal: the page could not read an event: {e}"
                ))),
            }
        });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        on_event(Event::Error(format!("the engine's worker failed: {}", e.message())));
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
    Ok(())
}

/// Send a command to the worker (queued until it has started).
pub fn send(cmd: Command) {
    let queued = WAITING.with(|w| match w.borrow_mut().as_mut() {
        Some(queue) => {
            queue.push(cmd.clone());
            true
        }
        None => false,
    });
    if !queued {
        post(&cmd);
    }
}

fn post(cmd: &Command) {
    WORKER.with(|w| {
        if let Some(worker) = w.borrow().as_ref()
            && let Ok(value) = encode(cmd)
        {
            let _ = worker.post_message(&value);
        }
    });
}
