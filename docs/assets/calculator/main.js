// The calculator page's entry point, loaded as a module on every page (mkdocs.yml).
// It does nothing unless the page has [data-calculator], so no other page starts the
// worker or downloads Pyodide. Material's instant navigation swaps pages without a
// reload: mounting goes through document$, and the engine (one worker per tab) lives
// in engine.js, which stays loaded across pages.
//
// One state, one update path: `app.state` holds the scenario and the view's choices
// ({scenario, preset, pinned, linkError, horizonText, horizonError}). Typing, an
// example, "Use this plan", a link and back/forward all go through `commit(next)`, which
// writes the address, redraws the form when the change did not come from it, and asks
// the engine. Each answer carries the input it answers (`key`, the scenario's text); an
// answer for an older input is dimmed until the new one arrives, and nothing is shown
// as an answer while the input is invalid.

import { getEngine, installWindowApi } from "./engine.js";
import { fmt, formatDate, h, todayIso, usd, fill } from "./dom.js";
import { daysFor, daysNote, firstDay, maxMonths, monthsOf, renderForm } from "./form.js";
import { renderChart } from "./chart.js";
import { save } from "./exports.js";
import { fieldFor, labelFor, messageFor, parseEngineError, splitPath } from "./paths.js";
import { fragmentFor, readFragment, scenarioText, shareUrl } from "./share.js";
import { dated, planLabel, renderAdvice, renderCharges, renderCompare, renderDays, renderLedger, renderStory, renderSummary, setPlanLabels } from "./results.js";

const here = import.meta.url;
const SIMULATE_DELAY = 120;  // ms after the last keystroke
const ADVICE_DELAY = 250;    // ms after a result, so typing is not queued behind the advisor
let dataPromise = null;
let active = null;           // the mounted calculator, if the current page has one
let lastState = null;        // survives a remount of the same page (instant navigation)
let stash = {};              // each way in's latest scenario, {new, account}: survives a remount too

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
  const registered = todayIso();
  return { registered, days: daysFor(registered, 3), usage: { per_active_day: 300, active_days: "weekdays" }, events: [] };
}

const blankState = () => ({ scenario: defaultScenario(), preset: null, pinned: null, linkError: null, horizonText: null, horizonError: null });
const profileOf = (scenario) => { const { events, ...profile } = scenario; void events; return profile; };

// --- reading a link -------------------------------------------------------------------------

// Counts checked before anything is drawn: a link with 25,000 events is refused at once.
function sizeProblem(scenario, policy) {
  const { bounds } = policy;
  const count = (value) => (Array.isArray(value) ? value.length : value && typeof value === "object" ? Object.keys(value).length : 0);
  const checks = [
    [count(scenario.events), bounds.events[1], "events"],
    [count(scenario.usage?.by_date), bounds.by_date[1], "days with different usage"],
    [count(scenario.invites), bounds.invites[1], "invited friends"],
  ];
  for (const [n, most, what] of checks) {
    if (n > most) return `This link's scenario has ${fmt(n)} ${what}; the calculator takes at most ${fmt(most)}.`;
  }
  return null;
}

// The state a fragment asks for, or null when the fragment names no scenario.
function stateFromFragment(app, hash) {
  const wanted = readFragment(hash);
  if (!wanted) return null;
  const refused = (message) => ({ ...blankState(), linkError: message });
  if (wanted.error) return refused(wanted.error);
  let scenario = wanted.scenario;
  if (wanted.preset !== undefined) {
    // Own keys only: "__proto__" or "constructor" are not examples.
    if (!Object.hasOwn(app.presets, wanted.preset)) return refused(`There is no example called '${wanted.preset}'.`);
    scenario = structuredClone(app.presets[wanted.preset].scenario);
  }
  const tooBig = sizeProblem(scenario, app.policy) ?? (wanted.compare ? sizeProblem(wanted.compare, app.policy) : null);
  if (tooBig) return refused(tooBig);
  return { ...blankState(), scenario, preset: wanted.preset ?? null, pinned: wanted.compare ?? null };
}

// --- mounting ---------------------------------------------------------------------------------

async function mount(root) {
  root.dataset.mounted = "true";
  stylesheet();
  if (typeof WebAssembly !== "object") {
    fill(root, h("div", { class: "calc-status", role: "status" },
      "This browser cannot run WebAssembly, so the interactive calculator is off. The examples below were computed when the site was built."));
    return;
  }
  installWindowApi();
  const engine = getEngine(); // start booting Pyodide first: it is the long pole
  const [policy, presets] = await loadData();
  setPlanLabels(policy);

  const app = {
    root, policy, presets, engine, state: blankState(), lists: {},
    path: location.pathname, // the address it may write: never another page's (see onAddressChange)
    sim: null, simA: null, advice: null,       // answers: {key, result|error}
    seq: 0, seqA: 0, adviceSeq: 0, timer: null, adviceTimer: null, renders: 0, drawn: null, drawnA: null, showAllStory: false, announced: "",
  };
  active = app;
  build(app);

  engine.onStatus((status) => {
    if (active !== app) return;
    app.progress.hidden = status.state !== "loading";
    app.progress.value = status.progress ?? 0;
    if (app.statusText.textContent !== (status.message ?? "")) app.statusText.textContent = status.message ?? ""; // a live region: only real changes
    app.retry.hidden = status.state !== "error";
    app.status.dataset.state = status.state;
    if (status.state === "error") render(app);
    // The examples computed at build time stand in for a calculator that cannot run; once
    // it runs, they go, whether the input holds or not (a link with a mistake included).
    if (status.state === "ready") document.querySelector("[data-calculator-fallback]")?.setAttribute("hidden", "");
  });

  // The page's inline script keeps a long fragment aside while the page loads (index.md).
  const fragment = window.__calculatorFragment ?? location.hash;
  delete window.__calculatorFragment;
  const initial = stateFromFragment(app, fragment) ?? lastState ?? blankState();
  commit(app, initial, "load");
}

function build(app) {
  const { root, presets } = app;
  app.progress = h("progress", { max: 1, value: 0, "aria-label": "Loading the calculator" });
  app.statusText = h("span");
  app.retry = h("button", { type: "button", class: "md-button", "data-testid": "calc-retry", hidden: true,
    onclick: () => { app.engine.retry(); app.sim = null; refresh(app, 0); } }, "Retry");
  app.status = h("div", { class: "calc-status", "data-testid": "calc-status", role: "status" }, app.progress, app.statusText, app.retry);

  app.presetSelect = h("select", { "data-testid": "calc-preset", "aria-label": "Start from an example",
    onchange: (e) => { if (e.target.value) loadPreset(app, e.target.value); } },
    h("option", { value: "" }, "Start from an example…"),
    Object.entries(presets).map(([name, p]) => h("option", { value: name }, p.title)));
  app.copyNote = h("span", { class: "calc-hint", role: "status" });
  const copy = h("button", { type: "button", class: "md-button", "data-testid": "calc-copy-link",
    onclick: async () => {
      flushAddress();
      const url = shareUrl(app.state);
      try { await navigator.clipboard.writeText(url); app.copyNote.textContent = "Link copied."; }
      catch { app.copyNote.textContent = "Copy this link from the address bar."; }
    } }, "Copy link");
  app.compareButton = h("button", { type: "button", class: "md-button", "data-testid": "calc-compare", "data-focus": "compare",
    onclick: () => {
      const pinned = app.state.pinned ? null : structuredClone(app.state.scenario);
      commit(app, { ...app.state, pinned }, "push", { focus: "compare" });
    } });

  app.linkError = h("div", { class: "calc-error", "data-testid": "calc-link-error", role: "alert", hidden: true });
  app.formRoot = h("form", { class: "calc-form", "data-testid": "calc-form", "aria-label": "Your scenario", novalidate: true, onsubmit: (e) => e.preventDefault() });
  app.error = h("div", { class: "calc-error", "data-testid": "calc-error", role: "alert", hidden: true });
  app.summary = h("div", { class: "calc-summary", "data-testid": "calc-summary" });
  app.chart = h("div", { class: "calc-chart", "data-testid": "calc-chart" });
  app.compare = h("div", { class: "calc-compare", "data-testid": "calc-compare-panel", hidden: true });
  app.story = h("div", { class: "calc-story-area" });
  app.answer = h("div", { class: "calc-answer", "data-testid": "calc-answer" }, app.summary, app.compare, app.chart, app.story);
  app.adviceBody = h("div", { class: "calc-advice-area", "data-testid": "calc-advice" });
  const adviceHeading = h("h3", { id: "calculator-advisor", tabindex: "-1" }, "Which plan fits you?");
  app.adviceSection = h("section", { class: "calc-advice-section", "aria-labelledby": "calculator-advisor" }, adviceHeading, app.adviceBody);
  app.resultsHeading = h("h2", { id: "calculator-results", tabindex: "-1" }, "Results");
  // The plan advice sits below the story: one step to it (a button, not a #link, which
  // would change the address the scenario lives in).
  const toAdvice = h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-jump-advice",
    onclick: () => { app.adviceSection.scrollIntoView({ behavior: "smooth", block: "start" }); adviceHeading.focus({ preventScroll: true }); } },
  "Which plan fits you? ↓");
  app.results = h("section", { class: "calc-results", "data-testid": "calc-results", "aria-labelledby": "calculator-results" },
    h("div", { class: "calc-results__head" }, app.resultsHeading, app.status, toAdvice), app.error, app.answer, app.adviceSection);

  app.ledger = h("div", { class: "calc-ledger", "data-testid": "calc-ledger" });
  app.charges = h("div", { class: "calc-charges", "data-testid": "calc-charges" });
  app.days = h("div", { class: "calc-days", "data-testid": "calc-days" });
  app.daysDetails = h("details", { class: "calc-days-details", "data-testid": "calc-days-details", ontoggle: () => drawDays(app) },
    h("summary", {}, "Every day"), app.days);
  const exportButton = (which, label) => h("button", { type: "button", class: "md-button calc-small", "data-testid": `calc-export-${which}`,
    onclick: () => { if (isCurrent(app)) save(which, app.state.scenario, app.sim.result); } }, label);
  app.assumptions = h("ul", { class: "calc-in-force", "data-testid": "calc-in-force" });
  app.details = h("section", { class: "calc-details", "data-testid": "calc-details", "aria-labelledby": "calculator-details" },
    h("h2", { id: "calculator-details" }, "Details"),
    h("h3", { id: "calculator-history" }, "Credits History"), app.ledger,
    h("h3", { id: "calculator-charges" }, "Charges"), app.charges,
    app.daysDetails,
    h("h3", { id: "calculator-download" }, "Download"),
    h("div", { class: "calc-exports" }, exportButton("days", "Every day (CSV)"), exportButton("ledger", "Credits History (CSV)"),
      exportButton("charges", "Charges (CSV)"), exportButton("json", "Scenario and result (JSON)")),
    h("details", { class: "calc-rules" }, h("summary", {}, "Rules used for these results"), app.assumptions));

  app.barValues = h("span", { class: "calc-bar__values" });
  app.bar = h("div", { class: "calc-bar", "data-testid": "calc-bar" }, app.barValues,
    h("button", { type: "button", class: "md-button md-button--primary calc-small", "data-testid": "calc-bar-jump",
      onclick: () => { app.results.scrollIntoView({ behavior: "smooth", block: "start" }); app.resultsHeading.focus({ preventScroll: true }); } }, "Results"));
  app.live = h("p", { class: "calc-visually-hidden", role: "status", "data-testid": "calc-live" });
  // The bar's height (it grows when its figures wrap) is the page's bottom scroll padding on a
  // phone (calculator.css), so a field reached by keyboard is scrolled above the bar, not under it.
  new ResizeObserver(() => {
    if (app.bar.isConnected) document.documentElement.style.setProperty("--calc-bar-height", `${app.bar.offsetHeight}px`);
  }).observe(app.bar);

  fill(root, 
    h("div", { class: "calc-toolbar" }, app.presetSelect, app.compareButton, copy, app.copyNote),
    app.linkError,
    // Wide screens: the details go under the form, in the left column, so the results stay in
    // view beside them too. Phones: form, results, details.
    h("div", { class: "calc-layout" }, h("div", { class: "calc-inputs" }, app.formRoot), app.results, app.details),
    app.bar, app.live);
}

// --- the one update path ---------------------------------------------------------------------

// how: "edit" (typing: the form already shows it; the address is replaced), "push" (an
// example, a plan from the advice, a pin, the other way in: a new history entry),
// "history" (back/forward or an edited address), "load" (the first state).
function commit(app, next, how, { redraw = how !== "edit", focus } = {}) {
  app.state = next;
  // Each way in keeps its latest scenario, however it was reached (typing, a link, Back):
  // switching to the other way in and back finds it as it was.
  stash = { ...stash, [next.scenario?.start ? "account" : "new"]: next.scenario };
  lastState = next;
  if (how !== "history" && !(how === "load" && next.linkError)) writeAddress(app, how === "push");
  app.presetSelect.value = next.preset ?? "";
  app.compareButton.textContent = next.pinned ? "Stop comparing" : "Compare: pin as A";
  app.compareButton.setAttribute("aria-pressed", next.pinned ? "true" : "false");
  app.linkError.hidden = !next.linkError;
  fill(app.linkError, next.linkError ? h("span", {}, h("strong", {}, "This link could not be opened. "), next.linkError,
    " The form shows the default scenario; any change or example starts afresh.") : "");
  if (redraw) drawForm(app, focus);
  else syncHorizonNote(app);
  refresh(app, how === "edit" ? SIMULATE_DELAY : 0);
}

// The address holds the state. Changing it makes the browser resolve every link on the
// page again against the new address, fragment included: with a big scenario (a fragment of
// tens of thousands of characters) that is a main-thread task of 100 ms or more. So a long
// fragment is written only when the page is left (reload, back/forward) or a link is copied;
// a short one on every change.
const LONG_FRAGMENT = 2000;
function writeAddress(app, push = false) {
  const fragment = fragmentFor(app.state);
  app.addressPending = fragment.length > LONG_FRAGMENT && !push;
  if (app.addressPending || location.hash === fragment) return;
  const url = new URL(location.href);
  url.hash = fragment;
  if (push) history.pushState(null, "", url);
  else history.replaceState(history.state, "", url);
}
function flushAddress() {
  const app = active;
  if (!app?.addressPending || !app.root.isConnected || location.pathname !== app.path) return;
  app.addressPending = false;
  history.replaceState(history.state, "", new URL(fragmentFor(app.state), location.href));
}
window.addEventListener("pagehide", flushAddress);

function edit(app, change, { how = "edit", ...options } = {}) {
  const draft = structuredClone(app.state.scenario);
  try {
    change(draft);
  } catch {
    return; // a tampered scenario the form cannot edit in place; the engine names what is wrong
  }
  commit(app, { ...app.state, scenario: draft, preset: null, linkError: null }, how, options);
}

function loadPreset(app, name) {
  if (!Object.hasOwn(app.presets, name)) return;
  commit(app, { ...app.state, scenario: structuredClone(app.presets[name].scenario), preset: name, linkError: null, horizonText: null, horizonError: null }, "push",
    { focus: "calc-preset" });
}

function setHorizon(app, text) {
  const from = firstDay(app.state.scenario);
  const most = maxMonths(from, app.policy);
  const months = Number(text);
  if (text.trim() !== "" && Number.isInteger(months) && months >= 1 && months <= most) {
    const scenario = { ...structuredClone(app.state.scenario), days: daysFor(from, months) };
    commit(app, { ...app.state, scenario, preset: null, linkError: null, horizonText: null, horizonError: null }, "edit");
  } else {
    const problem = `enter a whole number of months from 1 to ${most}`;
    commit(app, { ...app.state, preset: null, linkError: null, horizonText: text, horizonError: problem }, "edit");
  }
}

// "I'm new" / "I already have an account": each keeps its own dates, account and events
// while the other is used; how much the reader uses, the prices, the pack size and the
// settings are the reader's either way, and follow every switch.
function switchMode(app, mode) {
  const s = app.state.scenario;
  const now = s.start ? "account" : "new";
  if (mode === now) return;
  const months = monthsOf(s) ?? 3;
  const today = todayIso();
  const fresh = mode === "account"
    ? { start: { date: today, plan: "free", cycle_start: today, credits: { total: app.policy.plans.free.monthly_credits } }, days: daysFor(today, months), events: [] }
    : { registered: today, days: daysFor(today, months), events: [] };
  const scenario = carryOver(s, stash[mode] ?? fresh);
  // A new history entry: Back returns to the other way in, as it was.
  commit(app, { ...app.state, scenario, preset: null, linkError: null, horizonText: null, horizonError: null }, "push", { focus: `calc-mode-${mode}` });
}

function carryOver(from, into) {
  const out = structuredClone(into);
  const byDate = into.usage?.by_date;
  out.usage = structuredClone(from.usage ?? {});
  delete out.usage.by_date; // dated usages belong to the window they were entered for
  if (byDate) out.usage.by_date = structuredClone(byDate);
  for (const key of ["prices", "pack_usd", "policy"]) {
    if (key in from) out[key] = structuredClone(from[key]); else delete out[key];
  }
  return out;
}

function drawForm(app, focus) {
  const activeEl = document.activeElement;
  const key = typeof focus === "function" ? focus() : focus
    ?? (app.root.contains(activeEl) ? activeEl.dataset.focus ?? activeEl.dataset.path ?? activeEl.dataset.testid : null);
  app.lists = {};
  const ctx = {
    scenario: app.state.scenario, policy: app.policy, lists: app.lists, horizonText: app.state.horizonText,
    edit: (change, options) => edit(app, change, options),
    setHorizon: (text) => setHorizon(app, text),
    switchMode: (mode) => switchMode(app, mode),
  };
  try {
    renderForm(app.formRoot, ctx);
  } catch (error) {
    // A scenario from a link that the form cannot draw: say so, and start from the default.
    app.state = { ...blankState(), linkError: `This link's scenario does not fit the form (${error.message}).` };
    app.linkError.hidden = false;
    app.linkError.textContent = app.state.linkError;
    renderForm(app.formRoot, { ...ctx, scenario: app.state.scenario, horizonText: null });
  }
  for (const { list } of Object.values(app.lists)) list.draw(); // now attached: rows measured
  markFields(app);
  if (key) restoreFocus(app, key);
}

function restoreFocus(app, key) {
  const find = () => app.root.querySelector(`[data-focus="${CSS.escape(key)}"], [data-path="${CSS.escape(key)}"], [data-testid="${CSS.escape(key)}"]`);
  let el = find();
  if (!el) {
    const event = /^events\[(\d+)\]/.exec(key);
    const day = /^usage\.by_date\['([^']+)'\]/.exec(key);
    if (event) app.lists.events?.list.reveal(Number(event[1]));
    if (day) app.lists.overrides?.list.reveal(app.lists.overrides.index(day[1]));
    if (key === "new-override") { const list = app.lists.overrides?.list; const row = list?.reveal(list.rows.size ? Math.max(...list.rows.keys(), 0) : 0); el = row?.querySelector("input"); }
    el ??= find();
  }
  if (el && typeof el.focus === "function") el.focus({ preventScroll: false });
}

function syncHorizonNote(app) {
  const note = app.formRoot.querySelector(".calc-days-note");
  const s = app.state.scenario;
  const box = app.formRoot.querySelector("[data-testid=calc-months]");
  if (box && app.state.horizonText != null) { box.removeAttribute("placeholder"); box.classList.remove("calc-months--days"); } // months typed: no "75 days" any more
  if (note && Number.isInteger(s.days) && !app.state.horizonError) {
    note.textContent = daysNote(s);
  }
  markFields(app);
}

// --- asking the engine --------------------------------------------------------------------------

// The scenario's text is the key an answer carries; a state's scenario never changes in place.
const keys = new WeakMap();
const keyOf = (scenario) => { let key = keys.get(scenario); if (key === undefined) keys.set(scenario, key = scenarioText(scenario)); return key; };
const isCurrent = (app) => Boolean(app.sim?.result) && app.sim.key === keyOf(app.state.scenario);

// An answer carries the key it was asked for: {key, result} or {key, error}.
const ask = (app, command, key) => app.engine[command](key).then(
  (result) => ({ key, result }), (error) => ({ key, error: error.message }));

function refresh(app, delay) {
  clearTimeout(app.timer);
  const invalid = Boolean(app.state.linkError || app.state.horizonError);
  if (!invalid && app.sim?.key !== keyOf(app.state.scenario)) app.timer = setTimeout(() => simulate(app), delay);
  if (!invalid && app.state.pinned && app.simA?.key !== keyOf(app.state.pinned)) simulatePinned(app);
  render(app);
}

const LONG_ANSWER_DAYS = 400;

async function simulate(app) {
  const scenario = app.state.scenario;
  const key = keyOf(scenario);
  const seq = ++app.seq;
  const started = performance.now();
  const answer = await ask(app, "simulate", key);
  // engine.js parsed the answer's JSON in this task (1.6 MB for ten years): draw a long
  // answer in the next task; a short one (about a year or less) at once, as a re-simulation
  // while typing should reach the next frame.
  if ((answer.result?.days?.length ?? 0) > LONG_ANSWER_DAYS) await new Promise((resolve) => setTimeout(resolve, 0));
  if (seq !== app.seq || active !== app) return; // a newer request is on its way
  app.sim = answer;
  render(app);
  if (answer.result) {
    // For benchmarks and automation: one entry per result shown, from the request to
    // the painted frame (a timeout queued in the next animation frame runs after paint).
    requestAnimationFrame(() => setTimeout(() => performance.measure("calculator:simulate", { start: started })));
    scheduleAdvice(app);
  }
}

async function simulatePinned(app) {
  const key = keyOf(app.state.pinned);
  if (app.simA?.key === key) return;
  const seq = ++app.seqA;
  const answer = await ask(app, "simulate", key);
  if (seq !== app.seqA || active !== app) return;
  app.simA = answer;
  render(app);
}

function scheduleAdvice(app) {
  clearTimeout(app.adviceTimer);
  const key = keyOf(profileOf(app.state.scenario));
  if (app.advice?.key === key) { render(app); return; }
  app.adviceTimer = setTimeout(async () => {
    if (!isCurrent(app) || keyOf(profileOf(app.state.scenario)) !== key) return; // the input moved on
    const seq = ++app.adviceSeq;
    const answer = await ask(app, "recommend", key);
    if (seq !== app.adviceSeq || active !== app) return;
    app.advice = answer;
    render(app);
  }, ADVICE_DELAY);
}

// --- drawing from the state and the answers -------------------------------------------------------

function render(app) {
  const { state } = app;
  const key = keyOf(state.scenario);
  const invalid = Boolean(state.linkError || state.horizonError || (app.sim?.key === key && app.sim.error));
  const fresh = app.sim?.key === key && Boolean(app.sim.result);
  const result = app.sim?.result ?? null;

  // Errors: at their fields, and one line above the results.
  const problems = fieldProblems(app);
  app.error.hidden = !problems.length && app.status.dataset.state !== "error";
  fill(app.error, ...(problems.length ? [h("strong", {}, "Cannot calculate: "), h("ul", {}, problems.map((p) => h("li", {},
    p.field ? h("button", { type: "button", class: "calc-link", "data-testid": "calc-error-link", onclick: () => focusProblem(app, p) }, p.text) : p.text)))]
    : app.status.dataset.state === "error" ? [app.statusText.textContent] : []));
  markFields(app);

  // The answer: hidden while the input is invalid, dimmed while a newer one is on its way.
  app.answer.hidden = invalid || !result;
  app.details.hidden = invalid || !result;
  app.answer.toggleAttribute("data-stale", !fresh);
  app.details.toggleAttribute("data-stale", !fresh);
  app.answer.setAttribute("aria-busy", fresh ? "false" : "true");
  app.bar.toggleAttribute("data-stale", !fresh && !invalid);
  if (result && app.drawn !== result) drawResult(app, result);
  drawCompare(app, invalid);
  drawAdvice(app, invalid);

  app.root.dataset.state = invalid ? "error" : fresh && !app.drawing ? "ready" : app.engine.status.state === "loading" && !result ? "loading" : "stale";
  drawBar(app, invalid ? problems[0]?.text ?? state.linkError ?? "" : null, result);
  announce(app, invalid ? `Cannot calculate: ${problems[0]?.text ?? ""}` : fresh ? sentence(result) : "");
}

// Every problem of the current input: the link, the horizon, the engine's error.
function fieldProblems(app) {
  const { state } = app;
  const key = keyOf(state.scenario);
  const out = [];
  if (state.horizonError) out.push({ keys: ["days"], label: "Months to look ahead", message: state.horizonError });
  if (app.sim?.key === key && app.sim.error) {
    const parsed = parseEngineError(app.sim.error);
    // A number box holding text the browser cannot read (1e400) sends NaN, as an empty box does: say which.
    const el = parsed.keys.length ? fieldFor(app.formRoot, parsed.keys) : null;
    const unreadable = Boolean(el?.matches?.("input") && el.validity?.badInput);
    out.push({ keys: parsed.keys, label: labelFor(parsed.keys, app.policy), message: messageFor(parsed.message, { unreadable }), raw: app.sim.error });
  }
  for (const p of out) {
    p.text = p.label ? `${p.label}: ${p.message}` : p.message;
    p.field = p.keys.length > 0;
  }
  return out;
}

function markFields(app) {
  for (const el of app.formRoot.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of app.formRoot.querySelectorAll(".calc-field-error")) {
    const owner = app.formRoot.querySelector(`[aria-describedby~="${el.id}"]`);
    if (owner) owner.setAttribute("aria-describedby", owner.getAttribute("aria-describedby").replace(el.id, "").trim());
    el.remove();
  }
  fieldProblems(app).forEach((p, n) => {
    if (!p.field) return;
    const el = fieldFor(app.formRoot, p.keys);
    if (!el) return;
    const inputs = el.matches("input, select, textarea") ? [el] : [...el.querySelectorAll("input, select, textarea")];
    const note = h("p", { class: "calc-field-error", id: `calc-field-error-${n}`, "data-testid": "calc-field-error" }, p.text);
    for (const input of inputs) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") ?? ""} ${note.id}`.trim());
    }
    (el.closest(".calc-field, .calc-event, .calc-list-row") ?? el).after(note);
  });
}

function focusProblem(app, problem) {
  if (problem.keys[0] === "events" && typeof problem.keys[1] === "number") app.lists.events?.list.reveal(problem.keys[1]);
  if (problem.keys[1] === "by_date" && typeof problem.keys[2] === "string") app.lists.overrides?.list.reveal(app.lists.overrides.index(problem.keys[2]));
  markFields(app);
  const el = fieldFor(app.formRoot, problem.keys);
  const target = el && (el.matches("input, select") ? el : el.querySelector("input, select"));
  target?.focus();
  for (const d = target?.closest("details"); d && !d.open;) d.open = true;
}

function drawResult(app, result) {
  app.drawn = result;
  const scenario = app.state.scenario;
  renderSummary(app.summary, result);
  renderChart(app.chart, result, { events: Array.isArray(scenario.events) ? scenario.events : [], compare: app.state.pinned && app.simA?.result ? app.simA.result : null });
  app.drawnA = app.state.pinned ? app.simA?.result ?? null : null;
  // The rest, mostly below the fold, one piece per task: no single task blocks typing for long.
  const toggle = () => { app.showAllStory = !app.showAllStory; renderStory(app.story, result, app.showAllStory, toggle); };
  const rest = [
    () => renderStory(app.story, result, app.showAllStory, toggle),
    () => renderLedger(app.ledger, result),
    () => renderCharges(app.charges, result),
    () => { fill(app.days); drawDays(app); },
    () => fill(app.assumptions, ...(result.assumptions ?? []).filter((a) => a.text).map((a) => h("li", {},
      h("strong", {}, a.title ?? a.key), ": ",
      // The site's one marker for a rule Eigent has not published, linking to its entry.
      a.basis === "reading" ? [h("a", { class: "reading__mark", href: `../assumptions/#${a.key}` }, "Eigent hasn't published this"), ". "] : null,
      a.text))),
  ];
  app.drawing = true;
  const step = () => {
    if (app.drawn !== result) return; // a newer result took over
    rest.shift()();
    if (rest.length) { setTimeout(step, 0); return; }
    app.drawing = false;
    app.root.dataset.renderCount = String(++app.renders);
    render(app);
  };
  setTimeout(step, 0);
}

// The phone's summary bar, drawn on every render like everything else: the problem while the
// input is invalid, else the latest answer (dimmed by render() while it is stale).
function drawBar(app, problem, result) {
  const sum = result?.summary;
  const text = problem !== null ? `problem:${problem}` : sum ? `${sum.usd_total}|${sum.first_restricted_day}|${sum.end_balance}` : "";
  if (app.barShows === text) return;
  app.barShows = text;
  if (problem !== null) { fill(app.barValues, h("span", {}, "Check the inputs: ", problem)); return; }
  if (!sum) { fill(app.barValues); return; }
  fill(app.barValues,
    h("span", { "data-testid": "bar-usd" }, h("small", {}, "Spent "), usd(sum.usd_total)),
    sum.first_restricted_day
      ? h("span", { "data-testid": "bar-first-restricted" }, h("small", {}, "Restricted from "), formatDate(sum.first_restricted_day))
      : h("span", { "data-testid": "bar-first-restricted" }, "Never restricted"),
    h("span", { "data-testid": "bar-end-balance" }, h("small", {}, "End "), `${fmt(Math.max(0, sum.end_balance))} credits`));
}

function drawDays(app) {
  if (app.daysDetails.open && app.drawn && !app.days.firstChild) renderDays(app.days, app.drawn);
}

function drawCompare(app, invalid) {
  const { pinned } = app.state;
  app.compare.hidden = !pinned;
  if (!pinned) { if (app.drawnA) { app.drawnA = null; if (app.drawn) drawResult(app, app.drawn); } return; }
  if (app.simA?.key === keyOf(pinned) && app.simA.error) {
    fill(app.compare, h("p", { class: "calc-error" }, "The pinned scenario A cannot be calculated: ", app.simA.error));
    return;
  }
  const a = app.simA?.key === keyOf(pinned) ? app.simA.result : null;
  const b = !invalid && app.sim?.result;
  if (a && app.drawn && app.drawnA !== a) drawResult(app, app.drawn); // draw A's balance on the chart
  if (a && b) renderCompare(app.compare, a, b);
  else fill(app.compare, h("p", { class: "calc-hint" }, a ? "Change the form to see B beside A." : "Calculating the pinned scenario A…"));
}

function drawAdvice(app, invalid) {
  const key = keyOf(profileOf(app.state.scenario));
  const advice = app.advice;
  const fresh = advice?.key === key;
  app.adviceSection.hidden = invalid;
  app.adviceBody.toggleAttribute("data-stale", !fresh && Boolean(advice?.result)); // an old answer, dimmed
  app.adviceBody.setAttribute("aria-busy", fresh ? "false" : "true");
  if (invalid) return;
  if (!advice) { fill(app.adviceBody, h("p", { class: "calc-hint" }, "Pricing every plan for your usage…")); return; }
  if (advice.error) {
    fill(app.adviceBody, h("p", { class: "calc-hint" }, fresh ? `The plans cannot be compared for this input: ${advice.error}` : "Pricing every plan for your usage…"));
    return;
  }
  if (app.adviceDrawn === advice.result && app.adviceEvents === JSON.stringify(app.state.scenario.events ?? [])) return;
  app.adviceDrawn = advice.result;
  app.adviceEvents = JSON.stringify(app.state.scenario.events ?? []);
  const focused = app.adviceBody.contains(document.activeElement) ? document.activeElement.dataset.focus : null;
  renderAdvice(app.adviceBody, advice.result, {
    perDay: app.state.scenario.usage?.per_active_day ?? 0,
    currentEvents: app.state.scenario.events ?? [],
    // A plan taken from the advice is a step Back can undo, like an example.
    useOption: (option) => edit(app, (s) => { s.events = structuredClone(option.events); }, { how: "push", redraw: true }),
  });
  if (focused) (app.adviceBody.querySelector(`[data-focus="${CSS.escape(focused)}"]`) ?? app.adviceBody.querySelector("button:not([disabled])"))?.focus();
}

function sentence(result) {
  const sum = result.summary;
  return `Updated: ${usd(sum.usd_total)} spent; ${sum.first_restricted_day ? `first restricted day ${dated(result, sum.first_restricted_day)}` : "no restricted day"}; `
    + `${fmt(Math.max(0, sum.end_balance))} credits at the end, on ${planLabel(result.days[result.days.length - 1].plan)}.`;
}

// The live region says one short sentence, and only when it changes.
function announce(app, text) {
  if (!text || text === app.announced) return;
  app.announced = text;
  app.live.textContent = text;
}

// --- links, back and forward --------------------------------------------------------------------------

function onAddressChange() {
  const app = active;
  // Back or forward to another page of the site: Material swaps the page in after this
  // event, so the calculator is still in the document; the address is that page's own.
  if (!app || !app.root.isConnected || location.pathname !== app.path) return;
  if (location.hash === fragmentFor(app.state) || (app.addressPending && !location.hash)) return; // our own write, or already shown
  const next = stateFromFragment(app, location.hash);
  if (!next) {
    // An anchor-only fragment (a heading link): keep the calculator, and its link.
    history.replaceState(history.state, "", new URL(fragmentFor(app.state), location.href));
    return;
  }
  commit(app, next, "history");
}
window.addEventListener("hashchange", onAddressChange);
window.addEventListener("popstate", onAddressChange);

function start() {
  const root = document.querySelector("[data-calculator]");
  if (!root) { active = null; return; }
  if (root.dataset.mounted) return;
  mount(root).catch((error) => {
    fill(root, h("div", { class: "calc-error", role: "alert", "data-testid": "calc-error" },
      `The calculator could not start: ${error.message}`));
    root.dataset.state = "error";
  });
}

if (window.document$) window.document$.subscribe(start);
else start();
