/* Souk badge scanner: service worker (scope {{ scope }}), rendered by badges/views/scanner.py.
 *
 * Keeps the scanner page, its script and styles, the QR decoder and Bootstrap in a cache
 * named after their version, so the page opens with the network off. Holders' photos live in
 * a second cache that the page fills from the fair's offline list. API calls are never
 * answered from a cache: the page itself decides what to do when they fail (check the badge
 * on the device and queue the scan).
 */
'use strict';

const SW = {{ sw_json|safe }};

async function cacheShell() {
  const cache = await caches.open(SW.shell_cache);
  await cache.addAll(SW.assets);
  try {
    // The page as this browser sees it (its language); refreshed at every online visit.
    await cache.add(new Request(SW.scope, { credentials: 'same-origin' }));
  } catch (error) {
    // Installing while the page itself cannot be fetched: the next online visit stores it.
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(SW.shell_cache_prefix) && name !== SW.shell_cache) {
        await caches.delete(name);
      }
    }
    await self.clients.claim();
  })());
});

async function pageFromNetworkFirst(request) {
  const cache = await caches.open(SW.shell_cache);
  try {
    const response = await fetch(request);
    if (response.ok) {
      await cache.put(SW.scope, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await cache.match(SW.scope, { ignoreSearch: true, ignoreVary: true });
    if (cached) {
      return cached;
    }
    throw error;
  }
}

async function fromCacheFirst(request) {
  for (const name of [SW.shell_cache, SW.photo_cache]) {
    const cache = await caches.open(name);
    const hit = await cache.match(request, { ignoreVary: true });
    if (hit) {
      return hit;
    }
  }
  return fetch(request);
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  if (request.mode === 'navigate') {
    if (url.pathname === SW.scope) {
      event.respondWith(pageFromNetworkFirst(request));
    }
    return;
  }
  event.respondWith(fromCacheFirst(request));
});
