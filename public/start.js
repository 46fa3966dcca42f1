// The page's entry point, a file rather than the inline script trunk would write: index.html's
// Content-Security-Policy allows scripts from this origin only. trunk writes the hashed names of
// the page's JavaScript and wasm into <meta name="forgetlab-entry"> (Trunk.toml's pattern_script).
if ('serviceWorker' in navigator) {
  // Offline use: sw.js caches this build's files (scripts/build-web.sh lists them).
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('offline mode unavailable:', e));
}
const [js, wasm] = document.querySelector('meta[name="forgetlab-entry"]').content.split(' ');
const app = await import(js);
await app.default({ module_or_path: wasm });
