// The pipeline board: drag a card onto a column to move it. Dropping submits the card's own
// "Move" form (the one keyboard and no-JS users use), so the server applies the same rules.
(function () {
  "use strict";

  var dragged = null;

  function column(target) {
    return target && target.closest ? target.closest("#board .board-column") : null;
  }

  function clearTargets() {
    document.querySelectorAll("#board .drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  }

  // A refused or stale move answers 409 with the board as it really is: show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 409 && target && target.id === "board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest("#board .board-card[draggable]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.id);
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearTargets();
  });

  document.addEventListener("dragover", function (event) {
    var col = column(event.target);
    if (!col || !dragged) return;
    event.preventDefault();  // allows the drop
    event.dataTransfer.dropEffect = "move";
    if (!col.classList.contains("drop-target")) {
      clearTargets();
      col.classList.add("drop-target");
    }
  });

  document.addEventListener("drop", function (event) {
    var col = column(event.target);
    if (!col || !dragged) return;
    event.preventDefault();
    var card = dragged;
    clearTargets();
    move(card, col);
  });

  // A card's "Move" menu holds a link to its move form (a page of its own without JS):
  // the form is loaded in place of the link when the menu first opens, or when a card is
  // dropped before that. 500 forms up front were most of the board's size and render time.
  function loadForm(card) {
    var link = card.querySelector("a.board-move-link");
    if (!link || !window.htmx) return null;
    if (!link._loading) {
      var forget = function () { link._loading = null; };  // a failed load may be retried
      link._loading = htmx.ajax("GET", link.getAttribute("href"), {
        source: link, target: link, swap: "outerHTML"
      }).then(function () {
        // Wire its hx-post now rather than when htmx settles the swap: a Move pressed in
        // between sent the form as a plain page load.
        var loaded = card.querySelector("form.move-form");
        if (loaded) htmx.process(loaded);
        forget();
      }, forget);
    }
    return link._loading;
  }

  function withForm(card, then) {
    var form = card.querySelector("form.move-form");
    if (form) return then(form);
    var loading = loadForm(card);
    if (!loading) return;
    loading.then(function () {
      var loaded = card.querySelector("form.move-form");
      if (loaded) then(loaded);
    });
  }

  function menuOpened(menu) {
    var card = menu.closest(".board-card");
    if (card && !card.querySelector("form.move-form")) loadForm(card);
  }

  // "toggle" does not bubble: listen in the capture phase.
  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches("#board details.board-move") && menu.open) menuOpened(menu);
  }, true);

  // A menu opened before this script ran (the cards show first on a slow connection) had
  // no listener to load its form: load it now.
  document.querySelectorAll("#board details.board-move[open]").forEach(menuOpened);

  function move(card, col) {
    var stage = col.dataset.stage;
    if (card.dataset.stage === stage) return;
    withForm(card, function (form) { submitMove(card, col, form, stage); });
  }

  function submitMove(card, col, form, stage) {
    var select = form.elements.to;
    if (!Array.prototype.some.call(select.options, function (o) { return o.value === stage; })) {
      // Not a move the menu offers: send it anyway so the server says why it is refused.
      var option = document.createElement("option");
      option.value = stage;
      option.textContent = col.querySelector("h2").firstChild.textContent.trim();
      select.appendChild(option);
    }
    select.value = stage;
    var reason = form.elements.reason;
    if (col.hasAttribute("data-reason-required") && reason && !reason.value.trim()) {
      // Declined / not a fit need a reason: open the card's menu and ask for it.
      card.querySelector("details.board-move").open = true;
      reason.required = true;
      reason.focus();
      return;
    }
    form.requestSubmit();
  }
})();
