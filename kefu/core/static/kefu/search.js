// The global search box's as-you-type list: htmx fetches /search/?dropdown=1 as the user types
// and swaps the short result list under the box. Enter still opens the full results page.
(function () {
  "use strict";
  function onReady(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  onReady(function () {
    var form = document.querySelector("form.globalsearch");
    if (!form || !window.htmx) return;
    var input = form.querySelector("input[name=q]");
    if (!input) return;
    var drop = document.createElement("div");
    drop.id = "globalsearch-drop";
    drop.className = "searchdrop";
    drop.hidden = true;
    form.appendChild(drop);
    input.setAttribute("hx-get", form.getAttribute("action"));
    input.setAttribute("hx-trigger", "input changed delay:200ms");
    input.setAttribute("hx-target", "#globalsearch-drop");
    input.setAttribute("hx-vals", '{"dropdown": "1"}');
    input.setAttribute("hx-sync", "this:replace");
    input.setAttribute("aria-controls", "globalsearch-drop");
    window.htmx.process(input);

    function close() { drop.hidden = true; }
    function items() { return Array.prototype.slice.call(drop.querySelectorAll("a")); }

    drop.addEventListener("htmx:afterSwap", function () {
      drop.hidden = input.value.trim() === "" || drop.textContent.trim() === "";
    });
    input.addEventListener("input", function () { if (input.value.trim() === "") close(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
      if (event.key === "ArrowDown" && !drop.hidden && items().length) {
        event.preventDefault();
        items()[0].focus();
      }
    });
    drop.addEventListener("keydown", function (event) {
      var list = items();
      var index = list.indexOf(document.activeElement);
      if (event.key === "Escape") { close(); input.focus(); }
      if (event.key === "ArrowDown" && index < list.length - 1) { event.preventDefault(); list[index + 1].focus(); }
      if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index > 0) list[index - 1].focus(); else input.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) close();
    });
  });
})();
