// The scenario form. `scenario` (the engine's JSON contract) is the one state; the
// form reads it to draw itself and writes every edit back, then calls `changed()`.

import { addMonths, daysBetween, h } from "./dom.js";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const PATTERNS = { every_day: "Every day", weekdays: "Weekdays (Mon–Fri)", weekends: "Weekends", custom: "Chosen days" };
const EVENT_TYPES = { subscribe: "Subscribe", topup: "Buy an Add-On Pack", cancel: "Cancel the subscription", cancel_topup: "Cancel an Add-On Pack" };

let fieldId = 0;
const nextId = (name) => `calc-${name}-${++fieldId}`;

function field(label, input, hint) {
  const id = input.id || (input.id = nextId("field"));
  return h("div", { class: "calc-field" }, h("label", { for: id }, label), input, hint ? h("small", {}, hint) : null);
}

export function monthsOf(scenario) {
  const end = scenario.registered && scenario.days ? scenario.registered : null;
  if (!end) return 3;
  for (let m = 1; m <= 120; m++) if (daysBetween(scenario.registered, addMonths(scenario.registered, m)) >= scenario.days) return m;
  return 120;
}

export function renderForm(root, scenario, policy, changed) {
  const usage = (scenario.usage ??= {});
  const update = () => changed();

  const registered = h("input", { type: "date", value: scenario.registered ?? "", "data-testid": "calc-registered", required: true,
    onchange: (e) => { const months = monthsOf(scenario); scenario.registered = e.target.value; setMonths(months); update(); } });
  const months = h("input", { type: "number", min: 1, max: 120, step: 1, value: monthsOf(scenario), "data-testid": "calc-months",
    oninput: (e) => { setMonths(Math.max(1, Math.min(120, Math.round(Number(e.target.value) || 1)))); update(); } });
  const daysNote = h("small", { class: "calc-days-note" });
  function setMonths(m) {
    if (!scenario.registered) return;
    scenario.days = Math.min(policy.bounds.days[1], daysBetween(scenario.registered, addMonths(scenario.registered, m)));
    daysNote.textContent = `${scenario.days} days simulated`;
  }
  daysNote.textContent = `${scenario.days ?? "?"} days simulated`;

  const perDay = h("input", { type: "number", min: 0, max: policy.bounds.credits_per_day[1], step: 1, value: usage.per_active_day ?? 0,
    "data-testid": "calc-per-day", oninput: (e) => { usage.per_active_day = e.target.value === "" ? 0 : Number(e.target.value); update(); } });

  const current = Array.isArray(usage.active_days) ? "custom" : (usage.active_days ?? "every_day");
  const dayBoxes = h("fieldset", { class: "calc-weekdays", hidden: current !== "custom" },
    h("legend", {}, "Active days"),
    WEEKDAYS.map((day) => h("label", {}, h("input", {
      type: "checkbox", value: day, checked: Array.isArray(usage.active_days) && usage.active_days.includes(day),
      onchange: () => { usage.active_days = WEEKDAYS.filter((d) => dayBoxes.querySelector(`input[value="${d}"]`).checked); update(); },
    }), ` ${day[0].toUpperCase()}${day.slice(1)}`)));
  const pattern = h("select", { "data-testid": "calc-active-days",
    onchange: (e) => {
      const value = e.target.value;
      dayBoxes.hidden = value !== "custom";
      usage.active_days = value === "custom" ? WEEKDAYS.slice(0, 5) : value;
      for (const box of dayBoxes.querySelectorAll("input")) box.checked = value === "custom" && usage.active_days.includes(box.value);
      update();
    } }, Object.entries(PATTERNS).map(([value, label]) => h("option", { value, selected: value === current ? true : null }, label)));
  pattern.value = Object.hasOwn(PATTERNS, current) ? current : "every_day";

  root.replaceChildren(
    h("fieldset", { class: "calc-group" }, h("legend", {}, "Your account"),
      h("div", { class: "calc-row" },
        field("Registration date", registered),
        field("Horizon in months", months, daysNote))),
    h("fieldset", { class: "calc-group" }, h("legend", {}, "Usage"),
      h("div", { class: "calc-row" },
        field("Credits per active day", perDay),
        field("Which days", pattern)),
      dayBoxes,
      overridesEditor(usage, update)),
    invitesEditor(scenario, update),
    eventsEditor(scenario, policy, update),
    assumptionsPanel(scenario, policy, update),
  );
}

function overridesEditor(usage, update) {
  const list = h("div", { class: "calc-list" });
  const draw = () => {
    const entries = Object.entries(usage.by_date ?? {});
    list.replaceChildren(...entries.map(([date, credits]) => {
      const row = h("div", { class: "calc-list-row", "data-testid": "calc-override-row" });
      const dateInput = h("input", { type: "date", value: date, "aria-label": "Date",
        onchange: (e) => { rename(date, e.target.value, credits); } });
      const creditsInput = h("input", { type: "number", min: 0, step: 1, value: credits, "aria-label": `Credits on ${date}`,
        oninput: (e) => { usage.by_date[date] = Number(e.target.value); update(); } });
      row.append(dateInput, creditsInput, h("button", { type: "button", class: "md-button calc-small", "aria-label": `Remove ${date}`,
        onclick: () => { delete usage.by_date[date]; if (!Object.keys(usage.by_date).length) delete usage.by_date; draw(); update(); } }, "Remove"));
      return row;
    }));
  };
  const rename = (from, to, credits) => {
    if (!to || to === from) return;
    delete usage.by_date[from];
    usage.by_date[to] = credits;
    draw(); update();
  };
  draw();
  return h("div", { class: "calc-sub" }, h("h4", {}, "Days with different usage"), list,
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-override",
      onclick: () => { usage.by_date ??= {}; let d = new Date().toISOString().slice(0, 10); usage.by_date[d] = usage.by_date[d] ?? 0; draw(); update(); } },
      "Add a day"));
}

function invitesEditor(scenario, update) {
  const list = h("div", { class: "calc-list" });
  const draw = () => {
    const invites = scenario.invites ?? [];
    list.replaceChildren(...invites.map((date, i) => h("div", { class: "calc-list-row", "data-testid": "calc-invite-row" },
      h("input", { type: "date", value: date, "aria-label": `Friend ${i + 1} registered on`, onchange: (e) => { invites[i] = e.target.value; update(); } }),
      h("button", { type: "button", class: "md-button calc-small", "aria-label": `Remove friend ${i + 1}`,
        onclick: () => { invites.splice(i, 1); if (!invites.length) delete scenario.invites; draw(); update(); } }, "Remove"))));
  };
  draw();
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "Invited friends"),
    h("p", { class: "calc-hint" }, "Dates on which a friend registered with your invitation code."),
    list,
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-invite",
      onclick: () => { (scenario.invites ??= []).push(scenario.registered); draw(); update(); } }, "Add a friend"));
}

function eventsEditor(scenario, policy, update) {
  const list = h("div", { class: "calc-events" });
  const draw = () => {
    const events = scenario.events ?? [];
    list.replaceChildren(...events.map((event, i) => eventRow(event, i, events, policy, () => { draw(); update(); }, update)));
    if (!events.length) list.append(h("p", { class: "calc-hint" }, "No events: the account stays on Free."));
  };
  draw();
  return h("fieldset", { class: "calc-group" }, h("legend", {}, "What you do"),
    h("p", { class: "calc-hint" }, "Events on the same day happen in the order listed."),
    list,
    h("button", { type: "button", class: "md-button calc-small", "data-testid": "calc-add-event",
      onclick: () => {
        (scenario.events ??= []).push({ date: scenario.registered, type: "subscribe", plan: "plus", trial: true });
        draw(); update();
      } }, "Add an event"));
}

function eventRow(event, index, events, policy, redraw, update) {
  const type = h("select", { "data-testid": "event-type", "aria-label": `Event ${index + 1} type`,
    onchange: (e) => {
      const date = event.date;
      for (const key of Object.keys(event)) delete event[key];
      Object.assign(event, { date, type: e.target.value });
      if (event.type === "subscribe") Object.assign(event, { plan: "plus", trial: false });
      if (event.type === "topup") event.usd = 10;
      if (event.type === "cancel_topup") event.of = events.find((x) => x.type === "topup")?.date ?? date;
      redraw();
    } }, Object.entries(EVENT_TYPES).map(([value, label]) => h("option", { value }, label)));
  type.value = event.type;
  const cells = [
    h("input", { type: "date", value: event.date ?? "", "data-testid": "event-date", "aria-label": `Event ${index + 1} date`,
      onchange: (e) => { event.date = e.target.value; update(); } }),
    type,
  ];
  if (event.type === "subscribe") {
    const plan = h("select", { "data-testid": "event-plan", "aria-label": `Event ${index + 1} plan`, onchange: (e) => { event.plan = e.target.value; update(); } },
      ["plus", "pro"].map((p) => h("option", { value: p }, policy.plans[p].label)));
    plan.value = event.plan;
    cells.push(plan, h("label", { class: "calc-inline" }, h("input", { type: "checkbox", checked: event.trial === true, "data-testid": "event-trial",
      onchange: (e) => { event.trial = e.target.checked; update(); } }), " with the free trial"));
  } else if (event.type === "topup") {
    cells.push(h("label", { class: "calc-inline" }, h("input", { type: "number", min: policy.bounds.topup_usd[0], max: policy.bounds.topup_usd[1], step: 1,
      value: event.usd ?? "", "data-testid": "event-usd", "aria-label": `Event ${index + 1} amount in USD`,
      oninput: (e) => { event.usd = Number(e.target.value); update(); } }), " USD"));
  } else if (event.type === "cancel_topup") {
    cells.push(h("label", { class: "calc-inline" }, "bought on ", h("input", { type: "date", value: event.of ?? "", "data-testid": "event-of",
      "aria-label": `Event ${index + 1}: date of the Add-On Pack`, onchange: (e) => { event.of = e.target.value; update(); } })));
  }
  cells.push(h("button", { type: "button", class: "md-button calc-small", "data-testid": "event-remove", "aria-label": `Remove event ${index + 1}`,
    onclick: () => { events.splice(index, 1); redraw(); } }, "Remove"));
  return h("div", { class: "calc-event", "data-testid": "calc-event-row" }, cells);
}

function assumptionsPanel(scenario, policy, update) {
  const rows = policy.settings.map((setting) => {
    const select = h("select", { "data-testid": `setting-${setting.key}`, disabled: setting.choices.length < 2 ? true : null,
      onchange: (e) => {
        scenario.policy ??= {};
        if (e.target.value === setting.default) delete scenario.policy[setting.key];
        else scenario.policy[setting.key] = e.target.value;
        if (!Object.keys(scenario.policy).length) delete scenario.policy;
        update();
      } }, setting.choices.map(({ value: c }) => h("option", { value: c }, c === setting.default ? `${c} (default)` : c)));
    select.value = scenario.policy?.[setting.key] ?? setting.default;
    return h("div", { class: "calc-setting" },
      field(setting.key, select),
      h("p", {}, setting.choices.find((c) => c.value === setting.default).text, " ", h("a", { href: `../assumptions/#${setting.key}` }, `More about ${setting.key}`)));
  });
  return h("details", { class: "calc-assumptions" }, h("summary", {}, "Assumptions"),
    h("p", { class: "calc-hint" }, "How the calculator reads the rules Eigent leaves open. ",
      h("a", { href: "../assumptions/" }, "All assumptions explained")), rows);
}
