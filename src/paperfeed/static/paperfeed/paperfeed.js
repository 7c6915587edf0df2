/* paperfeed: render LaTeX in titles and abstracts with KaTeX, keyboard shortcuts and small page helpers.
   Loaded with `defer` after katex.min.js and auto-render.min.js; no inline scripts anywhere. */
(function () {
  "use strict";

  var MATH_OPTIONS = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$", right: "$", display: false }
    ],
    throwOnError: false, // a broken formula shows as red source text, never breaks the page
    trust: false, // no \href, \url, \htmlClass…: titles and abstracts are untrusted input
    strict: "ignore",
    maxSize: 20, // em: hostile input cannot draw huge boxes
    maxExpand: 200 // bounds macro expansion work
  };
  // On cards, display math ($$…$$, \[…\]) is set inline so an excerpt stays a few lines.
  var INLINE_OPTIONS = Object.assign({}, MATH_OPTIONS, {
    delimiters: MATH_OPTIONS.delimiters.map(function (d) {
      return { left: d.left, right: d.right, display: false };
    })
  });

  // Elements with class "math" (titles, abstracts) hold text that may contain TeX.
  function renderMath(root) {
    if (typeof window.renderMathInElement !== "function") return;
    var nodes = root.querySelectorAll ? root.querySelectorAll(".math") : [];
    if (root.classList && root.classList.contains("math")) nodes = [root].concat(Array.from(nodes));
    Array.prototype.forEach.call(nodes, function (el) {
      try {
        window.renderMathInElement(el, el.closest(".card") ? INLINE_OPTIONS : MATH_OPTIONS);
      } catch (err) {
        // Leave the source text as it is.
      }
    });
  }

  // <button data-copy="ID" hidden>: copies the text of #ID; shown only when scripts run.
  function setUpCopyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var target = document.getElementById(button.getAttribute("data-copy"));
      if (!target) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.textContent;
        var done = function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = label; }, 1500);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { selectText(target); });
        } else {
          selectText(target);
        }
      });
    });
  }

  // Where the clipboard API is unavailable (plain http), select the text for Ctrl+C.
  function selectText(el) {
    var range = document.createRange();
    range.selectNodeContents(el);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  // Organization logos and submitters' pictures are hot-linked from their source; when one
  // fails to load, show the initial as the templates do for those without a picture.
  document.addEventListener("error", function (event) {
    var img = event.target;
    if (!(img instanceof HTMLImageElement) || !img.dataset.initial) return;
    var org = img.classList.contains("org-avatar");
    if (!org && !img.classList.contains("user-avatar")) return;
    var initial = document.createElement("span");
    initial.className = img.className + (org ? " org-avatar-initial" : "");
    initial.setAttribute("aria-hidden", "true");
    initial.textContent = img.dataset.initial;
    img.replaceWith(initial);
  }, true);

  // -- Keyboard shortcuts: ← / → previous and next period, j / k next and previous card, ? help.
  var SHORTCUTS = [
    ["←", "Previous day (week, month) on a list"],
    ["→", "Next day (week, month) on a list"],
    ["j", "Next paper"],
    ["k", "Previous paper"],
    ["?", "Show this help"]
  ];

  function isTyping(target) {
    if (!target || !target.closest) return false;
    return Boolean(target.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])"));
  }

  // j / k move focus between the cards' title links, so Enter opens the paper.
  function moveBetweenCards(step) {
    var links = Array.from(document.querySelectorAll(".card .card-title"));
    if (!links.length) return;
    var active = document.activeElement;
    var card = active && active.closest ? active.closest(".card") : null;
    var index = card ? links.indexOf(card.querySelector(".card-title")) : -1;
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (next < 0 || next >= links.length) return;
    links[next].focus();
    var nextCard = links[next].closest(".card");
    nextCard.scrollIntoView({ block: "nearest" });
  }

  function followRel(rel) {
    // The period arrows of list pages; pagination links also carry rel, the arrows come first.
    var link = document.querySelector(".date-bar a[rel='" + rel + "']");
    if (link) window.location.assign(link.href);
  }

  function helpDialog() {
    var dialog = document.getElementById("shortcut-help");
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.id = "shortcut-help";
    dialog.className = "shortcut-help";
    dialog.setAttribute("aria-labelledby", "shortcut-help-title");
    var title = document.createElement("h2");
    title.id = "shortcut-help-title";
    title.textContent = "Keyboard shortcuts";
    var list = document.createElement("dl");
    SHORTCUTS.forEach(function (pair) {
      var dt = document.createElement("dt");
      var key = document.createElement("kbd");
      key.textContent = pair[0];
      dt.appendChild(key);
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    var form = document.createElement("form");
    form.method = "dialog";
    var close = document.createElement("button");
    close.className = "btn btn-small";
    close.textContent = "Close";
    form.appendChild(close);
    dialog.appendChild(title);
    dialog.appendChild(list);
    dialog.appendChild(form);
    // A click on the backdrop (the dialog box itself, outside its content) closes it.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) dialog.close();
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  // The header's menus are <details>: they open without scripts; with them, a click elsewhere
  // or Escape closes them as a menu should.
  var HEADER_MENUS = ".nav-menu[open], .user-menu-details[open]";
  document.addEventListener("click", function (event) {
    document.querySelectorAll(HEADER_MENUS).forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll(HEADER_MENUS).forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });

  function onShortcut(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    if (document.querySelector("dialog[open]") && event.key !== "?") return;
    switch (event.key) {
      case "ArrowLeft": followRel("prev"); break;
      case "ArrowRight": followRel("next"); break;
      case "j": moveBetweenCards(1); break;
      case "k": moveBetweenCards(-1); break;
      case "?": {
        var dialog = helpDialog();
        if (!dialog.open) dialog.showModal();
        break;
      }
      default: return;
    }
    event.preventDefault();
  }

  document.addEventListener("DOMContentLoaded", function () {
    renderMath(document);
    setUpCopyButtons(document);
    document.querySelectorAll("[data-shortcut-help]").forEach(function (hint) {
      hint.hidden = false;
      hint.querySelector("button").addEventListener("click", function () { helpDialog().showModal(); });
    });
  });
  document.addEventListener("keydown", onShortcut);
  // Content swapped in later by htmx gets the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) {
    renderMath(event.target);
  });
})();
