// The treatment form holds every technique's fields; show only those of the chosen kind and
// technique. Without this script every fieldset shows and the server reads only the chosen one.
for (const form of document.querySelectorAll("[data-treatment-form]")) {
  const kind = form.querySelector("[name=kind]");
  const technique = form.querySelector("[name=technique]");
  const update = () => {
    for (const set of form.querySelectorAll("[data-for-kind]")) {
      set.hidden = set.dataset.forKind !== kind.value;
    }
    for (const set of form.querySelectorAll("[data-for-technique]")) {
      set.hidden = kind.value === "injection" || set.dataset.forTechnique !== technique.value;
    }
    technique.closest(".field").hidden = kind.value === "injection";
  };
  kind.addEventListener("change", update);
  technique.addEventListener("change", update);
  update();
}
