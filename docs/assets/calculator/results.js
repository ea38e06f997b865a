// Drawing a simulate result: summary cards, the balance chart, the ledger and the days.

import { download, fmt, h, s, usd } from "./dom.js";

const BUCKETS = [
  ["daily", "Daily credits"], ["monthly", "Monthly allowance"], ["bonus", "Bonus credits"], ["topup", "Top-up credits"],
];
const LEDGER_ROWS = 60;  // one screenful or so; "Show all" lists every entry

function chargesNote(charges) {
  const refunds = charges.filter((c) => c.kind === "refund").length;
  const paid = charges.length - refunds;
  if (!charges.length) return "nothing charged";
  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return refunds ? `${plural(paid, "charge")}, ${plural(refunds, "refund")}` : plural(paid, "charge");
}

export function renderSummary(root, result) {
  const sum = result.summary;
  const card = (testid, label, value, note) => h("div", { class: "calc-card", "data-testid": testid },
    h("span", { class: "calc-card__label" }, label), h("strong", {}, value), note ? h("small", {}, note) : null);
  const last = result.days[result.days.length - 1];
  root.replaceChildren(
    card("summary-usd", "Money spent", usd(sum.usd_total), chargesNote(result.charges)),
    card("summary-added", "Credits added", fmt(sum.credits_added)),
    card("summary-consumed", "Credits used", fmt(sum.credits_consumed)),
    card("summary-unmet", "Wanted but not served", fmt(sum.unmet), sum.unmet ? "the balance ran out" : "all usage served"),
    card("summary-first-restricted", "First restricted day", sum.first_restricted_day ?? "never"),
    card("summary-end-balance", "Balance at the end", fmt(Math.max(0, sum.end_balance)),
      sum.end_balance < 0 ? `really ${fmt(sum.end_balance)}: shown as 0` : `on ${last.date}, plan ${last.plan}`),
  );
}

export function renderChart(root, result, scenario) {
  const days = result.days;
  const width = 760, height = 260, left = 56, right = 12, top = 12, bottom = 44;
  const plotW = width - left - right, plotH = height - top - bottom;
  const totals = days.map((d) => BUCKETS.reduce((a, [k]) => a + Math.max(0, d.buckets[k]), 0));
  const max = Math.max(1, ...totals);
  const x = (i) => left + (days.length === 1 ? plotW / 2 : (i * plotW) / (days.length - 1));
  const y = (v) => top + plotH - (v / max) * plotH;

  const layers = [];
  const base = days.map(() => 0);
  for (const [key, label] of BUCKETS) {
    const upper = days.map((d, i) => base[i] + Math.max(0, d.buckets[key]));
    if (upper.some((v, i) => v !== base[i])) {
      const line = upper.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`);
      const back = base.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).reverse();
      layers.push(s("polygon", { points: [...line, ...back].join(" "), class: `calc-area calc-area--${key}` }, s("title", {}, label)));
    }
    upper.forEach((v, i) => { base[i] = v; });
  }
  const slot = Math.max(1.5, plotW / days.length); // a day's width, kept inside the plot
  const restricted = days.map((d, i) => {
    if (!d.restricted) return null;
    const from = Math.min(Math.max(left, x(i) - slot / 2), left + plotW - slot);
    return s("rect", { x: from, y: top + plotH + 2, width: slot, height: 6, class: "calc-restricted" }, s("title", {}, `${d.date}: restricted`));
  });
  const index = new Map(days.map((d, i) => [d.date, i]));
  const markers = (scenario.events ?? []).filter((e) => index.has(e.date)).map((e) => {
    const i = index.get(e.date);
    const label = { subscribe: `${e.plan}${e.trial ? " trial" : ""}`, topup: `+${e.usd} USD`, cancel: "cancel", cancel_topup: "refund" }[e.type] ?? e.type;
    return s("g", { class: "calc-marker" }, s("line", { x1: x(i), x2: x(i), y1: top, y2: top + plotH }),
      s("text", { x: x(i) + 3, y: top + 10 }, label), s("title", {}, `${e.date}: ${label}`));
  });
  const yTicks = [0, max / 2, max].map((v) => s("g", { class: "calc-axis" },
    s("line", { x1: left, x2: left + plotW, y1: y(v), y2: y(v) }), s("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, fmt(Math.round(v)))));
  const step = Math.max(1, Math.ceil(days.length / 8));
  const xTicks = days.map((d, i) => (i % step === 0 || i === days.length - 1) && (i === days.length - 1 || days.length - 1 - i >= step / 2)
    ? s("text", { x: x(i), y: height - 18, "text-anchor": i === days.length - 1 && i > 0 ? "end" : "middle", class: "calc-axis" }, d.date.slice(5)) : null);
  const first = days[0].date, last = days[days.length - 1].date;
  root.replaceChildren(
    s("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "calc-chart-title", class: "calc-chart-svg" },
      s("title", { id: "calc-chart-title" }, `Balance by kind of credit from ${first} to ${last}; red marks restricted days`),
      yTicks, layers, restricted, markers, xTicks,
      s("text", { x: left, y: height - 2, class: "calc-axis" }, `${first} → ${last}`)),
    h("ul", { class: "calc-legend" }, BUCKETS.map(([key, label]) => h("li", {}, h("span", { class: `calc-swatch calc-area--${key}` }), label)),
      h("li", {}, h("span", { class: "calc-swatch calc-restricted" }), "Restricted day")),
  );
}

function table(caption, headers, rows, numeric) {
  return h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((label, i) => h("th", { scope: "col", class: numeric[i] ? "calc-num" : null }, label)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c, i) => h("td", { class: numeric[i] ? "calc-num" : null }, c))))));
}

// A wide table scrolls sideways on small screens; keyboard users focus it to scroll it.
const scrollRegion = (label, child) =>
  h("div", { class: "md-typeset__scrollwrap", tabindex: "0", role: "region", "aria-label": `${label} (scrolls sideways)` }, child);

export function renderLedger(root, result, showAll, toggle) {
  const entries = showAll ? result.ledger : result.ledger.slice(0, LEDGER_ROWS);
  const rows = entries.map((e) => [e.date, e.kind, e.bucket, e.credits > 0 ? `+${fmt(e.credits)}` : fmt(e.credits), fmt(e.balance_after)]);
  root.replaceChildren(
    scrollRegion("Credits History", h("div", { class: "md-typeset__table" },
      table(`Credits History: ${fmt(result.ledger.length)} entries`, ["Date", "Kind", "Bucket", "Credits", "Balance after"], rows, [0, 0, 0, 1, 1]))),
    result.ledger.length > LEDGER_ROWS
      ? h("button", { type: "button", class: "md-button calc-small", onclick: toggle }, showAll ? `Show the first ${LEDGER_ROWS} only` : `Show all ${fmt(result.ledger.length)} entries`)
      : null,
  );
}

export function renderDays(root, result) {
  const rows = result.days.map((d) => [d.date, d.plan, d.cycle_start, fmt(d.wanted), fmt(d.consumed), fmt(d.unmet),
    fmt(d.buckets.daily), fmt(d.buckets.monthly), fmt(d.buckets.bonus), fmt(d.buckets.topup), fmt(d.balance), d.restricted ? "yes" : ""]);
  root.replaceChildren(scrollRegion("Every simulated day", h("div", { class: "md-typeset__table" },
    table("Every simulated day, at the end of the day", ["Date", "Plan", "Cycle start", "Wanted", "Used", "Unmet", "Daily", "Monthly", "Bonus", "Top-up", "Balance", "Restricted"],
      rows, [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0]))));
}

const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csv = (header, rows) => [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") + "\n";

export function exportDays(result) {
  download("credits-days.csv", "text/csv", csv(
    ["date", "plan", "cycle_start", "wanted", "consumed", "unmet", "daily", "monthly", "bonus", "topup", "balance", "displayed_balance", "restricted"],
    result.days.map((d) => [d.date, d.plan, d.cycle_start, d.wanted, d.consumed, d.unmet, d.buckets.daily, d.buckets.monthly,
      d.buckets.bonus, d.buckets.topup, d.balance, d.displayed_balance, d.restricted])));
}

export function exportLedger(result) {
  download("credits-ledger.csv", "text/csv", csv(["date", "kind", "bucket", "credits", "balance_after"],
    result.ledger.map((e) => [e.date, e.kind, e.bucket, e.credits, e.balance_after])));
}

export function exportJson(result) {
  download("credits-result.json", "application/json", JSON.stringify(result, null, 1));
}

export function renderAdvice(root, advice, useOption) {
  root.replaceChildren(
    h("p", {}, "Cheapest first, each plan with the Add-On Packs it would need for your usage:"),
    h("div", { class: "calc-advice" }, advice.options.map((option) => {
      const best = option.name === advice.recommended;
      return h("div", { class: `calc-card calc-option${best ? " calc-option--best" : ""}`, "data-testid": "calc-advice-option", "data-plan": option.plan },
        h("span", { class: "calc-card__label" }, best ? `${option.label}: recommended` : option.label),
        h("strong", {}, usd(option.usd_total)),
        h("small", {}, option.topup_usd ? `includes ${usd(option.topup_usd)} of Add-On Packs` : "no Add-On Packs needed"),
        option.unmet ? h("small", {}, `${fmt(option.unmet)} credits still unserved`) : null,
        h("button", { type: "button", class: "md-button calc-small", "data-testid": "advice-use", onclick: () => useOption(option) }, "Use this plan"));
    })));
}
