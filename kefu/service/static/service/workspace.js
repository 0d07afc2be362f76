// The agent workspace. Ticket page: "r" focuses the reply box, "n" switches it to a note,
// "j"/"k" open the next/previous ticket of the list the agent came from.
// Ticket list: the rows refresh when a ticket changes (the poller of views.ticket_changes
// triggers "tickets-changed"), except while the agent has tickets selected.
// Ticket page: actions answer with the workspace fragment; a refused one (409 stale or not
// allowed, 422 invalid) is swapped in too, so its message shows. Typing a reply tells the
// other agents looking at the ticket ("replying").
(function () {
  "use strict";
  var LIST_KEY = "kefu.service.ticketList";

  function rememberList() {
    var rows = document.querySelectorAll("#ticket-table tr[data-ticket-url]");
    if (!rows.length) {
      return;
    }
    var urls = Array.prototype.map.call(rows, function (row) { return row.dataset.ticketUrl; });
    try {
      window.sessionStorage.setItem(LIST_KEY, JSON.stringify(urls));
    } catch (error) {
      // Storage may be disabled; the shortcuts simply do nothing then.
    }
  }

  function neighbour(step) {
    var urls;
    try {
      urls = JSON.parse(window.sessionStorage.getItem(LIST_KEY) || "[]");
    } catch (error) {
      return null;
    }
    var index = urls.indexOf(window.location.pathname);
    if (index < 0) {
      return null;
    }
    return urls[index + step] || null;
  }

  document.addEventListener("DOMContentLoaded", rememberList);
  document.addEventListener("htmx:afterSwap", rememberList);
  function typing(target) {
    return target && (target.isContentEditable || /^(input|textarea|select)$/i.test(target.tagName));
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var rows = event.detail && event.detail.elt;
    if (rows && rows.id === "ticket-rows" && rows.querySelector("input[type=checkbox]:checked")) {
      event.preventDefault();
    }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 409 || status === 422) && event.detail.target &&
        event.detail.target.id === "ticket-workspace") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  document.addEventListener("input", function (event) {
    var flag = document.getElementById("ticket-editing");
    if (!flag || !event.target || event.target.id !== "id_body") {
      return;
    }
    var editing = event.target.value.trim() ? "1" : "0";
    if (flag.value !== editing) {
      flag.value = editing;
      document.body.dispatchEvent(new CustomEvent("kefu:editing"));
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (event.key === "j" || event.key === "k") {
      var target = neighbour(event.key === "j" ? 1 : -1);
      if (target) {
        window.location.assign(target);
        event.preventDefault();
      }
      return;
    }
    var body = document.getElementById("id_body");
    var kind = document.getElementById("id_kind");
    if (!body) {
      return;
    }
    if (event.key === "r" || event.key === "n") {
      if (kind) {
        kind.value = event.key === "r" ? "reply" : "note";
      }
      body.focus();
      event.preventDefault();
    }
  });
})();
