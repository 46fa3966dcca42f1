//! ForgetLab's playground: a leptos page ([`ui`]) and a Web Worker ([`worker`]) that runs the
//! engine (`forgetlab`, the core crate). They talk only through [`protocol`]'s typed messages:
//! UI → `Command` → worker → engine → `Event` → UI. No math lives in this crate.

pub mod protocol;
pub mod ui;
pub mod worker;
