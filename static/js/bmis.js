/* BMIS: small helpers shared by every page (no framework; htmx does the partial updates). */
(function () {
  "use strict";

  // Keyboard shortcuts: any element with data-shortcut="F2" (or "Alt+A") is clicked/focused
  // when the key is pressed, unless the officer is typing in a text field and no modifier is used.
  function keyName(event) {
    var parts = [];
    if (event.altKey) parts.push("Alt");
    if (event.ctrlKey) parts.push("Ctrl");
    if (event.shiftKey && event.key.length > 1) parts.push("Shift");
    parts.push(event.key.length === 1 ? event.key.toUpperCase() : event.key);
    return parts.join("+");
  }
  document.addEventListener("keydown", function (event) {
    var name = keyName(event);
    var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName);
    if (typing && !/^(F\d+|Alt\+|Ctrl\+|Escape)/.test(name)) return;
    var target = document.querySelector('[data-shortcut="' + name + '"]:not([disabled])');
    if (!target) return;
    event.preventDefault();
    if (target.matches("input, textarea, select")) target.focus(); else target.click();
  });

  // <select data-autosubmit> submits its form when changed (no inline handlers: the CSP forbids them).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]") && event.target.form) event.target.form.submit();
  });

  // Idle lock: after the configured idle time without input, reload; the server ends the session.
  var idleSeconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
  if (idleSeconds > 0) {
    var last = Date.now();
    ["keydown", "mousedown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, function () { last = Date.now(); }, { passive: true });
    });
    setInterval(function () {
      if (Date.now() - last > (idleSeconds + 5) * 1000) window.location.reload();
    }, 15000);
  }

  // Background polling must not keep a session alive: mark those requests passive.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.closest && elt.closest("[data-passive]")) {
      event.detail.headers["X-BMIS-Passive"] = "1";
    }
  });

  // A session that ended while a partial was loading sends the officer to the login page.
  document.body.addEventListener("htmx:responseError", function (event) {
    if (event.detail.xhr.status === 401) window.location.reload();
  });
})();
