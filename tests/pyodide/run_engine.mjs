// Runs the engine wheel inside Pyodide under Node, the same runtime the browser uses.
// Usage: node run_engine.mjs <pyodide dir> <lockfile> <wheel dir>  < requests.json
// requests.json: [{command, text}, ...]; prints {runtime, results: [[code, output], ...]}.
// The wheel is loaded by name from the lockfile, which checks its sha256.
import { readFileSync } from "node:fs";
import path from "node:path";

import { answer } from "./answer.mjs";

const [pyodideDir, lockFile, wheelDir] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const requests = JSON.parse(readFileSync(0, "utf-8"));

const pyodide = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/",
  lockFileURL: path.resolve(lockFile),
  packageBaseUrl: path.resolve(wheelDir) + "/",
  stdout: () => {},
});
const errors = [];
await pyodide.loadPackage("eigent-credit-calculator", { errorCallback: (m) => errors.push(m), messageCallback: () => {} });
if (errors.length) {
  console.error(errors.join("\n"));
  process.exit(1);
}
process.stdout.write(JSON.stringify(answer(pyodide, requests)));
