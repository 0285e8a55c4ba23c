// The "Afdrukken" button of the fiche and wijk pages: hidden in the HTML
// (without JavaScript it could do nothing), shown and wired here.
(function () {
  "use strict";
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
      var holder = button.closest(".print-action");
      if (holder) { holder.hidden = false; }
      button.addEventListener("click", function () { window.print(); });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
