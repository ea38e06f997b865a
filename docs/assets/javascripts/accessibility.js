// Site-wide fixes to Material's markup, applied on every page view (instant navigation
// included). Found by the axe-core scan and the 390 px checks in tests/browser.

function nameSearchDialog() {
  // Material's search overlay is a dialog without a name (axe: aria-dialog-name).
  document.querySelector(".md-search[role=dialog]:not([aria-label])")?.setAttribute("aria-label", "Search");
}

const CUE_CLASS = "table-scroll-cue";

function scrollableTables() {
  // A table wider than the screen scrolls sideways inside its box, never the page.
  // Sighted readers get a visible cue above it; keyboard users can focus the box to
  // scroll it (axe: scrollable-region-focusable). Wraps that are already regions (the
  // calculator's tables) keep their own names and cues.
  for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap")) {
    if (wrap.hasAttribute("role") && !wrap.dataset.scrollCue) continue;
    const hidden = wrap.offsetParent === null; // inside a closed <details>: measure when opened
    const overflows = !hidden && wrap.scrollWidth > wrap.clientWidth + 1;
    const cue = wrap.previousElementSibling?.classList.contains(CUE_CLASS) ? wrap.previousElementSibling : null;
    if (overflows && !cue) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table (scrolls sideways)");
      wrap.dataset.scrollCue = "on";
      const note = document.createElement("p");
      note.className = CUE_CLASS;
      note.setAttribute("aria-hidden", "true"); // the region's name says it already
      note.textContent = "Wide table: scroll it sideways to see every column →";
      wrap.before(note);
    } else if (!overflows && cue && !hidden) {
      cue.remove();
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      wrap.removeAttribute("aria-label");
      delete wrap.dataset.scrollCue;
    }
  }
}

function apply() {
  nameSearchDialog();
  scrollableTables();
  requestAnimationFrame(scrollableTables); // after Material has wrapped the page's tables
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(scrollableTables, 200);
});
// A table inside a collapsed block (a worked example's day table) is measured when opened.
document.addEventListener("toggle", () => scrollableTables(), true);

if (window.document$) window.document$.subscribe(apply);
else apply();
