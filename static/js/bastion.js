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

  // Copy buttons: <button class="js-copy" data-copy-target="id-of-a-readonly-input">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-copy");
    var field = button && document.getElementById(button.dataset.copyTarget);
    if (!field) {
      return;
    }
    field.select();
    var done = function () {
      button.textContent = "Copied";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand("copy")) {
      done();
    }
  });

  // "/" jumps to the search box in the top bar, unless the user is typing somewhere.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var active = document.activeElement;
    var typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
    var box = document.getElementById("topbar-search");
    if (box && !typing) {
      event.preventDefault();
      box.focus();
      box.select();
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
