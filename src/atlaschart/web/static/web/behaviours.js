// Small page behaviours that used to be inline on* attributes, which the Content-Security-Policy
// forbids (docs/security.md). Declared in the markup with data attributes:
//   <button data-confirm="Question?">   asks before the click goes ahead
//   <input data-select-on-click>          selects its whole text when clicked (links to copy)
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const confirming = target.closest("[data-confirm]");
  if (confirming && !window.confirm(confirming.dataset.confirm)) {
    event.preventDefault();
    return;
  }
  const selecting = target.closest("[data-select-on-click]");
  if (selecting && typeof selecting.select === "function") selecting.select();
});
