// The knowledge panel of the ticket page: "Insert link" / "Insert text" buttons of a suggested
// article put its public link, or its Markdown text (fetched from knowledge:article_text), into
// the reply box at the cursor. Loaded with the panel; the handler is installed once.
(function () {
  "use strict";
  if (window.kefuKnowledgeInsert) {
    return;
  }
  window.kefuKnowledgeInsert = true;

  function replyBox() {
    return document.querySelector('#entry-form textarea[name="body"]');
  }

  function insert(text) {
    var box = replyBox();
    if (!box) {
      return;
    }
    var start = box.selectionStart || box.value.length;
    var end = box.selectionEnd || start;
    var before = box.value.slice(0, start);
    var glue = before && !/\s$/.test(before) ? "\n" : "";
    box.value = before + glue + text + box.value.slice(end);
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert-link], [data-kb-insert-text]");
    if (!button) {
      return;
    }
    event.preventDefault();
    if (button.dataset.kbInsertLink) {
      insert(button.dataset.kbInsertLink);
      return;
    }
    fetch(button.dataset.kbInsertText, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : ""; })
      .then(function (text) { if (text) { insert(text); } });
  });
})();
