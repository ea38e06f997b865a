// Restores the site's engine memory snapshot in Node, as the browser's worker does,
// and runs the engine on a batch of requests.
// Usage: node run_snapshot.mjs <pyodide dir> <snapshot file> <wheel file>  < requests.json
// Prints {stamp, before, runtime, results}: `before` is what was imported before anything
// ran (the snapshot's own modules), results as run_engine.mjs prints them.
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";

import { answer } from "./answer.mjs";

const [pyodideDir, snapshotFile, wheelFile] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const requests = JSON.parse(readFileSync(0, "utf-8"));

const file = readFileSync(snapshotFile);
const newline = file.indexOf(10);
const stamp = JSON.parse(file.subarray(0, newline).toString("utf-8"));
const packed = gunzipSync(file.subarray(newline + 1));
// Pages that are all zeros are left out, after a bitmap of the others (hooks/make_snapshot.mjs).
const memory = new Uint8Array(stamp.raw_bytes);
const pages = Math.ceil(stamp.raw_bytes / stamp.page_bytes);
let from = Math.ceil(pages / 8);
for (let page = 0; page < pages; page++) {
  if (!(packed[page >> 3] & (1 << (page & 7)))) continue;
  const start = page * stamp.page_bytes;
  const length = Math.min(stamp.page_bytes, stamp.raw_bytes - start);
  memory.set(packed.subarray(from, from + length), start);
  from += length;
}
if (from !== packed.length) throw new Error(`snapshot pages: ${from} bytes used of ${packed.length}`);

const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", _loadSnapshot: memory, stdout: () => {} });
const before = JSON.parse(pyodide.runPython(
  "import json, sys; json.dumps(sorted(name for name in sys.modules if name.split('.')[0] == 'calculator'))"));
// As the worker does: the wheel's files, for anything the engine reads late.
pyodide.FS.writeFile("/tmp/engine.whl", readFileSync(wheelFile));
pyodide.runPython(`
import os, site, zipfile
zipfile.ZipFile("/tmp/engine.whl").extractall(site.getsitepackages()[0])
os.remove("/tmp/engine.whl")
`);
process.stdout.write(JSON.stringify({ stamp, before, ...answer(pyodide, requests) }));
