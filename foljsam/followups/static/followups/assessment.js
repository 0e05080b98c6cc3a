// The assessment page (issue 11 item 8): one key per colour, and focus kept after a save.
// Ratings are saved by HTMX on change; without this script the page still works with "Spara".
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var KEYS = { "1": "green", "2": "yellow", "3": "red", "0": "na" };
  var lastFocus = null;

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var value = KEYS[event.key];
    var target = event.target;
    if (!value || !target.closest || target.matches("textarea, select, input:not([type=radio])")) return;
    var card = target.closest("[data-rate]");
    if (!card) return;
    var radio = card.querySelector('input[type=radio][value="' + value + '"]');
    if (!radio || radio.checked) return;
    event.preventDefault();
    radio.checked = true;
    radio.focus();
    radio.dispatchEvent(new Event("change", { bubbles: true }));
  });

  // HTMX replaces the card; put the focus back on the same control so the keyboard user stays put.
  document.addEventListener("htmx:beforeRequest", function () {
    lastFocus = document.activeElement && document.activeElement.id;
  });
  document.addEventListener("htmx:afterSettle", function () {
    var el = lastFocus && document.getElementById(lastFocus);
    if (el) el.focus();
  });
})();
