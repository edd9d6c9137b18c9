/* The officer's checkpoint screen: keyboard-wedge MRZ input that reads on the last line,
   focus handling between reads and decisions, a few extra shortcuts. No framework: htmx does
   the partial updates, static/js/bmis.js the data-shortcut keys. */
(function () {
  "use strict";

  var form = document.getElementById("read-form");
  var mrz = form ? form.querySelector("textarea.mrz-input") : null;
  var result = document.getElementById("result");

  // The same completeness rule as travelers.mrz.clean.looks_complete.
  function lines(text) {
    var cleaned = text.toUpperCase().replace(/[ \t\u00a0]+/g, "");
    var parts = cleaned.split(/\r\n|\r|\n/).filter(function (l) { return l.length > 0; });
    if (parts.length === 1 && { 90: 30, 72: 36, 88: 44 }[parts[0].length]) {
      var width = { 90: 30, 72: 36, 88: 44 }[parts[0].length], one = parts[0];
      parts = [];
      for (var i = 0; i < one.length; i += width) parts.push(one.slice(i, i + width));
    }
    return parts.map(function (l) { return l.length; }).join(",");
  }
  function complete(text) {
    var shape = lines(text);
    return shape === "30,30,30" || shape === "36,36" || shape === "44,44";
  }
  var timer = null;
  var lastRead = null;
  // One read per zone: the Enter after the last line and the pause after typing must not both
  // submit it.
  function read() {
    clearTimeout(timer);
    if (form.dataset.reading === "1" || mrz.value === lastRead) return;
    lastRead = mrz.value;
    form.dataset.reading = "1";
    form.requestSubmit();
  }

  if (mrz) {
    mrz.focus();
    // A reader in keyboard-wedge mode types each line and Enter: read on the last line's Enter.
    mrz.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && complete(mrz.value)) {
        event.preventDefault();
        read();
      }
    });
    // Readers that send no Enter after the last line: read once the zone is complete and
    // the typing has paused.
    mrz.addEventListener("input", function () {
      clearTimeout(timer);
      if (complete(mrz.value)) timer = setTimeout(read, 250);
    });
    form.addEventListener("htmx:afterRequest", function () { form.dataset.reading = ""; });
  }

  function nextTraveler() {
    if (!mrz) return;
    clearTimeout(timer);
    mrz.value = "";
    lastRead = null;
    form.dataset.reading = "";
    mrz.focus();
  }

  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-direction]");
    if (el && form) {
      var radio = form.querySelector('input[name="direction"][value="' + el.dataset.direction + '"]');
      if (radio) radio.checked = true;
      return;
    }
    el = event.target.closest("[data-focus]");
    if (el) {
      var target = document.querySelector(el.dataset.focus);
      if (target) target.focus();
      return;
    }
    if (event.target.closest("[data-abandon-cancel]")) {
      showAbandon(false);
      return;
    }
    if (event.target.closest("[data-abandon-open]")) {
      showAbandon(true);
      return;
    }
    if (event.target.closest("#next-traveler")) {
      // An undecided inspection does not vanish: ask why it ends (recorded as abandoned).
      var abandon = result ? result.querySelector("form.abandon") : null;
      if (abandon && result.querySelector("[data-inspection-open]")) {
        showAbandon(abandon.hidden);
        return;
      }
      if (result) result.innerHTML = "";
      nextTraveler();
    }
  });

  function showAbandon(show) {
    var abandon = document.querySelector("form.abandon");
    if (!abandon) return;
    abandon.hidden = !show;
    if (show) {
      abandon.scrollIntoView({ block: "nearest" });
      abandon.querySelector("[data-abandon-first]").focus();
    } else {
      var focus = document.querySelector("[data-autofocus]");
      if (focus) focus.focus();
    }
  }

  // A polled panel is not redrawn while the officer is working in it (a half-typed resolution
  // would be lost). Done here, not in an hx-trigger filter: the Content-Security-Policy forbids
  // the eval that htmx's filters need.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-keep-while-focused") && elt.contains(document.activeElement)) {
      event.preventDefault();
    }
  });

  // A document read on the booth's reader arrives through the booth poll (an out-of-band swap of
  // #result): focus as after a typed read; the MRZ field is ready for the next typed read.
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (!result || target !== result) return;
    if (mrz) {
      clearTimeout(timer);
      mrz.value = "";
      lastRead = null;
      form.dataset.reading = "";
    }
    var error = result.querySelector(".has-error input, .has-error select, .has-error textarea");
    var focus = error || result.querySelector("[data-autofocus]");
    if (focus) focus.focus();
  });

  // After a swap: focus what the new content asks for; after a decision, get ready for the next
  // traveler.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    // The target is #result, or an inspection inside it swapped whole (then no longer in the page).
    var target = event.detail.target;
    if (!result || !(result.contains(target) || !target.isConnected)) return;
    if (result.querySelector("[data-decided]")) {
      nextTraveler();
      return;
    }
    var error = result.querySelector(".has-error input, .has-error select, .has-error textarea");
    var focus = error || result.querySelector("[data-autofocus]");
    if (focus) focus.focus();
  });
})();
