// Registers the site's service worker (sw.js at the site root, written by
// hooks/offline.py), which keeps the site and the calculator on this device for
// return visits and offline use. Every page works without it.
//
// Other pages register it once loaded. The calculator page waits for its first answer
// (the "credit-engine:ready" event from engine.js), so that on a first visit nothing
// competes with the Python runtime's download, then asks it to keep the engine files.
// Without service workers (private windows, old browsers, plain http) the page is told
// with "offline:unavailable", and the engine keeps its snapshot in the HTTP cache.
//
// When a new build's worker takes over, a page loaded from the old build reloads, so
// that it never runs on files of two builds (the calculator keeps its inputs in the
// address, so they survive). The first worker taking over a page loaded from the
// network changes nothing and reloads nothing.
(() => {
  const root = new URL("../../", document.currentScript.src);
  let registration = null;

  function unavailable() {
    window.__offlineUnavailable = true;
    window.dispatchEvent(new Event("offline:unavailable"));
  }

  // Registering again is how a return visit looks for a new build's worker.
  function register() {
    registration ??= navigator.serviceWorker
      .register(new URL("sw.js", root), { scope: root.href, updateViaCache: "none" })
      .then((found) => (navigator.serviceWorker.controller ? found.update().then(() => found, () => found) : found))
      .catch((error) => {
        unavailable();
        throw error;
      });
    return registration;
  }

  async function keepEngine() {
    try {
      await register();
      const { active } = await navigator.serviceWorker.ready;
      active.postMessage({ type: "cache-engine", snapshot: !navigator.connection?.saveData });
    } catch {
      // unavailable() has told the page.
    }
  }

  function start() {
    if (!document.querySelector("[data-calculator]")) register().catch(() => {});
  }

  if (!("serviceWorker" in navigator)) {
    unavailable();
    return;
  }
  if (navigator.serviceWorker.controller) {
    navigator.serviceWorker.addEventListener("controllerchange", () => window.location.reload(), { once: true });
  }
  window.addEventListener("credit-engine:ready", keepEngine);
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start, { once: true });
})();
