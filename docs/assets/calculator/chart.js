// The balance chart: credits by kind (stacked areas) over the simulated days, money spent
// so far beneath it on the same time axis, restricted days and events marked. Drawn as SVG
// at the container's pixel width (text stays readable on a phone), coloured by CSS
// variables (both palettes), no library and no network. A readout follows the pointer and
// the arrow keys: date, each kind of credit, balance, money spent so far.

import { BUCKETS, RESTRICTED_MEANS, planLabel } from "./results.js";
import { cents, fmt, formatDate, h, monthName, num, perFrame, s, shortDate, usdFromCents, fill } from "./dom.js";

const EVENT_WORDS = {
  subscribe: (e) => `subscribe to ${planLabel(e.plan)}${e.trial ? " with a free trial" : ""}`,
  topup: (e) => `buy an Add-On Pack of ${e.usd} USD`, cancel: () => "cancel the subscription", cancel_topup: () => "cancel an Add-On Pack",
};

// Round tick values: steps of 1, 2 or 5 times a power of ten, about `count` of them.
export function niceTicks(max, count = 4) {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((st) => st >= raw);
  const ticks = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 100) / 100);
  return ticks;
}

// Date ticks whose labels never collide: days (every 1, 2, 7 or 14), months (every 1, 2, 3
// or 6) or years (every 1, 2, 5 or 10, on round years), the year written on the first tick
// and wherever it changes. Each label's extent is where the chart draws it: centred on its
// tick, or pushed inside the plot at either end (`anchor`), about CHAR_PX a character.
const CHAR_PX = 6.6, LABEL_GAP = 10;
export function dateTicks(first, count, width) {
  const x = (i) => (count === 1 ? width / 2 : (i * width) / (count - 1));
  const dates = [];
  for (let i = 0; i < count; i++) dates.push(new Date(Date.parse(`${first}T00:00:00Z`) + i * 86400000).toISOString().slice(0, 10));
  const place = (t) => {
    const w = t.label.length * CHAR_PX;
    const from = Math.min(Math.max(0, x(t.i) - w / 2), Math.max(0, width - w));
    const anchor = from === 0 && x(t.i) - w / 2 < 0 ? "start" : from < x(t.i) - w / 2 - 0.01 ? "end" : "middle";
    return { ...t, from, to: from + w, anchor };
  };
  const fits = (ticks) => ticks.every((t, k) => k === 0 || t.from - ticks[k - 1].to >= LABEL_GAP);
  const label = (d, previous, unit) => {
    const [y, m] = d.split("-").map(Number);
    const year = !previous || previous.slice(0, 4) !== d.slice(0, 4);
    if (unit === "year") return String(y);
    if (unit === "month") return year ? `${monthName(m)} ${y}` : monthName(m);
    return year ? `${shortDate(d)} ${y}` : shortDate(d);
  };
  const labelled = (picked, unit) => picked.map((t, k) => place({ ...t, label: label(t.d, picked[k - 1]?.d, unit) }));
  const all = dates.map((d, i) => ({ d, i }));
  const candidates = [];
  if (count <= 120) for (const step of [1, 2, 7, 14]) candidates.push(() => labelled(all.filter(({ i }) => i % step === 0), "day"));
  for (const step of [1, 2, 3, 6]) {
    candidates.push(() => labelled(all.filter(({ d }) => d.endsWith("-01") && (Number(d.slice(5, 7)) - 1) % step === 0), "month"));
  }
  for (const step of [1, 2, 5, 10, 20, 50]) {
    candidates.push(() => labelled(all.filter(({ d }) => d.endsWith("-01-01") && Number(d.slice(0, 4)) % step === 0), "year"));
  }
  for (const make of candidates) {
    const ticks = make();
    if (ticks.length >= 2 && fits(ticks)) return ticks;
  }
  // Nothing regular fits (a day or two, or a very narrow chart): the first day, and the last if it fits.
  const ends = labelled(count > 1 ? [all[0], all[count - 1]] : [all[0]], "day");
  return fits(ends) ? ends : ends.slice(0, 1);
}

export function renderChart(root, result, { events = [], compare = null } = {}) {
  const days = result.days;
  const present = BUCKETS.filter(([key]) => days.some((d) => d.buckets[key] > 0));
  const spent = [];
  let total = 0;
  const charges = [...result.charges];
  for (let i = 0, c = 0; i < days.length; i++) {
    while (c < charges.length && charges[c].date <= days[i].date) total += cents(charges[c++].usd);
    spent.push(total);
  }
  const index = new Map(days.map((d, i) => [d.date, i]));
  const marked = events.filter((e) => e && index.has(e.date));
  const restrictedCount = days.filter((d) => d.restricted).length;
  const moneyShown = spent.some((v) => v !== 0);

  const figure = h("div", { class: "calc-chart-plot", tabindex: "0", role: "group", "data-testid": "calc-chart-plot",
    "aria-label": "Balance chart. Use the left and right arrow keys to read it day by day, Page Up and Page Down for a month, Home and End." });
  const readout = h("div", { class: "calc-readout", "data-testid": "calc-readout" });
  const legend = h("ul", { class: "calc-legend" },
    present.map(([key, label]) => h("li", {}, h("span", { class: `calc-swatch calc-area--${key}` }), label)),
    restrictedCount ? h("li", {}, h("span", { class: "calc-swatch calc-restricted" }), "Restricted day") : null,
    marked.length ? h("li", {}, h("span", { class: "calc-swatch calc-swatch--event" }), "Event") : null,
    compare ? h("li", {}, h("span", { class: "calc-swatch calc-swatch--compare" }), "Balance in A (pinned)") : null,
    moneyShown ? h("li", {}, h("span", { class: "calc-swatch calc-swatch--money" }), "Money spent so far") : null);
  const alt = h("p", { class: "calc-visually-hidden", id: "calc-chart-desc" }, describe(result, spent, present));
  fill(root, figure, readout, legend, alt);

  let current = null; // the day the readout shows
  const geometry = { width: 0 };
  const draw = () => {
    const width = Math.max(280, Math.round(figure.clientWidth || root.clientWidth || 720));
    if (width === geometry.width) return;
    geometry.width = width;
    Object.assign(geometry, layout(width, moneyShown));
    fill(figure, svg(geometry));
    if (current !== null) show(current);
  };

  function layout(width, money) {
    const left = 52, right = 14, top = 24, creditsH = width < 500 ? 150 : 190, gap = money ? 36 : 0, moneyH = money ? (width < 500 ? 56 : 70) : 0, bottom = 34;
    const plotW = width - left - right;
    const height = top + creditsH + gap + moneyH + bottom;
    const totals = days.map((d) => present.reduce((a, [k]) => a + Math.max(0, d.buckets[k]), 0));
    const compareTotals = compare ? compare.days.map((d) => ({ date: d.date, v: Math.max(0, d.balance) })) : [];
    const yTicks = niceTicks(Math.max(1, ...totals, ...compareTotals.map((c) => c.v)));
    const yMax = yTicks[yTicks.length - 1];
    const mTicks = money ? niceTicks(Math.max(1, ...spent.map((c) => c / 100)), 2) : [];
    const mMax = money ? mTicks[mTicks.length - 1] : 1;
    const x = (i) => left + (days.length === 1 ? plotW / 2 : (i * plotW) / (days.length - 1));
    const y = (v) => top + creditsH - (v / yMax) * creditsH;
    const mTop = top + creditsH + gap;
    const my = (c) => mTop + moneyH - (c / 100 / mMax) * moneyH;
    return { left, right, top, creditsH, moneyH, mTop, plotW, height, totals, compareTotals, yTicks, mTicks, x, y, my };
  }

  // At most one point per pixel column (the day with the most credits in it): a 10-year
  // scenario has 3,653 days, far more than a chart has columns.
  function sampled(plotW) {
    const per = Math.max(1, Math.floor(days.length / plotW));
    if (per === 1) return days.map((_, i) => i);
    const out = [];
    for (let i = 0; i < days.length; i += per) {
      let best = i;
      for (let j = i; j < Math.min(days.length, i + per); j++) if (days[j].balance > days[best].balance) best = j;
      out.push(best);
    }
    if (out[out.length - 1] !== days.length - 1) out.push(days.length - 1);
    return out;
  }

  function svg(g) {
    const { left, top, creditsH, plotW, height, x, y, my, mTop, moneyH } = g;
    const picks = sampled(plotW);
    const layers = [];
    const base = picks.map(() => 0);
    for (const [key, label] of present) {
      const upper = picks.map((i, k) => base[k] + Math.max(0, days[i].buckets[key]));
      const line = upper.map((v, k) => `${x(picks[k]).toFixed(1)},${y(v).toFixed(1)}`);
      const back = base.map((v, k) => `${x(picks[k]).toFixed(1)},${y(v).toFixed(1)}`).reverse();
      layers.push(s("polygon", { points: [...line, ...back].join(" "), class: `calc-area calc-area--${key}` }, s("title", {}, label)));
      upper.forEach((v, k) => { base[k] = v; });
    }
    // Restricted days as one mark per run of consecutive days.
    const slot = plotW / days.length;
    const restricted = [];
    for (let i = 0; i < days.length; i++) {
      if (!days[i].restricted) continue;
      let j = i;
      while (j + 1 < days.length && days[j + 1].restricted) j++;
      const from = Math.max(left, x(i) - slot / 2), to = Math.min(left + plotW, x(j) + slot / 2);
      restricted.push(s("rect", { x: Math.min(from, left + plotW - 1.5), y: top + creditsH + 2, width: Math.max(1.5, to - from), height: 6, class: "calc-restricted" }));
      i = j;
    }
    const compareLine = compare ? s("polyline", { class: "calc-compare-line",
      points: g.compareTotals.filter((c) => index.has(c.date)).map((c) => `${x(index.get(c.date)).toFixed(1)},${y(c.v).toFixed(1)}`).join(" ") }) : null;
    const markers = marked.map((e) => s("line", { class: "calc-marker", x1: x(index.get(e.date)), x2: x(index.get(e.date)), y1: top, y2: top + creditsH }));
    const yAxis = g.yTicks.map((v) => s("g", { class: "calc-axis", "data-axis": "credits" },
      s("line", { x1: left, x2: left + plotW, y1: y(v), y2: y(v) }), s("text", { x: left - 6, y: y(v) + 4, "text-anchor": "end" }, axisLabel(v, g.yTicks))));
    const money = moneyHeight(g);
    const xTicks = dateTicks(days[0].date, days.length, plotW).map((t) => s("g", { class: "calc-axis", "data-axis": "dates" },
      s("line", { x1: x(t.i), x2: x(t.i), y1: top + creditsH + 9, y2: top + creditsH + 13 }),
      s("text", { x: t.anchor === "start" ? left + t.from : t.anchor === "end" ? left + t.to : x(t.i), y: height - 14, "text-anchor": t.anchor }, t.label)));
    g.cursor = s("line", { class: "calc-cursor", x1: 0, x2: 0, y1: top, y2: money ? mTop + moneyH : top + creditsH, visibility: "hidden" });
    const hit = s("rect", { x: left, y: top, width: plotW, height: (money ? mTop + moneyH : top + creditsH) - top, class: "calc-hit" });
    const at = (ev) => { const r = hit.getBoundingClientRect(); show(Math.round(((ev.clientX - r.left) / r.width) * (days.length - 1))); };
    hit.addEventListener("pointermove", at);
    hit.addEventListener("pointerdown", at); // a tap on a touch screen moves no pointer: read the day under the finger
    hit.addEventListener("pointerleave", () => { if (document.activeElement !== figure) hide(); });
    return s("svg", { width: g.left + plotW + g.right, height, viewBox: `0 0 ${g.left + plotW + g.right} ${height}`, role: "img",
      "aria-labelledby": "calc-chart-title", "aria-describedby": "calc-chart-desc", class: "calc-chart-svg" },
      s("title", { id: "calc-chart-title" }, `Credits by kind and money spent, ${formatDate(days[0].date)} to ${formatDate(days[days.length - 1].date)}`),
      s("text", { x: 4, y: 11, class: "calc-axis calc-unit" }, "credits"),
      yAxis, layers, compareLine, markers, restricted, money, xTicks, g.cursor, hit);
  }

  function moneyHeight(g) {
    if (!moneyShown) return null;
    const { left, plotW, x, my, mTop, moneyH } = g;
    const points = [`${x(0).toFixed(1)},${my(spent[0]).toFixed(1)}`]; // a step line: a point only where the total changes
    spent.forEach((c, i) => { if (i > 0 && c !== spent[i - 1]) points.push(`${x(i).toFixed(1)},${my(spent[i - 1]).toFixed(1)}`, `${x(i).toFixed(1)},${my(c).toFixed(1)}`); });
    points.push(`${x(spent.length - 1).toFixed(1)},${my(spent[spent.length - 1]).toFixed(1)}`);
    return s("g", {},
      // The unit's line sits above the top tick's label (which reaches 4 px above the tick), clear of both axes.
      s("text", { x: 4, y: mTop - 12, class: "calc-axis calc-unit" }, "USD spent so far"),
      g.mTicks.map((v) => s("g", { class: "calc-axis", "data-axis": "money" }, s("line", { x1: left, x2: left + plotW, y1: my(v * 100), y2: my(v * 100) }),
        s("text", { x: left - 6, y: my(v * 100) + 4, "text-anchor": "end" }, axisLabel(v, g.mTicks)))),
      s("polyline", { class: "calc-money-line", points: points.join(" ") }),
      s("line", { class: "calc-axis-base", x1: left, x2: left + plotW, y1: mTop + moneyH, y2: mTop + moneyH }));
  }

  function show(i) {
    i = Math.max(0, Math.min(days.length - 1, i));
    current = i;
    const d = days[i];
    const g = geometry;
    if (g.cursor) { g.cursor.setAttribute("x1", g.x(i)); g.cursor.setAttribute("x2", g.x(i)); g.cursor.setAttribute("visibility", "visible"); }
    const happened = marked.filter((e) => e.date === d.date).map((e) => EVENT_WORDS[e.type]?.(e) ?? e.type);
    fill(readout, 
      h("strong", {}, `${formatDate(d.date)}, day ${i + 1}`), ` · Plan: ${planLabel(d.plan)}`,
      d.restricted ? h("span", { class: "calc-readout__restricted" }, " · restricted") : null,
      happened.length ? ` · ${happened.length === 1 ? "Event" : "Events"}: ${happened.join(", ")}` : null,
      h("span", { class: "calc-readout__values" },
        present.map(([key, label]) => h("span", {}, h("span", { class: `calc-swatch calc-area--${key}` }), `${label}: ${fmt(d.buckets[key])}`)),
        h("span", {}, `Balance: ${num(d.balance)}${d.balance < 0 ? " (shown as 0)" : ""}`),
        compare ? h("span", {}, `A: ${compareBalance(d.date)}`) : null,
        h("span", {}, `Spent so far: ${usdFromCents(spent[i])}`)));
    readout.dataset.day = String(i + 1);
  }
  const compareDays = compare ? new Map(compare.days.map((d) => [d.date, d])) : null;
  const compareBalance = (date) => (compareDays.has(date) ? num(compareDays.get(date).balance) : "not simulated");
  function hide() {
    current = null;
    geometry.cursor?.setAttribute("visibility", "hidden");
    fill(readout, h("span", { class: "calc-hint" }, "Point at or tap the chart, or focus it and use the arrow keys, to read the values of a day."));
    delete readout.dataset.day;
  }

  figure.addEventListener("keydown", (ev) => {
    const step = { ArrowRight: 1, ArrowLeft: -1, PageDown: 30, PageUp: -30 }[ev.key];
    if (step === undefined && ev.key !== "Home" && ev.key !== "End") return;
    ev.preventDefault();
    readout.setAttribute("aria-live", "polite");
    if (ev.key === "Home") show(0);
    else if (ev.key === "End") show(days.length - 1);
    else show((current ?? (step > 0 ? -1 : days.length)) + step);
  });
  figure.addEventListener("focus", () => { if (current === null) show(0); });
  figure.addEventListener("blur", () => { readout.removeAttribute("aria-live"); });

  hide();
  draw();
  const observer = new ResizeObserver(perFrame(() => { if (root.isConnected) draw(); else observer.disconnect(); }));
  observer.observe(figure);
  return { show, hide };
}

// One style per axis: in full below 10,000; in thousands ("5k", "10k") from a top tick of
// 10,000; in millions ("20M") from 10,000,000 (a dashboard balance can be that large).
const axisLabel = (v, ticks) => {
  const top = ticks[ticks.length - 1];
  if (v === 0 || top < 10000) return fmt(v);
  return top >= 10_000_000 ? `${fmt(Math.round(v / 100_000) / 10)}M` : `${fmt(Math.round(v / 100) / 10)}k`;
};

// "Daily credits" reads "daily credits" inside a sentence; "Add-On Pack credits" keeps its capitals.
const inSentence = (label) => (/^[A-Z][a-z]+ /.test(label) ? label[0].toLowerCase() + label.slice(1) : label);

function describe(result, spent, present) {
  const days = result.days;
  let high = 0;
  days.forEach((d, i) => { if (d.balance > days[high].balance) high = i; });
  const first = result.summary.first_restricted_day;
  return [
    // The chart plots each day's end: the first point is after day 1's usage, not the balance entered.
    `From ${formatDate(days[0].date)} to ${formatDate(days[days.length - 1].date)}, the balance at the end of day 1 is ${num(days[0].balance)} credits;`,
    `it is highest on ${formatDate(days[high].date)} (${num(days[high].balance)}) and ends at ${num(days[days.length - 1].balance)}.`,
    present.length ? `Kinds of credit held: ${present.map(([, label]) => inSentence(label)).join(", ")}.` : "No credits are held.",
    first ? `The first restricted day is ${formatDate(first)} (${RESTRICTED_MEANS}).` : "No day is restricted.",
    `Money spent by the end: ${usdFromCents(spent[spent.length - 1] ?? 0)}. Every day's figures are in the table "Every day" below.`,
  ].join(" ");
}
