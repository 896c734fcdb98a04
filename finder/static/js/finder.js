// The finder form with htmx: leave blank and default fields out of the request, so pushed URLs stay short.
// The form works without this file (and without htmx) as a plain GET form.
(function () {
  "use strict";
  // The contract's defaults (section 3): the server gives the same results without them.
  var DEFAULTS = { sort: "name", per_page: "25" };
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "finder") return;
    var parameters = event.detail.parameters;
    var blank = [];
    var entries = parameters.entries ? Array.from(parameters.entries()) : Object.entries(parameters);
    entries.forEach(function (entry) {
      var value = typeof entry[1] === "string" ? entry[1].trim() : null;
      if (value === "" || value === DEFAULTS[entry[0]]) blank.push(entry[0]);
    });
    blank.forEach(function (name) {
      if (parameters.delete) parameters.delete(name); else delete parameters[name];
    });
    // Nothing to ask when the page already shows this search and no other is on its way (the
    // keyword box sends as you type, then again on "change" when you leave it): such a request
    // would only hold up, in the queue, the link you clicked to leave the box.
    var form = event.detail.elt;
    var asked = new URLSearchParams(parameters.entries ? Array.from(parameters.entries()) : Object.entries(parameters));
    if (!document.querySelector("#finder-busy.htmx-request") && asked.toString() === new URLSearchParams(location.search).toString()) {
      event.preventDefault();
    }
  });
})();

// The filters panel (a <details>): always open beside the results (from 50rem up); on a phone
// "Show N programs" folds it away and moves to the results, which htmx has already updated.
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 50.0625rem)");

  function panel() { return document.getElementById("finder-filters"); }

  function openWhenWide() {
    var details = panel();
    if (details && wide.matches) details.open = true;
  }

  document.addEventListener("DOMContentLoaded", openWhenWide);
  document.addEventListener("htmx:afterSettle", openWhenWide);
  wide.addEventListener("change", openWhenWide);

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".filters-show__button") : null;
    var details = panel();
    if (!button || !details || wide.matches) return;
    details.open = false;
    var heading = document.getElementById("results-title");
    if (heading) heading.focus();
  });
})();

// The state tile map is one Tab stop (a roving tabindex): the arrow keys move between the tiles
// by their place on the map, Home and End go to the first and last, Space ticks. Without this
// file every tile is a Tab stop of its own; the table beside the map stays either way.
(function () {
  "use strict";
  var current = null;  // the id of the tile that holds the Tab stop

  function tiles() { return Array.prototype.slice.call(document.querySelectorAll("#state-map .tiles input")); }

  function rove() {
    var all = tiles();
    if (!all.length) return;
    var focused = all.indexOf(document.activeElement) >= 0 ? document.activeElement : null;
    var kept = current && document.getElementById(current);
    var stop = focused || (all.indexOf(kept) >= 0 ? kept : null) || all.filter(function (t) { return t.checked; })[0] || all[0];
    all.forEach(function (tile) { tile.tabIndex = tile === stop ? 0 : -1; });
    current = stop.id;
    var hint = document.getElementById("state-map-keys");
    if (hint) hint.hidden = false;
  }

  function centre(tile) {
    var box = tile.getBoundingClientRect();
    return { x: box.left + box.width / 2, y: box.top + box.height / 2, size: box.width || 1 };
  }

  // The nearest tile in a direction: the closest one whose centre lies that way, a step across
  // the direction counting three times a step along it (so Right stays on the row when it can).
  function next(from, key, all) {
    var a = centre(from), best = null, bestScore = Infinity;
    all.forEach(function (tile) {
      if (tile === from) return;
      var b = centre(tile), dx = (b.x - a.x) / a.size, dy = (b.y - a.y) / a.size;
      var along = { ArrowRight: dx, ArrowLeft: -dx, ArrowDown: dy, ArrowUp: -dy }[key];
      var across = key === "ArrowRight" || key === "ArrowLeft" ? Math.abs(dy) : Math.abs(dx);
      if (along < 0.5) return;
      var score = along + 3 * across;
      if (score < bestScore) { bestScore = score; best = tile; }
    });
    return best;
  }

  document.addEventListener("keydown", function (event) {
    var tile = event.target;
    if (!tile.matches || !tile.matches("#state-map .tiles input")) return;
    var all = tiles(), target = null;
    if (event.key === "Home") target = all[0];
    else if (event.key === "End") target = all[all.length - 1];
    else if (/^Arrow/.test(event.key)) target = next(tile, event.key, all);
    else return;
    event.preventDefault();
    if (!target) return;
    tile.tabIndex = -1;
    target.tabIndex = 0;
    current = target.id;
    target.focus();
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("#state-map .tiles input")) current = event.target.id;
  });
  document.addEventListener("DOMContentLoaded", rove);
  document.addEventListener("htmx:afterSettle", rove);
})();

// A chip, "clear all", advice or paging link clicked while the form's request is on its way:
// htmx would queue the link's request behind it (hx-sync) and then drop it, as the answer
// replaces the link. Hold the click instead and make it again on the link's successor once the
// answer is in (or load its address when the new results have no such link).
(function () {
  "use strict";
  var LINKS = "#finder-results [hx-boost] a[href]";

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(LINKS) : null;
    var form = document.getElementById("finder");
    if (!link || !form || !document.querySelector("#finder-busy.htmx-request")) return;  // the indicator carries the class
    event.preventDefault();
    event.stopPropagation();
    var href = link.getAttribute("href"), text = link.textContent.trim();
    document.addEventListener("htmx:afterSettle", function () {
      var links = Array.prototype.slice.call(document.querySelectorAll(LINKS));
      var again = links.filter(function (a) { return a.getAttribute("href") === href; })[0] ||
        links.filter(function (a) { return a.textContent.trim() === text; })[0];
      if (again) again.click(); else window.location.assign(href);
    }, { once: true });
  }, true);
})();
