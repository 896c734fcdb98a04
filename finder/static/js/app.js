// Small progressive enhancements shared by every page. Every page works without this file.
(function () {
  "use strict";

  // htmx leaves the page as it was when a request fails; say so instead of failing silently.
  function showRequestError(text) {
    var box = document.getElementById("request-error");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 429) {
      showRequestError("Too many requests in a short time. Please wait a minute and try again.");
    } else if (status === 413) {
      showRequestError("That was too large to send (the limit is 5 MB).");
    } else if (status === 503) {
      showRequestError("The site is busy with another change, so nothing was saved. Please try again in a few seconds.");
    } else {
      showRequestError("Something went wrong (error " + status + "). Please reload the page and try again.");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    showRequestError("The server could not be reached. Check your connection and try again.");
  });

  // A form sent by htmx carries the value of the button that submitted it. htmx learns that button
  // from its own click and focus listeners, which a button swapped in a moment ago does not have
  // yet, and a press made while a request runs is replayed after its button was replaced: either
  // way the value was lost (a 400). The browser's submit event names the button that was pressed:
  // send exactly its value, and no other submit button's.
  document.addEventListener("htmx:configRequest", function (event) {
    var submit = event.detail.triggeringEvent;
    var button = submit && submit.type === "submit" ? submit.submitter : null;
    var form = event.detail.elt;
    if (!button || !form || form.tagName !== "FORM") return;
    var data = event.detail.formData || event.detail.parameters;
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.name && control.type === "submit" && control !== button) data.delete(control.name);
    });
    if (button.name) data.set(button.name, button.value);
  });

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
})();
