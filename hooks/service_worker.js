// The site's service worker, written to the site root by hooks/offline.py with this
// build's file list. It makes return visits boot from the device and the whole site,
// calculator included, work offline after one visit.
//
// - One cache per build, named by a hash of every file's hash. A file is checked
//   against this build's hash before it is cached or served from the network, so no
//   page ever gets files of two builds (a calculator page of one build with the wheel
//   or snapshot of another).
// - Installing caches the pages and their assets, not Pyodide: other pages download no
//   Pyodide bytes. The engine files and the memory snapshot are cached once the
//   calculator page has shown an answer: while installing, if it registers the worker,
//   else when it asks ("cache-engine"); files of the build fetched later are kept as
//   they pass.
// - A new build's worker takes over as soon as it has cached its pages, deletes the old
//   cache, and the pages open at that moment reload (assets/javascripts/offline.js),
//   so they too run on one build's files. A file the network has only in another
//   build's version fails to load rather than mix; it also makes the browser look for
//   the new build's worker.
// - The sitemap ("loose": its dates change every day, so it has no hash) comes from the
//   network when it answers, else from the cache.
// - Requests for anything not in the build go to the network untouched.

const BUILD = /* build */ { version: "", files: {}, engine: [], snapshot: [], loose: [], engine_pages: [] } /* end build */;
const PREFIX = "eigent-site-";
const CACHE = PREFIX + BUILD.version;
const scope = new URL(self.registration.scope);
let opened = null;
const ownCache = () => (opened ??= caches.open(CACHE));

// "calculator/index.html" and "calculator/" are one page; the key is the folder.
function key(url) {
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return null;
  let path = decodeURIComponent(url.pathname.slice(scope.pathname.length));
  if (path === "index.html" || path.endsWith("/index.html")) path = path.slice(0, -"index.html".length);
  return Object.hasOwn(BUILD.files, path) || BUILD.loose.includes(path) ? path : null;
}

const at = (path) => new URL(path, scope).href;

async function sha256(buffer) {
  const digest = await crypto.subtle.digest("SHA-256", buffer);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

// Caches a response if it is this build's file. The response itself is stored (not a
// copy of its bytes): it keeps its URL, which the browser's compiled-wasm cache uses.
async function keep(cache, path, response) {
  if (!response.ok || response.status !== 200) return false;
  const checked = response.clone();
  if (await sha256(await checked.arrayBuffer()) !== BUILD.files[path]) return false;
  await cache.put(at(path), response);
  return true;
}

// Fetches one file of this build into the cache; a file with another hash is another
// build's: ask the server again past the HTTP cache, then give up.
async function store(cache, path) {
  for (const mode of ["default", "reload"]) {
    if (await keep(cache, path, await fetch(at(path), { cache: mode }))) return;
  }
  throw new Error(`${path} on the server is not the file of this build`);
}

async function storeAll(paths) {
  const cache = await ownCache();
  const missing = [];
  for (const path of paths) if (!(await cache.match(at(path)))) missing.push(path);
  await Promise.all(missing.map((path) => store(cache, path)));
}

self.addEventListener("install", (event) => {
  const engine = new Set([...BUILD.engine, ...BUILD.snapshot]);
  event.waitUntil((async () => {
    await storeAll(Object.keys(BUILD.files).filter((path) => !engine.has(path)));
    const cache = await ownCache();
    await cache.addAll(BUILD.loose.map(at));
    // Installing from the calculator page (it registers once it has shown an answer):
    // the engine too, now. Scripts cached while a worker installs are cached with their
    // compiled code, which spares the next visit parsing the 1.25 MB Python runtime.
    if (await openOnEnginePage()) await storeAll(engineFiles(!navigator.connection?.saveData)).catch(() => {});
    await self.skipWaiting();
  })());
});

async function openOnEnginePage() {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  return windows.some((client) => BUILD.engine_pages.includes(key(new URL(client.url))));
}

// Without the snapshot when the reader asked to save data: the calculator still works
// offline, booting normally.
function engineFiles(withSnapshot) {
  return withSnapshot ? [...BUILD.engine, ...BUILD.snapshot] : BUILD.engine;
}

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// From the calculator page, once it has shown an answer (when the worker was already
// installed from another page): {type: "cache-engine", snapshot: false to save data}.
self.addEventListener("message", (event) => {
  if (event.data?.type !== "cache-engine") return;
  event.waitUntil(storeAll(engineFiles(event.data.snapshot !== false)).catch(() => {}));
});

// A file of this build that is not cached yet: pass the network's bytes on as they
// arrive (the calculator's progress bar counts them), but hold the last chunk back
// until the whole file has this build's hash; then cache it. Another build's file
// ends in an error instead.
async function fromNetwork(event, path) {
  const response = await fetch(event.request);
  if (response.status !== 200 || !response.body) return response;
  const copy = response.clone();
  const chunks = [];
  let held = null;
  let settle;
  // Keeps the worker alive until the file is checked and cached (waitUntil cannot be
  // called later, once the response has been handed over).
  event.waitUntil(new Promise((resolve) => { settle = resolve; }));
  const checked = new TransformStream({
    transform(chunk, controller) {
      chunks.push(chunk);
      if (held) controller.enqueue(held);
      held = chunk;
    },
    async flush(controller) {
      const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
      chunks.reduce((offset, chunk) => (whole.set(chunk, offset), offset + chunk.length), 0);
      if (await sha256(whole) !== BUILD.files[path]) {
        settle();
        self.registration.update().catch(() => {});
        controller.error(new Error(`${path} on the server belongs to another build of the site`));
        return;
      }
      if (held) controller.enqueue(held);
      ownCache().then((cache) => cache.put(at(path), copy)).catch(() => {}).finally(settle);
    },
    cancel() { settle(); },
  });
  const { status, statusText, headers } = response;
  return new Response(response.body.pipeThrough(checked), { status, statusText, headers });
}

async function fromNetworkFirst(event, path) {
  const cache = await ownCache();
  try {
    const response = await fetch(event.request);
    if (response.ok) await cache.put(at(path), response.clone());
    return response;
  } catch (error) {
    return (await cache.match(at(path))) ?? Promise.reject(error);
  }
}

async function respond(event, path) {
  if (BUILD.loose.includes(path)) return fromNetworkFirst(event, path);
  const cache = await ownCache();
  const cached = await cache.match(at(path));
  if (cached) return cached;
  try {
    return await fromNetwork(event, path);
  } catch (error) {
    if (event.request.mode === "navigate") {
      const missing = await cache.match(at("404.html"));
      if (missing) return missing;
    }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || request.headers.has("range")) return;
  const path = key(new URL(request.url));
  if (path !== null) {
    event.respondWith(respond(event, path));
  } else if (request.mode === "navigate") {
    // A page this build does not have: the network, else the 404 page.
    event.respondWith(fetch(request).catch(async () => {
      const missing = await (await ownCache()).match(at("404.html"));
      return missing ?? Response.error();
    }));
  }
});
