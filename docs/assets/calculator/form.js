// The scenario form. It draws itself from the scenario (the engine's JSON contract) and
// turns every edit into the next scenario through `ctx.edit(change, options)`:
// `change(draft)` mutates a copy, the page commits it and re-renders. Inputs carry
// `data-path` (the engine's JSON path for that value), so an engine error finds its field.
// Long lists (dated usages, events) are drawn in windows (windowed.js).

import { addDays, addMonths, daysBetween, fmt, formatDate, h, isIsoDate, todayIso, usd, fill } from "./dom.js";
import { windowed } from "./windowed.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const WEEKDAY_NAMES = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const PATTERNS = { every_day: "Every day", weekdays: "Weekdays (Mon–Fri)", weekends: "Weekends", custom: "Chosen days" };
const EVENT_TYPES = { subscribe: "Subscribe", topup: "Buy an Add-On Pack", cancel: "Cancel the subscription", cancel_topup: "Cancel an Add-On Pack" };

let fieldId = 0;
const nextId = (name) => `calc-${name}-${++fieldId}`;

function field(label, input, hint, extra = {}) {
  const id = input.id || (input.id = nextId("field"));
  const hintEl = hint ? h("small", { id: `${id}-hint` }, hint) : null;
  if (hintEl) input.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "calc-field", ...extra }, h("label", { for: id }, label), input, hintEl);
}

// A number field's value for the scenario: NaN when empty (the engine names the field).
const numberOf = (input) => (input.value.trim() === "" ? NaN : Number(input.value));

// --- horizon ------------------------------------------------------------------------------

export const firstDay = (scenario) => (scenario.start ? scenario.start.date : scenario.registered);
// "92 days, to 25 Feb 2027" under the months box (main.js updates it while typing).
export const daysNote = (scenario) => (Number.isInteger(scenario.days) ? `${fmt(scenario.days)} days, to ${formatDate(lastDay(scenario))}` : "");
export const lastDay = (scenario) => (isIsoDate(firstDay(scenario)) && Number.isInteger(scenario.days) ? addDays(firstDay(scenario), scenario.days - 1) : null);

// The longest horizon in whole months whose days stay within the engine's bound.
export function maxMonths(from, policy) {
  const most = policy.bounds.days[1];
  let m = 1;
  while (daysBetween(from, addMonths(from, m + 1)) <= most) m++;
  return m;
}

// Whole months from the first day that the scenario's days cover (null if not whole months).
export function monthsOf(scenario) {
  const from = firstDay(scenario);
  if (!isIsoDate(from) || !Number.isInteger(scenario.days)) return null;
  for (let m = 1; m <= 1200; m++) {
    const d = daysBetween(from, addMonths(from, m));
    if (d === scenario.days) return m;
    if (d > scenario.days) return null;
  }
  return null;
}

export const daysFor = (from, months) => daysBetween(from, addMonths(from, months));

// --- the form -------------------------------------------------------------------------------

// ctx: {scenario, policy, edit(change, {redraw, focus}), horizonProblem, setHorizonText(text)}
export function renderForm(root, ctx) {
  const { scenario, policy } = ctx;
  const account = Boolean(scenario.start);
  fill(root, 
    modeSwitch(account, ctx),
    account ? accountToday(scenario, policy, ctx) : newAccount(scenario, ctx),
    usageGroup(scenario, policy, ctx),
    pricesGroup(scenario, policy, ctx),
    invitesGroup(scenario, ctx),
    eventsGroup(scenario, policy, ctx),
    assumptionsPanel(scenario, policy, ctx),
  );
}

function modeSwitch(account, ctx) {
  const radio = (value, label, hint, testid) => h("label", { class: "calc-mode__choice" },
    h("input", { type: "radio", name: "calc-mode", value, checked: (value === "account") === account, "data-testid": testid,
      onchange: () => ctx.switchMode(value) }),
    h("span", {}, h("strong", {}, label), h("small", {}, hint)));
  return h("fieldset", { class: "calc-mode", "data-testid": "calc-mode" }, h("legend", {}, "Where do you start?"),
    radio("new", "I'm new", "from the day I register", "calc-mode-new"),
    radio("account", "I already have an account", "from what my dashboard shows today", "calc-mode-account"));
}

function horizonField(scenario, policy, ctx) {
  const from = firstDay(scenario);
  const most = isIsoDate(from) ? maxMonths(from, policy) : 120;
  const whole = monthsOf(scenario);
  // An example or a link may run for days that are not whole months (75 days): the box then
  // shows that length, in the text colour (not as a missing value), until months are typed.
  const inDays = ctx.horizonText == null && whole === null && Number.isInteger(scenario.days);
  const months = h("input", { type: "number", min: 1, max: most, step: 1, inputmode: "numeric", value: ctx.horizonText ?? whole ?? "",
    "data-testid": "calc-months", "data-path": "days", class: inDays ? "calc-months--days" : null,
    placeholder: inDays ? `${fmt(scenario.days)} days` : null,
    oninput: (e) => ctx.setHorizon(e.target.value) });
  const note = h("small", { class: "calc-days-note", id: nextId("days") },
    daysNote(scenario),
    inDays ? "; not whole months: type a number of months to change it" : "");
  months.setAttribute("aria-describedby", note.id);
  return h("div", { class: "calc-field" }, h("label", { for: months.id || (months.id = nextId("months")) }, `Months to look ahead (1 to ${most})`), months, note);
}

function newAccount(scenario, ctx) {
  const registered = h("input", { type: "date", value: scenario.registered ?? "", "data-testid": "calc-registered", "data-path": "registered", required: true,
    onchange: (e) => ctx.edit((s) => { keepMonths(s, () => { s.registered = e.target.value; }); }, { redraw: true }) });
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Your account"),
    h("div", { class: "calc-row" },
      field("Registration date", registered, "The calculator's day 1; you get the sign-up bonus that day."),
      horizonField(scenario, ctx.policy, ctx)));
}

// Moving the first day keeps the horizon in months.
function keepMonths(s, move) {
  const months = monthsOf(s);
  move();
  if (months && isIsoDate(firstDay(s))) s.days = daysFor(firstDay(s), months);
}

function accountToday(scenario, policy, ctx) {
  const start = scenario.start;
  const credits = start.credits ?? {};
  const setStart = (change, redraw = false) => ctx.edit((s) => change(s.start), { redraw });
  const date = h("input", { type: "date", value: start.date ?? "", "data-testid": "calc-start-date", "data-path": "start.date",
    onchange: (e) => ctx.edit((s) => keepMonths(s, () => { s.start.date = e.target.value; }), { redraw: true }) });
  const plan = h("select", { "data-testid": "calc-start-plan", "data-path": "start.plan",
    // Plus and Pro start with a free trial (Eigent publishes this): choosing one ticks "already
    // had a free trial" (visibly; it can be unticked), so the advisor does not offer another.
    onchange: (e) => setStart((st) => { st.plan = e.target.value; if (st.plan !== "free") st.trial_used = true; }, true) },
    Object.entries(policy.plans).map(([key, p]) => h("option", { value: key }, p.label)));
  plan.value = start.plan ?? "free";
  const cycleKind = "renews_on" in start ? "renews_on" : "cycle_start";
  const kind = h("select", { "data-testid": "calc-start-cycle-kind", "aria-label": "Which date you know",
    onchange: (e) => setStart((st) => convertCycle(st, e.target.value), true) },
    h("option", { value: "cycle_start" }, "started on"), h("option", { value: "renews_on" }, "renews on"));
  kind.value = cycleKind;
  const cycleDate = h("input", { type: "date", value: start[cycleKind] ?? "", "data-testid": "calc-start-cycle", "data-path": `start.${cycleKind}`,
    "aria-label": cycleKind === "cycle_start" ? "Current billing cycle started on" : "Next renewal date",
    onchange: (e) => setStart((st) => { st[cycleKind] = e.target.value; }) });
  const credit = (key, label, testid, hint) => {
    const input = h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", value: credits[key] ?? "", "data-testid": testid, "data-path": `start.credits.${key}`,
      placeholder: key === "total" ? "" : "optional",
      oninput: (e) => setStart((st) => {
        st.credits ??= {};
        if (key !== "total" && e.target.value.trim() === "") delete st.credits[key];
        else st.credits[key] = numberOf(e.target);
      }) });
    return field(label, input, hint);
  };
  const trialUsed = h("input", { type: "checkbox", checked: start.trial_used === true, "data-testid": "calc-start-trial-used", "data-path": "start.trial_used",
    onchange: (e) => setStart((st) => { if (e.target.checked) st.trial_used = true; else delete st.trial_used; }) });
  const registered = h("input", { type: "date", value: start.registered ?? "", "data-testid": "calc-start-registered", "data-path": "start.registered",
    onchange: (e) => setStart((st) => { if (e.target.value) st.registered = e.target.value; else delete st.registered; }) });
  const more = "bonus" in credits || "registered" in start;
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Your account today"),
    h("p", { class: "calc-hint" }, "Copy what your dashboard shows (Settings → Account → Manage)."),
    h("div", { class: "calc-row" },
      field("Today's date", date, "The calculator's day 1."),
      field("Your plan", plan),
      h("div", { class: "calc-field", "data-path": "start.cycle" },
        h("span", { class: "calc-label", id: "calc-cycle-label" }, "Current billing cycle"),
        h("div", { class: "calc-inline" }, kind, cycleDate))),
    h("div", { class: "calc-row" },
      credit("total", "Total Credits", "calc-start-total", "The balance your dashboard shows now."),
      credit("topup", "of which Add-On Pack credits", "calc-start-topup",
        "They never expire. Left empty, credits above your monthly allowance count as bonus credits, which the calculator assumes expire when the billing cycle ends."),
      credit("daily", "of which Daily Refreshed Credits", "calc-start-daily",
        `As the dashboard shows them, if today's have arrived. Left empty, the calculator adds today's ${fmt(policy.numbers.daily_credits)} itself.`),
      horizonField(scenario, policy, ctx)),
    h("label", { class: "calc-inline" }, trialUsed, " I have already had a free trial",
      h("small", { class: "calc-hint" }, "(ticked when you choose Plus or Pro, which start with a free trial)")),
    h("details", { class: "calc-more", open: more || null }, h("summary", {}, "More from your dashboard (optional)"),
      h("div", { class: "calc-row" },
        credit("bonus", "of which bonus credits", "calc-start-bonus", "Sign-up and invitation credits."),
        field("Registration date", registered, "Counts the Free billing cycle after a plan ends."))));
}

// "started on" <-> "renews on" converts the date, so the switch alone never makes an error:
// the renewal is a month after the cycle began, clamped to the month's end as the engine
// counts cycles (31 Jan -> 28 Feb), and the cycle began a month before the renewal.
// Clamping loses the day (started on 31 Jan -> renews on 28 Feb): switching straight back
// gives the date the reader had, not 28 Jan, so the switch alone never moves the cycle.
let lastConversion = null; // {kind, value, to, converted}

export function convertCycle(st, to) {
  const from = "renews_on" in st ? "renews_on" : "cycle_start";
  const value = st[from];
  if (from === to) return;
  delete st.cycle_start; delete st.renews_on;
  const back = lastConversion;
  if (back && back.to === from && back.converted === value && back.kind === to) { st[to] = back.value; lastConversion = null; return; }
  if (!isIsoDate(value)) { st[to] = value; return; }
  lastConversion = { kind: from, value, to };
  if (to === "renews_on") { st.renews_on = lastConversion.converted = addMonths(value, 1); return; }
  let start = addMonths(value, -1);
  // Renews on 31 Mar: a month earlier is 28 Feb, whose own cycle ends on 28 Mar. If today is
  // past that, move the start on to the first day whose cycle still holds today.
  if (isIsoDate(st.date)) while (start < st.date && addMonths(start, 1) <= st.date) start = addDays(start, 1);
  st.cycle_start = lastConversion.converted = start;
}

function usageGroup(scenario, policy, ctx) {
  const usage = scenario.usage ?? {};
  const perDay = h("input", { type: "number", min: 0, max: policy.bounds.credits_per_day[1], step: 1, inputmode: "numeric",
    value: Number.isFinite(usage.per_active_day) ? usage.per_active_day : (usage.per_active_day ?? 0), "data-testid": "calc-per-day", "data-path": "usage.per_active_day",
    oninput: (e) => ctx.edit((s) => { (s.usage ??= {}).per_active_day = numberOf(e.target); }) });
  const current = Array.isArray(usage.active_days) ? "custom" : (usage.active_days ?? "every_day");
  const pattern = h("select", { "data-testid": "calc-active-days", "data-path": "usage.active_days",
    onchange: (e) => ctx.edit((s) => {
      s.usage ??= {};
      s.usage.active_days = e.target.value === "custom" ? WEEKDAYS.slice(0, 5) : e.target.value;
    }, { redraw: true }) },
    Object.entries(PATTERNS).map(([value, label]) => h("option", { value }, label)));
  pattern.value = Object.hasOwn(PATTERNS, current) ? current : "every_day";
  const dayBoxes = current === "custom" ? h("fieldset", { class: "calc-weekdays", "data-path": "usage.active_days" },
    h("legend", {}, "Active days"),
    WEEKDAYS.map((day) => h("label", {}, h("input", {
      type: "checkbox", value: day, checked: usage.active_days.includes(day),
      onchange: (e) => ctx.edit((s) => {
        const chosen = new Set(s.usage.active_days);
        if (e.target.checked) chosen.add(day); else chosen.delete(day);
        s.usage.active_days = WEEKDAYS.filter((d) => chosen.has(d));
      }),
    }), ` ${WEEKDAY_NAMES[day]}`))) : null;
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Usage"),
    h("div", { class: "calc-row" },
      field("Credits per active day", perDay, "What your tasks use on a day you work; the dashboard's Credits History shows it."),
      field("Which days", pattern)),
    dayBoxes,
    overridesEditor(scenario, policy, ctx));
}

// Dated usages: a windowed list sorted by date.
function overridesEditor(scenario, policy, ctx) {
  const byDate = scenario.usage?.by_date ?? {};
  const dates = Object.keys(byDate);
  const scroller = h("div", { class: "calc-list", "data-testid": "calc-overrides" });
  const list = windowed({
    container: scroller, scroller, count: dates.length, rowHeight: 40,
    spacer: () => h("div", { class: "calc-spacer", "aria-hidden": "true" }),
    render: (i) => {
      const date = dates[i];
      const path = `usage.by_date['${date}']`;
      const row = h("div", { class: "calc-list-row", "data-testid": "calc-override-row", "data-path": path },
        h("input", { type: "date", value: date, "aria-label": `Day ${i + 1}: date`, "data-focus": `${path}.date`,
          onchange: (e) => {
            const to = e.target.value;
            if (!to || to === date) return;
            ctx.edit((s) => {
              const entries = Object.entries(s.usage.by_date).map(([d, c]) => (d === date ? [to, c] : [d, c]));
              s.usage.by_date = Object.fromEntries(entries);
            }, { redraw: true, focus: `usage.by_date['${to}'].date` });
          } }),
        h("input", { type: "number", min: 0, step: 1, inputmode: "numeric", value: Number.isFinite(byDate[date]) ? byDate[date] : "", "aria-label": `Credits on ${formatDate(date)}`,
          "data-focus": `${path}.credits`,
          oninput: (e) => ctx.edit((s) => { s.usage.by_date[date] = numberOf(e.target); }) }),
        h("button", { type: "button", class: "md-button calc-small", "aria-label": `Remove ${formatDate(date)}`, "data-focus": `${path}.remove`,
          onclick: () => ctx.edit((s) => {
            delete s.usage.by_date[date];
            if (!Object.keys(s.usage.by_date).length) delete s.usage.by_date;
          }, { redraw: true, focus: dates[i + 1] ? `usage.by_date['${dates[i + 1]}'].remove` : "add-override" })}, "Remove"));
      return row;
    },
  });
  ctx.lists.overrides = { list, index: (date) => dates.indexOf(date) };
  return h("div", { class: "calc-sub" }, h("h4", {}, "Days with different usage"),
    dates.length ? h("p", { class: "calc-hint" }, `${fmt(dates.length)} ${dates.length === 1 ? "day" : "days"}; the usage above applies on every other active day.`) : null,
    scroller,
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-override", "data-focus": "add-override",
      onclick: () => ctx.edit((s) => {
        s.usage ??= {};
        s.usage.by_date ??= {};
        const day = freeDay(s, s.usage.by_date);
        s.usage.by_date[day] = s.usage.per_active_day > 0 ? s.usage.per_active_day : 0;
      }, { redraw: true, focus: "new-override" }) }, "Add a day"));
}

// The first simulated day without a dated usage (the first day if all are taken or the window is unknown).
function freeDay(s, taken) {
  const from = firstDay(s);
  if (!isIsoDate(from)) return todayIso();
  const count = Number.isInteger(s.days) ? Math.min(s.days, 3660) : 1;
  for (let i = 0; i < count; i++) { const d = addDays(from, i); if (!(d in taken)) return d; }
  return from;
}

function pricesGroup(scenario, policy, ctx) {
  const paid = Object.entries(policy.plans).filter(([, p]) => p.price_usd > 0);
  const priceField = ([key, plan]) => {
    const own = scenario.prices?.[key];
    const input = h("input", { type: "number", min: policy.bounds.price_usd[0], max: policy.bounds.price_usd[1], step: 0.01, inputmode: "decimal",
      value: own ?? plan.price_usd, "data-testid": `calc-price-${key}`, "data-path": `prices.${key}`,
      oninput: (e) => ctx.edit((s) => {
        const value = numberOf(e.target);
        s.prices ??= {};
        if (value === plan.price_usd) delete s.prices[key]; else s.prices[key] = value;
        if (!Object.keys(s.prices).length) delete s.prices;
      }) });
    const hint = own === undefined ? "the calculator's setting, not an official price" : `your price (the calculator's setting is ${usd(plan.price_usd)})`;
    return field(`${plan.label}, USD a month`, input, hint);
  };
  const pack = h("input", { type: "number", min: policy.bounds.topup_usd[0], max: policy.bounds.topup_usd[1], step: 1, inputmode: "numeric",
    value: scenario.pack_usd ?? policy.numbers.pack_usd, "data-testid": "calc-pack-usd", "data-path": "pack_usd",
    oninput: (e) => ctx.edit((s) => {
      const value = numberOf(e.target);
      if (value === policy.numbers.pack_usd) delete s.pack_usd; else s.pack_usd = value;
    }) });
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Prices"),
    h("p", { class: "calc-hint" }, "Enter the prices you see in the app. Eigent publishes no prices for Plus and Pro; the values filled in are settings of this calculator."),
    h("div", { class: "calc-row" }, paid.map(priceField),
      field("Add-On Pack size for the plan advice, USD", pack, `${fmt(policy.numbers.credits_per_usd)} credits per USD`)));
}

function invitesGroup(scenario, ctx) {
  const invites = scenario.invites ?? [];
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Invited friends"),
    h("p", { class: "calc-hint" }, "Dates on which a friend registers with your invitation code."),
    h("div", { class: "calc-list", "data-path": "invites" }, invites.map((date, i) => h("div", { class: "calc-list-row", "data-testid": "calc-invite-row" },
      h("input", { type: "date", value: date ?? "", "aria-label": `Friend ${i + 1} registers on`, "data-path": `invites[${i}]`,
        onchange: (e) => ctx.edit((s) => { s.invites[i] = e.target.value; }) }),
      h("button", { type: "button", class: "md-button calc-small", "aria-label": `Remove friend ${i + 1}`, "data-focus": `invites[${i}].remove`,
        onclick: () => ctx.edit((s) => { s.invites.splice(i, 1); if (!s.invites.length) delete s.invites; },
          { redraw: true, focus: i + 1 < invites.length ? `invites[${i}].remove` : "add-invite" }) }, "Remove")))),
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-invite", "data-focus": "add-invite",
      onclick: () => ctx.edit((s) => { (s.invites ??= []).push(firstDay(s)); }, { redraw: true, focus: `invites[${invites.length}]` }) }, "Add a friend"));
}

function eventsGroup(scenario, policy, ctx) {
  const events = Array.isArray(scenario.events) ? scenario.events : [];
  const scroller = h("div", { class: "calc-events", "data-testid": "calc-events", "data-path": "events" });
  const list = windowed({
    container: scroller, scroller, count: events.length, rowHeight: 44,
    spacer: () => h("div", { class: "calc-spacer", "aria-hidden": "true" }),
    render: (i) => eventRow(events, i, policy, ctx),
  });
  ctx.lists.events = { list, index: (i) => i };
  const none = Boolean(scenario.start) ? "No events: your plan runs on as it is." : "No events: the account stays on Free.";
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "What you do"),
    h("p", { class: "calc-hint" }, events.length ? "Events happen in date order; those on the same day in the order listed." : none),
    scroller,
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-event", "data-focus": "add-event",
      onclick: () => ctx.edit((s) => {
        s.events = Array.isArray(s.events) ? s.events : [];
        const last = s.events[s.events.length - 1];
        const date = last ? last.date : firstDay(s);
        // After a subscription, the likely next step is cancelling it; otherwise a subscription,
        // with a free trial where one is still possible (a new account, or Free without one yet).
        const trial = !s.start || (s.start.plan === "free" && !s.start.trial_used);
        s.events.push(last?.type === "subscribe" ? { date, type: "cancel" } : { date, type: "subscribe", plan: "plus", trial });
      }, { redraw: true, focus: `events[${events.length}].type` }) }, "Add an event"));
}

function eventRow(events, i, policy, ctx) {
  const event = events[i] && typeof events[i] === "object" ? events[i] : {};
  const n = i + 1;
  const set = (change, redraw = false) => ctx.edit((s) => change(s.events[i]), { redraw, focus: redraw ? `events[${i}].type` : undefined });
  const type = h("select", { "data-testid": "event-type", "aria-label": `Event ${n}: what happens`, "data-path": `events[${i}].type`,
    onchange: (e) => set((ev) => {
      const date = ev.date;
      for (const key of Object.keys(ev)) delete ev[key];
      Object.assign(ev, { date, type: e.target.value });
      if (ev.type === "subscribe") Object.assign(ev, { plan: "plus", trial: false });
      if (ev.type === "topup") ev.usd = policy.numbers.pack_usd;
      if (ev.type === "cancel_topup") ev.of = events.slice(0, i).reverse().find((x) => x?.type === "topup")?.date ?? date;
    }, true) }, Object.entries(EVENT_TYPES).map(([value, label]) => h("option", { value }, label)));
  type.value = Object.hasOwn(EVENT_TYPES, event.type) ? event.type : "subscribe";
  const cells = [
    h("span", { class: "calc-event__n", "aria-hidden": "true" }, `${n}.`),
    h("input", { type: "date", value: isIsoDate(event.date) ? event.date : "", "data-testid": "event-date", "aria-label": `Event ${n}: date`, "data-path": `events[${i}].date`,
      onchange: (e) => set((ev) => { ev.date = e.target.value; }) }),
    type,
  ];
  const details = h("span", { class: "calc-event__details" });
  if (event.type === "subscribe") {
    const plan = h("select", { "data-testid": "event-plan", "aria-label": `Event ${n}: plan`, "data-path": `events[${i}].plan`,
      onchange: (e) => set((ev) => { ev.plan = e.target.value; }) },
      Object.entries(policy.plans).filter(([, p]) => p.price_usd > 0).map(([key, p]) => h("option", { value: key }, p.label)));
    plan.value = event.plan;
    details.append(plan, h("label", { class: "calc-inline" }, h("input", { type: "checkbox", checked: event.trial === true, "data-testid": "event-trial", "data-path": `events[${i}].trial`,
      onchange: (e) => set((ev) => { ev.trial = e.target.checked; }) }), " free trial"));
  } else if (event.type === "topup") {
    details.append(h("label", { class: "calc-inline" }, h("input", { type: "number", min: policy.bounds.topup_usd[0], max: policy.bounds.topup_usd[1], step: 1, inputmode: "numeric",
      value: Number.isFinite(event.usd) ? event.usd : "", "data-testid": "event-usd", "aria-label": `Event ${n}: amount in USD`, "data-path": `events[${i}].usd`,
      oninput: (e) => set((ev) => { ev.usd = numberOf(e.target); }) }), " USD"));
  } else if (event.type === "cancel_topup") {
    details.append(packChoice(events, i, ctx));
  }
  cells.push(details, h("button", { type: "button", class: "md-button calc-small", "data-testid": "event-remove", "aria-label": `Remove event ${n}`, "data-focus": `events[${i}].remove`,
    onclick: () => ctx.edit((s) => { s.events.splice(i, 1); }, { redraw: true, focus: i + 1 < events.length ? `events[${i}].remove` : "add-event" }) }, "Remove"));
  return h("div", { class: "calc-event", "data-testid": "calc-event-row", "data-path": `events[${i}]` }, cells);
}

// Which Add-On Pack a cancel refers to: one of the packs listed before it. Two packs bought
// on one day are told apart by an id.
function packChoice(events, i, ctx) {
  const event = events[i];
  const packs = events.slice(0, i).map((e, j) => [e, j]).filter(([e]) => e?.type === "topup");
  const chosen = packs.find(([e]) => (event.id !== undefined ? e.id === event.id : e.date === event.of && e.id === undefined))
    ?? packs.find(([e]) => e.date === event.of);
  const select = h("select", { "data-testid": "event-of", "aria-label": `Event ${i + 1}: which Add-On Pack`, "data-path": `events[${i}].${event.id !== undefined ? "id" : "of"}`,
    onchange: (e) => ctx.edit((s) => {
      const j = Number(e.target.value);
      const pack = s.events[j];
      const sameDay = s.events.filter((x, k) => k !== j && x?.type === "topup" && x.date === pack.date).length > 0;
      delete s.events[i].of; delete s.events[i].id;
      if (sameDay) { pack.id ??= `pack-${j + 1}`; s.events[i].id = pack.id; } else s.events[i].of = pack.date;
    }, { redraw: true, focus: `events[${i}].type` }) },
    chosen ? null : h("option", { value: "" }, event.of ? `bought on ${formatDate(event.of)} (not listed above)` : "choose a pack listed above"),
    packs.map(([e, j]) => h("option", { value: String(j) }, `Event ${j + 1}: ${Number.isFinite(e.usd) ? usd(e.usd) : "?"} on ${isIsoDate(e.date) ? formatDate(e.date) : "?"}`)));
  select.value = chosen ? String(chosen[1]) : "";
  return select;
}

function assumptionsPanel(scenario, policy, ctx) {
  const changed = Object.keys(scenario.policy ?? {}).length;
  const rows = policy.settings.filter((setting) => setting.choices.length > 1).map((setting) => {
    const select = h("select", { "data-testid": `setting-${setting.key}`, "data-path": `policy.${setting.key}`,
      onchange: (e) => ctx.edit((s) => {
        s.policy ??= {};
        if (e.target.value === setting.default) delete s.policy[setting.key];
        else s.policy[setting.key] = e.target.value;
        if (!Object.keys(s.policy).length) delete s.policy;
      }, { redraw: true, focus: `policy.${setting.key}` }) },
      setting.choices.map(({ value, text }, k) => h("option", { value }, `${value === setting.default ? "Default" : `Option ${k + 1}`}: ${clip(text)}`)));
    select.value = scenario.policy?.[setting.key] ?? setting.default;
    const inForce = setting.choices.find((c) => c.value === select.value) ?? setting.choices[0];
    return h("div", { class: "calc-setting" },
      field(setting.title, select),
      h("p", {}, setting.basis === "published" ? "Eigent publishes this rule. " : "Eigent hasn't published this; the calculator assumes: ",
        inForce.text, " ", h("a", { href: `../assumptions/#${setting.key}` }, "More about this")));
  });
  return h("details", { class: "calc-assumptions", open: changed ? true : null }, h("summary", {}, changed ? `Assumptions (${changed} changed)` : "Assumptions"),
    h("p", { class: "calc-hint" }, "Where Eigent's published rules leave a choice open, the calculator makes one; here you can try the others. ",
      h("a", { href: "../assumptions/" }, "All assumptions explained")), rows);
}

const clip = (text) => (text.length > 90 ? `${text.slice(0, 88).replace(/\s+\S*$/, "")}…` : text);
