// The calculator page's entry point, loaded as a module on every page (mkdocs.yml).
// It does nothing unless the page has [data-calculator], so no other page starts the
// worker or downloads Pyodide. Material's instant navigation swaps pages without a
// reload: mounting goes through document$, and the engine (one worker per tab) lives
// in engine.js, which stays loaded across pages.

import { getEngine, installWindowApi } from "./engine.js";
import { h, todayIso } from "./dom.js";
import { renderForm } from "./form.js";
import { readFragment, shareUrl } from "./share.js";
import { exportDays, exportJson, exportLedger, renderAdvice, renderChart, renderDays, renderLedger, renderSummary } from "./results.js";

const here = import.meta.url;
let dataPromise = null;
let active = null; // the mounted calculator, if the current page has one

function loadData() {
  dataPromise ??= Promise.all(["policy.json", "presets.json"].map((name) =>
    fetch(new URL(name, here)).then((r) => { if (!r.ok) throw new Error(`${name}: HTTP ${r.status}`); return r.json(); })));
  return dataPromise;
}

function stylesheet() {
  if (document.querySelector("link[data-calculator-css]")) return;
  document.head.append(h("link", { rel: "stylesheet", href: new URL("calculator.css", here).href, "data-calculator-css": "" }));
}

function defaultScenario() {
  return { registered: todayIso(), days: 91, usage: { per_active_day: 300, active_days: "weekdays" }, events: [] };
}

async function mount(root) {
  root.dataset.mounted = "true";
  stylesheet();
  const status = h("div", { class: "calc-status", "data-testid": "calc-status", role: "status" });
  if (typeof WebAssembly !== "object") {
    status.textContent = "This browser cannot run WebAssembly, so the interactive calculator is off. The examples below were computed when the site was built.";
    root.replaceChildren(status);
    return;
  }
  installWindowApi();
  const engine = getEngine(); // start booting Pyodide first: it is the long pole
  const [policy, presets] = await loadData();

  const app = { root, policy, presets, scenario: defaultScenario(), result: null, seq: 0, renders: 0, showAll: false, timer: null };
  active = app;

  const progress = h("progress", { max: 1, value: 0, "aria-label": "Loading the calculator" });
  const statusText = h("span");
  const retry = h("button", { type: "button", class: "md-button", "data-testid": "calc-retry", hidden: true,
    onclick: () => { engine.retry(); schedule(app, 0); } }, "Retry");
  status.append(progress, statusText, retry);
  const error = h("div", { class: "calc-error", "data-testid": "calc-error", role: "alert", hidden: true });

  const preset = h("select", { "data-testid": "calc-preset", "aria-label": "Start from an example",
    onchange: (e) => { if (e.target.value) loadPreset(app, e.target.value); } },
    h("option", { value: "" }, "Start from an example…"),
    Object.entries(presets).map(([name, p]) => h("option", { value: name }, p.title)));
  const copyNote = h("span", { class: "calc-hint", role: "status" });
  const copy = h("button", { type: "button", class: "md-button", "data-testid": "calc-copy-link",
    onclick: async () => {
      const url = shareUrl(app.scenario);
      try { await navigator.clipboard.writeText(url); copyNote.textContent = "Link copied."; }
      catch { copyNote.textContent = "Copy this link from the address bar."; }
    } }, "Copy link");
  const advise = h("button", { type: "button", class: "md-button", "data-testid": "calc-advise", onclick: () => runAdvisor(app) }, "Which plan fits me?");

  app.formRoot = h("div", { class: "calc-form" });
  app.error = error;
  app.summary = h("div", { class: "calc-summary", "data-testid": "calc-summary", "aria-live": "polite" });
  app.chart = h("div", { class: "calc-chart", "data-testid": "calc-chart" });
  app.advice = h("div", { class: "calc-advice-area", "data-testid": "calc-advice" });
  app.ledger = h("div", { class: "calc-ledger", "data-testid": "calc-ledger" });
  app.days = h("div", { class: "calc-days", "data-testid": "calc-days" });
  // The day table is long (a row per day); it is drawn only while someone looks at it.
  app.daysDetails = h("details", { class: "calc-days-details", "data-testid": "calc-days-details", ontoggle: () => drawDays(app) },
    h("summary", {}, "Every day"), app.days);
  const exports = h("div", { class: "calc-exports" },
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-export-csv", onclick: () => app.result && exportDays(app.result) }, "Days (CSV)"),
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-export-ledger-csv", onclick: () => app.result && exportLedger(app.result) }, "Ledger (CSV)"),
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-export-json", onclick: () => app.result && exportJson(app.result) }, "Result (JSON)"));

  root.replaceChildren(
    status,
    h("div", { class: "calc-toolbar" }, preset, copy, copyNote),
    app.formRoot,
    h("div", { class: "calc-results" },
      h("h2", { id: "calculator-results" }, "Results"),
      error, app.summary, app.chart,
      h("h3", { id: "calculator-advisor" }, "Which plan fits me?"),
      h("p", {}, "Prices every plan for the usage above, with the Add-On Packs each would need. ", advise),
      app.advice,
      h("h3", { id: "calculator-history" }, "Credits History"),
      app.ledger,
      app.daysDetails,
      h("h3", { id: "calculator-download" }, "Download"), exports));

  engine.onStatus((s) => {
    if (active !== app) return;
    progress.hidden = s.state !== "loading";
    progress.value = s.progress ?? 0;
    if (statusText.textContent !== (s.message ?? "")) statusText.textContent = s.message ?? ""; // a live region: only real changes
    retry.hidden = s.state !== "error";
    status.dataset.state = s.state;
    if (s.state === "error") showError(app, s.message);
  });

  if (!applyFragment(app)) drawForm(app);
  schedule(app, 0);
}

function drawForm(app) {
  renderForm(app.formRoot, app.scenario, app.policy, () => schedule(app));
}

function loadPreset(app, name) {
  const preset = app.presets[name];
  if (!preset) { showError(app, `There is no example called '${name}'.`); return false; }
  app.scenario = structuredClone(preset.scenario);
  drawForm(app);
  return true;
}

// Reads #preset=… or #scenario=…; returns whether it set a scenario.
function applyFragment(app) {
  const wanted = readFragment(window.location.hash);
  if (!wanted) return false;
  if (wanted.error) { drawForm(app); showError(app, wanted.error); app.blocked = true; return true; }
  app.blocked = false;
  if (wanted.preset) return loadPreset(app, wanted.preset);
  app.scenario = wanted.scenario && typeof wanted.scenario === "object" && !Array.isArray(wanted.scenario) ? wanted.scenario : { invalid: wanted.scenario };
  try { drawForm(app); } catch { /* a tampered scenario may not fit the form; the engine names what is wrong */ }
  return true;
}

function schedule(app, delay = 150) {
  clearTimeout(app.timer);
  app.timer = setTimeout(() => simulate(app), delay);
}

async function simulate(app) {
  if (app.blocked) return;
  const seq = ++app.seq;
  const scenario = structuredClone(app.scenario);
  history.replaceState(history.state, "", shareUrl(scenario));
  const started = performance.now();
  try {
    const result = await getEngine().simulate(scenario);
    if (seq !== app.seq || active !== app) return; // a newer request is on its way
    app.result = result;
    app.error.hidden = true;
    renderSummary(app.summary, result);
    renderChart(app.chart, result, scenario);
    const toggle = () => { app.showAll = !app.showAll; renderLedger(app.ledger, app.result, app.showAll, toggle); };
    renderLedger(app.ledger, result, app.showAll, toggle);
    app.days.replaceChildren();
    drawDays(app);
    app.root.dataset.state = "ready";
    app.root.dataset.renderCount = String(++app.renders);
    // For benchmarks and automation: one entry per result shown, from the request to
    // the painted frame (a timeout queued in the next animation frame runs after paint).
    requestAnimationFrame(() => setTimeout(() => performance.measure("calculator:simulate", { start: started })));
    document.querySelector("[data-calculator-fallback]")?.setAttribute("hidden", "");
  } catch (error) {
    if (seq !== app.seq || active !== app) return;
    showError(app, error.message);
  }
}

function drawDays(app) {
  if (app.daysDetails.open && app.result && !app.days.firstChild) renderDays(app.days, app.result);
}

function showError(app, message) {
  app.error.hidden = false;
  app.error.replaceChildren(h("strong", {}, "Cannot calculate: "), message);
  app.root.dataset.state = "error";
}

async function runAdvisor(app) {
  const { events, ...profile } = structuredClone(app.scenario);
  app.advice.replaceChildren(h("p", {}, "Pricing every plan…"));
  try {
    const advice = await getEngine().recommend(profile);
    renderAdvice(app.advice, advice, (option) => {
      app.scenario.events = structuredClone(option.events);
      drawForm(app);
      schedule(app, 0);
    });
  } catch (error) {
    app.advice.replaceChildren(h("p", { class: "calc-error" }, error.message));
  }
}

window.addEventListener("hashchange", () => {
  if (!active || !active.root.isConnected) return;
  if (applyFragment(active)) schedule(active, 0);
});

function start() {
  const root = document.querySelector("[data-calculator]");
  if (!root) { active = null; return; }
  if (root.dataset.mounted) return;
  mount(root).catch((error) => {
    root.replaceChildren(h("div", { class: "calc-error", role: "alert", "data-testid": "calc-error" },
      `The calculator could not start: ${error.message}`));
    root.dataset.state = "error";
  });
}

if (window.document$) window.document$.subscribe(start);
else start();
