#!/usr/bin/env python3
"""Checks ARCHITECTURE.md's invariants that a text search can decide, in non-test code (a file's
`#[cfg(test)]` module and the tests/ folders are left out: tests may pick a backend):

  backend      core/src never names a backend or a web crate: no `Device::flex`, `Device::wgpu`,
               `burn::backend`, `wgpu`, `web_sys`, `js_sys`, `wasm_bindgen`, `leptos`, `gloo`
               (only the CLI and the worker choose a device).
  readback     no synchronous readback anywhere (core, app, cli): no `into_data()`, `to_data()`,
               `into_scalar()`; only their `_async` forms (a synchronous one panics on WebGPU).
  optimizer    one AdamW construction in core, in core/src/train/ (`AdamWConfig` nowhere else):
               every training goes through `Trainer`.
  page         the page's code (app/src/ui) never names burn: it holds no tensor and computes
               nothing; every number comes from the worker in an Event.
  commands     the page sends the worker commands only from app/src/ui/actions/ (and bridge.rs,
               which owns the worker): no component calls `bridge::send` or `send(Command::`.

Each violation is printed with its line; exit status 1 then. `--self-test` plants one violation
of each rule in a temporary tree and checks that each is found (a check that cannot fail proves
nothing).

Usage: python3 scripts/invariants.py [--self-test]
"""
import pathlib, re, sys, tempfile

RULES = [
    ("backend", "core/src",
     re.compile(r"Device::(flex|wgpu|webgpu)\b|\bburn::backend\b|\bwgpu\b|\bweb_sys\b|\bjs_sys\b"
                r"|\bwasm_bindgen\b|\bleptos\b|\bgloo"),
     "core names a backend or a web crate (only cli/ and app/src/worker choose a device)"),
    ("readback", "", re.compile(r"\.(into_data|to_data|into_scalar)\(\)"),
     "a synchronous readback (use the _async form: a synchronous one panics on WebGPU)"),
    ("optimizer", "core/src", re.compile(r"\bAdamWConfig\b"),
     "AdamW built outside core/src/train/ (every training goes through Trainer)"),
    ("page", "app/src/ui", re.compile(r"\bburn\b"),
     "the page names burn (the engine runs in the worker; the page only shows Events)"),
    ("commands", "app/src/ui", re.compile(r"\bbridge::send\b|\bsend\(\s*Command::"),
     "a component sends a worker command (gestures go through ui/actions/)"),
]
ALLOWED = {  # rule -> path prefixes where the pattern is the rule's one legitimate place
    "optimizer": ("core/src/train/",),
    "commands": ("app/src/ui/actions/", "app/src/ui/bridge.rs"),
}
CRATES = ("core/src", "app/src", "cli/src")
COMMENT = re.compile(r"//[^\n]*")


def code_lines(text):
    """(line number, text) of a file's code before its `#[cfg(test)]` module, comments cut."""
    for no, line in enumerate(text.splitlines(), 1):
        if line.strip() == "#[cfg(test)]":
            return
        yield no, COMMENT.sub("", line)


def check(root):
    problems = []
    for crate in CRATES:
        for path in sorted((root / crate).rglob("*.rs")):
            rel = path.relative_to(root).as_posix()
            lines = list(code_lines(path.read_text(encoding="utf-8")))
            for name, scope, pattern, why in RULES:
                if not rel.startswith(scope) or rel.startswith(ALLOWED.get(name, ("\0",))):
                    continue
                for no, line in lines:
                    if pattern.search(line):
                        problems.append(f"{rel}:{no}: [{name}] {why}\n    {line.strip()}")
    return problems


def self_test():
    planted = {
        "core/src/a.rs": "fn f() { let d = Device::flex(); }\n",
        "app/src/worker/b.rs": "async fn g(t: T) { t.into_data(); }\n",
        "core/src/run/c.rs": "use burn::optim::AdamWConfig;\n",
        "app/src/ui/d.rs": "fn h() { super::bridge::send(x); }\n",
        "app/src/ui/f.rs": "use burn::tensor::Tensor;\n",
        # Not violations: a test module, a comment, the allowed places.
        "core/src/e.rs": "// Device::flex() in a comment\n#[cfg(test)]\nmod t { fn f() { Device::flex(); } }\n",
        "core/src/train/mod.rs": "use burn::optim::AdamWConfig;\n",
        "app/src/ui/actions/mod.rs": "fn s() { send(Command::Play); }\n",
        "cli/src/main.rs": "fn m() { let d = Device::flex(); let v = t.into_data_async(); }\n",
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp)
        for rel, text in planted.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        found = sorted((p.split(": [")[1].split("]")[0], p.split(":")[0]) for p in check(root))
    expected = [("backend", "core/src/a.rs"), ("commands", "app/src/ui/d.rs"),
                ("optimizer", "core/src/run/c.rs"), ("page", "app/src/ui/f.rs"),
                ("readback", "app/src/worker/b.rs")]
    assert found == expected, f"self-test: found {found}, expected {expected}"
    print("invariants self-test: each planted violation found, nothing else")


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    root = pathlib.Path(__file__).resolve().parent.parent
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        sys.exit(f"{len(problems)} invariant violation(s); ARCHITECTURE.md says why each rule holds")
    print("invariants hold: core names no backend, no synchronous readback, one AdamW "
          "construction (core/src/train), no burn in the page, commands only from ui/actions")


if __name__ == "__main__":
    main()
