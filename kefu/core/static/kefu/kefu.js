// Kefu's small behaviours. No inline scripts anywhere (the CSP forbids them).
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  // SLA countdowns (badges marked data-ticking with an ISO data-due and the target in
  // data-target seconds) count down between page refreshes, in the server's format and colours:
  // red once due, amber with less than a quarter of the target left.
  function remainingText(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    minutes = minutes % 60;
    if (days) return sign + days + "d " + hours + "h";
    if (hours) return sign + hours + "h " + (minutes < 10 ? "0" : "") + minutes + "m";
    return sign + minutes + "m";
  }
  function tickSla(now) {
    now = now || Date.now();
    document.querySelectorAll("[data-ticking][data-due]").forEach(function (badge) {
      var due = Date.parse(badge.getAttribute("data-due"));
      if (isNaN(due)) return;
      var seconds = Math.floor((due - now) / 1000);
      var target = parseInt(badge.getAttribute("data-target"), 10) || 0;
      var colour = seconds <= 0 ? "red" : (seconds < target / 4 ? "amber" : "green");
      var css = { green: "ok", amber: "warn", red: "danger" }[colour];
      badge.textContent = remainingText(seconds);
      badge.classList.remove("ok", "warn", "danger", "sla-green", "sla-amber", "sla-red");
      badge.classList.add(css, "sla-" + colour);
    });
  }
  window.kefuTickSla = tickSla;
  onReady(function () {
    window.setInterval(function () { tickSla(); }, 30000);
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
