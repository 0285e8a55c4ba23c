/* The region map (/regio): styles and popups for its layers, and on SpatiaLite
 * the layers themselves, fetched as GeoJSON for the visible box after every move.
 * Loaded in <head> (no defer): folium's VectorGrid options name the style
 * functions below. Text from the data is set with textContent, never as HTML. */
(function () {
  "use strict";
  var config = null;
  var FALLBACK = "#6E6E6E";

  function getConfig() {
    if (!config) {
      var holder = document.getElementById("regio-kaart");
      config = holder ? JSON.parse(holder.getAttribute("data-config")) : { colors: {}, labels: {} };
    }
    return config;
  }

  // dimension: 1 point, 2 line, 3 polygon. VectorGrid passes none: the tiles carry it as `d`.
  function ficheStyle(properties, zoom, dimension) {
    dimension = dimension || (properties.d !== undefined ? properties.d + 1 : 3);
    var color = getConfig().colors[properties.status] || FALLBACK;
    if (properties.count) {  // a cluster (tiles up to zoom 11): area grows with the number of fiches
      var radius = Math.min(16, 3 + 1.5 * Math.sqrt(properties.count));
      return { radius: radius, fill: true, fillColor: color, fillOpacity: 0.75, color: "#ffffff", weight: 1 };
    }
    if (dimension === 1) {
      return { radius: zoom < 11 ? 3 : 5, fill: true, fillColor: color, fillOpacity: 0.9, color: "#ffffff", weight: 1 };
    }
    if (dimension === 2) {
      return { color: color, weight: zoom < 11 ? 2 : 3, opacity: 0.9 };
    }
    return { color: color, weight: 1.5, fill: true, fillColor: color, fillOpacity: 0.35 };
  }

  function wijkStyle() {
    return { color: "#555555", weight: 1, opacity: 0.7, fill: true, fillColor: "#999999", fillOpacity: 0.04 };
  }

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function popupContent(p) {
    var box = element("div");
    if (p.code && !p.url && !p.m) {
      box.appendChild(element("strong", "Wijk " + (p.name || p.code)));
      box.appendChild(element("div", (p.municipality || "") + " · " + p.code));
      return box;
    }
    var cfg = getConfig();
    if (p.count) {
      box.appendChild(element("strong", p.count === 1 ? "1 fiche" : p.count + " fiches"));
      box.appendChild(element("div", "Meest voorkomende status: " + (cfg.labels[p.status] || p.status)));
      box.appendChild(element("div", "Zoom in om de fiches afzonderlijk te zien."));
      return box;
    }
    box.appendChild(element("strong", p.title || "Fiche " + p.id));
    box.appendChild(element("div", [p.municipality, cfg.labels[p.status] || p.status].filter(Boolean).join(" · ")));
    if (p.indicative) { box.appendChild(element("div", "Indicatieve ligging", "illustrative")); }
    var url = p.url || (p.m ? "/" + p.m + "/fiches/" + p.id : null);
    if (url) {
      var link = element("a", "Naar de fiche");
      link.href = url;
      var line = element("div");  // its own line: the "Indicatieve ligging" badge before it is inline
      line.appendChild(link);
      box.appendChild(line);
    }
    return box;
  }

  /* A popup of the map, not of the feature's layer: the layers are replaced
   * after every move, and the move a popup's own autopan makes (on a phone,
   * nearly always) would otherwise close it again at once. */
  function openPopup(map, latlng, properties) {
    L.popup().setLatLng(latlng).setContent(popupContent(properties)).openOn(map);
  }

  function setStatus(text) {
    var status = document.getElementById("regio-status");
    if (status) { status.textContent = text; }
  }

  function dimensionOf(geometry) {
    var type = geometry ? geometry.type : "";
    if (type.indexOf("Point") >= 0) { return 1; }
    if (type.indexOf("LineString") >= 0) { return 2; }
    return 3;
  }

  function boxOf(map) {
    var b = map.getBounds().pad(0.1);
    var clamp = function (v, lo, hi) { return Math.min(hi, Math.max(lo, v)).toFixed(5); };
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)].join(",");
  }

  /* SpatiaLite: GeoJSON by bbox and zoom, replaced after every move. */
  function startGeoJson(map, cfg) {
    var wijken = L.geoJSON(null, {
      attribution: cfg.attribution,
      style: function () { return wijkStyle(); }
    }).addTo(map);
    var fiches = L.geoJSON(null, {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, ficheStyle(f.properties, map.getZoom(), 1)); },
      style: function (f) { return ficheStyle(f.properties, map.getZoom(), dimensionOf(f.geometry)); }
    }).addTo(map);
    [wijken, fiches].forEach(function (group) {
      group.on("click", function (e) { openPopup(map, e.latlng, e.layer.feature.properties); });
    });
    var control = cfg.names.control && window[cfg.names.control];  // layers/base.py's control, with the basemaps
    if (control) {
      control.addOverlay(wijken, "Wijken", "Regio");
      control.addOverlay(fiches, "Fiches", "Regio");
    }
    var pending = null;
    var timer = null;

    function load() {
      if (pending) { pending.abort(); }
      pending = new AbortController();
      var query = "?bbox=" + boxOf(map) + "&zoom=" + Math.round(map.getZoom());
      var get = function (name) {
        return fetch(cfg.api + "/" + name + ".geojson" + query, { signal: pending.signal })
          .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); });
      };
      var withFiches = map.getZoom() >= cfg.fichesMinZoom;
      setStatus("Kaartgegevens laden…");
      Promise.all([get("wijken"), withFiches ? get("fiches") : null]).then(function (data) {
        wijken.clearLayers(); wijken.addData(data[0]);
        fiches.clearLayers();
        if (withFiches) {
          fiches.addData(data[1]);
          setStatus(data[1].features.length + " fiches en " + data[0].features.length + " wijken in beeld.");
        } else {
          setStatus(data[0].features.length + " wijken in beeld. Zoom verder in om de fiches te zien.");
        }
      }).catch(function (err) {
        if (err.name !== "AbortError") { setStatus("De kaartgegevens konden niet geladen worden."); }
      });
    }
    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 150); });
    load();
  }

  /* VectorGrid draws tile points as CircleMarkers without a latlng; on a click
   * Leaflet 1.9 asks a small CircleMarker for its latlng and throws. Give it
   * the one its tile position means (only for those VectorGrid points). */
  function patchTilePoints() {
    var base = L.CircleMarker.prototype.getLatLng;
    L.CircleMarker.prototype.getLatLng = function () {
      var r = this._renderer;
      if (!this._latlng && this._point && r && r._tileCoord && r._size && r._map) {
        return r._map.unproject(r._tileCoord.scaleBy(r._size).add(this._point), r._tileCoord.z);
      }
      return base.call(this);
    };
  }

  /* PostGIS: folium made the VectorGrid layers; add popups. */
  function startTiles(map, cfg) {
    patchTilePoints();
    ["wijken", "fiches"].forEach(function (name) {
      var layer = window[cfg.names[name]];
      if (!layer) { return; }
      layer.on("click", function (e) {
        var at = e.latlng || map.mouseEventToLatLng(e.originalEvent);  // VectorGrid's SVG tiles give no latlng
        openPopup(map, at, e.layer.properties);
      });
    });
    setStatus("Wijken en fiches als vectortegels: zoom in voor de titels van de fiches.");
  }

  function start() {
    var cfg = getConfig();
    var map = cfg.names && window[cfg.names.map];
    if (!map) { return; }
    if (cfg.mode === "mvt") { startTiles(map, cfg); } else { startGeoJson(map, cfg); }
  }

  window.fichekaartRegion = { ficheStyle: ficheStyle, wijkStyle: wijkStyle, popupContent: popupContent };
  document.addEventListener("DOMContentLoaded", start);
})();
