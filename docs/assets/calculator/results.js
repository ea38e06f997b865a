// Drawing a simulate result: summary cards, the days that matter, the plan comparison,
// the what-if comparison and the long tables (drawn in windows). Customer words only:
// ledger kinds get labels here; the raw kinds stay in the exports.

import { cents, daysBetween, fmt, formatDate, h, num, plural, usd, usdFromCents, fill } from "./dom.js";
import { windowed } from "./windowed.js";

export const BUCKETS = [
  ["daily", "Daily credits"], ["monthly", "Monthly allowance"], ["bonus", "Bonus credits"], ["topup", "Add-On Pack credits"],
];
export const KIND_LABELS = {
  start: "Balance you started with", register: "Sign-up bonus", invite: "Invitation bonus", monthly: "Monthly allowance",
  daily: "Daily credits", topup: "Add-On Pack", consume: "Used", expire: "Expired", refund: "Recomputed after a refund", forgive: "Negative balance written off",
};
const BUCKET_LABELS = Object.fromEntries(BUCKETS);
// A negative balance is kept with the Add-On Pack credits (neither expires), and credits that
// arrive while it lasts pay it off first: such a line says so, not "Add-On Pack credits".
const bucketLabel = (e) => (e.bucket === "topup" && e.kind !== "topup" && e.credits > 0 && e.balance_after - e.credits < 0
  ? "Pays off the negative balance" : BUCKET_LABELS[e.bucket] ?? e.bucket);
export const RESTRICTED_MEANS = "restricted: your credits cannot cover that day's usage, so the service is limited";

const dayOf = (result, date) => daysBetween(result.days[0].date, date) + 1;
export const dated = (result, date) => (date ? `${formatDate(date)}, day ${dayOf(result, date)}` : "never");
export const restrictedDays = (result) => result.days.reduce((n, d) => n + (d.restricted ? 1 : 0), 0);

function chargesNote(charges) {
  const refunds = charges.filter((c) => c.kind === "refund").length;
  const paid = charges.length - refunds;
  if (!charges.length) return "nothing charged";
  return refunds ? `${plural(paid, "charge")}, ${plural(refunds, "refund")}` : plural(paid, "charge");
}

const card = (testid, label, value, note, extra = {}) => h("div", { class: "calc-card", "data-testid": testid, ...extra },
  h("span", { class: "calc-card__label" }, label), h("strong", {}, value), note ? h("small", {}, note) : null);

export function renderSummary(root, result) {
  const sum = result.summary;
  const last = result.days[result.days.length - 1];
  const first = sum.first_restricted_day;
  const restricted = restrictedDays(result);
  const figure = (testid, label, value, note) => h("span", { class: "calc-figure", "data-testid": testid }, `${label} `, h("strong", {}, value), note ? ` ${note}` : null);
  fill(root,
    h("div", { class: "calc-cards" },
      card("summary-usd", "Money spent", usd(sum.usd_total), chargesNote(result.charges)),
      card("summary-first-restricted", "First restricted day", first ? dated(result, first) : "never",
        first ? `${plural(restricted, "restricted day")} in all` : "your credits cover every day"),
      card("summary-end-balance", "Balance at the end", `${fmt(Math.max(0, sum.end_balance))} credits`,
        sum.end_balance < 0 ? `really ${num(sum.end_balance)}: shown as 0` : `on ${formatDate(last.date)}, on ${planLabel(last.plan)}`)),
    h("p", { class: "calc-figures" },
      figure("summary-consumed", "Credits used", fmt(sum.credits_consumed), `of ${fmt(sum.credits_consumed + sum.unmet)} wanted`), " · ",
      figure("summary-unmet", "not served", fmt(sum.unmet)), " · ",
      // credits_added counts the balance a start from today opens with: the label says so.
      figure("summary-added", result.ledger[0]?.kind === "start" ? "credits added, today's balance included" : "credits added", fmt(sum.credits_added))),
    first ? h("p", { class: "calc-hint calc-define" }, h("dfn", {}, "Restricted"), `: ${RESTRICTED_MEANS.replace(/^restricted: /, "")}.`) : null,
  );
}

let planLabels = {};
export const setPlanLabels = (policy) => { planLabels = Object.fromEntries(Object.entries(policy.plans).map(([k, p]) => [k, p.label])); };
export const planLabel = (key) => planLabels[key] ?? key;

// The days that matter, from the engine's timeline: "9 Mar 2026, day 8: First charge …".
const STORY_FIRST = 12;
export function renderStory(root, result, showAll, toggle) {
  const timeline = result.timeline ?? [];
  if (!timeline.length) { fill(root); return; }
  const shown = showAll ? timeline : timeline.slice(0, STORY_FIRST);
  fill(root,
    h("h3", { id: "calculator-story" }, "The days that matter"),
    // As over the site's worked examples (hooks/figures.py readings_note): the sentences cannot
    // each carry the marker, so the story as a whole says that readings fill Eigent's gaps.
    h("p", { class: "worked-example__readings" }, h("span", { class: "reading reading--note" },
      h("a", { class: "reading__mark", href: "../assumptions/#readings" }, "Eigent hasn't published every rule these days follow:"),
      " where it publishes nothing, they follow the calculator's readings (listed under “Rules used for these results”).")),
    h("ol", { class: "calc-story", "data-testid": "calc-story" }, shown.map((entry) => h("li", { "data-kind": entry.kind },
      h("time", { datetime: entry.date }, `${formatDate(entry.date)}, day ${entry.day ?? dayOf(result, entry.date)}`), " ", entry.text))),
    timeline.length > STORY_FIRST
      ? h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-story-toggle", onclick: toggle },
        showAll ? `Show the first ${STORY_FIRST} only` : `Show all ${fmt(timeline.length)}`) : null);
}

// --- long tables, drawn in windows -----------------------------------------------------------

function windowedTable({ root, label, caption, headers, numeric, count, row, testid }) {
  const tbody = h("tbody", {});
  const table = h("table", { "aria-rowcount": count + 1 }, h("caption", {}, caption),
    h("thead", {}, h("tr", { "aria-rowindex": 1 }, headers.map((text, i) => h("th", { scope: "col", class: numeric[i] ? "calc-num" : null }, text)))),
    tbody);
  const scroller = h("div", { class: "calc-table-scroll", tabindex: "0", role: "region", "aria-label": label, "data-testid": testid }, table);
  fill(root, scroller);
  return windowed({
    container: tbody, scroller, count, rowHeight: 30,
    spacer: () => h("tr", { class: "calc-spacer", "aria-hidden": "true" }, h("td", { colspan: headers.length })),
    render: (i) => h("tr", { "aria-rowindex": i + 2 }, row(i).map((cell, k) => h("td", { class: numeric[k] ? "calc-num" : null }, cell))),
  });
}

const signed = (n) => (n > 0 ? `+${fmt(n)}` : num(n));

export function renderLedger(root, result) {
  const ledger = result.ledger;
  return windowedTable({
    root, label: "Credits History (scrolls)", testid: "calc-ledger-table",
    caption: `Credits History: ${plural(ledger.length, "entry", "entries")}`,
    headers: ["Date", "Day", "What", "Kind of credit", "Credits", "Balance after"], numeric: [0, 1, 0, 0, 1, 1],
    count: ledger.length,
    row: (i) => { const e = ledger[i]; return [formatDate(e.date), fmt(dayOf(result, e.date)), KIND_LABELS[e.kind] ?? e.kind, bucketLabel(e), signed(e.credits), num(e.balance_after)]; },
  });
}

export function renderDays(root, result) {
  const days = result.days;
  return windowedTable({
    root, label: "Every simulated day (scrolls)", testid: "calc-days-table",
    caption: "Every simulated day, at the end of the day (credits)",
    headers: ["Date", "Day", "Plan", "Wanted", "Used", "Not served", "Daily", "Monthly", "Bonus", "Add-On", "Balance", "Restricted"],
    numeric: [0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0],
    count: days.length,
    row: (i) => { const d = days[i]; return [formatDate(d.date), fmt(i + 1), planLabel(d.plan), fmt(d.wanted), fmt(d.consumed), fmt(d.unmet),
      fmt(d.buckets.daily), fmt(d.buckets.monthly), fmt(d.buckets.bonus), num(d.buckets.topup), num(d.balance), d.restricted ? "restricted" : ""]; },
  });
}

export function renderCharges(root, result) {
  const charges = result.charges;
  if (!charges.length) { fill(root, h("p", { class: "calc-hint" }, "Nothing is charged.")); return; }
  const spent = [];
  charges.reduce((total, c) => { spent.push(total + cents(c.usd)); return total + cents(c.usd); }, 0);
  windowedTable({
    root, label: "Charges (scrolls)", testid: "calc-charges-table",
    caption: `Charges and refunds: ${plural(charges.length, "entry", "entries")}`,
    headers: ["Date", "What", "Amount", "Spent so far"], numeric: [0, 0, 1, 1],
    count: charges.length,
    row: (i) => { const c = charges[i]; return [dated(result, c.date), c.kind === "refund" ? `Refund${c.plan ? ` of ${planLabel(c.plan)}` : " of an Add-On Pack"}` : chargeLabel(c), usd(c.usd), usdFromCents(spent[i])]; },
  });
}

const chargeLabel = (c) => (c.kind === "topup" ? "Add-On Pack" : c.plan ? `${planLabel(c.plan)} plan` : (c.kind ?? "charge"));

// --- the plan advisor ---------------------------------------------------------------------------

export function renderAdvice(root, advice, { perDay, useOption, currentEvents }) {
  const horizon = advice.horizon;
  // Whole months read as months; a horizon of odd length (a 60-day example) reads in days.
  const span = horizon ? (Number.isInteger(horizon.months) ? plural(horizon.months, "month") : plural(horizon.days, "day")) : null;
  const months = horizon ? `${span} (${formatDate(horizon.from)} to ${formatDate(horizon.to)})` : null;
  const current = JSON.stringify(currentEvents ?? []);
  fill(root,
    h("p", { class: "calc-hint", "data-testid": "calc-advice-horizon" },
      months ? `Each plan priced over ${months} for the usage above, cheapest first, with the Add-On Packs it would need.`
        : "Each plan priced for the usage above, cheapest first, with the Add-On Packs it would need."),
    h("div", { class: "calc-advice" }, advice.options.map((option) => {
      const best = option.name === advice.recommended;
      const inUse = JSON.stringify(option.events) === current;
      return h("div", { class: `calc-card calc-option${best ? " calc-option--best" : ""}`, "data-testid": "calc-advice-option", "data-plan": option.plan },
        h("span", { class: "calc-card__label" }, option.label, best ? h("span", { class: "calc-badge" }, "best for you") : null),
        h("strong", {}, option.usd_per_month !== undefined ? `${usd(option.usd_per_month)} a month` : usd(option.usd_total)),
        option.usd_per_month !== undefined ? h("small", {}, `${usd(option.usd_total)} over ${span ?? "the horizon"}`) : null,
        h("small", {}, option.topup_usd
          ? `includes ${option.packs !== undefined ? `${plural(option.packs, "Add-On Pack")}, ` : ""}${usd(option.topup_usd)}` : "no Add-On Packs needed"),
        option.unmet ? h("small", { class: "calc-warn" }, `${fmt(option.unmet)} credits still not served`) : null,
        option.why ? h("p", { class: "calc-why" }, option.why) : null,
        // The plan in use keeps a focusable button (aria-disabled, not disabled): pressing
        // "Use Plus" turns it into "Plus in use" and the keyboard stays on it.
        h("button", { type: "button", class: "md-button calc-small", "data-testid": "advice-use", "data-focus": `advice-use-${option.name}`,
          "aria-disabled": inUse ? "true" : null, onclick: () => { if (!inUse) useOption(option); } },
        inUse ? `${option.label} in use` : `Use ${option.label}`));
    })),
    advice.break_even?.length ? h("ul", { class: "calc-break-even", "data-testid": "calc-break-even" },
      advice.break_even.map((b) => h("li", {}, breakEvenSentence(b, advice.options, perDay, span)))) : null);
}

// The engine prices unserved credits one by one for the break-even; the cards buy whole
// Add-On Packs, which can move a total by a pack. Near the threshold the cards may tie or
// still favour the other plan: then the sentence says so rather than contradict them.
// The answer holds for the period priced: over a longer one a trial's credits weigh less, so
// the sentence names it ("over these 3 months").
function breakEvenSentence(b, options, perDay, span = null) {
  const fromOption = options.find((o) => o.name === b.from), toOption = options.find((o) => o.name === b.to);
  const from = fromOption?.label ?? planLabel(b.from), to = toOption?.label ?? planLabel(b.to);
  const over = span ? ` over these ${span}` : "";
  if (b.per_active_day === null) return `${to} never costs less than ${from}${over} for this pattern of days, at any usage the calculator accepts.`;
  const above = perDay > b.per_active_day;
  const side = above ? "you are above it" : perDay === b.per_active_day ? "you are right on it" : "you are below it";
  let cards = "";
  if (fromOption && toOption && perDay !== b.per_active_day) {
    const [a, z] = [fromOption.usd_total, toOption.usd_total];
    if (a === z) cards = `; in whole Add-On Packs both cost ${usd(a)} at your usage`;
    else if (above && z > a) cards = `; in whole Add-On Packs ${from} still costs less at your usage`;
    else if (!above && z < a) cards = `; in whole Add-On Packs ${to} already costs less at your usage`;
  }
  return `${to} costs less than ${from}${over} from about ${fmt(b.per_active_day)} credits a day (${side}${cards}).`;
}

// --- what-if ----------------------------------------------------------------------------------

// As the summary card says it: a negative balance shows as 0 credits, with the real figure beside it.
const balance = (n) => (n < 0 ? `0 credits, really ${num(n)}` : `${fmt(n)} credits`);

export function renderCompare(root, a, b) {
  const figures = (r) => ({
    money: cents(r.summary.usd_total), first: r.summary.first_restricted_day, restricted: restrictedDays(r),
    used: r.summary.credits_consumed, unmet: r.summary.unmet, end: r.summary.end_balance,
  });
  const x = figures(a), y = figures(b);
  const diff = (d, unit) => (d === 0 ? "same" : `${d > 0 ? "+" : "−"}${unit(Math.abs(d))}`);
  const rows = [
    ["Money spent", usdFromCents(x.money), usdFromCents(y.money), diff(y.money - x.money, usdFromCents)],
    ["Credits used", fmt(x.used), fmt(y.used), diff(y.used - x.used, fmt)],
    ["Wanted but not served", fmt(x.unmet), fmt(y.unmet), diff(y.unmet - x.unmet, fmt)],
    ["Restricted days", fmt(x.restricted), fmt(y.restricted), diff(y.restricted - x.restricted, fmt)],
    ["First restricted day", dated(a, x.first), dated(b, y.first), x.first === y.first ? "same" : "changed"],
    ["Balance at the end", balance(x.end), balance(y.end), diff(y.end - x.end, (n) => `${fmt(n)} credits`)],
  ];
  fill(root, h("table", { class: "calc-compare-table", "data-testid": "calc-compare-table" },
    h("caption", {}, "What if: A is the pinned scenario, B the one in the form"),
    h("thead", {}, h("tr", {}, ["", "A (pinned)", "B (now)", "B − A"].map((t, i) => h("th", { scope: "col", class: i ? "calc-num" : null }, t)))),
    h("tbody", {}, rows.map(([label, ...cells]) => h("tr", { "data-row": label }, h("th", { scope: "row" }, label),
      cells.map((c) => h("td", { class: "calc-num" }, c)))))));
}
