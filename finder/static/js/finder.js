// The finder form with htmx: leave blank fields out of the request, so pushed URLs stay short.
// The form works without this file (and without htmx) as a plain GET form.
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "finder") return;
    var parameters = event.detail.parameters;
    var blank = [];
    var entries = parameters.entries ? Array.from(parameters.entries()) : Object.entries(parameters);
    entries.forEach(function (entry) {
      if (typeof entry[1] === "string" && entry[1].trim() === "") blank.push(entry[0]);
    });
    blank.forEach(function (name) {
      if (parameters.delete) parameters.delete(name); else delete parameters[name];
    });
  });
})();
