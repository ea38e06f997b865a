// Site-wide accessibility fixes to Material's markup, applied on every page view
// (instant navigation included). Found by the axe-core scan in tests/browser.

function nameSearchDialog() {
  // Material's search overlay is a dialog without a name (axe: aria-dialog-name).
  document.querySelector(".md-search[role=dialog]:not([aria-label])")?.setAttribute("aria-label", "Search");
}

function focusableScrollRegions() {
  // A table wider than the screen scrolls sideways; keyboard users must be able to
  // focus it to scroll it (axe: scrollable-region-focusable).
  // Wraps that are already regions (the calculator's tables) keep their own names.
  for (const wrap of document.querySelectorAll(".md-typeset__scrollwrap:not([role=region])")) {
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", "Table (scrolls sideways)");
    }
  }
}

function apply() {
  nameSearchDialog();
  focusableScrollRegions();
}

let resizeTimer = 0;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(focusableScrollRegions, 200);
});

if (window.document$) window.document$.subscribe(apply);
else apply();
