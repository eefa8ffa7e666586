// Filters the criteria picker as the learner types; the Find button does the same without JS.
(() => {
  "use strict";
  const input = document.querySelector("[data-criteria-filter]");
  const counter = document.querySelector("[data-criteria-count]");
  if (!input) return;

  const criteria = [...document.querySelectorAll("[data-criterion]")];

  function apply() {
    const term = input.value.trim().toLowerCase();
    let shown = 0;
    for (const row of criteria) {
      const match = !term || row.dataset.search.includes(term);
      row.hidden = !match;
      if (match) shown += 1;
    }
    for (const outcome of document.querySelectorAll("[data-criteria-outcome]")) {
      outcome.hidden = !outcome.querySelector("[data-criterion]:not([hidden])");
    }
    for (const group of document.querySelectorAll("[data-criteria-group]")) {
      group.hidden = !group.querySelector("[data-criterion]:not([hidden])");
    }
    if (counter) {
      counter.textContent = term ? `${shown} of ${criteria.length} criteria shown.` : "";
    }
  }

  input.addEventListener("input", apply);
  input.form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
})();
