// The map in the fiche form: draw and edit points, lines and polygons, and
// write them as GeoJSON (EPSG:4326) into the hidden input the server reads
// (folium's Draw plugin does not send shapes back). Uses Leaflet-Geoman when
// the page loads it, else Leaflet.draw.
(function () {
  'use strict';
  var holder = document.querySelector('.edit-map[data-map-name]');
  if (!holder || typeof L === 'undefined') { return; }
  var map = window[holder.getAttribute('data-map-name')];
  var input = document.getElementById(holder.getAttribute('data-input'));
  if (!map || !input) { return; }

  var style = { color: '#c2410c', weight: 3, fillOpacity: 0.25 };
  var drawn = L.featureGroup().addTo(map);
  var status = document.createElement('p');
  status.className = 'map-status';
  status.setAttribute('role', 'status');
  holder.parentNode.insertBefore(status, holder.nextSibling);

  function describe() {
    var count = drawn.getLayers().length;
    return count === 0 ? 'Geen ligging getekend.' : count + (count === 1 ? ' vorm' : ' vormen') + ' op de kaart.';
  }

  function save() {
    input.value = JSON.stringify(drawn.toGeoJSON(7));
    holder.setAttribute('data-changed', '1');
    status.textContent = describe() + ' Gewijzigd: vergeet niet te bewaren.';
  }

  function add(layer) {
    if (layer.setStyle) { layer.setStyle(style); }
    drawn.addLayer(layer);
  }

  try {
    var data = input.value ? JSON.parse(input.value) : null;
    if (data) {
      L.geoJSON(data).eachLayer(add);
    }
  } catch (err) {
    status.textContent = 'De huidige geometrie kon niet op de kaart getoond worden.';
  }
  if (drawn.getLayers().length) {
    map.fitBounds(drawn.getBounds(), { maxZoom: 17, padding: [20, 20] });
  }
  if (!status.textContent) { status.textContent = describe(); }

  if (map.pm) {
    if (map.pm.setLang) { map.pm.setLang('nl'); }
    map.pm.setGlobalOptions({ layerGroup: drawn, pathOptions: style });
    map.pm.addControls({
      position: 'topleft', drawCircle: false, drawCircleMarker: false, drawText: false,
      cutPolygon: false, rotateMode: false,
    });
    map.on('pm:create', function (event) { add(event.layer); save(); });
    map.on('pm:remove', function (event) { drawn.removeLayer(event.layer); save(); });
    drawn.on('pm:edit pm:dragend pm:cut', save);
  } else if (L.Control && L.Control.Draw) {
    map.addControl(new L.Control.Draw({
      edit: { featureGroup: drawn },
      draw: { circle: false, circlemarker: false, polyline: { shapeOptions: style }, polygon: { shapeOptions: style } },
    }));
    map.on(L.Draw.Event.CREATED, function (event) { add(event.layer); save(); });
    map.on(L.Draw.Event.EDITED, save);
    map.on(L.Draw.Event.DELETED, save);
  } else {
    status.textContent = describe() + ' (Tekengereedschap niet beschikbaar: laad een bestand op.)';
  }
})();
