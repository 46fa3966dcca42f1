//! The settings' link: round trips, forgiving reads, and the engine's settings all in it.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;

fn base() -> UrlState {
    UrlState::of(Settings::default())
}

#[test]
fn a_link_round_trips_every_setting() {
    let mut s = base();
    s.settings.method = MethodKind::Uld;
    s.settings.hyper = Hyper {
        lr: 0.0023,
        logit_weight: -1.25,
        top_filter: 0.05,
        batch_size: 7,
        lora_rank: 4,
        ..MethodKind::Uld.default_hyper()
    };
    s.settings.seed = 42;
    s.settings.steps = 17;
    s.settings.selection = Selection::Items(["a1".to_string(), "b2".to_string()].into());
    s.backend = Some(Backend::Cpu);
    s.hidden = ["facts".to_string(), "backend".to_string()].into();
    s.lab = Some("ga-breaks".into());
    s.open = ["all-metrics".to_string(), "history".to_string()].into();
    let (back, problems) = apply_query(&base(), &to_query(&s));
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(back, s);
}

#[test]
fn bad_values_keep_their_defaults_and_are_reported() {
    let (s, problems) = apply_query(
        &base(),
        "?method=npo&lr=abc&batch_size=2.5&seed=-1&steps=0&nonsense=1&forget=forget99&top_filter=2&beta=NaN",
    );
    assert_eq!(s.settings.method, MethodKind::Npo);
    assert_eq!(s.settings.hyper, MethodKind::Npo.default_hyper());
    assert_eq!((s.settings.seed, s.settings.steps), (0, 30));
    assert_eq!(problems.len(), 8, "{problems:?}");
    let (s, problems) = apply_query(&base(), "method=nope&lr=0.01");
    assert_eq!(s.settings.method, MethodKind::Ga);
    assert_eq!(s.settings.hyper.lr, 0.01);
    assert_eq!(problems.len(), 1);
}

#[test]
fn a_learn_link_round_trips_and_switches_mode() {
    let mut s = base();
    s.settings.mode = Mode::Learn;
    s.settings.learn.stages =
        parse_stages("factoids1:20,factoids2:30:remix_random:2,key_value:10").unwrap();
    s.settings.learn.schedule = forgetlab_core::continual::Schedule::parse("infinite").unwrap();
    s.settings.learn.lr = 0.004;
    s.settings.learn.eval_every = 7;
    s.settings.seed = 5;
    s.lab = Some("rewarming-hurts".into());
    let query = to_query(&s);
    assert!(query.starts_with("mode=learn&stages=factoids1%3A20"), "{query}");
    let (back, problems) = apply_query(&base(), &query);
    assert_eq!(problems, Vec::<String>::new());
    assert_eq!(back, s);
    let (_, problems) =
        apply_query(&base(), "mode=teach&stages=factoids7:3&schedule=sawtooth&learn_lr=0");
    assert_eq!(problems.len(), 4, "{problems:?}");
    // Only how often it evaluates can change without starting over.
    let mut later = s.settings.clone();
    later.learn.eval_every = 3;
    assert!(!s.settings.needs_reset(&later));
    later.learn.lr = 0.001;
    assert!(s.settings.needs_reset(&later));
    assert!(s.settings.needs_reset(&Settings::default()));
}

#[test]
fn every_setting_of_the_engine_is_in_the_link() {
    let query = to_query(&base());
    for setting in SETTINGS {
        assert!(query.contains(&format!("{}=", setting.key)), "{} in {query}", setting.key);
    }
}
