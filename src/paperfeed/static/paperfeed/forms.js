/* Forms: suggest the browser's own time zone where the reader has never chosen one.
   The server marks such a <select> with data-suggest-browser-zone; nothing is saved until the
   reader presses Save, and the page says what was changed. Loaded as a file: no inline script. */
(function () {
  "use strict";
  function suggestZone(select) {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || zone === select.value) return;
    var option = Array.prototype.find.call(select.options, function (o) { return o.value === zone; });
    if (!option) return;  // a name this server's zone database does not know: keep the default
    option.selected = true;
    var note = document.createElement("p");
    note.className = "help field-note";
    note.setAttribute("role", "status");
    note.textContent = "Set to your browser's time zone, " + zone.replace(/_/g, " ") + ". Press Save to keep it.";
    select.insertAdjacentElement("afterend", note);
  }
  function init() {
    document.querySelectorAll("select[data-suggest-browser-zone]").forEach(suggestZone);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
