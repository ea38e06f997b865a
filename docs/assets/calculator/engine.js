// The page side of the engine: one Web Worker per tab, created on first use.
// Material's instant navigation keeps this module alive across page changes, so
// going back to the calculator reuses the worker that is already booted.
//
// Once the engine is ready, the page says so with a "credit-engine:ready" event: the
// service worker's registration script (assets/javascripts/offline.js) then keeps the
// engine for return visits and offline use. Where no service worker can, the worker
// keeps its memory snapshot in the HTTP cache itself ("keep-snapshot").

let worker = null;
let nextId = 1;
const pending = new Map();
const listeners = new Set();
let current = { state: "idle", message: "", progress: 0 };

let offlineUnavailable = Boolean(window.__offlineUnavailable);

function setStatus(status) {
  const wasReady = current.state === "ready";
  current = status;
  for (const listener of listeners) listener(current);
  if (status.state === "ready" && !wasReady) {
    window.dispatchEvent(new Event("credit-engine:ready"));
    keepSnapshot();
  }
}

function keepSnapshot() {
  if (offlineUnavailable && current.state === "ready") worker.postMessage({ type: "keep-snapshot" });
}

window.addEventListener("offline:unavailable", () => {
  offlineUnavailable = true;
  keepSnapshot();
});

function onMessage(event) {
  const message = event.data;
  if (message.type === "status") {
    setStatus(message);
    if (message.state === "error") failPending(new Error(message.message));
    return;
  }
  const request = pending.get(message.id);
  if (!request) return;
  pending.delete(message.id);
  if (message.code === 0) request.resolve(message.output);
  else request.reject(new Error(message.output));
}

function onError(event) {
  const error = new Error(`The calculator could not start: ${event.message || "the worker failed to load"}`);
  setStatus({ state: "error", message: error.message });
  failPending(error);
}

// The calculator page starts the worker early, from an inline script, as
// window.__creditEngineBoot = {worker, early}; take it over once, with what it queued.
function start() {
  const boot = window.__creditEngineBoot;
  const adopt = boot && !boot.adopted;
  worker = adopt ? boot.worker : new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
  window.__creditEngineBoot = { worker, adopted: true };
  setStatus({ state: "loading", message: "Starting the calculator…", progress: 0 });
  worker.onmessage = onMessage;
  worker.onerror = onError;
  for (const event of adopt ? boot.early : []) (event.type === "error" ? onError : onMessage)(event);
}

function failPending(error) {
  for (const request of pending.values()) request.reject(error);
  pending.clear();
}

function send(message) {
  if (!worker) start();
  if (current.state === "error") return Promise.reject(new Error(current.message));
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, ...message });
  });
}

function request(command, scenario) {
  const text = typeof scenario === "string" ? scenario : JSON.stringify(scenario);
  return send({ type: "run", command, text }).then((output) => JSON.parse(output));
}

const engine = {
  simulate: (scenario) => request("simulate", scenario),
  recommend: (scenario) => request("recommend", scenario),
  ping: () => send({ type: "ping" }),
  onStatus(listener) {
    listeners.add(listener);
    listener(current);
    return () => listeners.delete(listener);
  },
  retry() {
    if (worker) worker.terminate();
    worker = null;
    failPending(new Error("Restarting the calculator."));
    start();
  },
  get status() {
    return current;
  },
};

export function getEngine() {
  if (!worker) start();
  return engine;
}

// The documented API for people who embed or automate the calculator page.
export function installWindowApi() {
  const api = getEngine();
  window.creditEngine = Object.freeze({
    simulate: api.simulate,
    recommend: api.recommend,
    ping: api.ping,
    onStatus: api.onStatus,
    retry: api.retry,
  });
}
