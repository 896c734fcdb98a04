// Drag to reorder the rank order list, where JavaScript runs. Without it (and with the keyboard)
// each program's Move up/down, Move to top/bottom and typed place do the same: a drop only fills
// in the program's own "Place" form and submits it through htmx, so the server stays the one rule.
(function () {
  "use strict";

  var dragged = null;

  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("#ranking .ranking__item"));
  }

  function enable() {
    items().forEach(function (item) { item.setAttribute("draggable", "true"); });
  }

  function clearMarks() {
    items().forEach(function (item) { item.classList.remove("is-drop-target", "is-dragging"); });
  }

  document.addEventListener("dragstart", function (event) {
    var item = event.target.closest && event.target.closest("#ranking .ranking__item");
    if (!item) return;
    dragged = item;
    item.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", item.getAttribute("data-code"));
  });

  document.addEventListener("dragover", function (event) {
    var item = dragged && event.target.closest && event.target.closest("#ranking .ranking__item");
    if (!item) return;
    event.preventDefault();
    items().forEach(function (other) { other.classList.toggle("is-drop-target", other === item && other !== dragged); });
  });

  document.addEventListener("dragend", function () { dragged = null; clearMarks(); });

  document.addEventListener("drop", function (event) {
    var item = dragged && event.target.closest && event.target.closest("#ranking .ranking__item");
    var moving = dragged;
    dragged = null;
    clearMarks();
    if (!item || item === moving || !window.htmx) return;
    event.preventDefault();
    var form = moving.querySelector(".entry__place");
    var input = form && form.querySelector("input[name=position]");
    if (!input) return;
    input.value = String(items().indexOf(item) + 1);
    window.htmx.ajax("POST", moving.getAttribute("data-place"), {
      source: form, target: "#ranking", swap: "outerHTML", values: { to: "number" }
    });
  });

  document.addEventListener("DOMContentLoaded", enable);
  document.addEventListener("htmx:afterSettle", enable);
})();
