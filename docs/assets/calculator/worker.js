// The engine's Web Worker (a module worker: Pyodide 314 supports no other kind).
// Boots Pyodide once, then answers requests. Protocol, one shape per message:
//   page → worker  {id, type: "run", command: "simulate"|"recommend", text}
//                  {id, type: "ping"}                       (an empty round trip)
//                  {type: "keep-snapshot"}                  (no service worker: fetch the
//                                                            snapshot for the next visit)
//   worker → page  {type: "status", state: "loading"|"ready"|"error", message, progress, boot, phases}
//                  {id, type: "result", code, output, ms}   (code 0: output is the JSON text;
//                                                            2: the one-line input error;
//                                                            ms: the time the engine took)
// Errors come back as data; only strings cross the JS/Python boundary.
//
// Two ways to boot, with the same answers (tests/browser/test_snapshot_boot.py):
// - from the build's memory snapshot (hooks/make_snapshot.mjs): Pyodide restores a
//   Python that has already started and imported the engine. Used when the snapshot is
//   already on this device (a return visit), or on a first visit when the link is fast
//   enough that its 6 MB cost less than starting Python.
// - normally: start Python, unpack the engine wheel the site's lockfile names (and hashes;
//   boot.json carries the lockfile cut down to that one entry).
//   Once an answer is shown, the service worker (or, without one, this worker) fetches
//   the snapshot in the background for the next visit.
// A snapshot made for another Pyodide or another wheel, or one that does not load, is
// dropped for a normal boot: the reader never sees the difference (the console says why).
//
// Every download is counted as its bytes arrive, against the sizes the build wrote
// into boot.json; when nothing arrives for STALL_MS the boot fails with an error (the
// page offers Retry, which starts a new worker).

const PACKAGE = "eigent-credit-calculator";
const SNAPSHOT_FORMAT = "eigent-engine-snapshot/2"; // hooks/make_snapshot.mjs
const STALL_MS = 15_000;
// On a first visit the snapshot is fetched at once only above this throughput (bytes
// per second, measured on the runtime's own downloads for MEASURE_MS after their first
// byte). Its 6 MB pay off when they take less than what they save: starting Python and
// importing the engine, 2 to 3 s on the machine of benchmarks/README.md (where it won
// from 25 Mbit/s up and lost at 10); a faster processor saves less. The bytes are the
// same either way: after a normal boot the snapshot is fetched in the background for
// the next visit (unless the reader asked to save data).
const FAST_LINK = 2_500_000;
const MEASURE_MS = 300;
const CORE = ["boot.json", "pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"];

const base = new URL("../pyodide/", import.meta.url);
const at = (name) => new URL(name, base).href;
const networkFetch = globalThis.fetch.bind(globalThis);

// ---- status and progress -------------------------------------------------------

const progress = { received: 0, firstByte: null, total: 0, step: "Downloading the Python runtime…", value: 0, shown: 0, boot: null };
let lastPosted = 0;
let settled = false; // ready or failed: the page hears nothing more about booting
// When each step ended, in ms since the worker started (sent with "ready", for benchmarks).
const phases = {};
const phase = (name) => { phases[name] = Math.round(performance.now()); };

function status(state, message, value) {
  if (settled) return;
  settled = state !== "loading";
  postMessage({ type: "status", state, message, progress: value, boot: progress.boot, ...(settled && { phases }) });
}

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

// While files download, the bar follows the bytes received (up to 90%: the rest is the
// steps that only use the processor) and the text counts them; then it names the step.
// The bar never moves back (a dropped snapshot makes the total smaller).
function report({ force = false, counts = inFlight.size > 0 } = {}) {
  const now = performance.now();
  if (!force && now - lastPosted < 100) return;
  lastPosted = now;
  const { received, total } = progress;
  let message = progress.step;
  let value = progress.value;
  if (counts && total) {
    const done = Math.min(received, total);
    // Whole megabytes until the end: the text sits in a live region, and a screen reader
    // should hear it change about once a megabyte, not ten times a second.
    const shown = done === total ? megabytes(done) : String(Math.floor(done / 1e6));
    message = `Downloading the Python runtime: ${shown} of ${megabytes(total)} MB`;
    value = 0.9 * (done / total);
  }
  progress.shown = Math.max(progress.shown, value);
  status("loading", message, progress.shown);
}

function step(message, value) {
  progress.step = message;
  progress.value = value;
  report({ force: true });
}

// ---- downloads: counted, watched for stalls ------------------------------------

let failBoot;
const bootFailed = new Promise((_, reject) => { failBoot = reject; });
bootFailed.catch(() => {});
const inFlight = new Map(); // name → AbortController (null for a module import)
const dropped = new Set(); // downloads given up on purpose (a snapshot that will not be used)
const receivedBy = new Map();
const bootStarted = performance.now();
let lastActivity = bootStarted;
let lastTick = bootStarted;

const watchdog = setInterval(() => {
  const now = performance.now();
  // A late tick means this thread was busy (Python starting): no time to blame on the network.
  if (now - lastTick > 3000) lastActivity = now;
  lastTick = now;
  if (inFlight.size && now - lastActivity > STALL_MS) {
    console.info(`Calculator: nothing arrived for ${STALL_MS / 1000} s of ${[...inFlight.keys()].join(", ")}.`);
    for (const controller of inFlight.values()) controller?.abort();
    failBoot(new Error(`the download of the Python runtime stopped (nothing arrived for ${STALL_MS / 1000} seconds). Check your connection, then press Retry.`));
  }
}, 1000);

function started(name, controller = null) {
  inFlight.set(name, controller);
  lastActivity = performance.now();
}

function finished(name) {
  if (!inFlight.has(name)) return;
  if (inFlight.size === 1) report({ force: true, counts: true }); // the full count, before the next step
  inFlight.delete(name);
  lastActivity = performance.now();
  report({ force: true });
}

function drop(name) {
  dropped.add(name);
  progress.received -= receivedBy.get(name) ?? 0;
  inFlight.get(name)?.abort();
  inFlight.delete(name);
}

// Counts a response's bytes as they arrive by reading a clone, so the caller still gets
// the untouched response, and a download nobody reads yet keeps going. A failure after
// the headers fails the boot: Pyodide would only log it and wait forever.
function counted(name, response, controller = null) {
  if (!response.body) return response;
  started(name, controller);
  const reader = response.clone().body.getReader();
  (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || dropped.has(name)) break;
      progress.firstByte ??= performance.now();
      progress.received += value.byteLength;
      receivedBy.set(name, (receivedBy.get(name) ?? 0) + value.byteLength);
      lastActivity = performance.now();
      report();
    }
  })().then(() => finished(name), (error) => {
    finished(name);
    if (!dropped.has(name)) failBoot(new Error(`${name} stopped downloading (${error.message})`));
  });
  return response;
}

async function download(name, init = {}) {
  const controller = new AbortController();
  started(name, controller);
  let response;
  try {
    response = await networkFetch(at(name), { ...init, signal: controller.signal });
  } catch (error) {
    throw new Error(`${name} could not be downloaded (${error.message})`);
  } finally {
    inFlight.delete(name);
  }
  if (!response.ok) throw new Error(`${name} could not be downloaded (HTTP ${response.status})`);
  return counted(name, response, controller);
}

// A module import cannot be counted as it arrives: its size counts once it is in.
async function importCounted(name, sizes) {
  started(name);
  try {
    return await import(at(name));
  } finally {
    progress.received += (await sizes.catch(() => ({})))[name] ?? 0;
    finished(name);
  }
}

// Pyodide fetches the wasm and the standard library itself: hand it the downloads
// already under way instead of starting them again.
const early = new Map();
globalThis.fetch = (input, init) => {
  const href = new URL(input instanceof Request ? input.url : input, base).href;
  const response = early.get(href);
  if (response) {
    early.delete(href);
    return response;
  }
  return networkFetch(input, init);
};

// Pyodide compiles its wasm only after the snapshot is in (a step before); compiling it
// here instead, as soon as its bytes come, overlaps the two. Pyodide's own call,
// WebAssembly.instantiateStreaming on the response we handed it, then only instantiates.
const compiledRuntime = new Map(); // the response promise Pyodide gets → its compiled module
const instantiateStreaming = WebAssembly.instantiateStreaming;
WebAssembly.instantiateStreaming = async (source, imports) => {
  const compiled = compiledRuntime.get(source);
  if (!compiled) return instantiateStreaming(source, imports);
  const module = await compiled;
  return { module, instance: await WebAssembly.instantiate(module, imports) };
};

function startCompiling(response) {
  const compiled = response.then((r) => WebAssembly.compileStreaming(r.clone()));
  compiled.catch((error) => failBoot(new Error(`the Python runtime did not compile (${error.message})`)));
  compiledRuntime.set(response, compiled);
}

function startEarly(name, init) {
  const response = download(name, init);
  response.catch(() => {}); // whoever uses it reports the failure
  early.set(at(name), response);
  return response;
}

// ---- the snapshot --------------------------------------------------------------

// The snapshot if it is already on this device (service worker or HTTP cache), without
// touching the network.
async function localSnapshot(name) {
  try {
    const response = await networkFetch(at(name), { cache: "only-if-cached", mode: "same-origin" });
    return response.ok ? response : null;
  } catch {
    return null;
  }
}

// Reads the stamp line and starts inflating the rest: {stamp, memory (a promise), cancel}.
async function openSnapshot(response) {
  const reader = response.body.getReader();
  const { stamp, rest } = await readStamp(reader).catch((error) => {
    reader.cancel().catch(() => {});
    throw error;
  });
  const compressed = new ReadableStream({
    start(controller) { if (rest.length) controller.enqueue(rest); },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close(); else controller.enqueue(value);
    },
    cancel(reason) { return reader.cancel(reason); },
  });
  // The browser collects the inflated chunks itself (faster than a loop here).
  const inflated = new Response(compressed.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
  const memory = inflated.then((buffer) => new Uint8Array(buffer));
  memory.catch(() => {}); // its user reports a failure; a cancelled one is no failure
  return { stamp, memory, cancel: () => reader.cancel().catch(() => {}) };
}

// A snapshot is used only when it was made for the Pyodide and the engine wheel a normal
// boot would load.
function checkStamp(stamp, expected) {
  for (const key of ["format", "pyodide", "engine"]) {
    if (stamp[key] !== expected[key]) throw new Error(`the snapshot was made for ${key} ${stamp[key]}, not ${expected[key]}`);
  }
}

// The snapshot keeps only the pages that are not all zeros, after a bitmap of which
// they are (hooks/make_snapshot.mjs): put them back in place in zeroed memory.
function wholeMemory(packed, stamp) {
  return packed.then((bytes) => {
    const { raw_bytes: size, page_bytes: pageBytes } = stamp;
    const pages = Math.ceil(size / pageBytes);
    const memory = new Uint8Array(size);
    let from = Math.ceil(pages / 8);
    for (let page = 0; page < pages; page++) {
      if (!(bytes[page >> 3] & (1 << (page & 7)))) continue;
      const start = page * pageBytes;
      const length = Math.min(pageBytes, size - start);
      if (from + length > bytes.length) break;
      memory.set(bytes.subarray(from, from + length), start);
      from += length;
    }
    if (from !== bytes.length) throw new Error("the snapshot's pages do not match its bitmap");
    return memory;
  });
}

async function readStamp(reader) {
  let head = new Uint8Array(0);
  let newline = -1;
  while (newline < 0) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the snapshot ends before its stamp");
    head = concat(head, value);
    newline = head.indexOf(10);
    if (newline < 0 && head.length > 4096) throw new Error("the snapshot has no stamp");
  }
  return { stamp: JSON.parse(new TextDecoder().decode(head.subarray(0, newline))), rest: head.subarray(newline + 1) };
}

function concat(a, b) {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

// On a first visit: is the link fast enough for the snapshot to pay for itself? Reads
// the throughput of the runtime's own downloads (needed either way). Never when the
// reader asked to save data.
async function linkIsFast() {
  if (navigator.connection?.saveData) return false;
  const measured = () => (progress.firstByte ? performance.now() - progress.firstByte : 0);
  while (measured() < MEASURE_MS && inFlight.size) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (!inFlight.size) return true; // everything arrived already
  return progress.received / (measured() / 1000) >= FAST_LINK;
}

// After a first visit that booted normally, in a browser without a service worker:
// fetch the snapshot once, in the background, into the HTTP cache for the next visit.
async function keepSnapshot(name) {
  if (navigator.connection?.saveData || await localSnapshot(name)) return;
  try {
    await (await networkFetch(at(name))).arrayBuffer();
  } catch {
    // Only an optimisation for the next visit.
  }
}

// ---- booting -------------------------------------------------------------------

function sha256Integrity(hex) {
  const bytes = hex.match(/../g).map((pair) => parseInt(pair, 16));
  return "sha256-" + btoa(String.fromCharCode(...bytes));
}

async function boot() {
  step("Downloading the Python runtime…", 0);
  // Everything either way of booting needs starts downloading now, in parallel.
  const manifest = download("boot.json").then((r) => r.json());
  const sizes = manifest.then((m) => m.sizes);
  const loader = importCounted("pyodide.mjs", sizes);
  const runtime = importCounted("pyodide.asm.mjs", sizes);
  const lockfile = manifest.then((m) => m.lock);
  // Pyodide only logs a standard library that failed to download, and a snapshot boots
  // without it until the first import needs it: both are awaited with the boot.
  let wasm = startEarly("pyodide.asm.wasm");
  let stdlib = startEarly("python_stdlib.zip");
  startCompiling(wasm);
  const entry = lockfile.then((lock) => lock.packages[PACKAGE]);
  const wheel = entry.then(({ file_name, sha256 }) => download(file_name, { integrity: sha256Integrity(sha256) }))
    .then((response) => response.arrayBuffer());
  const expected = Promise.all([loader, entry]).then(([{ version }, { sha256 }]) =>
    ({ format: SNAPSHOT_FORMAT, pyodide: version, engine: sha256 }));
  for (const pending of [loader, runtime, wheel, expected]) pending.catch(() => {});

  for (const [name, pending] of Object.entries({ loader, runtime, wasm, stdlib, lockfile, compiled: compiledRuntime.get(wasm) })) {
    pending.then(() => phase(name), () => {});
  }
  const { snapshot: snapshotName, sizes: known } = await manifest;
  phase("manifest");
  const total = (names) => names.reduce((sum, name) => sum + (known[name] ?? 0), 0);
  const options = { indexURL: base.href, lockFileContents: lockfile, packageBaseUrl: base.href };
  // Booted once Pyodide is, and the files it only logs about have arrived.
  const booted = (pyodide) => Promise.all([pyodide, runtime, wasm, stdlib]).then(([done]) => done);

  // Which way: decided before the bar shows a total, so that the total never changes.
  let snapshot = await localSnapshot(snapshotName);
  if (snapshot) { // on this device: nothing to download
    progress.received += known[snapshotName] ?? 0;
    receivedBy.set(snapshotName, known[snapshotName] ?? 0);
  } else if (await linkIsFast()) snapshot = await download(snapshotName).catch(() => null);
  phase("decided");
  const needed = [...CORE, (await entry).file_name];

  if (snapshot) {
    progress.boot = "snapshot";
    progress.total = total([...needed, snapshotName]);
    step("Restoring the calculator…", 0.92);
    let opened = null;
    try {
      // Inflating starts at once; the stamp is checked before Pyodide gets the memory.
      opened = await openSnapshot(snapshot);
      checkStamp(opened.stamp, await expected);
      const memory = wholeMemory(opened.memory, opened.stamp);
      memory.then(() => phase("inflated"), () => {});
      const { loadPyodide } = await loader;
      // Pyodide loads its runtime while the snapshot inflates, then waits for it.
      const pyodide = await booted(loadPyodide({ ...options, _loadSnapshot: memory }));
      phase("python");
      await installWheelFiles(pyodide, await wheel);
      return engine(pyodide);
    } catch (error) {
      // Another build's snapshot, a damaged one, or one this browser cannot restore:
      // boot normally. Only the console says why.
      console.info(`Calculator: booting without the snapshot (${error.message}).`);
      opened?.cancel();
      drop(snapshotName);
      // A restore that got as far as Pyodide used the runtime's downloads: again, then.
      if (!early.has(at("pyodide.asm.wasm"))) startCompiling(wasm = startEarly("pyodide.asm.wasm"));
      if (!early.has(at("python_stdlib.zip"))) stdlib = startEarly("python_stdlib.zip");
    }
  }
  progress.boot = "normal";
  progress.total = total(needed);
  step("Starting Python…", 0.9);
  const { loadPyodide } = await loader;
  const pyodide = await booted(loadPyodide(options));
  phase("python");
  await installWheelFiles(pyodide, await wheel);
  return engine(pyodide, snapshotName);
}

// The engine's files, unpacked with Python's zipfile: a pure-Python wheel is a zip of
// site-packages files (the download checked its sha256 against the lockfile). Pyodide's
// loadPackage would do the same at several times the cost. After a snapshot they are
// there for anything the engine reads from its package after start-up.
async function installWheelFiles(pyodide, wheel) {
  pyodide.FS.writeFile("/tmp/engine.whl", new Uint8Array(wheel));
  pyodide.runPython(`
import os, site, zipfile
zipfile.ZipFile("/tmp/engine.whl").extractall(site.getsitepackages()[0])
os.remove("/tmp/engine.whl")
`);
}

function engine(pyodide, snapshotName = null) {
  step("Loading the calculator…", 0.97);
  const api = pyodide.pyimport("calculator.api");
  phase("ready");
  status("ready", "Calculator ready (runs in your browser).", 1);
  return { api, snapshotName };
}

const ready = Promise.race([boot(), bootFailed]).finally(() => clearInterval(watchdog));
ready.catch((error) => status("error", `The calculator could not start: ${error.message}`));

async function answer(message) {
  if (message.type === "ping") return { id: message.id, type: "result", code: 0, output: "" };
  const { api } = await ready;
  const started = performance.now();
  const result = api.run(message.command, message.text);
  try {
    const [code, output] = result.toJs();
    return { id: message.id, type: "result", code, output, ms: performance.now() - started };
  } finally {
    result.destroy();
  }
}

onmessage = async (event) => {
  const message = event.data;
  if (message.type === "keep-snapshot") {
    ready.then(({ snapshotName }) => snapshotName && keepSnapshot(snapshotName), () => {});
    return;
  }
  try {
    postMessage(await answer(message));
  } catch (error) {
    postMessage({ id: message.id, type: "result", code: 70, output: `The engine failed: ${error.message}` });
  }
};
