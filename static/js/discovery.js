// Discovery page: the "select all on this page" box of the bulk form. Rows come and go
// with htmx swaps, so the listener sits on the document; the box stays hidden without JS.
(function () {
  "use strict";
  if (window.microreachDiscovery) return; // htmx may run this file again when restoring history
  window.microreachDiscovery = true;

  function reveal() {
    document.querySelectorAll("[data-select-all]").forEach(function (box) { box.hidden = false; });
  }

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement)) return;
    if (box.matches("[data-select-all]")) {
      box.form.querySelectorAll('input[name="account"]').forEach(function (row) { row.checked = box.checked; });
    } else if (box.name === "account" && box.form) {
      var all = box.form.querySelector("[data-select-all]");
      var rows = box.form.querySelectorAll('input[name="account"]');
      var ticked = box.form.querySelectorAll('input[name="account"]:checked');
      if (all) { all.checked = rows.length === ticked.length; all.indeterminate = ticked.length > 0 && ticked.length < rows.length; }
    }
  });
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
  document.addEventListener("htmx:historyRestore", reveal);
  reveal();
})();
