// Assessments: "select all" for bulk changes and the "Saved · 2 s ago" autosave note.
// No inline scripts anywhere, so the strict CSP holds; everything works without this file too.
(function () {
  "use strict";

  // <input type="checkbox" data-select-all="name"> ticks every checkbox called `name`.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.dataset || box.dataset.selectAll === undefined) {
      return;
    }
    document.querySelectorAll('input[type="checkbox"][name="' + box.dataset.selectAll + '"]').forEach(function (other) {
      other.checked = box.checked;
    });
  });

  // <time data-saved-at="ISO">: keep "Saved · N s ago" current.
  function refreshSaved() {
    document.querySelectorAll("time[data-saved-at]").forEach(function (el) {
      var seconds = Math.max(0, Math.round((Date.now() - Date.parse(el.dataset.savedAt)) / 1000));
      var ago = seconds < 60 ? seconds + " s ago" : Math.round(seconds / 60) + " min ago";
      el.textContent = "Saved · " + ago;
    });
  }
  window.setInterval(refreshSaved, 1000);

  // A list row replaced by htmx (outerHTML) announces its outcome: bastion.js only sees the
  // old, detached row, so read the new one here.
  document.addEventListener("htmx:afterSettle", function (event) {
    var row = event.target;
    var region = document.getElementById("live-region");
    var message = row && row.tagName === "TR" && row.querySelector("[data-announce]");
    if (region && message) {
      region.textContent = message.dataset.announce;
    }
  });
  document.addEventListener("htmx:afterSettle", refreshSaved);
})();
