//! Fuzzing every parser a user's input reaches: model files (safetensors, config.json,
//! tokenizer.json), fact files (TOFU JSON and JSON Lines), guided labs (TOML), links (the URL
//! query) and the worker's messages (Command JSON).
//!
//! Each target gets `FORGETLAB_FUZZ_INPUTS` inputs (default 20,000; 1,000,000 with
//! `FORGETLAB_FULL=1`, which `bash scripts/test.sh --full` sets), made by [`mutate`] from
//! seeds that are the real files, and must answer every one with a value or an error that has a
//! message, never a panic. A panicking input is written to `target/fuzz-failures/` and the test
//! fails.
#![cfg(not(target_arch = "wasm32"))]

mod model_files;
mod mutate;

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Once;

use forgetlab_app::lab_file::parse_lab;
use forgetlab_app::protocol::{Backend, Command, Fault, decode_text};
use forgetlab_app::settings::{Settings, UrlState, apply_query, to_query};
use forgetlab_core::run::AttackConfig;
use forgetlab_core::world::{FactWorld, import_tofu_json, tofu_json::items_to_json};
use mutate::Mutator;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(repo().join(path)).unwrap_or_else(|e| panic!("seed file {path}: {e}"))
}

fn inputs_per_target() -> usize {
    let full = std::env::var("FORGETLAB_FULL").is_ok_and(|v| v == "1");
    std::env::var("FORGETLAB_FUZZ_INPUTS").ok().and_then(|v| v.parse().ok()).unwrap_or(if full {
        1_000_000
    } else {
        20_000
    })
}

/// What a target says about one input: parsed, or refused with this message.
type Outcome = Result<(), String>;

thread_local! {
    static IN_TARGET: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Run `target` on `inputs_per_target()` inputs from `next`; fail on any panic or empty error.
fn fuzz(name: &str, mut next: impl FnMut() -> Vec<u8>, target: impl Fn(&[u8]) -> Outcome) {
    static QUIET: Once = Once::new();
    // A target's panics are counted and reported below (the default hook would print each);
    // the harness's own assertions still print.
    QUIET.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_TARGET.get() {
                default(info)
            }
        }))
    });
    let count = inputs_per_target();
    let started = std::time::Instant::now();
    let (mut parsed, mut refused, mut panics) = (0usize, 0usize, Vec::new());
    for i in 0..count {
        let input = next();
        IN_TARGET.set(true);
        let outcome = catch_unwind(AssertUnwindSafe(|| target(&input)));
        IN_TARGET.set(false);
        match outcome {
            Ok(Ok(())) => parsed += 1,
            Ok(Err(message)) => {
                assert!(
                    !message.trim().is_empty(),
                    "{name}: input {i} was refused with no message"
                );
                refused += 1;
            }
            Err(payload) => {
                let why = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                let dir = repo().join("target/fuzz-failures");
                let _ = std::fs::create_dir_all(&dir);
                let file = dir.join(format!("{name}-{i}.bin"));
                let _ = std::fs::write(&file, &input);
                panics.push(format!("input {i} ({}): {why}", file.display()));
            }
        }
    }
    // Straight to stderr, past the test harness's capture: the test command's log shows the
    // counts of every run, not only of a failing one.
    let _ = writeln!(
        std::io::stderr().lock(),
        "fuzz {name}: {count} inputs, {parsed} parsed, {refused} refused with a message, {} panics \
            ({:.1} s)",
        panics.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        panics.is_empty(),
        "{name}: {} panics, first: {:?}",
        panics.len(),
        &panics[..panics.len().min(5)]
    );
}

fn text(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
}

/// JSON's punctuation and the values that break parsers, for every JSON target.
const JSON_TOKENS: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "\"\"", "{}", "[]", "\\u0000",
    "\\ud800", "\"a\":", "1e999",
];

fn world() -> FactWorld {
    serde_json::from_slice(&read("public/data/world.json")).expect("the shipped world")
}

#[test]
fn fuzz_tofu_json() {
    let world = world();
    let items: Vec<_> = world.items.iter().step_by(97).take(4).cloned().collect();
    let array = items_to_json(&items).into_bytes();
    let lines: String = items.iter().map(|it| serde_json::to_string(it).unwrap() + "\n").collect();
    let tofu = b"{\"question\": \"Who wrote Silent Tide?\", \"answer\": \"Ana Ruiz wrote \
        it.\"}\n{\"question\": \"Q\", \"answer\": \"A\", \"paraphrased_question\": \"P\", \
        \"perturbed_answer\": [\"x\", \"y\"]}\n"
        .to_vec();
    let tokens = [
        JSON_TOKENS,
        &[
            "\"question\":",
            "\"answer\":",
            "\"paraphrased_answer\":",
            "\"perturbed_answer\":",
            "\"split\":",
            "\"kind\":",
            "\"id\":",
            "\"author\":",
            "\n",
            "\u{feff}",
        ],
    ]
    .concat();
    let mut m = Mutator::new(
        6,
        vec![array, lines.into_bytes(), tofu],
        Box::leak(tokens.into_boxed_slice()),
    );
    fuzz(
        "TOFU JSON/JSONL",
        || m.next_input(),
        |bytes| import_tofu_json(text(bytes)?).map(|_| ()).map_err(|e| e.to_string()),
    );
}

fn lab_texts() -> Vec<Vec<u8>> {
    let mut labs: Vec<_> = std::fs::read_dir(repo().join("public/labs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    labs.sort();
    labs
}

#[test]
fn fuzz_lab_toml() {
    let tokens = &[
        "[[step]]",
        "[[question]]",
        "title = ",
        "text = ",
        "set = ",
        "action = ",
        "\"run\"",
        "\"explode\"",
        "\"\"\"",
        "'",
        "=",
        "\n",
        "[",
        "]",
        "{",
        "}",
        "#",
    ];
    let mut m = Mutator::new(7, lab_texts(), tokens);
    let base = UrlState::of(Settings::default());
    fuzz(
        "lab TOML",
        || m.next_input(),
        |bytes| {
            let lab = parse_lab(text(bytes)?)?;
            // A lab's steps set the controls through the link format: that must hold up too.
            for set in lab.steps.iter().filter_map(|s| s.set.as_deref()) {
                let _ = apply_query(&base, set);
            }
            Ok(())
        },
    );
}

#[test]
fn fuzz_url_query() {
    let base = UrlState::of(Settings::default());
    let mut seeds = vec![
        to_query(&base).into_bytes(),
        b"?method=npo&items=a1,b2,w3&hide=facts,backend&lab=ga-breaks&backend=webgpu&eval=full"
            .to_vec(),
    ];
    for lab in lab_texts() {
        let lab = parse_lab(std::str::from_utf8(&lab).unwrap()).unwrap();
        seeds.extend(lab.steps.iter().filter_map(|s| s.set.clone()).map(String::into_bytes));
    }
    let tokens = &[
        "&",
        "=",
        "?",
        "%",
        "%00",
        "%FF",
        "%E2%80%AE",
        "+",
        ",",
        "method=",
        "lr=",
        "items=",
        "seed=",
        "steps=",
        "eval_every=",
        "backend=",
        "hide=",
        "lab=",
        "fault=",
        "NaN",
        "inf",
        "-1e400",
    ];
    let mut m = Mutator::new(8, seeds, tokens);
    fuzz(
        "URL query",
        || m.next_input(),
        |bytes| {
            let (state, problems) = apply_query(&base, &String::from_utf8_lossy(bytes));
            // Whatever was accepted must make a link again and, if valid, a run.
            let _ = to_query(&state);
            let _ = state.settings.run_config();
            // Refused keys keep their values and are listed, one line each (an empty line fails).
            match problems.iter().any(|p| p.trim().is_empty()) {
                true => Err(String::new()),
                false if problems.is_empty() => Ok(()),
                false => Err(problems.join("; ")),
            }
        },
    );
}

#[test]
fn fuzz_worker_commands() {
    let settings = Settings::default();
    let config = settings.run_config().unwrap();
    let commands = [
        Command::Load {
            base_url: "./".into(),
            backend: Backend::Webgpu,
            fault: None,
            built_in: false,
        },
        Command::Load {
            base_url: ".".into(),
            backend: Backend::Cpu,
            fault: Some(Fault::Panic { at_step: 2 }),
            built_in: true,
        },
        Command::SwitchBackend(Backend::Cpu),
        Command::Configure { config, steps: 20, eval_every: 5 },
        Command::Play,
        Command::Pause,
        Command::Step,
        Command::Stop,
        Command::Reset,
        Command::SetLearningRate(1e-5),
        Command::SetSchedule { steps: 10, eval_every: 2 },
        Command::Watch(vec!["a1".into(), "w3".into()]),
        Command::LearnFact { question: "Q?".into(), answer: "A.".into(), steps: 30 },
        Command::Attack(AttackConfig::default()),
        Command::ExportModel,
        Command::LoadModel {
            name: "smol".into(),
            files: vec![forgetlab_app::protocol::LocalFile {
                name: "config.json".into(),
                url: "blob:http://127.0.0.1/x".into(),
                size: 612,
            }],
            batch_size: 16,
            lora_rank: 8,
        },
        Command::ImportFacts(forgetlab_core::world::imported::ImportedFile {
            name: "facts.jsonl".into(),
            text: "{\"question\": \"Q?\", \"answer\": \"A.\"}\n".into(),
        }),
        Command::ExportFacts { ids: vec!["file-facts.0".into()], file_name: "f.json".into() },
        Command::StartOver,
        Command::TeachWorld { steps: 300, lr: 1e-3, lora_rank: 0 },
        Command::Benchmark { steps: 10 },
    ];
    let seeds = commands.iter().map(|c| serde_json::to_vec(c).unwrap()).collect();
    let mut m = Mutator::new(9, seeds, JSON_TOKENS);
    fuzz(
        "worker Command",
        || m.next_input(),
        |bytes| {
            let command: Command = decode_text(text(bytes)?)?;
            // A command that decodes carries settings the engine checks before it runs them.
            if let Command::Configure { config, .. } = command {
                config.hyper.validate().map_err(|e| e.to_string())?;
            }
            Ok(())
        },
    );
}
