// Long lists drawn in windows: only the rows in view (plus a margin) exist in the DOM;
// spacers above and below keep the scroll height. A ten-year scenario has 3,653 days,
// up to 3,660 dated usages and 500 events; drawing all of them on each keystroke blocked
// the page for hundreds of milliseconds. Rows that stay in view are kept, not redrawn,
// so focus and typing survive scrolling.

import { perFrame } from "./dom.js";

export const WINDOW_THRESHOLD = 40; // up to this many rows, everything is drawn and nothing scrolls

// container: where rows go (a tbody or a div); scroller: the element that scrolls;
// spacer(): makes an empty row of a given height; render(i): makes row i. Call draw()
// again once the list is in the document, so the row height is measured before scrolling.
export function windowed({ container, scroller, count, render, spacer, rowHeight = 36, overscan = 8 }) {
  const rows = new Map();
  let height = rowHeight;
  const top = spacer(), bottom = spacer();
  const all = count <= WINDOW_THRESHOLD;
  scroller.classList.toggle("calc-scroll", !all);
  // Bounded even before calculator.css has loaded (it is added when the page mounts).
  if (!all) Object.assign(scroller.style, { maxHeight: scroller.style.maxHeight || "24rem", overflowY: "auto" });
  container.replaceChildren(top, bottom);

  function draw() {
    // Rows are of one height: measure a drawn one (once attached) before placing the window.
    const sample = rows.values().next().value;
    if (!all && sample?.offsetHeight && Math.abs(sample.offsetHeight - height) > 1) height = sample.offsetHeight;
    const viewOf = () => Math.min(scroller.clientHeight || 480, window.innerHeight || 800);
    const view = viewOf();
    const first = all ? 0 : Math.max(0, Math.floor(scroller.scrollTop / height) - overscan);
    const last = all ? count : Math.min(count, Math.ceil((scroller.scrollTop + view) / height) + overscan);
    for (const [i, el] of rows) if (i < first || i >= last) { el.remove(); rows.delete(i); }
    let before = top;
    for (let i = first; i < last; i++) {
      let el = rows.get(i);
      if (!el) { el = render(i); rows.set(i, el); before.after(el); }
      before = el;
    }
    setHeight(top, first * height);
    setHeight(bottom, (count - last) * height);
    const drawn = rows.get(first);
    if (!all && drawn?.offsetHeight && Math.abs(drawn.offsetHeight - height) > 1) draw(); // the first guess was off
    // A box sized by its content (up to its max-height) was short before these rows: fill it.
    else if (!all && viewOf() > view + 1) draw();
  }
  const setHeight = (el, px) => { el.style.height = `${px}px`; el.hidden = px === 0; };

  const onScroll = perFrame(draw);
  scroller.addEventListener("scroll", onScroll, { passive: true });
  draw();
  return {
    draw,
    rows,
    // Scroll row i into view (drawing it) and return its element.
    reveal(i) {
      if (!all) {
        const want = i * height;
        if (want < scroller.scrollTop || want + height > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = Math.max(0, want - height);
        draw();
      }
      return rows.get(i) ?? null;
    },
  };
}
