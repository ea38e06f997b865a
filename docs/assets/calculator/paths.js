// The engine's input errors name the field by a JSON path counted from 0
// (`events[1].usd: 0 is out of range …`). The page shows them at the field, by the
// label the reader sees, counted from 1 ("Event 2, amount: 0 is out of range …").
// Inputs carry `data-path` equal to the engine's path, so finding the field is a lookup.

import { formatDate } from "./dom.js";

// "events[1].usd: message" -> {path: "events[1].usd", keys: ["events", 1, "usd"], message}.
// A line without a path (e.g. "input is nested more than 20 levels deep") has path "".
export function parseEngineError(line) {
  const text = String(line);
  const match = /^((?:[A-Za-z_]\w*|\[(?:\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\])(?:\.[A-Za-z_]\w*|\[(?:\d+|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\])*): (.*)$/s.exec(text);
  if (!match) return { path: "", keys: [], message: text };
  return { path: match[1], keys: splitPath(match[1]), message: match[2] };
}

export function splitPath(path) {
  const keys = [];
  const re = /([A-Za-z_]\w*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/g;
  for (const m of path.matchAll(re)) keys.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4]).replace(/\\(.)/g, "$1")));
  return keys;
}

// The engine's way of writing a path (calculator/errors.py format_path), for data-path.
export function joinPath(keys) {
  let out = "";
  for (const key of keys) {
    if (typeof key === "number") out += `[${key}]`;
    else if (/^[A-Za-z_]\w*$/.test(key)) out += out ? `.${key}` : key;
    else out += `['${key.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}']`;
  }
  return out;
}

const TOP = {
  registered: "Registration date", days: "Months to look ahead", usage: "Usage", invites: "Invited friends", events: "What you do",
  policy: "Assumptions", prices: "Plan prices", pack_usd: "Add-On Pack size", start: "Your account today",
};
const START = {
  date: "Today's date", plan: "Your plan", cycle_start: "Current billing cycle started on", renews_on: "Next renewal date",
  credits: "Total Credits", trial_used: "Already had a free trial", registered: "Registration date",
};
const CREDITS = { total: "Total Credits", topup: "Add-On Pack credits", bonus: "Bonus credits", daily: "Today's Daily Refreshed Credits" };
const USAGE = { per_active_day: "Credits per active day", active_days: "Which days", by_date: "Days with different usage" };
const EVENT_FIELDS = { date: "date", type: "what happens", plan: "plan", trial: "free trial", usd: "amount", of: "Add-On Pack bought on", id: "pack name" };

// A label from one of the tables above: own keys only, so a key from a link such as
// "__proto__", "constructor" or "toString" is never read off Object.prototype.
const own = (table, key) => (typeof key === "string" && Object.hasOwn(table, key) ? table[key] : undefined);
// An unknown key is shown as itself (the engine's message says what was expected instead).
const raw = (key) => (typeof key === "string" && key !== "" ? key : "Unknown field");

// The visible label for a path, numbered from 1; `policy` gives settings their titles.
export function labelFor(keys, policy) {
  const [top, a, b] = keys;
  if (top === undefined) return "";
  if (top === "start") {
    if (a === undefined) return TOP.start;
    if (a === "credits") return b === undefined ? START.credits : own(CREDITS, b) ?? `${START.credits}, ${raw(b)}`;
    return own(START, a) ?? `${TOP.start}, ${raw(a)}`;
  }
  if (top === "usage") {
    if (a === "by_date" && typeof b === "string") return `Day with different usage, ${formatDate(b)}`;
    if (a === undefined) return TOP.usage;
    return own(USAGE, a) ?? `${TOP.usage}, ${raw(a)}`;
  }
  if (top === "invites") return typeof a === "number" ? `Friend ${a + 1}` : TOP.invites;
  if (top === "events") {
    if (typeof a !== "number") return TOP.events;
    return b === undefined ? `Event ${a + 1}` : `Event ${a + 1}, ${own(EVENT_FIELDS, b) ?? raw(b)}`;
  }
  if (top === "prices") return a === "plus" || a === "pro" ? `${policy?.plans?.[a]?.label ?? a} price` : TOP.prices;
  if (top === "policy") return policy?.settings?.find((setting) => setting.key === a)?.title ?? TOP.policy;
  return own(TOP, top) ?? raw(top);
}

// The engine's message reworded for the page, in the customer's words: dates as the page
// writes them, field names as the form labels them. The API (window.creditEngine) keeps the
// engine's own line. `unreadable`: the field holds text the browser could not read as a
// number (1e400, "1e"), which reaches the engine as NaN like an empty field.
export function messageFor(message, { unreadable = false } = {}) {
  const nothing = /^(.*), got a non-finite number NaN$/s.exec(message);
  if (nothing) return unreadable ? `not a usable number (${nothing[1]})` : `${nothing[1]}, got nothing`;
  if (/^'' is not a date of the form|^expected a date as 'YYYY-MM-DD', got (?:nothing|None|null)\b/.test(message)) return "enter a date";
  const notDate = /^('.*') is not a date of the form 'YYYY-MM-DD'$/s.exec(message);
  if (notDate) return `${notDate[1]} is not a date`;
  return message
    .replace(/^(\S+) is outside the simulated window (\S+) to (\S+)$/, "$1 is outside the simulated days ($2 to $3)")
    .replace(/\bstart\.date (\d{4}-\d{2}-\d{2})\b/g, "today's date ($1)")
    .replace(/\bstart\.date\b/g, "today's date")
    .replace(/\btop-up event on\b/g, "Add-On Pack bought on")
    .replace(/\btop-up\b/g, "Add-On Pack")
    .replace(/\bevents\[(\d+)\]/g, (_, i) => `Event ${Number(i) + 1}`)
    .replace(/\(start\.trial_used\)/g, "(“I have already had a free trial”)")
    .replace(/\bset trial to false\b/g, "untick “free trial”")
    .replace(/\b\d{4}-\d{2}-\d{2}\b/g, (iso) => formatDate(iso));
}

// Paths the engine names that have no field of their own, and the field that answers for them.
const FIELD_OF = { "start.credits": "start.credits.total", start: "start.date" };

// The element for a path: the field itself, or the nearest enclosing one that is drawn.
export function fieldFor(root, keys) {
  for (let n = keys.length; n > 0; n--) {
    const path = joinPath(keys.slice(0, n));
    for (const candidate of [path, own(FIELD_OF, path)]) {
      const el = candidate && root.querySelector(`[data-path="${CSS.escape(candidate)}"]`);
      if (el) return el;
    }
  }
  return null;
}
