// Small behaviours shared by every page. No inline scripts: the CSP forbids them.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// The error summary (templates/_error_summary.html) takes focus when the page loads, so a
// screen reader reads it first; each link moves to its field and shows the field's label or
// its group's legend, as GOV.UK's summary does.
const errorSummary = document.querySelector("[data-error-summary]");
if (errorSummary) {
  errorSummary.focus();
  errorSummary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) {
      return;
    }
    event.preventDefault();
    // A link may name a whole group (a fieldset): land on its first control.
    const control = field.matches("input, select, textarea, button")
      ? field
      : field.querySelector("input:not([type=hidden]), select, textarea");
    const legend = field.closest("fieldset")?.querySelector("legend");
    const label = document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    (legend || label || field).scrollIntoView();
    (control || field).focus({ preventScroll: true });
  });
}
