#!/usr/bin/env python3
"""Reference parity: recompute every ForgetLab metric with the libraries the field uses.

Input: the fixture written by `forgetlab eval --parity-fixture FILE` (one real evaluation of
the default model: per-token log-probs, Min-K%++ moments, argmax hits, generated answers,
references, pooled hidden states, and the values the Rust code computed from them).

Each metric is recomputed here from the same inputs with:
  rouge-score (Google's ROUGE, as open-unlearning uses), scipy.stats.ks_2samp, scipy.stats.hmean,
  sklearn.metrics.roc_auc_score, zlib, and numpy for the formulas (transcribed from
  open-unlearning's src/evals/metrics/ and ReLearn's evals/ code, cited at each function).

Fails (exit 1) when any value differs by more than 1e-6 (relative to max(1, |value|)).
The per-token inputs are float32 model outputs; both sides compute in float64 from the same
values, so no looser float32 tolerance is needed here (the float32 path itself — our logits
against transformers' — is checked by core's golden-logits test at 1e-4).

Usage: python3 tests/parity/check_metrics.py FIXTURE.json
"""

import json
import math
import os
import sys
import zlib

import numpy as np
from rouge_score import rouge_scorer
from scipy.stats import hmean, ks_2samp, wilcoxon
from sklearn.metrics import roc_auc_score

TOL = 1e-6
checked = 0
failures = []


def close(name, ours, theirs, tol=TOL):
    """Record one comparison; NaN equals NaN (both sides undefined), None means NaN (JSON)."""
    global checked
    checked += 1
    ours = float("nan") if ours is None else float(ours)
    theirs = float("nan") if theirs is None else float(theirs)
    if math.isnan(ours) and math.isnan(theirs):
        return
    if math.isinf(ours) or math.isinf(theirs):
        ok = ours == theirs
    else:
        ok = abs(ours - theirs) <= tol * max(1.0, abs(theirs))
    if not ok:
        failures.append(f"{name}: forgetlab {ours!r} vs reference {theirs!r}")


def mean(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    return float(np.mean(xs)) if xs else float("nan")


# --- per-metric reference implementations (open-unlearning / ReLearn, transcribed) ---------


def min_k(values, k=0.4):
    """OU mia/min_k.py: -mean of the floor(max(1, n*k)) smallest values (0 if empty)."""
    if len(values) == 0:
        return 0.0
    m = max(1, int(len(values) * k))
    return float(-np.mean(np.sort(np.asarray(values, dtype=np.float64))[:m]))


def min_k_pp_z(logp, mu, m2):
    """OU mia/min_k_plus_plus.py: (log p - mu) / sqrt(clamp(E[(log p)^2] - mu^2, 1e-6))."""
    logp, mu, m2 = (np.asarray(x, dtype=np.float64) for x in (logp, mu, m2))
    return (logp - mu) / np.sqrt(np.clip(m2 - mu**2, 1e-6, None))


def extraction_strength(labels_hit):
    """OU memorization.py::extraction_strength on a hit vector (pred == label per position)."""
    n = len(labels_hit)
    if n == 0:
        return 0.0
    hits = np.asarray(labels_hit, dtype=bool)
    for k in range(n):
        if hits[k:].all():
            break
    return 1 - k / n


def brunet(tokens):
    if len(tokens) == 0:
        return 1000.0
    return len(tokens) ** (1 / (len(set(tokens)) ** 0.165))


def honore(tokens):
    n = len(tokens)
    if n <= 1:
        return 0.0
    counts = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    v = len(counts)
    v1 = sum(1 for c in counts.values() if c == 1)
    return min(100 * math.log(n) / (1 - v1 / v + 0.1), 1e6)


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


# --- the checks ----------------------------------------------------------------------------


def check_split(name, split, snapshot_split, scorer, with_generation):
    toks = split["tokens"]
    probs = [math.exp(np.mean(t["logp"])) for t in toks]
    close(f"{name}.prob", snapshot_split["prob"], mean(probs))

    # Exact memorization and extraction strength, EOS target excluded.
    em = [float(np.mean(t["argmax_hit"][:-1])) if len(t["argmax_hit"]) > 1 else float("nan") for t in toks]
    es = [extraction_strength(t["argmax_hit"][:-1]) for t in toks]
    for i, (a, b) in enumerate(zip(split["em"], em)):
        close(f"{name}.em[{i}]", a, b)
    for i, (a, b) in enumerate(zip(split["es"], es)):
        close(f"{name}.es[{i}]", a, b)
    close(f"{name}.exact_memorization", snapshot_split["exact_memorization"], mean(em))
    close(f"{name}.extraction_strength", snapshot_split["extraction_strength"], mean(es))

    # Truth ratio per item from (P_true, P_false), and the paper's form.
    for i, t in enumerate(split["truth"]):
        if t["p_false"] is not None:
            close(f"{name}.tr[{i}]", t["tr"], t["p_false"] / (t["p_true"] + 1e-10))
    paper = [t["p_true"] / (t["p_true"] + t["p_false"] + 1e-10) for t in split["truth"] if t["p_false"] is not None]
    close(f"{name}.truth_ratio_paper", snapshot_split["truth_ratio_paper"], mean(paper))

    # MIA scores per sample.
    for i, (t, text, m) in enumerate(zip(toks, split["answer_text"], split["mia"])):
        zlen = len(zlib.compress(text.encode("utf-8")))
        close(f"{name}.zlib_len[{i}]", m["zlib_len"], zlen)
        loss = -float(np.mean(t["logp"]))
        close(f"{name}.mia.loss[{i}]", m["loss"], loss)
        close(f"{name}.mia.zlib[{i}]", m["zlib"], loss / zlen)
        close(f"{name}.mia.min_k[{i}]", m["min_k"], min_k(t["logp"][:-1]))
        z = min_k_pp_z(t["logp"], t["mu"], t["second_moment"])
        close(f"{name}.mia.min_k_plus_plus[{i}]", m["min_k_plus_plus"], min_k(z[:-1]))

    if with_generation:
        recalls, f1s, r1 = [], [], []
        for i, r in enumerate(split["rouge"]):
            s = scorer.score(r["reference"], r["candidate"])
            for key, ours in (("rougeL", r["rouge_l"]), ("rouge1", r["rouge1"])):
                close(f"{name}.{key}[{i}].precision", ours[0], s[key].precision)
                close(f"{name}.{key}[{i}].recall", ours[1], s[key].recall)
                close(f"{name}.{key}[{i}].f1", ours[2], s[key].fmeasure)
            recalls.append(s["rougeL"].recall)
            f1s.append(s["rougeL"].fmeasure)
            r1.append(s["rouge1"].recall)
        close(f"{name}.rouge_l", snapshot_split["rouge_l"], mean(recalls))
        close(f"{name}.rouge_l_f1", snapshot_split["rouge_l_f1"], mean(f1s))
        close(f"{name}.rouge1_recall", snapshot_split["rouge1_recall"], mean(r1))


def main(path):
    fx = json.load(open(path))
    snap = fx["snapshot"]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rougeL"], use_stemmer=True)
    for name in ("forget", "retain", "world"):
        check_split(name, fx[name], snap[name], scorer, with_generation=True)
    # holdout: no snapshot split of its own; check its per-sample MIA inputs only
    hold = fx["holdout"]
    for i, (t, text, m) in enumerate(zip(hold["tokens"], hold["answer_text"], hold["mia"])):
        loss = -float(np.mean(t["logp"]))
        close(f"holdout.mia.loss[{i}]", m["loss"], loss)
        close(f"holdout.mia.zlib[{i}]", m["zlib"], loss / len(zlib.compress(text.encode("utf-8"))))
        close(f"holdout.mia.min_k[{i}]", m["min_k"], min_k(t["logp"][:-1]))
        close(f"holdout.mia.min_k_plus_plus[{i}]", m["min_k_plus_plus"], min_k(min_k_pp_z(t["logp"], t["mu"], t["second_moment"])[:-1]))

    # Truth-ratio aggregates (OU memorization.py::truth_ratio aggregators).
    tr_f = np.asarray(fx["forget_quality"]["forget_tr"])
    close("truth_ratio.forget_closer_to_1_better", fx["truth_ratio"]["forget_closer_to_1_better"], float(np.mean(np.minimum(tr_f, 1 / (tr_f + 1e-10)))))
    close("snapshot.forget.truth_ratio", snap["forget"]["truth_ratio"], float(np.mean(np.minimum(tr_f, 1 / (tr_f + 1e-10)))))
    tr_r = np.asarray([t["tr"] for t in fx["retain"]["truth"] if t["tr"] is not None])
    close("truth_ratio.retain_true_better", fx["truth_ratio"]["retain_true_better"], float(np.mean(np.maximum(0, 1 - tr_r))))
    close("snapshot.retain.truth_ratio", snap["retain"]["truth_ratio"], float(np.mean(np.maximum(0, 1 - tr_r))))

    # Forget quality: KS two-sample test p-value (scipy's default method, as OU's ks_test calls
    # it) against the retain model's truth ratios on the same items; null without a retain model.
    fq = fx["forget_quality"]
    if fq["retain_model_tr"] is None:
        if snap["forget_quality"] is not None:
            failures.append("snapshot.forget_quality: a value without a retain model")
    else:
        ks = ks_2samp(fq["forget_tr"], fq["retain_model_tr"])
        close("forget_quality.pvalue", fq["pvalue"], ks.pvalue, tol=1e-6)
        close("snapshot.forget_quality", snap["forget_quality"], ks.pvalue)
    # "KS vs. holdout": the same test against the model's own holdout truth ratios.
    ks = ks_2samp(fq["forget_tr"], fq["holdout_tr"])
    close("forget_quality.ks_vs_holdout", fq["ks_vs_holdout"], ks.pvalue, tol=1e-6)
    close("snapshot.ks_vs_holdout", snap["ks_vs_holdout"], ks.pvalue)

    # Membership-inference AUCs: forget = 0, holdout = 1 (OU mia/utils.py::mia_auc).
    for entry in fx["mia_auc"]:
        attack = entry["attack"]
        f = [m[attack] for m in fx["forget"]["mia"]]
        h = [m[attack] for m in fx["holdout"]["mia"]]
        auc = roc_auc_score([0] * len(f) + [1] * len(h), f + h)
        close(f"mia_auc.{attack}", entry["auc"], auc)
        close(f"snapshot.mia.{attack}", snap["mia"][attack], auc)

    # PrivLeak (OU privacy.py::privleak), against the retain model's Min-K% AUC when there is one.
    p = fx["privleak"]
    ref_scores = fx.get("retain_model_min_k")
    if ref_scores is not None:
        f, h = ref_scores["forget"], ref_scores["holdout"]
        close("privleak.retain_model_auc", p["auc_ref"], roc_auc_score([0] * len(f) + [1] * len(h), f + h))
    ref = ((1 - p["auc"]) - (1 - p["auc_ref"])) / (1 - p["auc_ref"] + 1e-10) * 100
    close("privleak", p["privleak"], ref)
    close("snapshot.privleak", snap["privleak"], ref)

    # Model utility: scipy.stats.hmean of the nine values (OU utility.py::hm_aggregate).
    values = fx["model_utility"]["values"]
    mu = 0.0 if any(v == 0 for v in values) else float(hmean(values))
    close("model_utility", fx["model_utility"]["hmean"], mu)
    close("snapshot.model_utility", snap["model_utility"], mu)

    # Linguistic Score (ReLearn evaluate.py::compute_as / as_mean) from the same tokens and PPLs.
    ling = fx["linguistic"]
    ppl_bar = mean([x for x in ling["ppl"] if x != -1])
    bi_bar = mean([b for b in (brunet(t) for t in ling["tokens"]) if b != 0])
    hs_bar = mean([honore(t) for t in ling["tokens"]])
    close("ls.ppl", ling["mean_ppl"], ppl_bar)
    close("ls.brunet", ling["brunet"], bi_bar)
    close("ls.honore", ling["honore"], hs_bar)
    s1, s2, s3 = sigmoid(-math.log(ppl_bar)), sigmoid(-math.log(bi_bar)), sigmoid(math.log(hs_bar))
    close("ls", ling["ls"], 3 / (1 / s1 + 1 / s2 + 1 / s3))
    close("snapshot.ls", snap["ls"], 3 / (1 / s1 + 1 / s2 + 1 / s3))

    # Hidden-state total variance (layer 0): trace of the population covariance.
    hv = fx["hidden_variance"]
    tv = float(np.var(np.asarray(hv["pooled_layer0"], dtype=np.float64), axis=0).sum())
    close("hidden_variance.layer0", hv["total_variance"], tv)
    close("snapshot.hidden_variance_forget[0]", snap["representation"]["hidden_variance_forget"][0], tv)

    # docs/REPRODUCE.md's paired test (scripts/repro_rules.py), on seeded differences with ties.
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
    from repro_rules import wilcoxon_greater
    rng = np.random.default_rng(0)
    for n in (3, 12, 40, 96):
        d = np.round(rng.normal(0.03, 0.2, n), 2).tolist() + [0.0]
        ref = wilcoxon(d, alternative="greater", correction=True, method="approx", zero_method="wilcox").pvalue
        close(f"wilcoxon_greater[n={n}]", wilcoxon_greater(d), ref)

    print(f"parity: {checked} values compared with rouge-score, scipy, scikit-learn, zlib and numpy")
    if failures:
        print(f"parity: {len(failures)} differ beyond {TOL}:")
        for f in failures[:40]:
            print("  " + f)
        sys.exit(1)
    print("parity: all equal within 1e-6")


if __name__ == "__main__":
    main(sys.argv[1])
