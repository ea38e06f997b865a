// Makes the engine's memory snapshot: Pyodide booted in Node with the engine wheel
// installed and every module the Web Worker needs imported, then its whole memory
// written out. The browser restores it instead of starting Python and importing the
// engine (see docs/assets/calculator/worker.js).
//
// Usage: node make_snapshot.mjs <pyodide dir> <engine wheel> <output file> <stamp JSON>
// Output: one line of JSON (the stamp, plus the snapshot's raw size and page size), a
// newline, then, gzip-compressed: a bitmap of the pages that hold anything but zeros
// (bit i of byte i/8, lowest bit first), then those pages in order. Half of the 31 MB
// are zero pages: leaving them out halves what the browser inflates. The worker
// compares the stamp with the Pyodide version it loaded and the wheel hash in its
// lockfile before using the rest.
//
// `_makeSnapshot` and `makeMemorySnapshot` are internal Pyodide options; we pin the
// exact Pyodide version in package-lock.json, and the worker falls back to a normal
// boot whenever a snapshot does not load.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const [pyodideDir, wheelPath, outPath, stampJson] = process.argv.slice(2);
const stamp = JSON.parse(stampJson);
const { loadPyodide, version } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
if (version !== stamp.pyodide) {
  throw new Error(`node_modules/pyodide is ${version}, the build expected ${stamp.pyodide}`);
}

const pyodide = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", _makeSnapshot: true, stdout: () => {} });

// loadPackage would leave an entry in Pyodide's loadedPackages, which a snapshot may not
// contain: unpack the wheel with Python's zipfile instead (a pure-Python wheel is a zip
// of site-packages files). The files live in the virtual file system, which is not part
// of the snapshot; the worker unpacks the same wheel again after restoring, so a file
// the engine reads late is still there.
pyodide.FS.writeFile("/tmp/engine.whl", readFileSync(wheelPath));
const report = pyodide.runPython(`
import json, site, sys, zipfile
zipfile.ZipFile("/tmp/engine.whl").extractall(site.getsitepackages()[0])
import os
os.remove("/tmp/engine.whl")

# What the worker calls, and what those calls import lazily: import it all now, and run
# each command once so that lazily read data (the policy) and lazily imported standard
# modules are in memory too.
import calculator.api
warm = {
    "simulate": calculator.api.run("simulate", json.dumps({"registered": "2026-01-10", "days": 2})),
    "recommend": calculator.api.run("recommend", json.dumps({"registered": "2026-01-10", "days": 2})),
}
needed = ["calculator.api", "calculator.simulate", "calculator.recommend"]
json.dumps({
    "missing": [name for name in needed if name not in sys.modules],
    "failed": {command: output for command, (code, output) in warm.items() if code != 0},
    "modules": len(sys.modules),
})
`);
const { missing, failed, modules } = JSON.parse(report);
if (missing.length) throw new Error(`the snapshot lacks ${missing.join(", ")}: the worker would import them at run time`);
if (Object.keys(failed).length) throw new Error(`the engine refused its warm-up runs: ${JSON.stringify(failed)}`);

const snapshot = pyodide.makeMemorySnapshot();
const PAGE_BYTES = 4096;
const header = JSON.stringify({ ...stamp, raw_bytes: snapshot.length, page_bytes: PAGE_BYTES, modules });
const body = gzipSync(packPages(snapshot, PAGE_BYTES), { level: 6 });
writeFileSync(outPath, Buffer.concat([Buffer.from(header + "\n", "utf-8"), body]));
process.stdout.write(header);

function packPages(memory, pageBytes) {
  const pages = Math.ceil(memory.length / pageBytes);
  const bitmap = new Uint8Array(Math.ceil(pages / 8));
  const kept = [];
  for (let page = 0; page < pages; page++) {
    const bytes = memory.subarray(page * pageBytes, Math.min((page + 1) * pageBytes, memory.length));
    if (bytes.some((byte) => byte !== 0)) {
      bitmap[page >> 3] |= 1 << (page & 7);
      kept.push(bytes);
    }
  }
  return Buffer.concat([bitmap, ...kept]);
}
