// Every control of the page is used by the end-to-end suite the way a person uses it.
//
// A control is an element of app/src/ui with a `data-testid` that a person clicks, types into,
// chooses from or drops on: a button, input, select, textarea or summary, or any element with an
// on:click / on:change / on:input / on:drop handler. Number fields made by a component
// (`<NumberField testid=…>`) count too; those made from the settings table
// (`testid=setting.dashed()`) are expanded from core/src/methods/settings.rs. A test id made with
// format!("lab-step-{}", …) is a family: one member used is enough.
//
// The suite records each gesture (helpers.mjs: a click, input, change or drop event on the page,
// attributed to the nearest element with a data-testid) in tests/e2e/artifacts/gestures/. A
// control set only through the URL dispatches no event, so it does not count.
//
//   node tests/e2e/controls.mjs --list-only   the controls found (fails if none or one is unreadable)
//   node tests/e2e/controls.mjs               fails, listing them, when a control was never used
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UI = join(ROOT, 'app', 'src', 'ui');
export const GESTURES = join(process.env.FORGETLAB_ARTIFACTS ?? join(ROOT, 'tests', 'e2e', 'artifacts'), 'gestures');

const INTERACTIVE_TAGS = new Set(['button', 'input', 'select', 'textarea', 'summary']);
const HANDLER = /on:(click|change|input|drop)\b/;

/** The keys of the settings table (`settings! { key: type = …`), as the page's test ids. */
function settingIds() {
  const src = readFileSync(join(ROOT, 'core', 'src', 'methods', 'settings.rs'), 'utf8');
  const body = src.slice(src.indexOf('settings! {'));
  return [...body.matchAll(/^\s{4}(\w+): \w+ = /gm)].map((m) => m[1].replaceAll('_', '-'));
}

/** The text of the tag that starts at `start`: up to the next tag on a new line or a closing tag. */
function tagText(src, start) {
  const rest = src.slice(start + 1);
  const end = rest.search(/\n\s*<|<\//);
  return rest.slice(0, end < 0 ? rest.length : end);
}

/** The controls declared in app/src/ui: [{ id, family (a RegExp or null), file, line }]. */
export function controls() {
  const found = [];
  const add = (id, file, index, src) => {
    const line = src.slice(0, index).split('\n').length;
    const family = id.includes('{') ? new RegExp(`^${id.replace(/\{[^}]*\}/g, '.+')}$`) : null;
    found.push({ id: id.replace(/\{[^}]*\}/g, '*'), family, file, line });
  };
  for (const name of readdirSync(UI).filter((f) => f.endsWith('.rs')).sort()) {
    const src = readFileSync(join(UI, name), 'utf8');
    // data-testid on an element: a literal, a format! family, or a component's own prop.
    // leptosfmt braces every value that is not a literal: data-testid={format!(…)}. A test id
    // this reading does not understand is an error, never a control silently left out.
    const readable = /(?<!\[)data-testid=\{?(?:"([^"]+)"|format!\("([^"]+)"|([A-Za-z_][\w.()]*))/g;
    const all = (src.match(/(?<!\[)data-testid=/g) ?? []).length; // not a CSS selector
    const understood = [...src.matchAll(readable)].length;
    if (all !== understood) throw new Error(`${name}: ${all - understood} data-testid value(s) unreadable by controls.mjs`);
    for (const m of src.matchAll(readable)) {
      const before = src.slice(0, m.index);
      const open = [...before.matchAll(/<([A-Za-z][\w-]*)/g)].pop();
      if (!open) throw new Error(`${name}: a data-testid outside any tag`);
      const tag = open[1];
      const text = tagText(src, open.index);
      if (!INTERACTIVE_TAGS.has(tag) && !HANDLER.test(text)) continue;
      if (m[1] ?? m[2]) { add(m[1] ?? m[2], name, m.index, src); continue; }
      // A variable: the component's callers name it (below); only `testid` is known.
      if (m[3] !== 'testid') throw new Error(`${name}:${before.split('\n').length}: data-testid=${m[3]} cannot be resolved; use a literal, format!(…) or a component prop named testid`);
    }
    // Component props named testid: `<NumberField … testid="seed" …>` or `testid=setting.dashed()`.
    for (const m of src.matchAll(/<([A-Z]\w*)\b[^>]*?\stestid=\{?(?:"([^"]+)"|(setting\.dashed\(\)))/g)) {
      if (m[2]) add(m[2], name, m.index, src);
      else for (const id of settingIds()) add(id, name, m.index, src);
    }
  }
  return found;
}

/** Every gesture the suite recorded: test id → the kinds of event seen. */
export function gestures() {
  const seen = new Map();
  if (!existsSync(GESTURES)) return seen;
  for (const f of readdirSync(GESTURES)) {
    for (const line of readFileSync(join(GESTURES, f), 'utf8').split('\n').filter(Boolean)) {
      const { id, type } = JSON.parse(line);
      if (!seen.has(id)) seen.set(id, new Set());
      seen.get(id).add(type);
    }
  }
  return seen;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const list = controls();
  if (list.length === 0) throw new Error('no controls found in app/src/ui: the parser is broken');
  if (process.argv.includes('--list-only')) {
    console.log(`${list.length} controls in app/src/ui:`);
    for (const c of list) console.log(`  ${c.id.padEnd(24)} ${c.file}:${c.line}`);
  } else {
    const seen = gestures();
    const used = (c) => (c.family ? [...seen.keys()].some((id) => c.family.test(id)) : seen.has(c.id));
    const unused = list.filter((c) => !used(c));
    console.log(`${list.length - unused.length} of ${list.length} controls used by a gesture in the end-to-end suite`);
    if (unused.length) {
      console.log(`never clicked, typed into, chosen from or dropped on:\n${unused.map((c) => `  ${c.id.padEnd(24)} ${c.file}:${c.line}`).join('\n')}`);
      process.exitCode = 1;
    }
  }
}
