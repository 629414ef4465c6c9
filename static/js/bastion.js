// Bastion's small behaviours. No inline scripts anywhere, so a strict CSP holds.
(function () {
  "use strict";

  // Irreversible steps ask first: <form class="js-confirm" data-confirm="What will happen">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.submitter && event.submitter.hasAttribute("data-no-confirm")) {
      return; // a step inside the form that changes nothing yet (e.g. applying owners to a plan)
    }
    if (form.classList && form.classList.contains("js-confirm")) {
      if (!window.confirm(form.dataset.confirm || "Are you sure?")) {
        event.preventDefault();
      }
    }
  });

  // Auto-submit filter selects marked data-autosubmit (works without JS via the Apply button).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.autosubmit !== undefined && el.form) {
      el.form.requestSubmit();
    }
  });

  // Screen readers hear what an htmx swap changed when the fragment carries data-announce.
  document.addEventListener("htmx:afterSwap", function (event) {
    var region = document.getElementById("live-region");
    var target = event.detail.target;
    var message = target && target.querySelector && target.querySelector("[data-announce]");
    if (region && message) {
      region.textContent = message.dataset.announce;
    }
  });
})();
