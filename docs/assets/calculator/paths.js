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
  registered: "Registration date", days: "Horizon", usage: "Usage", invites: "Invited friends", events: "What you do",
  policy: "Assumptions", prices: "Plan prices", pack_usd: "Add-On Pack size", start: "Your account today",
};
const START = {
  date: "Today's date", plan: "Your plan", cycle_start: "Current billing cycle started on", renews_on: "Next renewal date",
  credits: "Total Credits", trial_used: "Already had a free trial", registered: "Registration date",
};
const CREDITS = { total: "Total Credits", topup: "Add-On Pack credits", bonus: "Bonus credits", daily: "Today's Daily Refreshed Credits" };
const USAGE = { per_active_day: "Credits per active day", active_days: "Which days", by_date: "Days with different usage" };
const EVENT_FIELDS = { date: "date", type: "what happens", plan: "plan", trial: "free trial", usd: "amount", of: "Add-On Pack bought on", id: "pack name" };

// The visible label for a path, numbered from 1; `policy` gives settings their titles.
export function labelFor(keys, policy) {
  const [top, a, b, c] = keys;
  if (top === undefined) return "";
  if (top === "start") {
    if (a === "credits") return CREDITS[b] ?? START.credits;
    return START[a] ?? TOP.start;
  }
  if (top === "usage") {
    if (a === "by_date" && typeof b === "string") return `Day with different usage, ${formatDate(b)}`;
    return USAGE[a] ?? TOP.usage;
  }
  if (top === "invites") return typeof a === "number" ? `Friend ${a + 1}` : TOP.invites;
  if (top === "events") {
    if (typeof a !== "number") return TOP.events;
    return b === undefined ? `Event ${a + 1}` : `Event ${a + 1}, ${EVENT_FIELDS[b] ?? b}`;
  }
  if (top === "prices") return a === "plus" || a === "pro" ? `${policy?.plans?.[a]?.label ?? a} price` : TOP.prices;
  if (top === "policy") return policy?.settings?.find((setting) => setting.key === a)?.title ?? TOP.policy;
  void c;
  return TOP[top] ?? String(top);
}

// Reworded for people: an empty number field reaches the engine as NaN.
export function messageFor(message) {
  return message.replace(/, got a non-finite number NaN$/, ", got nothing");
}

// The element for a path: the field itself, or the nearest enclosing one that is drawn.
export function fieldFor(root, keys) {
  for (let n = keys.length; n > 0; n--) {
    const el = root.querySelector(`[data-path="${CSS.escape(joinPath(keys.slice(0, n)))}"]`);
    if (el) return el;
  }
  return null;
}
