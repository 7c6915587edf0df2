/* paperfeed: render LaTeX in titles and abstracts with KaTeX, and small page helpers.
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

  document.addEventListener("DOMContentLoaded", function () {
    renderMath(document);
    setUpCopyButtons(document);
  });
  // Content swapped in later by htmx gets the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) {
    renderMath(event.target);
  });
})();
