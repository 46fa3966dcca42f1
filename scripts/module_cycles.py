#!/usr/bin/env python3
"""Checks the rule "no module cycle in any folder" for the workspace's crates (core, app, cli).

In every folder (a crate root, a mod.rs, or a foo.rs with foo/) the child modules are the nodes of
a graph, with an edge A -> B when a file inside child A (subfolders included) refers to anything
inside sibling B: by `use` (nested groups, `self`, `as`), an inline path (`super::x::f()`,
`crate::a::B`) or a path string (`#[serde(with = "crate::host::nan_as_null")]`). A reference
through a parent's re-export (`pub use child::Name`, then `super::Name`) is one to `child`; one
between a parent and its own children is no edge. Siblings that reach each other (a strongly
connected component) are a cycle, printed with an example line per edge; exit status 1 then.
Why: modules without cycles can be read, tested and moved one at a time, and a cycle usually means
an item lives in the wrong module. No compiler runs: the sources are read as text, comments and
strings blanked, so macro expansions and names from glob imports (`use super::*`) are not seen.

Usage: python3 scripts/module_cycles.py [--self-test]
"""
import contextlib, glob, io, os, pathlib, re, sys, tempfile, tomllib

CRATES = ("core", "app", "cli")
ID = r"[A-Za-z_]\w*"
LITERAL = re.compile(r"""//[^\n]*|/\*|(?<!\w)[bc]?r(#*)".*?"\1|(?<!\w)[bc]?"(?:\\.|[^"\\])*"|"""
                     r"""'(?:\\'|\\[^'\n]+|[^\\'\n])'""", re.S)  # comments, strings, char literals
MOD_DECL = re.compile(rf"((?:#\[[^\]]*\]\s*)*)(?:pub(?:\([^)]*\))?\s+)?\bmod\s+({ID})\s*([;{{])")
USE = re.compile(r"\buse\s+([^;]+);")
USE_TOKEN = re.compile(rf"::|[{{}},*]|{ID}")
PATH = re.compile(rf"(?<![\w:])({ID}(?:::{ID})+)")
PATH_STRING = re.compile(rf'"((?:crate|super|self)(?:::{ID})+)"')

def blank(s):
    return re.sub(r"[^\n]", " ", s)

def strip(text):
    """Comments and literals blanked (same length, lines kept); a "crate::a::b" string is unquoted."""
    out, i = [], 0
    while m := LITERAL.search(text, i):
        end = m.end()
        if m.group() == "/*":  # block comments nest
            depth = 1
            while depth and end < len(text):
                two = text[end:end + 2]
                depth += (two == "/*") - (two == "*/")
                end += 2 if two in ("/*", "*/") else 1
        path = PATH_STRING.fullmatch(m.group())
        out += [text[i:m.start()], f" {path.group(1)} " if path else blank(text[m.start():end])]
        i = end
    return "".join(out) + text[i:]

def use_leaves(toks, prefix=()):
    """Takes one use tree off toks (a reversed token list): [(segments, bound name or '*', offset)]."""
    segs, leaves = list(prefix), []
    while toks:
        tok, pos = toks.pop()
        if tok == "{":
            while toks and toks[-1][0] != "}":
                leaves += use_leaves(toks, segs)
                toks[-1:] = [t for t in toks[-1:] if t[0] != ","]
            del toks[-1:]  # the "}"
            return leaves
        if tok == "*":
            return [(segs, "*", pos)]
        if tok != "::":
            segs.append(tok)
            if not toks or toks[-1][0] != "::":
                name = tok
                if toks and toks[-1][0] == "as":  # `B as C`
                    name = toks[-2][0]
                    del toks[-2:]
                if segs[-1] == "self" and len(segs) > 1:  # `a::{self, B}`
                    segs.pop()
                    name = segs[-1] if name == "self" else name
                return [(segs, name, pos)]
    return leaves

def parse_file(path):
    raw = open(path, encoding="utf-8").read()
    text = strip(raw)
    pairs, stack = {}, []
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            pairs[stack.pop()] = m.start()
    inline, decls = [], []  # inline: (start, end, name, cfg(test)); decls: (name, raw attributes, pos)
    for m in MOD_DECL.finditer(text):
        if m.group(3) == "{":
            inline.append((m.end() - 1, pairs.get(m.end() - 1, len(text)), m.group(2), "cfg(test)" in m.group(1)))
        else:
            decls.append((m.group(2), raw[m.start(1):m.end(1)], m.start()))
    return dict(raw=raw.splitlines(), text=text, inline=inline, decls=decls)

def discover(root_file, warn):
    """Module path (a tuple of names) -> its parsed file, following `mod x;` from the crate root."""
    mods, todo = {}, [((), root_file, False)]
    while todo:
        path, f, test = todo.pop()
        m = mods[path] = parse_file(f) | dict(file=f, test=test, children=[])
        m["dir"] = os.path.dirname(f) if not path or f.endswith("mod.rs") else f[:-3]
        for name, attrs, pos in m["decls"]:
            if any(s < pos < e for s, e, *_ in m["inline"]):
                warn(f"{f}: `mod {name};` inside an inline module is not followed")
                continue
            at = re.search(r'\bpath\s*=\s*"([^"]+)"', attrs)  # relative to the declaring file's folder
            options = [os.path.join(os.path.dirname(f), at.group(1))] if at else \
                [os.path.join(m["dir"], name + ".rs"), os.path.join(m["dir"], name, "mod.rs")]
            found = [o for o in options if os.path.isfile(o)]
            if not found:
                warn(f"{f}: no file for `mod {name};`")
                continue
            m["children"].append(name)
            todo.append((path + (name,), found[0], test or "cfg(test)" in attrs))
    return mods

def absolute(scope, segs, children):
    """The absolute module path that a path written in module `scope` names; None outside the crate."""
    if segs[0] == "crate":
        return tuple(segs[1:])
    if segs[0] not in ("self", "super"):
        return scope + tuple(segs) if segs[0] in children.get(scope, ()) else None  # `child::x`
    n = next((i for i, s in enumerate(segs) if s not in ("self", "super")), len(segs))
    up = segs[:n].count("super")
    return scope[:len(scope) - up] + tuple(segs[n:]) if up <= len(scope) else None

def sccs(nodes, edges):
    """Strongly connected components of two or more nodes (the graphs are small: plain reachability)."""
    reach = {v: {b for a, b in edges if a == v} for v in nodes}
    for _ in nodes:  # transitive closure
        reach = {v: r.union(*(reach[u] for u in r)) for v, r in reach.items()}
    comps = {frozenset({v} | {u for u in reach[v] if v in reach[u]}) for v in nodes}
    return sorted((c for c in comps if len(c) > 1), key=sorted)

def references(mods, children, warn):
    """[(file's module, target path with re-exports followed, line, whether in #[cfg(test)] code)]."""
    refs, aliases = [], {}
    for path, m in mods.items():
        text, code, found = m["text"], m["text"], []
        def at(pos):  # the scope at pos (inline `mod tests {}` included), whether it is test code, line
            inl = [x for x in m["inline"] if x[0] < pos < x[1]]
            return path + tuple(x[2] for x in inl), m["test"] or any(x[3] for x in inl), text.count("\n", 0, pos) + 1

        for u in USE.finditer(text):
            code = code[:u.start()] + blank(u.group()) + code[u.end():]
            found += use_leaves([(t.group(), u.start(1) + t.start()) for t in USE_TOKEN.finditer(u.group(1))][::-1])
        found += [(p.group(1).split("::"), None, p.start()) for p in PATH.finditer(code)]  # inline paths
        for segs, name, pos in found:  # name: what a `use` binds, None for an inline path
            scope, test, line = at(pos)
            if (target := absolute(scope, segs, children)) is None:
                continue
            refs.append((path, target, line, test))
            n = len(scope)
            if name and target[:n] == scope and len(target) > n and target[n] in children.get(scope, ()):
                if name == "*":
                    warn(f"{m['file']}:{line}: the names this glob imports are not followed")
                elif scope + (name,) != target:
                    aliases[scope + (name,)] = target  # scope::name is an item inside one of scope's children

    def canonical(t):  # follows re-exports, from the deepest module that t names
        for _ in range(20):
            k = max(i for i in range(len(t) + 1) if t[:i] in mods)
            if t[:k + 1] not in aliases or k == len(t):
                break
            t = aliases[t[:k + 1]] + t[k + 1:]
        return t

    return [(f, canonical(t), line, test) for f, t, line, test in refs]

def check_crate(root, root_file, warn):
    """Prints each cycle of the crate rooted at root_file; returns [(folder, members, test only)]."""
    mods = discover(root_file, warn)
    children = {p: set(m["children"]) for p, m in mods.items()}
    edges = {}  # (folder, a, b) -> {"any": example, "live": an example outside #[cfg(test)] code}
    for f, t, line, test in references(mods, children, warn):
        d = next((i for i, (x, y) in enumerate(zip(f, t)) if x != y), min(len(f), len(t)))
        if d < len(f) and d < len(t) and t[d] in children[f[:d]]:  # siblings f[d] and t[d] in f[:d]
            e = edges.setdefault((f[:d], f[d], t[d]), {"any": (f, line), "live": None})
            e["live"] = e["live"] or (None if test else (f, line))
    found = []
    for folder in sorted(p for p in mods if children[p]):
        fdir = mods[folder]["dir"]
        label = os.path.relpath(fdir, root) + ("" if folder else f" (crate root {os.path.basename(root_file)})")
        name = {c: c + "/" if children[folder + (c,)] else os.path.relpath(mods[folder + (c,)]["file"], fdir)
                for c in children[folder]}
        local = {(a, b): e for (fo, a, b), e in edges.items() if fo == folder}
        for comp in sccs(children[folder], local):
            inner = {k: e for k, e in local.items() if k[0] in comp and k[1] in comp}
            test_only = not sccs(comp, [k for k, e in inner.items() if e["live"]])
            print(f"cycle in {label}: {', '.join(sorted(name[c] for c in comp))}"
                  + ("   [only through #[cfg(test)] code]" if test_only else ""))
            for (a, b), e in sorted(inner.items()):
                f, line = e["live"] or e["any"]
                where = f"{os.path.relpath(mods[f]['file'], root)}:{line}: {mods[f]['raw'][line - 1].strip()[:110]}"
                print(f"  {name[a]} -> {name[b]}   {where}" + ("" if e["live"] else "   [#[cfg(test)] only]"))
            found.append((label, frozenset(name[c] for c in comp), test_only))
    return found, {m["file"] for m in mods.values()}

def crate_roots(root, crate):
    src = os.path.join(root, crate, "src")
    paths = [p for n in ("lib.rs", "main.rs", "bin/*.rs", "bin/*/main.rs") for p in glob.glob(os.path.join(src, n))]
    if os.path.isfile(manifest := os.path.join(root, crate, "Cargo.toml")):  # [lib] and [[bin]] paths
        data = tomllib.loads(pathlib.Path(manifest).read_text())
        targets = [data.get("lib", {}), *data.get("bin", [])]
        paths += [os.path.join(root, crate, t["path"]) for t in targets if "path" in t]
    return sorted({os.path.normpath(p) for p in paths if os.path.isfile(p)})

def check(root, crates=CRATES):
    found, warn = [], lambda msg: print("note: " + msg.replace(os.path.join(root, ""), ""))
    for crate in crates:
        seen = set()
        for root_file in crate_roots(root, crate):
            cycles, files = check_crate(root, root_file, warn)
            found, seen = found + cycles, seen | files
        for f in sorted(set(glob.glob(os.path.join(root, crate, "src", "**", "*.rs"), recursive=True)) - seen):
            warn(f"{f} is not reached from any crate root")
    if not found:
        print("no module cycles in " + ", ".join(f"{c}/src" for c in crates))
    return found

SELF_TEST = {  # cycles through (renamed) re-exports and crate:: paths; parent<->child, comment and test references
    "lib.rs": "pub mod p;\npub mod q;\npub mod r;\n",
    "p/mod.rs": "mod x;\nmod y;\npub use x::Thing;\npub use self::y::{Other as O};\nfn f() { x::g(); y::h(); }\n",
    "p/x.rs": "pub struct Thing;\npub fn g() { super::O::new(); crate::q::helper(); }\n",
    "p/y.rs": "use super::{Thing, super::q};\npub struct Other;\npub fn h() {}\n",
    "q/mod.rs": "mod m;\nmod n;\npub use m::M;\npub fn helper() { m::M::new(); }\n",
    "q/m.rs": "/// Not [`super::n::N`].\npub struct M;\nfn f() { super::helper(); let s = \"super::n::N is\"; }\n",
    "q/n.rs": "use super::m::{self, M};\n#[serde(with = \"crate::r::s::ser\")]\npub struct N(crate::p::Thing);\n",
    "r.rs": "mod s;\nmod t;\n",
    "r/s.rs": "pub fn ser() {}\n#[cfg(test)]\nmod tests {\n    use super::super::t::T;\n}\n",
    "r/t.rs": "pub struct T;\n/* use super::s::ser; */\nfn f() { let c = '{'; super::s::ser(); }\n",
}

def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        for rel, body in SELF_TEST.items():
            (file := pathlib.Path(tmp, "t", "src", rel)).parent.mkdir(parents=True, exist_ok=True)
            file.write_text(body)
        with contextlib.redirect_stdout(io.StringIO()) as out:
            found = set(check(tmp, ("t",)))
    expected = {("t/src (crate root lib.rs)", frozenset({"p/", "q/"}), False),
                ("t/src/p", frozenset({"x.rs", "y.rs"}), False), ("t/src/r", frozenset({"s.rs", "t.rs"}), True)}
    print(out.getvalue() + "self-test " + ("passed" if found == expected else f"FAILED: expected {expected}"))
    return found == expected

if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    sys.exit(1 if check(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))) else 0)
