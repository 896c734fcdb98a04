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

  document.addEventListener("htmx:beforeRequest", function () {
    var box = document.getElementById("request-error");
    if (box) box.hidden = true;
  });
})();
