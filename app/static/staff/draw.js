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

  // The drawing tool's own "finish" must not read like the form's "Bewaren"
  // (issue 12: editors pressed the form's button mid-drawing and lost the shape).
  var TOOL_WORDS = {
    actions: { finish: 'Vorm afwerken', cancel: 'Tekening annuleren', removeLastVertex: 'Laatste punt wissen' },
    tooltips: {
      finishLine: 'Klik op het laatste punt of op "Vorm afwerken" om de lijn af te werken',
      finishPoly: 'Klik op het eerste punt of op "Vorm afwerken" om het vlak af te werken',
    },
  };

  // A shape being drawn only reaches the hidden input once it is finished,
  // so the form refuses to send while one is open (the stored geometry stays).
  var openWarning = null;

  function drawingOpen() {
    if (!map.pm || !map.pm.globalDrawModeEnabled || !map.pm.globalDrawModeEnabled()) { return false; }
    var tool = map.pm.Draw.getActiveShape && map.pm.Draw[map.pm.Draw.getActiveShape()];
    if (!tool) { return false; }
    // A rectangle has its first corner once its start marker is shown;
    // a line or polygon once its layer has a point (a marker is placed at once).
    if (tool._startMarker) {
      return !!(tool._startMarker._icon && L.DomUtil.hasClass(tool._startMarker._icon, 'visible'));
    }
    var layer = tool._layer;
    return !!(layer && layer.getLatLngs && layer.getLatLngs().length > 0);
  }

  function clearOpenWarning() {
    if (openWarning) { openWarning.parentNode.removeChild(openWarning); openWarning = null; }
  }

  function refuseWhileDrawing(event) {
    if (!drawingOpen()) {
      // A tool switched on without a single point placed: nothing to lose.
      if (map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled()) { map.pm.disableDraw(); }
      return;
    }
    event.preventDefault();
    if (!openWarning) {
      openWarning = document.createElement('p');
      openWarning.className = 'field-error block drawing-open';
      openWarning.id = 'tekening-open';
      openWarning.setAttribute('role', 'alert');
      openWarning.setAttribute('tabindex', '-1');
      holder.parentNode.insertBefore(openWarning, holder);
    }
    openWarning.textContent = 'Niet bewaard: je bent nog een vorm aan het tekenen. Werk ze af met "Vorm afwerken" '
      + '(of klik op het eerste punt) of kies "Tekening annuleren", en bewaar dan opnieuw. '
      + 'De bewaarde ligging is niet gewijzigd.';
    openWarning.focus();
    openWarning.scrollIntoView({ block: 'center' });
  }

  var form = input.form;
  if (form) { form.addEventListener('submit', refuseWhileDrawing); }

  if (map.pm) {
    if (map.pm.setLang) { map.pm.setLang('nl', TOOL_WORDS, 'nl'); }
    map.on('pm:drawend', clearOpenWarning);
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
