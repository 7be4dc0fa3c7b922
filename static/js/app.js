// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  function showToast(text, level) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("p");
    toast.className = "toast toast-" + (level || "info");
    toast.textContent = text;
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 6000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    // Server-rendered messages fade after a while.
    document.querySelectorAll("#toasts .toast").forEach(function (toast) {
      setTimeout(function () { toast.remove(); }, 8000);
    });
    // Selects marked data-autosubmit submit their form on change (the button stays for no-JS users).
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
  });

  // Views send toasts to htmx requests with the HX-Trigger header: {"toast": {"text": ..., "level": ...}}.
  document.addEventListener("toast", function (event) {
    showToast(event.detail.text, event.detail.level);
  });
  // Django messages raised during an htmx request (HtmxMessagesMiddleware).
  document.addEventListener("toasts", function (event) {
    (event.detail.value || event.detail || []).forEach(function (toast) { showToast(toast.text, toast.level); });
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    showToast(status === 403 ? "Your role does not allow this." : status === 404 ? "Not found." : "Something went wrong (" + status + ").", "error");
  });
})();
