// Downloads: CSV files with units in their headers and money included, and a JSON file
// holding the scenario with its result. Raw engine kinds stay in the files (a spreadsheet
// or a script may want them); a label column gives the customer's word beside them.
// File names carry the scenario's first and last day.

import { cents, download } from "./dom.js";
import { KIND_LABELS } from "./results.js";

const csvCell = (v) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
export const csv = (header, rows) => [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
const money = (c) => (c / 100).toFixed(2);

function span(result) {
  return `${result.days[0].date}-to-${result.days[result.days.length - 1].date}`;
}

// Money spent up to and including each day, in cents.
function spentByDay(result) {
  const out = [];
  let total = 0, c = 0;
  for (const d of result.days) {
    while (c < result.charges.length && result.charges[c].date <= d.date) total += cents(result.charges[c++].usd);
    out.push(total);
  }
  return out;
}

export function daysCsv(result) {
  const spent = spentByDay(result);
  return csv(
    ["date", "day", "plan", "cycle_start", "wanted (credits)", "consumed (credits)", "unmet (credits)", "daily (credits)", "monthly (credits)",
      "bonus (credits)", "topup (credits)", "balance (credits)", "displayed_balance (credits)", "restricted", "spent_so_far (USD)"],
    result.days.map((d, i) => [d.date, i + 1, d.plan, d.cycle_start, d.wanted, d.consumed, d.unmet, d.buckets.daily, d.buckets.monthly,
      d.buckets.bonus, d.buckets.topup, d.balance, d.displayed_balance, d.restricted, money(spent[i])]));
}

export function ledgerCsv(result) {
  // "credits" names its own unit; the balance's unit is said once.
  return csv(["date", "kind", "label", "bucket", "credits", "balance_after (credits)"],
    result.ledger.map((e) => [e.date, e.kind, KIND_LABELS[e.kind] ?? e.kind, e.bucket, e.credits, e.balance_after]));
}

export function chargesCsv(result) {
  let total = 0;
  return csv(["date", "kind", "plan", "amount (USD)", "spent_so_far (USD)"],
    result.charges.map((c) => { total += cents(c.usd); return [c.date, c.kind, c.plan ?? "", money(cents(c.usd)), money(total)]; }));
}

export const resultJson = (scenario, result) => JSON.stringify({ scenario, result }, null, 1);

export const files = {
  days: (scenario, result) => [`credits-days-${span(result)}.csv`, "text/csv", daysCsv(result)],
  ledger: (scenario, result) => [`credits-history-${span(result)}.csv`, "text/csv", ledgerCsv(result)],
  charges: (scenario, result) => [`credits-charges-${span(result)}.csv`, "text/csv", chargesCsv(result)],
  json: (scenario, result) => [`credits-scenario-${span(result)}.json`, "application/json", resultJson(scenario, result)],
};

export function save(which, scenario, result) {
  download(...files[which](scenario, result));
}
