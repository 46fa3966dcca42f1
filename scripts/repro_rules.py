"""The ✓/✗ rules of docs/REPRODUCE.md's claims (scripts/reproduce.py), each written before any
number it decides was seen. A rule takes the per-seed values reproduce.py's `summary` gathers.

Only the standard library.
"""

import math

from repro_cli import half, mean


def choose_lr(rows):
    """The learning-rate rule: among the rates that reach the match, the highest model utility
    there (ties: the smaller rate); if none does, the rate with the highest KFR at the end."""
    matched = [x for x in rows if x["matched_at"] is not None]
    if matched:
        return max(matched, key=lambda x: (x["mu"], -x["lr"]))
    return max(rows, key=lambda x: (x["kfr"], -x["lr"]))


def rule_ga_damages_fluency(ga):
    """GA reaches the match on every seed, and there its forget-answer LS is below half of step 0's."""
    return ga["all_matched"] and mean(ga["ls"]) < 0.5 * mean(ga["ls0"])


def rule_relearn_keeps_fluency(relearn, ga, graddiff):
    """ReLearn reaches the match on every seed, and there its KRR and its LS both exceed those of
    GA and of GradDiff (GA with a retain term, so a retain term alone does not explain it)."""
    return relearn["all_matched"] and all(mean(relearn[k]) > mean(o[k]) for o in (ga, graddiff) for k in ("krr", "ls"))


def rule_npo_keeps_utility(npo, graddiff):
    """Both reach the match on every seed; at it, NPO's model utility exceeds GradDiff's (same
    retain term, α = 1) by more than the two spreads (half-ranges over seeds) together."""
    gap = mean(npo["mu"]) - mean(graddiff["mu"])
    return npo["all_matched"] and graddiff["all_matched"] and gap > half(npo["mu"]) + half(graddiff["mu"])


def rule_random_label(per_kind):
    """Every kind is forgotten (KFR ≥ 0.8), every kind's retain items of the same kind lose more KRR
    than the other kinds', and the largest same-kind drop is at least twice the smallest."""
    drops = [mean(k["same"]) for k in per_kind.values()]
    return (all(mean(k["kfr"]) >= 0.8 for k in per_kind.values())
            and all(mean(k["same"]) > mean(k["other"]) for k in per_kind.values())
            and max(drops) >= 2 * max(min(drops), 1e-9))


def rule_relearning(attacks):
    """For GA and NPO at the match: the held-out forget items (not relearned) gain more than 0.05
    in key-entity probability (the fact itself, not the answer's template) and more than twice
    what held-out never-learned items gain under the same attack from the same weights (the
    control), and on every seed the items' gains are positive by a paired test (Wilcoxon
    signed-rank on after − before per item, one-sided, p < 0.05)."""
    return all(mean(a["gain"]) > 0.05 and mean(a["gain"]) > 2 * max(mean(a["control_gain"]), 0.0)
               and all(p < 0.05 for p in a["p"]) for a in attacks.values())


def wilcoxon_greater(d):
    """One-sided Wilcoxon signed-rank test of "the differences `d` tend to be positive":
    zeros dropped, tied |d| given their mean rank, the normal approximation with the tie
    correction and a continuity correction — scipy.stats.wilcoxon(d, alternative="greater",
    correction=True, method="approx") (tests/parity checks the two agree). Returns the p-value."""
    d = [x for x in d if x == x and x != 0]  # no NaN, no zero
    n = len(d)
    if n == 0:
        return 1.0
    order = sorted(range(n), key=lambda i: abs(d[i]))
    ranks, i = [0.0] * n, 0
    ties = 0.0
    while i < n:
        j = i
        while j + 1 < n and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        t = j - i + 1
        ties += t ** 3 - t
        i = j + 1
    w_plus = sum(r for r, x in zip(ranks, d) if x > 0)
    mn = n * (n + 1) / 4
    var = n * (n + 1) * (2 * n + 1) / 24 - ties / 48
    if var <= 0:
        return 1.0
    z = (w_plus - mn - 0.5) / math.sqrt(var)
    return 0.5 * math.erfc(z / math.sqrt(2))


def rule_representation(ga):
    """At GA's match the forget probability is below a tenth of step 0's, while at some block the
    linear probe (fitted on the original model) still picks the key entity on the forget items at
    least 80 % as often as at step 0, and at step 0 it did so at least twice as often as chance."""
    p0, p = mean(ga["prob0"]), mean(ga["prob"])
    kept = any(mean(after) >= 0.8 * mean(before) and mean(before) >= 2 * mean(ga["chance"])
               for before, after in zip(ga["probe0"], ga["probe"]))
    return p < 0.1 * p0 and kept


def rule_refit_probe(ga):
    """The same question with the probe refitted on the evaluated model's own states (Kim et al.'s
    protocol), so drift of the features cannot explain it: at GA's match, at some block the
    refitted probe picks the key entity on the forget items at least 80 % as often as at step 0
    (where it did so at least twice as often as chance), and at that block it keeps at least 80 %
    of step 0's accuracy on the retain items."""
    return any(mean(after) >= 0.8 * mean(before) and mean(before) >= 2 * mean(ga["chance"])
               and mean(r_after) >= 0.8 * mean(r_before)
               for before, after, r_before, r_after in zip(ga["refit0"], ga["refit"], ga["refit_retain0"], ga["refit_retain"]))


def rule_cka(with_retain):
    """Kim et al. 2025: logit-level unlearning leaves the forget items' representations closer to the
    original model's than to a model that never learned them. For GA and NPO at the match, on every
    base seed with a retain model, at every block linear CKA to the original model is above CKA to
    the retain model, and CKA to the retain model has risen by less than 0.05 over step 0's."""
    return bool(with_retain) and all(
        all(o > r and r < r0 + 0.05 for o, r, r0 in zip(s["cka_o"], s["cka_r"], s["cka_r0"]))
        for s in with_retain)
