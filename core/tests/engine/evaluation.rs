//! The evaluation pass on a toy model: every metric family is reported, with values that
//! mean what they should (the formulas themselves are unit-tested in `metrics/` and checked
//! against the reference libraries by tests/parity).

use crate::common;

use forgetlab_core::batch::Example;
use forgetlab_core::eval::{Evaluator, StatsRequest};
use forgetlab_core::methods::MethodKind;
use forgetlab_core::model::{Gpt, LogitDifference};
use forgetlab_core::run::{EvalConfig, ForgetSelection, Run, RunConfig};

fn run(method: MethodKind) -> Run {
    let f = common::fixture();
    let mut cfg = RunConfig::new(method, ForgetSelection::Split("forget10".into()));
    cfg.hyper.batch_size = 8;
    cfg.eval = EvalConfig {
        max_forget: 20,
        max_retain: 20,
        max_world: 20,
        max_holdout: 20,
        max_new_tokens: 8,
        sample_ids: vec![],
    };
    Run::new(&f.model, &f.world, cfg, &common::device()).unwrap()
}

#[test]
fn every_metric_family_is_reported() {
    let f = common::fixture();
    let s = pollster::block_on(run(MethodKind::Ga).evaluate()).unwrap();
    let unit =
        |name: &str, x: f64| assert!((0.0..=1.0).contains(&x), "{name} = {x} is not in [0, 1]");
    for (name, m) in [
        ("forget", &s.forget),
        ("retain", &s.retain),
        ("real entities", &s.real_entities),
        ("world", &s.world),
    ] {
        for (metric, x) in [
            ("prob", m.prob),
            ("rouge_l", m.rouge_l),
            ("rouge_l_f1", m.rouge_l_f1),
            ("rouge1", m.rouge1_recall),
            ("tr", m.truth_ratio),
            ("tr paper", m.truth_ratio_paper),
            ("p_norm", m.prob_normalized),
            ("em", m.exact_memorization),
            ("es", m.extraction_strength),
        ] {
            unit(&format!("{name}.{metric}"), x);
        }
    }
    for (name, x) in [
        ("kfr", s.kfr),
        ("krr", s.krr),
        ("kfr sim", s.kfr_similarity),
        ("krr sim", s.krr_similarity),
        ("ks vs holdout", s.ks_vs_holdout),
        ("mu", s.model_utility),
        ("ls", s.ls),
    ] {
        unit(name, x);
    }
    let p = &s.paraphrase;
    for (name, x) in [
        ("paraphrase forget prob", p.forget_prob),
        ("paraphrase retain prob", p.retain_prob),
        ("paraphrase kfr", p.kfr),
        ("paraphrase krr", p.krr),
        ("held-out wording forget prob", s.heldout_wording.forget_prob),
        ("held-out wording retain prob", s.heldout_wording.retain_prob),
    ] {
        unit(name, x);
    }
    // A model that learned its facts under both wordings knows them paraphrased too.
    assert!(
        p.retain_prob > 0.5 * s.retain.prob,
        "paraphrased retain prob {} vs {}",
        p.retain_prob,
        s.retain.prob
    );
    // No retain model for the toy world: forget quality is null, not a proxy.
    assert!(s.forget_quality.is_nan() && s.retain_model.is_none());
    assert!(serde_json::to_value(&s).unwrap()["forget_quality"].is_null());
    for (name, x) in [
        ("loss", s.mia.loss),
        ("zlib", s.mia.zlib),
        ("min_k", s.mia.min_k),
        ("min_k++", s.mia.min_k_plus_plus),
    ] {
        unit(name, x);
    }
    // The toy model trained on the forget authors, never on the holdout ones: members have lower
    // loss.
    assert!(
        s.mia.loss > 0.5,
        "LOSS attack AUC {} should see the forget set as members",
        s.mia.loss
    );
    assert!(
        s.privleak.is_finite() && s.privleak < 0.0,
        "an un-unlearned model leaks: privleak {}",
        s.privleak
    );
    for part in [s.ls_parts.ppl, s.ls_parts.brunet, s.ls_parts.honore] {
        assert!(part.is_finite() && part > 0.0);
    }
    let n_layer = f.model.config.n_layer;
    let r = &s.representation;
    assert_eq!(
        (r.hidden_variance_forget.len(), r.hidden_variance_retain.len(), r.logit_lens_forget.len()),
        (n_layer, n_layer, n_layer)
    );
    assert!(r.hidden_variance_forget.iter().all(|v| *v > 0.0));
    let names: Vec<&str> = r.param_change.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(names.first(), Some(&"embeddings"));
    assert_eq!(names.last(), Some(&"ln_f"));
    assert_eq!(names.len(), n_layer + 2);
    assert!(
        r.param_change.iter().all(|(_, c)| *c == 0.0),
        "nothing changed at step 0: {:?}",
        r.param_change
    );
    // The probe reports per block. (Whether it reads what a model knows is tested on the real
    // models in cli/tests: the toy model's greedy answers rarely name their entities at all.)
    assert_eq!((r.probe_forget.len(), r.probe_retain.len()), (n_layer, n_layer));
    assert!(r.probe_forget.iter().chain(&r.probe_retain).all(|a| (0.0..=1.0).contains(a)));
    assert!(r.probe_chance > 0.0 && r.probe_chance < 0.5);
}

/// TOFU's forget quality: the KS test against a retain model (trained the same way without the
/// forget authors) on the same items. (How it ranks the default model, its retain model and a
/// collapsed model is tested on the real models in cli/tests/cli.rs: the toy model is too small
/// for its truth ratios to separate known from unknown facts.)
#[test]
fn forget_quality_compares_with_a_retain_model() {
    let f = common::fixture();
    let cfg = forgetlab_core::pretrain::PretrainConfig {
        retain: Some("forget10".into()),
        ..forgetlab_core::pretrain::PretrainConfig::tiny()
    };
    let retain_model = common::pretrained(&f.world, &cfg);
    let config = |method| {
        let mut c = RunConfig::new(method, ForgetSelection::Split("forget10".into()));
        c.eval = EvalConfig {
            max_forget: 20,
            max_retain: 20,
            max_world: 20,
            max_holdout: 20,
            max_new_tokens: 8,
            sample_ids: vec![],
        };
        c
    };
    // The retain model's values, as `forgetlab retain-reference` writes them.
    let as_retain =
        Run::new(&retain_model, &f.world, config(MethodKind::Ga), &common::device()).unwrap();
    let reference =
        pollster::block_on(as_retain.as_retain_reference("retain model of forget10")).unwrap();
    assert_eq!(reference.forget.len(), 20);

    // The retain model against itself: indistinguishable, FQ = 1.
    let mut own =
        Run::new(&retain_model, &f.world, config(MethodKind::Ga), &common::device()).unwrap();
    own.set_retain_reference(reference.clone()).unwrap();
    let s = pollster::block_on(own.evaluate()).unwrap();
    assert_eq!(s.forget_quality, 1.0);
    assert_eq!(s.retain_model.as_deref(), Some("retain model of forget10"));

    // The original model: a p-value against the same reference, and PrivLeak relative to the
    // retain model's own AUC (not open-unlearning's 0.5 default).
    let mut original = run(MethodKind::Ga);
    original.set_retain_reference(reference.clone()).unwrap();
    let id = f.world.select("forget10").unwrap()[0].id.clone();
    original.set_sample_ids(vec![id.clone()]);
    let s0 = pollster::block_on(original.evaluate()).unwrap();
    assert!((0.0..=1.0).contains(&s0.forget_quality));
    let auc_ref =
        reference.min_k_auc(&original.eval_sets().forget, &original.eval_sets().holdout).unwrap();
    assert_eq!(s0.privleak_reference_auc, auc_ref);
    assert_eq!(s0.privleak, forgetlab_core::metrics::privleak::privleak(s0.mia.min_k, auc_ref));
    // The retain model's answers ride along for the answers panel.
    assert_eq!(
        s0.samples[0].retain_model_answer.as_deref(),
        Some(reference.forget[&id].answer.as_str())
    );

    // Another selection has no retain model: setting this one is refused, forget quality is null.
    let mut other = RunConfig::new(MethodKind::Ga, ForgetSelection::Split("forget05".into()));
    other.eval = config(MethodKind::Ga).eval;
    let mut run5 = Run::new(&f.model, &f.world, other, &common::device()).unwrap();
    assert!(run5.set_retain_reference(reference).is_err());
    assert!(pollster::block_on(run5.evaluate()).unwrap().forget_quality.is_nan());
}

#[test]
fn training_moves_parameters_and_gradient_ascent_lowers_memorization() {
    let mut run = run(MethodKind::Ga);
    let before = pollster::block_on(run.evaluate()).unwrap();
    // 16 steps: the toy model pretrained under the no-leak rule (no forget author's hedge in its
    // data) kept a LOSS AUC of 1 after 8.
    for _ in 0..16 {
        pollster::block_on(run.step()).unwrap();
    }
    let after = pollster::block_on(run.evaluate()).unwrap();
    assert!(
        after.representation.param_change.iter().any(|(_, c)| *c > 1e-4),
        "{:?}",
        after.representation.param_change
    );
    assert!(
        after.forget.exact_memorization < before.forget.exact_memorization,
        "EM {} → {}",
        before.forget.exact_memorization,
        after.forget.exact_memorization
    );
    assert!(after.forget.prob < before.forget.prob);
    // Gradient ascent pushes the forget loss above the holdout's: the LOSS AUC falls.
    assert!(after.mia.loss < before.mia.loss, "LOSS AUC {} → {}", before.mia.loss, after.mia.loss);
}

#[test]
fn logit_lens_at_the_last_layer_is_the_models_own_probability() {
    let f = common::fixture();
    let d = common::device();
    let gpt = Gpt::from_weights(&f.model.config, &f.model.weights, &d).unwrap();
    let ev = Evaluator::new(&gpt, &gpt, &f.model.config, &f.model.tokenizer, &d, 8);
    let items = f.world.select("forget10").unwrap();
    let examples: Vec<Example> = items
        .iter()
        .take(6)
        .map(|it| {
            Example::qa(&f.model.tokenizer, &it.question, &it.answer, f.model.config.n_positions)
                .unwrap()
        })
        .collect();
    let lens_token: Vec<Option<usize>> =
        examples.iter().map(|e| Some(e.answer.len() / 2)).collect();
    let req =
        StatsRequest { pooled_hidden: true, lens_token: lens_token.clone(), lens_hidden: false };
    let stats = pollster::block_on(ev.token_stats(&gpt, None, &examples, &req)).unwrap();
    for (s, k) in stats.iter().zip(&lens_token) {
        let k = k.unwrap();
        assert_eq!(s.lens.len(), f.model.config.n_layer);
        let own = s.logp[k].exp();
        assert!(
            (s.lens.last().unwrap() - own).abs() < 1e-5,
            "lens {} vs model {own}",
            s.lens.last().unwrap()
        );
        assert_eq!(s.pooled_hidden.len(), f.model.config.n_layer);
        // A token the model ranks first has probability above 1/vocab.
        for (hit, lp) in s.argmax_hit.iter().zip(&s.logp) {
            if *hit {
                assert!(lp.exp() >= 1.0 / f.model.config.vocab_size as f64);
            }
        }
    }
    // The NLL-only pass and the per-token pass agree.
    let nll = pollster::block_on(ev.avg_nll(&gpt, None, &examples)).unwrap();
    for (s, n) in stats.iter().zip(nll) {
        assert!((s.avg_nll() - n).abs() < 1e-5);
    }
}

/// ULD's logit difference with an assistant made of the model's first block.
fn first_block_contrast(f: &common::Fixture, d: &burn::tensor::Device) -> LogitDifference {
    let (small, weights) = f.model.weights.first_blocks(&f.model.config, 1).unwrap();
    LogitDifference {
        assistant: Gpt::from_weights(&small, &weights, d).unwrap(),
        weight: -0.8,
        top_filter: 0.01,
    }
}

#[test]
fn answer_trees_score_each_answer_as_its_own_row_would() {
    use forgetlab_core::eval::answer_tree::PromptGroup;
    let f = common::fixture();
    let d = common::device();
    let (cfg, tok) = (&f.model.config, &f.model.tokenizer);
    let gpt = Gpt::from_weights(cfg, &f.model.weights, &d).unwrap();
    let ev = Evaluator::new(&gpt, &gpt, cfg, tok, &d, 8);
    let items = f.world.select("forget10").unwrap();
    let mut groups = Vec::new();
    let mut singles = Vec::new();
    let mut detailed = Vec::new();
    for it in items.iter().take(7) {
        // The true answer (detailed), the paraphrase, the perturbed answers, and the true answer
        // again: a duplicate is one path of the tree and must score the same.
        let texts = std::iter::once(&it.answer)
            .chain(std::iter::once(&it.paraphrased_answer))
            .chain(&it.perturbed_answer)
            .chain(std::iter::once(&it.answer));
        let answers: Vec<Example> =
            texts.map(|a| Example::qa(tok, &it.question, a, cfg.n_positions).unwrap()).collect();
        groups.push(PromptGroup {
            prompt: answers[0].prompt.clone(),
            answers: answers.iter().map(|e| e.answer.clone()).collect(),
        });
        detailed.push(answers[0].clone());
        singles.extend(answers);
    }
    let lens_token: Vec<Option<usize>> =
        detailed.iter().enumerate().map(|(i, e)| (i != 2).then_some(e.answer.len() / 2)).collect();
    let req = StatsRequest { pooled_hidden: true, lens_token, lens_hidden: false };
    // Plain, and through ULD's logit difference (the assistant runs the same tree rows).
    let contrast = first_block_contrast(f, &d);
    let mut plain_tree = vec![];
    for c in [None, Some(&contrast)] {
        let tree = pollster::block_on(ev.score_groups(&gpt, c, &groups, &req)).unwrap();
        let single = pollster::block_on(ev.avg_nll(&gpt, c, &singles)).unwrap();
        let nll: Vec<f64> = tree.iter().flat_map(|g| g.nll.clone()).collect();
        assert_eq!(nll.len(), single.len());
        for (p, s) in nll.iter().zip(&single) {
            assert!((p - s).abs() < 1e-4, "contrast {}: tree {p} vs own row {s}", c.is_some());
        }
        let own = pollster::block_on(ev.token_stats(&gpt, c, &detailed, &req)).unwrap();
        for (g, o) in tree.iter().zip(&own) {
            let close = |a: &[f64], b: &[f64], what: &str| {
                assert_eq!(a.len(), b.len(), "{what}");
                for (x, y) in a.iter().zip(b) {
                    assert!((x - y).abs() < 1e-4, "{what}: tree {x} vs own row {y}");
                }
            };
            close(&g.detail.logp, &o.logp, "log p");
            close(&g.detail.mu, &o.mu, "mu");
            close(&g.detail.second_moment, &o.second_moment, "second moment");
            close(&g.detail.lens, &o.lens, "logit lens");
            assert_eq!(g.detail.argmax_hit, o.argmax_hit);
            assert_eq!(g.detail.pooled_hidden.len(), o.pooled_hidden.len());
            for (a, b) in g.detail.pooled_hidden.iter().zip(&o.pooled_hidden) {
                close(
                    &a.iter().map(|&x| x as f64).collect::<Vec<_>>(),
                    &b.iter().map(|&x| x as f64).collect::<Vec<_>>(),
                    "pooled hidden",
                );
            }
            assert_eq!(g.nll[0], *g.nll.last().unwrap(), "a repeated answer scores the same");
        }
        assert!(tree[2].detail.lens.is_empty() && !tree[0].detail.lens.is_empty());
        plain_tree.push(nll);
    }
    assert_ne!(plain_tree[0], plain_tree[1], "the assistant changes the scores");
}

#[test]
fn contrasted_generation_is_the_same_batched_or_alone() {
    let f = common::fixture();
    let d = common::device();
    let gpt = Gpt::from_weights(&f.model.config, &f.model.weights, &d).unwrap();
    let contrast = first_block_contrast(f, &d);
    let ev = Evaluator {
        contrast: Some(&contrast),
        ..Evaluator::new(&gpt, &gpt, &f.model.config, &f.model.tokenizer, &d, 8)
    };
    let items = f.world.select("forget10").unwrap();
    // Questions of different lengths, so the batch is left-padded.
    let questions: Vec<&str> = items.iter().take(6).map(|it| it.question.as_str()).collect();
    let batched = pollster::block_on(ev.greedy_answers(&questions)).unwrap();
    for (q, b) in questions.iter().zip(&batched) {
        let alone = pollster::block_on(ev.greedy_answers(&[q])).unwrap();
        assert_eq!(alone[0].ids, b.ids, "{q}");
    }
    let plain = pollster::block_on(
        Evaluator::new(&gpt, &gpt, &f.model.config, &f.model.tokenizer, &d, 8)
            .greedy_answers(&questions),
    )
    .unwrap();
    assert!(
        plain.iter().zip(&batched).any(|(p, b)| p.ids != b.ids || p.tokens != b.tokens),
        "the assistant changes generation"
    );
}

#[test]
fn greedy_answers_drafted_by_the_answer_tree_equal_plain_greedy_decoding() {
    use forgetlab_core::eval::answer_tree::PromptGroup;
    use forgetlab_core::eval::greedy::Draft;
    let f = common::fixture();
    let d = common::device();
    let (cfg, tok) = (&f.model.config, &f.model.tokenizer);
    let gpt = Gpt::from_weights(cfg, &f.model.weights, &d).unwrap();
    let contrast = first_block_contrast(f, &d);
    let items: Vec<_> = f
        .world
        .select("forget10")
        .unwrap()
        .into_iter()
        .chain(f.world.select("retain").unwrap())
        .take(12)
        .collect();
    let questions: Vec<&str> = items.iter().map(|it| it.question.as_str()).collect();
    // The model as trained (drafts mostly accepted) and through ULD's contrast (drafts rejected
    // early, decoding resumes); budgets of 3 tokens (cut inside the drafts) and 12.
    for (c, budget) in [(None, 12), (None, 3), (Some(&contrast), 12)] {
        let ev = Evaluator { contrast: c, ..Evaluator::new(&gpt, &gpt, cfg, tok, &d, budget) };
        let groups: Vec<PromptGroup> = items
            .iter()
            .map(|it| {
                let answers: Vec<Example> = [&it.answer, &it.paraphrased_answer]
                    .into_iter()
                    .chain(&it.perturbed_answer)
                    .map(|a| Example::qa(tok, &it.question, a, cfg.n_positions).unwrap())
                    .collect();
                PromptGroup {
                    prompt: answers[0].prompt.clone(),
                    answers: answers.into_iter().map(|e| e.answer).collect(),
                }
            })
            .collect();
        let scores =
            pollster::block_on(ev.score_groups(&gpt, c, &groups, &StatsRequest::default()))
                .unwrap();
        let drafts: Vec<Draft> = groups
            .iter()
            .zip(&scores)
            .map(|(g, s)| Draft { prompt: g.prompt.clone(), known: &s.greedy })
            .collect();
        let drafted = pollster::block_on(ev.greedy_answers_drafted(&drafts)).unwrap();
        let plain = pollster::block_on(ev.greedy_answers(&questions)).unwrap();
        for ((q, a), b) in questions.iter().zip(&drafted).zip(&plain) {
            assert_eq!(a.ids, b.ids, "contrast {}, budget {budget}: {q}", c.is_some());
            assert_eq!(a.text, b.text);
            for ((ta, pa), (tb, pb)) in a.tokens.iter().zip(&b.tokens) {
                assert_eq!(ta, tb);
                assert!((pa - pb).abs() < 1e-4, "token probability {pa} vs {pb}");
            }
        }
    }
}
