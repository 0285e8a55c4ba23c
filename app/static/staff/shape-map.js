// Small decorative maps of a shape before and after a change (fiche history)
// or of a refused shape (the form's geometry error). Each .shape-map holds
// {"old": GeoJSON|null, "new": GeoJSON|null} (EPSG:4326) in data-shapes; the
// closest [data-outline] gives the city's outline as context. No tiles, no
// controls, nothing focusable: the text beside the map says the same.
(function () {
  'use strict';
  if (typeof L === 'undefined') { return; }
  var OLD = { color: '#5f6b7a', weight: 3, dashArray: '6 6', fillOpacity: 0.08, interactive: false };
  var NEW = { color: '#c2410c', weight: 3, fillOpacity: 0.3, interactive: false };
  var OUTLINE = { color: '#8a949e', weight: 1, fill: false, interactive: false };

  function read(element, name) {
    try { return JSON.parse(element.getAttribute(name) || 'null'); } catch (err) { return null; }
  }

  function layerOf(geometry, style) {
    return L.geoJSON(geometry, {
      style: style,
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, L.extend({ radius: 6 }, style));
      },
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.shape-map[data-shapes]'), function (element) {
    var shapes = read(element, 'data-shapes') || {};
    var context = element.closest('[data-outline]');
    var outline = context ? read(context, 'data-outline') : null;
    var map = L.map(element, {
      zoomControl: false, attributionControl: false, keyboard: false, dragging: false, touchZoom: false,
      scrollWheelZoom: false, doubleClickZoom: false, boxZoom: false, tap: false, zoomSnap: 0.25,
    });
    if (outline) { layerOf(outline, OUTLINE).addTo(map); }
    var bounds = L.latLngBounds([]);
    if (shapes.old) { bounds.extend(layerOf(shapes.old, OLD).addTo(map).getBounds()); }
    if (shapes.new) { bounds.extend(layerOf(shapes.new, NEW).addTo(map).getBounds()); }
    if (!bounds.isValid() && outline) { bounds = layerOf(outline, OUTLINE).getBounds(); }
    if (!bounds.isValid()) { return; }
    function fit() { map.fitBounds(bounds, { padding: [18, 18], maxZoom: 17, animate: false }); }
    fit();
    map.on('resize', fit);   // a narrower window (phone turned) keeps both shapes in view
  });
})();
