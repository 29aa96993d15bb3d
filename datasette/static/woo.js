// Names for the form controls Datasette's own pages leave unnamed (table filters, the SQL
// editor, which CodeMirror builds after the page has loaded), so that screen readers can say
// what they are.
const NAMES = {
  'select[name="_filter_column"]': "Kolom",
  'select[name="_filter_op"]': "Vergelijking",
  'input[name="_filter_value"]': "Waarde",
  'select[name="_sort"]': "Sorteer op",
  'input[name="_search"]': "Zoek in deze tabel",
  "textarea": "SQL-zoekopdracht",
};

function nameControls() {
  for (const [selector, name] of Object.entries(NAMES)) {
    document.querySelectorAll(selector).forEach((element) => {
      if (!element.getAttribute("aria-label") && !element.labels?.length) {
        element.setAttribute("aria-label", name);
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  nameControls();
  new MutationObserver(nameControls).observe(document.body, { childList: true, subtree: true });
});
