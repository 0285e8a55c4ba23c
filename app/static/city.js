// The filter form without its empty fields and defaults: shorter URLs to share.
// Without JavaScript the form still works (the server ignores empty values).
(function () {
  var form = document.querySelector("form.city-filters");
  if (!form) { return; }
  var defaults = { kleur: "sector", klassen: "quantiles" };
  form.addEventListener("submit", function () {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && (el.value === "" || defaults[el.name] === el.value)) { el.disabled = true; }
    });
  });
})();
// Back from the next page (bfcache): the fields must be usable again.
window.addEventListener("pageshow", function () {
  Array.prototype.forEach.call(document.querySelectorAll("form.city-filters [disabled]"), function (el) {
    el.disabled = false;
  });
});
