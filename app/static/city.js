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

// On a phone the filters are folded, so the map and the list come first.
(function () {
  var fold = document.querySelector("details.filters-fold");
  if (fold && window.matchMedia && window.matchMedia("(max-width: 959px)").matches) { fold.open = false; }
})();

// "Toon op kaart" in the list: the keyboard route to the map. It fits the map
// to the fiche's shapes and opens its popup (focus moves into it; Escape
// comes back to this button: layers/map_behaviour.js).
(function () {
  var box = document.querySelector(".city-map[data-layers]");
  if (!box || !window.L) { return; }
  var names = JSON.parse(box.getAttribute("data-layers"));

  function shapesOf(id) {
    var found = [];
    (names.projects || []).forEach(function (name) {
      var layer = window[name];
      if (!layer) { return; }
      layer.eachLayer(function (l) {
        if (l.feature && String(l.feature.properties.fid) === id) { found.push(l); }
      });
    });
    return found;
  }

  function show(id) {
    var map = window[names.map];
    var shapes = shapesOf(id);
    if (!map || !shapes.length) { return; }
    var bounds = L.latLngBounds([]);
    shapes.forEach(function (l) { bounds.extend(l.getBounds ? l.getBounds() : l.getLatLng()); });
    box.scrollIntoView({ block: "nearest" });
    map.fitBounds(bounds, { maxZoom: 16, padding: [40, 40], animate: false });
    shapes[0].openPopup();
  }

  Array.prototype.forEach.call(document.querySelectorAll("li.fiche-item[data-placed]"), function (item) {
    var id = item.getAttribute("data-fiche-id");
    if (!shapesOf(id).length) { return; }
    var title = item.querySelector("h3");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "show-on-map";
    button.textContent = "Toon op kaart";
    button.setAttribute("aria-label", "Toon op kaart: " + (title ? title.textContent.trim() : "project"));
    button.addEventListener("click", function () { show(id); });
    var holder = document.createElement("p");
    holder.className = "show-on-map-line";
    holder.appendChild(button);
    item.appendChild(holder);
  });
})();
