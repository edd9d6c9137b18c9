// The live page's panel is not redrawn while the supervisor is typing in it (an acknowledgement
// note would be lost). Done here, not in an hx-trigger filter: the Content-Security-Policy forbids
// the eval that htmx's filters need.
(function () {
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.id === "live-panel" && elt.contains(document.activeElement) &&
        document.activeElement.tagName === "INPUT") {
      event.preventDefault();
    }
  });
})();
