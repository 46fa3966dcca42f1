//! The engine's integration tests, in one test binary: each file below is one area. One binary,
//! not one per file, because each binary compiles and links its own copy of burn's generic code
//! (ten binaries took 102 s of a 2-core machine to build, the test command's longest native step).
//! `common` holds the shared fixture: a tiny world and a toy model pretrained on it once.

mod common;

mod backend_math;
mod continual;
mod edit;
mod evaluation;
mod finetune;
mod live;
mod llama_runs;
mod methods;
mod model_families;
mod model_files;
mod representations;
mod requests;
mod runs;
mod teach;
