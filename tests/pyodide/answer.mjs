// What both Node runners do once Pyodide holds the engine: describe the runtime and run
// each request through calculator.api.run, as the browser's worker does.
export function answer(pyodide, requests) {
  const api = pyodide.pyimport("calculator.api");
  const runtime = JSON.parse(pyodide.runPython(
    "import json, sys; json.dumps({'platform': sys.platform, 'version': sys.version.split()[0], 'engine': __import__('calculator').__file__})"));
  const results = requests.map(({ command, text }) => {
    const result = api.run(command, text);
    try {
      return result.toJs();
    } finally {
      result.destroy();
    }
  });
  return { runtime, results };
}
