// The page's entry point, a file rather than the inline script trunk would write: index.html's
// Content-Security-Policy allows scripts from this origin only. trunk writes the hashed names of
// the page's JavaScript and wasm into <meta name="forgetlab-entry"> (Trunk.toml's pattern_script).
if ('serviceWorker' in navigator) {
  // Offline use: sw.js caches this build's files (scripts/build-web.sh lists them).
  navigator.serviceWorker.register('./sw.js').catch((e) => console.warn('offline mode unavailable:', e));
}
// The engine's worker starts now, while the page's own wasm loads, rather than after it: its
// 17 MB compile is the longest part of opening the page. Its first events wait here until the
// page takes it over (app/src/ui/bridge.rs).
const worker = new Worker('./forgetlab-worker_loader.js');
const early = [];
const keep = (event) => early.push(event);
worker.addEventListener('message', keep);
worker.addEventListener('error', keep);
globalThis.forgetlabEarlyWorker = {
  worker,
  early,
  release() {
    worker.removeEventListener('message', keep);
    worker.removeEventListener('error', keep);
  },
};
const [js, wasm] = document.querySelector('meta[name="forgetlab-entry"]').content.split(' ');
const app = await import(js);
await app.default({ module_or_path: wasm });
