"""The `forgetlab` CLI as docs/REPRODUCE.md's scripts run it (scripts/reproduce.py and
reproduce_continual.py): where the release binary is, a command as a reader types it, and a cache
of each run's output keyed by everything the output depends on (the command, the CLI binary and
the model files it reads), so a regenerated page reruns only what changed.

Only the standard library.
"""
import hashlib
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
CLI = os.path.join(TARGET, "release", "forgetlab")
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "forgetlab", "reproduce")


def mean(v):
    return statistics.fmean(v)


def half(v):
    """Half the range: the ± the tables print over seeds."""
    return (max(v) - min(v)) / 2


def shown(cmd):
    """The command as a reader would type it: paths relative to the repository root."""
    local = lambda c: c.startswith(CACHE) or c.startswith(ROOT + os.sep)
    return "forgetlab " + " ".join(os.path.relpath(c, ROOT) if local(c) else c for c in cmd[1:])


def require_cli():
    """Stop with the command that builds the CLI when it is missing."""
    if not os.path.exists(CLI):
        sys.exit(f"{CLI} not found: run `cargo build --release -p forgetlab` first")


def call(cmd):
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{shown(cmd)} failed:\n{out.stderr}")
    return out.stdout


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_key(cmd):
    """What a run's output depends on: the command, the CLI binary, and the model files it reads.
    The command as a reader types it (no binary path, paths relative to the checkout): the binary
    counts by its digest, so a copy of it elsewhere reuses the same runs."""
    parts = [shown(cmd), digest(CLI)]
    model = cmd[cmd.index("--model") + 1] if "--model" in cmd else os.path.join(ROOT, "public/models/forgetlab-small")
    for d in sorted({model, os.path.join(ROOT, "public/models/forgetlab-small"), os.path.join(ROOT, "public/models/fluency")}):
        for name in ("model.safetensors", "retain_reference.json"):
            if os.path.exists(os.path.join(d, name)):
                parts.append(digest(os.path.join(d, name)))
    if "--retain-model" in cmd:
        parts.append(digest(os.path.join(cmd[cmd.index("--retain-model") + 1], "model.safetensors")))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def cached(cmd):
    """The command's output: from the cache when nothing it depends on changed, else run now."""
    path = os.path.join(CACHE, "runs", run_key(cmd) + ".txt")
    if os.path.exists(path):
        with open(path) as f:
            return f.read()
    text = call(cmd)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return text
