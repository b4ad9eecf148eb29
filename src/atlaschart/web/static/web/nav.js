// The main menu is a <details> that starts open, so it works without this script. At phone width
// it is folded behind its "Menu" button on load, so the page, not the menu, fills the first screen.
(() => {
  const fold = document.querySelector("details.navfold");
  if (fold && window.matchMedia("(max-width: 700px)").matches) fold.open = false;
})();
