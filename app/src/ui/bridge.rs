//! The page's end of the worker: start it, send [`Command`]s, hand its [`Event`]s to whoever
//! started it, and start a fresh worker when one dies. It knows the protocol only, not the
//! page's state.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, Worker};

use crate::protocol::{Backend, Command, Event, decode, encode};

/// trunk writes the worker program and a small loader for it (`data-loader-shim`) at the site root.
const WORKER_SCRIPT: &str = "./forgetlab-worker_loader.js";

type OnEvent = Rc<dyn Fn(Event)>;

thread_local! {
    static WORKER: RefCell<Option<Worker>> = const { RefCell::new(None) };
    /// Which worker is current: events of a replaced one are ignored.
    static GENERATION: Cell<u32> = const { Cell::new(0) };
    static ON_EVENT: RefCell<Option<OnEvent>> = const { RefCell::new(None) };
    /// Commands sent before the worker said [`Event::Started`]: a worker drops messages that
    /// arrive while its wasm is still compiling, so they wait here.
    static WAITING: RefCell<Option<Vec<Command>>> = const { RefCell::new(Some(Vec::new())) };
    /// The last `Load`: a restarted worker gets it again (without its test fault).
    static LOAD: RefCell<Option<Command>> = const { RefCell::new(None) };
}

/// Start the worker; its events go to `on_event`. A message the page cannot read arrives as
/// [`Event::Error`]; a worker that dies (a panic, an uncaught error, out of memory) as
/// [`Event::Crashed`].
pub fn start(on_event: impl Fn(Event) + 'static) -> Result<(), String> {
    ON_EVENT.with(|o| *o.borrow_mut() = Some(Rc::new(on_event)));
    spawn()
}

/// Replace the worker by a fresh one that loads what the last one loaded, on `backend`. Its
/// commands wait until it has started.
pub fn restart(backend: Backend) -> Result<(), String> {
    if let Some(old) = WORKER.with(|w| w.borrow_mut().take()) {
        old.terminate();
    }
    WAITING.with(|w| *w.borrow_mut() = Some(Vec::new()));
    spawn()?;
    if let Some(Command::Load { base_url, .. }) = LOAD.with(|l| l.borrow().clone()) {
        send(Command::Load { base_url, backend, fault: None, built_in: false });
    }
    Ok(())
}

fn spawn() -> Result<(), String> {
    let on_event = ON_EVENT.with(|o| o.borrow().clone()).ok_or("the bridge was not started")?;
    let generation = GENERATION.with(|g| {
        g.set(g.get() + 1);
        g.get()
    });
    let current = move || GENERATION.with(|g| g.get()) == generation;
    let (worker, early) = match take_early_worker() {
        Some(started) => started,
        None => (
            Worker::new(WORKER_SCRIPT)
                .map_err(|e| format!("the engine's Web Worker could not start: {e:?}"))?,
            js_sys::Array::new(),
        ),
    };
    let to_page = on_event.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |msg: MessageEvent| {
        if !current() {
            return;
        }
        match decode::<Event>(msg.data()) {
            Ok(Event::Started) => {
                for cmd in WAITING.with(|w| w.borrow_mut().take()).unwrap_or_default() {
                    post(&cmd);
                }
            }
            Ok(event) => to_page(event),
            Err(e) => {
                to_page(Event::Error(format!("internal: the page could not read an event: {e}")))
            }
        }
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        if current() {
            on_event(Event::Crashed(e.message()));
        }
    });
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // What the worker said before the page was ready, in order (public/start.js kept it).
    for event in early.iter() {
        let handler: &js_sys::Function = match event.dyn_ref::<web_sys::ErrorEvent>() {
            Some(_) => on_error.as_ref().unchecked_ref(),
            None => on_message.as_ref().unchecked_ref(),
        };
        let _ = handler.call1(&wasm_bindgen::JsValue::NULL, &event);
    }
    on_message.forget();
    on_error.forget();
    WORKER.with(|w| *w.borrow_mut() = Some(worker));
    Ok(())
}

/// The worker public/start.js started before the page's wasm, and the events it kept: taken
/// once, by the first `spawn`.
fn take_early_worker() -> Option<(Worker, js_sys::Array)> {
    let global = js_sys::global();
    let key = wasm_bindgen::JsValue::from_str("forgetlabEarlyWorker");
    let started = js_sys::Reflect::get(&global, &key).ok().filter(|v| v.is_object())?;
    let _ = js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &key);
    let get = |name: &str| js_sys::Reflect::get(&started, &name.into()).ok();
    let worker: Worker = get("worker")?.dyn_into().ok()?;
    let early: js_sys::Array = get("early")?.dyn_into().ok()?;
    if let Some(release) = get("release").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        let _ = release.call0(&started);
    }
    Some((worker, early))
}

/// Load the built-in model and the fact world again, as at start-up, on `backend`, forgetting
/// the model the user loaded.
pub fn load_built_in(backend: Backend) {
    if let Some(Command::Load { base_url, .. }) = LOAD.with(|l| l.borrow().clone()) {
        send(Command::Load { base_url, backend, fault: None, built_in: true });
    }
}

/// Send a command to the worker (queued until it has started).
pub fn send(cmd: Command) {
    if matches!(cmd, Command::Load { .. }) {
        LOAD.with(|l| *l.borrow_mut() = Some(cmd.clone()));
    }
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
