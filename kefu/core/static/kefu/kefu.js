// Kefu's small behaviours. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  onReady(function () {
    // Selects marked data-autosubmit (the language switcher) submit their form on change.
    document.addEventListener("change", function (event) {
      var el = event.target;
      if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.submit();
    });
    // Buttons marked data-confirm ask before submitting.
    document.addEventListener("click", function (event) {
      var el = event.target.closest && event.target.closest("[data-confirm]");
      if (el && !window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
    });
    // A lookup search box refills its <select> through htmx; announce the new choice so
    // that forms listening for "change" (list filters) react as if the user picked it.
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail && event.detail.target;
      if (target && target.tagName === "SELECT") {
        target.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    // Buttons marked data-formset-add="<prefix>" append a row to a Django formset: the
    // <template id="<prefix>-empty"> holds the empty form, its __prefix__ becomes the next index.
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("[data-formset-add]");
      if (!button) return;
      var prefix = button.getAttribute("data-formset-add");
      var template = document.getElementById(prefix + "-empty");
      var total = document.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
      var body = document.querySelector("[data-formset='" + prefix + "'] tbody");
      if (!template || !total || !body) return;
      var index = parseInt(total.value, 10) || 0;
      var holder = document.createElement("tbody");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      while (holder.firstElementChild) {
        var row = holder.firstElementChild;
        body.appendChild(row);
        if (window.htmx) window.htmx.process(row);
      }
      total.value = String(index + 1);
    });
  });
})();
