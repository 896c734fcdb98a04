// Progressive enhancement for the compare and shortlist pages: copy and print buttons.
// Without JavaScript the links stay selectable text and the browser's own print works.
(function () {
  "use strict";

  function say(text) {
    var status = document.getElementById("copy-status");
    if (status) status.textContent = text;
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    var done = function () { say("Copied: " + button.textContent.replace(/^Copy /, "") + "."); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        field.select();
        say("Could not copy automatically: the link is selected, press Ctrl+C or Cmd+C.");
      });
    } else {
      field.select();
      say(document.execCommand && document.execCommand("copy") ? "Copied." : "The link is selected: press Ctrl+C or Cmd+C.");
    }
  }

  function reveal(root) {
    root.querySelectorAll(".js-copy, .js-print").forEach(function (button) { button.hidden = false; });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".js-copy, .js-print") : null;
    if (!button) return;
    if (button.classList.contains("js-print")) window.print();
    else copy(button);
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.detail.elt); });
})();
