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

  // Removing a compare column swaps #comparison, which held the focused Remove link. Without
  // help focus would fall to <body>: put it on the Remove link now in the same column (the
  // last one if the removed column was last), or on the caption when none is left, and say
  // what changed in #compare-status (outside the swap, so screen readers hear it).
  var removal = null;

  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail.elt;
    if (!link.classList || !link.classList.contains("compare-table__remove")) { removal = null; return; }
    var links = Array.prototype.slice.call(document.querySelectorAll("#comparison .compare-table__remove"));
    var name = link.querySelector(".visually-hidden");
    removal = { index: links.indexOf(link), name: name ? name.textContent.replace(/ from the comparison$/, "").trim() : "" };
  });

  document.addEventListener("htmx:afterSettle", function () {
    var done = removal;
    removal = null;
    var comparison = document.getElementById("comparison");
    if (!done || !comparison) return;
    var links = comparison.querySelectorAll(".compare-table__remove");
    var target = links.length ? links[Math.min(done.index, links.length - 1)] : document.getElementById("compare-caption");
    if (target) target.focus();
    var columns = comparison.querySelectorAll("thead th[scope=col]").length - 1;
    var status = document.getElementById("compare-status");
    if (status) {
      status.textContent = "Removed" + (done.name ? " " + done.name : "") + " from the comparison; " +
        columns + " program" + (columns === 1 ? "" : "s") + " left.";
    }
  });

  // A tray answer also refreshes the program's "Add to compare" button out of band, but that
  // button is only on some pages (removing another program from the tray on a program page):
  // drop out-of-band parts whose target is not on this page, so htmx does not log an error.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var text = event.detail.serverResponse;
    if (typeof text !== "string" || text.indexOf("hx-swap-oob") < 0) return;
    var template = document.createElement("template");
    template.innerHTML = text;
    var dropped = false;
    template.content.querySelectorAll("[hx-swap-oob][id]").forEach(function (part) {
      if (!document.getElementById(part.id)) { part.remove(); dropped = true; }
    });
    if (dropped) event.detail.serverResponse = template.innerHTML;
  });

  // A new press on a compare button: the notes beside earlier presses are out of date.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "compare-add") return;
    document.querySelectorAll(".compare-note").forEach(function (note) { note.textContent = ""; });
  });

  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:load", function (event) { reveal(event.detail.elt); });
})();
