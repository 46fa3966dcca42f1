#!/usr/bin/env python3
"""Two experiments the unlearning literature describes, beyond reproduce.py's claims: worst-case
forget sets and sequential unlearning requests, measured with `forgetlab unlearn` on ForgetLab's
default recipe. Writes the section of docs/REPRODUCE.md between its markers.

    python3 scripts/reproduce_experiments.py          # the protocol below (base models as in
                                                      # reproduce.py, pretrained once and cached)
    python3 scripts/reproduce_experiments.py --quick  # every command with 2 steps on the committed
                                                      # model: checks the commands; writes nothing

The protocol, fixed before any number was seen (each claim's ✓/✗ rule is its `rule_*` function):
- Seeds vary the base model: reproduce.py's base seeds, each with its data-order seed.
- Equal terms: within an experiment every arm runs the same method, learning rate (the method's
  default), batch, evaluation and number of steps; only the factor under test changes (which
  authors are forgotten; one request or several). Nothing is tuned per arm.
- Worst-case sets: of forget10's authors, the 5 that `--worst-case 5` picks (its proxy: the
  authors whose answers' log-probability falls least in 5 GA steps on the whole pool), against
  5 authors drawn at random from the same pool (`--random-authors 5`, three draws per base, seeds
  0–2), each unlearned for 20 steps by GA and by NPO.
- Sequential requests: forget10 as 4 requests of 5 authors (`--requests 4`), 20 steps each, by GA
  and by NPO, against one request of all of forget10 with as many steps in all (80).
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reproduce as R  # the base models  # noqa: E402
from repro_cli import CLI, ROOT, cached, half, mean, require_cli, shown  # noqa: E402

POOL = "forget10"
AUTHORS = 5
STEPS = 20
DRAWS = [0, 1, 2]
REQUESTS = 4
METHODS = ["ga", "npo"]
BEGIN, END = "<!-- experiments: begin (scripts/reproduce_experiments.py) -->", "<!-- experiments: end -->"


# --- the claims' rules (decided before measuring) -----------------------------------------------

def rule_worst_case(worst, random):
    """Fan et al. 2024: the worst-case set is harder to unlearn. For both GA and NPO, on every base
    seed, after the same budget the worst-case set's forget-answer probability is above the mean of
    the random sets' and its KFR is below it."""
    return all(w["prob"] > mean(r["prob"]) and w["kfr"] < mean(r["kfr"])
               for m in METHODS for w, r in zip(worst[m], random[m]))


def rule_utility_compounds(seq):
    """MUSE (Shi et al. 2024), sustainability: utility falls as requests accumulate. For both GA
    and NPO, on every base seed, model utility after the last request is below its value after the
    first, and the mean over seeds falls from each request to the next."""
    ok = True
    for m in METHODS:
        paths = [s["mu"] for s in seq[m]]  # per seed: model utility after each request
        ok &= all(p[-1] < p[0] for p in paths)
        means = [mean(p[r] for p in paths) for r in range(REQUESTS)]
        ok &= all(b < a for a, b in zip(means, means[1:]))
    return ok


def rule_first_comes_back(seq):
    """The survey's shallowness, asked of sequences: request 1's facts come back while later
    requests are unlearned. For GA or NPO, on every base seed, request 1's set has a higher answer
    probability after the last request than right after request 1, by more than 0.02."""
    return any(all(s["set1"][-1] > s["set1"][0] + 0.02 for s in seq[m]) for m in METHODS)


def rule_sequential_costs_more(seq, one_shot):
    """Sequential requests cost more utility than one request of the same facts with as many
    steps: for both GA and NPO, on every base seed, model utility after the last request is below
    the one-shot run's."""
    return all(s["mu"][-1] < o["mu"] for m in METHODS for s, o in zip(seq[m], one_shot[m]))


# --- running the CLI ------------------------------------------------------------------------------

def lines(cmd):
    return [json.loads(l) for l in cached(cmd).splitlines() if l.strip()]


def command(method, seed, model, steps, extra, quick):
    cmd = [CLI, "unlearn", "--method", method, "--forget", POOL, "--steps", str(2 if quick else steps),
           "--eval-every", str(2 if quick else 5), "--seed", str(seed), "--json", "--no-retain-model"]
    return cmd + (["--model", model] if model is not None else []) + extra


def end_of(ls):
    """The last snapshot's forget probability, KFR and model utility."""
    s = [l for l in ls if "step" in l][-1]
    return {"prob": s["forget"]["prob"], "kfr": s["kfr"], "mu": s["model_utility"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bases", type=int, nargs="*", help="only these base seeds (default: reproduce.py's)")
    args = ap.parse_args()
    quick = args.quick
    require_cli()
    bases = R.BASES[:1] if quick else [b for b in R.BASES if not args.bases or b[0] in args.bases]

    worst, random, seq, one_shot = ({m: [] for m in METHODS} for _ in range(4))
    cmds, chosen = {}, {}
    for base, seed in bases:
        model, _ = R.base_models(base, quick)
        model = None if quick or base == 42 else model
        for m in METHODS[:1] if quick else METHODS:
            cmd = command(m, seed, model, STEPS, ["--worst-case", str(AUTHORS)], quick)
            ls = lines(cmd)
            chosen.setdefault(base, next(l["worst_case"] for l in ls if "worst_case" in l)["ranking"][:AUTHORS])
            worst[m].append(end_of(ls))
            cmds.setdefault(f"worst {m}", shown(cmd))
            draws = []
            for d in DRAWS[:1] if quick else DRAWS:
                cmd = command(m, d, model, STEPS, ["--random-authors", str(AUTHORS)], quick)
                draws.append(end_of(lines(cmd)))
                cmds.setdefault(f"random {m}", shown(cmd))
            random[m].append({k: [x[k] for x in draws] for k in ("prob", "kfr", "mu")})

            cmd = command(m, seed, model, STEPS, ["--requests", str(REQUESTS)], quick)
            ls = lines(cmd)
            cmds.setdefault(f"requests {m}", shown(cmd))
            recalls = [l["recall"] for l in ls if "recall" in l and l["after_request"] > 0]
            ends = [i for i, l in enumerate(ls) if "cost" in l]
            snaps = [[l for l in ls[:i] if "step" in l][-1] for i in ends]
            seq[m].append({"mu": [s["model_utility"] for s in snaps], "set1": [r[0]["prob"] for r in recalls],
                           "set1_key": [r[0]["key_entity_rate"] for r in recalls],
                           "sets_after": [x["prob"] for x in recalls[-1]]})
            cmd = command(m, seed, model, STEPS * REQUESTS, [], quick)
            one_shot[m].append(end_of(lines(cmd)))
            cmds.setdefault(f"one-shot {m}", shown(cmd))
        print(f"base {base}: experiments done", file=sys.stderr)
    if quick:  # one method: the commands run and print what the rows read
        print(f"ok: worst case, random authors, {REQUESTS} requests and one request ({len(cmds)} commands)")
        return

    rows = [
        ("A worst-case forget set is harder to unlearn than a random one of the same size — Fan et al. 2024",
         [cmds["worst ga"], cmds["random ga"]],
         "; ".join(f"{m.upper()} after {STEPS} steps: worst-case forget prob {fmt([w['prob'] for w in worst[m]])}, KFR "
                   f"{fmt([w['kfr'] for w in worst[m]])}; random (mean of {len(DRAWS)} draws) prob "
                   f"{fmt([mean(r['prob']) for r in random[m]])}, KFR {fmt([mean(r['kfr']) for r in random[m]])}" for m in METHODS),
         rule_worst_case(worst, random)),
        ("Model utility falls as unlearning requests accumulate — MUSE (sustainability)", [cmds["requests ga"], cmds["requests npo"]],
         "; ".join(f"{m.upper()} model utility after requests 1–{REQUESTS}: "
                   + " → ".join(fmt([s['mu'][r] for s in seq[m]]) for r in range(REQUESTS)) for m in METHODS),
         rule_utility_compounds(seq)),
        ("An earlier request's facts come back while later ones are unlearned — survey (shallowness)", [cmds["requests ga"], cmds["requests npo"]],
         "; ".join(f"{m.upper()} request 1's forget prob after requests 1–{REQUESTS}: "
                   + " → ".join(fmt([s['set1'][r] for s in seq[m]]) for r in range(REQUESTS)) for m in METHODS),
         rule_first_comes_back(seq)),
        ("Sequential requests cost more utility than one request of the same facts — MUSE", [cmds["requests ga"], cmds["one-shot ga"]],
         "; ".join(f"{m.upper()}: {REQUESTS} × {STEPS} steps {fmt([s['mu'][-1] for s in seq[m]])}, one request of {STEPS * REQUESTS} steps "
                   f"{fmt([o['mu'] for o in one_shot[m]])}" for m in METHODS),
         rule_sequential_costs_more(seq, one_shot)),
    ]
    mark = {True: "✓", False: "✗"}
    out = [BEGIN, "", "## Worst-case forget sets and sequential requests", "",
           "Generated by `python3 scripts/reproduce_experiments.py` (do not edit by hand); its protocol and each claim's",
           f"rule were written before the numbers were seen. Base seeds {[b for b, _ in bases]}; every arm of a comparison runs the",
           f"same method at its default rate, batch and steps ({STEPS} per request), on {POOL}'s authors. Worst-case sets are",
           f"chosen by a stated proxy (the {AUTHORS} authors whose answers' log-probability falls least in 5 GA steps on the whole",
           "pool), a one-shot greedy stand-in for Fan et al.'s bi-level search. Forget quality is not given: no retain",
           "model was trained without these subsets.", "",
           "| claim | commands | measured | holds |", "|---|---|---|---|"]
    for claim, c, measured, ok in rows:
        out.append(f"| {claim} | {'<br>'.join(f'`{x}`' for x in c)} | {measured} | {mark[ok]} |")
    out += ["", "The worst-case authors per base seed (resistance: mean change of answer log-probability in the proxy run):", ""]
    for base, ranking in chosen.items():
        out.append(f"- base {base}: " + ", ".join(f"{a} ({r:.3f})" for a, r in ranking))
    out += ["", END]
    path = os.path.join(ROOT, "docs", "REPRODUCE.md")
    with open(path) as f:
        text = f.read()
    if BEGIN in text:
        text = text[:text.index(BEGIN)] + text[text.index(END) + len(END):].lstrip("\n")
    # Before the continual section, which reproduce_continual.py keeps last.
    marker = "<!-- continual: begin"
    at = text.index(marker) if marker in text else len(text)
    text = text[:at].rstrip("\n") + "\n\n" + "\n".join(out) + "\n\n" + text[at:]
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")
    print(f"wrote the experiments section of {path}", file=sys.stderr)


def fmt(values, digits=3):
    return f"{mean(values):.{digits}f} ± {half(values):.{digits}f}"


if __name__ == "__main__":
    main()
