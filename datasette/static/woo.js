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

// Datasette's column menu (table.js) is built in English in the browser: its items in Dutch,
// and the column's type it writes when the menu opens ("Type: TEXT")
const MENU = {
  "a.dropdown-sort-asc": "Sorteer oplopend",
  "a.dropdown-sort-desc": "Sorteer aflopend",
  "a.dropdown-facet": "Facetten op deze kolom",
  "a.dropdown-hide-column": "Verberg deze kolom",
  "a.dropdown-show-all-columns": "Toon alle kolommen",
  "a.dropdown-not-blank": "Toon rijen waar deze kolom gevuld is",
};
const TYPES = { TEXT: "tekst", INTEGER: "geheel getal", REAL: "getal", BLOB: "bytes", FLOAT: "getal" };

function translateMenus() {
  for (const [selector, text] of Object.entries(MENU)) {
    document.querySelectorAll(selector).forEach((link) => {
      if (link.textContent !== text) link.textContent = text;
    });
  }
  document.querySelectorAll(".dropdown-column-type").forEach((p) => {
    const typed = /^Type: (\w+)( NOT NULL)?$/.exec(p.textContent);
    if (typed) {
      p.textContent = `Soort: ${TYPES[typed[1]] || typed[1].toLowerCase()}${typed[2] ? ", altijd gevuld" : ""}`;
    }
  });
  document.querySelectorAll(".dropdown-menu-icon").forEach((icon) => {
    if (!icon.getAttribute("aria-label")) icon.setAttribute("aria-label", "Kolommenu");
  });
}

function dutchAfterDatasette() {
  nameControls();
  translateMenus();
}

document.addEventListener("DOMContentLoaded", () => {
  dutchAfterDatasette();
  new MutationObserver(dutchAfterDatasette).observe(document.body, {
    childList: true,
    subtree: true,
  });
});
