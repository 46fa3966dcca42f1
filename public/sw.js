// ForgetLab's service worker: after the first visit the playground, the default model and the
// guided labs work with the network off (a projector with flaky wifi).
//
// scripts/build-web.sh prepends `const VERSION = "<hash of dist/>"` and `const FILES = [...]`
// (every built file). Install caches them all under a cache named by the version; a new build
// has a new version, and activating it deletes the old caches, so updates replace old files.
// Requests go to the network first (online, the page is always current) and fall back to the
// cache when the network fails.

const CACHE = `forgetlab-${VERSION}`;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(['./', ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('forgetlab-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(request, copy));
        }
        return response;
      })
      .catch(() =>
        caches.match(request, { ignoreSearch: true })
          .then((hit) => hit || (request.mode === 'navigate' ? caches.match('./') : undefined))
          .then((hit) => hit || Response.error()),
      ),
  );
});
