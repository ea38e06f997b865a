// The engine's Web Worker (a module worker: Pyodide 314 supports no other kind).
// Boots Pyodide once, loads the engine wheel by name from the site's own lockfile,
// then answers requests. Protocol, one shape per message:
//   page → worker  {id, type: "run", command: "simulate"|"recommend", text}
//                  {id, type: "ping"}                       (an empty round trip)
//   worker → page  {type: "status", state: "loading"|"ready"|"error", message, progress}
//                  {id, type: "result", code, output}       (code 0: output is the JSON text;
//                                                            2: the one-line input error)
// Errors come back as data; only strings cross the JS/Python boundary.

const PACKAGE = "eigent-credit-calculator";
const base = new URL("../pyodide/", import.meta.url);

function status(state, message, progress) {
  postMessage({ type: "status", state, message, progress });
}

async function boot() {
  status("loading", "Downloading the Python runtime…", 0.1);
  const { loadPyodide } = await import(new URL("pyodide.mjs", base).href);
  // The engine wheel loads during the boot (faster than a loadPackage call after it).
  const pyodide = await loadPyodide({
    indexURL: base.href,
    lockFileURL: new URL("pyodide-lock.json", base).href,
    packages: [PACKAGE],
  });
  // A package that fails to load is logged, not thrown: check that it is there.
  if (!pyodide.loadedPackages[PACKAGE]) throw new Error(`the engine package ${PACKAGE} did not load`);
  status("loading", "Loading the credit engine…", 0.8);
  const api = pyodide.pyimport("calculator.api");
  const version = pyodide.runPython("import sys; sys.version.split()[0]");
  status("ready", `Engine ready (Python ${version} in your browser).`, 1);
  return api;
}

const ready = boot();
ready.catch((error) => status("error", `The calculator could not start: ${error.message}`));

async function answer(message) {
  if (message.type === "ping") return { id: message.id, type: "result", code: 0, output: "" };
  const api = await ready;
  const result = api.run(message.command, message.text);
  try {
    const [code, output] = result.toJs();
    return { id: message.id, type: "result", code, output };
  } finally {
    result.destroy();
  }
}

onmessage = async (event) => {
  const message = event.data;
  try {
    postMessage(await answer(message));
  } catch (error) {
    postMessage({ id: message.id, type: "result", code: 70, output: `The engine failed: ${error.message}` });
  }
};
