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
  });
})();
