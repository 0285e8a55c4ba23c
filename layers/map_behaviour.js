/* How every Fichekaart map behaves (added to each map by layers/base.py,
 * called as fichekaartMap(map, options) right after the map is made).
 * - Shapes leave the Tab order: Leaflet's tooltip focus listeners make SVG
 *   paths focusable in Chromium, with no accessible name; the list beside
 *   the map is the keyboard route.
 * - Popups are drawn above every control (their pane is moved out of the map
 *   pane, which sits under the controls, and follows it), panned into view
 *   with a margin, never wider than the map.
 * - Opening a popup moves focus into it; Escape closes it and focus returns
 *   to where it was. The close button and other controls speak Dutch.
 * - A click finds every project within a few pixels (thin lines and small
 *   dots get a larger hit area) and lists all of them when several share a
 *   place.
 * - Permanent area labels that would overlap a bigger area's label hide.
 * - The visitor's choice of base layer ("Geen achtergrond") is remembered in
 *   localStorage, never on the server. */
function fichekaartMap(map, options) {
  "use strict";
  options = options || {};
  var container = map.getContainer();
  var HIT_PX = options.hitPx || 10;
  var DUTCH = {
    "Close popup": "Sluit", "Layers": "Lagen", "Zoom in": "Inzoomen", "Zoom out": "Uitzoomen",
    "Full Screen": "Volledig scherm", "Exit Full Screen": "Volledig scherm sluiten",
    "Slider": "Jaar", "List of times": "Jaren met een begin of einde van een fase",
    "prev": "Vorige stap", "next": "Volgende stap", "play": "Afspelen", "pause": "Pauzeren"
  };

  /* --- Dutch labels, whoever made the control ------------------------------ */
  function translate(root) {
    if (!root || root.nodeType !== 1) { return; }
    var nodes = [root].concat(Array.prototype.slice.call(root.querySelectorAll("[title],[aria-label]")));
    nodes.forEach(function (el) {
      ["title", "aria-label"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && DUTCH.hasOwnProperty(value)) { el.setAttribute(attr, DUTCH[value]); }
      });
    });
  }
  translate(container);
  if (window.MutationObserver) {
    new MutationObserver(function (changes) {
      changes.forEach(function (c) {
        if (c.type === "attributes") { translate(c.target); }
        Array.prototype.forEach.call(c.addedNodes || [], translate);
      });
    }).observe(container, { subtree: true, childList: true, attributes: true, attributeFilter: ["title", "aria-label"] });
  }

  /* --- shapes out of the Tab order ----------------------------------------- */
  // A project fiche's layer (layers/projects.py gives its features a fid); a
  // MultiPoint is a group whose circle markers carry no feature themselves.
  function isProject(layer) {
    var p = layer && layer.feature && layer.feature.properties;
    return !!(p && p.popup && p.fid !== undefined && p.fid !== null);
  }
  function ownerOf(shape) {
    if (shape.feature) { return shape; }
    for (var id in shape._eventParents || {}) {
      if (shape._eventParents[id].feature) { return shape._eventParents[id]; }
    }
    return null;
  }
  map.on("layeradd", function (e) {
    var el = e.layer.getElement && e.layer.getElement();
    if (el && el.namespaceURI === "http://www.w3.org/2000/svg") { el.setAttribute("tabindex", "-1"); }
    // A project's popup is opened by the map's click below, which also finds its neighbours.
    if (isProject(e.layer) && e.layer._openPopup) { e.layer.off("click", e.layer._openPopup, e.layer); }
  });

  /* --- popups above the controls ------------------------------------------- */
  var popupPane = map.getPane("popupPane");
  var mapPane = map.getPane("mapPane");
  container.appendChild(popupPane);
  L.DomUtil.addClass(popupPane, "fk-popup-pane-top");
  function follow() { L.DomUtil.setPosition(popupPane, L.DomUtil.getPosition(mapPane) || L.point(0, 0)); }
  map.on("move zoom viewreset zoomend moveend resize", follow);
  follow();
  // Leaflet animates popups with a transition that applies inside its zooming map pane only.
  map.on("zoomanim", function () { L.DomUtil.addClass(popupPane, "leaflet-zoom-anim"); });
  map.on("zoomend", function () { L.DomUtil.removeClass(popupPane, "leaflet-zoom-anim"); });

  var opener = null;
  map.on("popupopen", function (e) {
    var popup = e.popup;
    var el = popup.getElement();
    // Content width: the popup adds 44 px of margins; 16 px of map on each side stay free.
    var width = Math.max(160, Math.min(320, map.getSize().x - 80));
    if (popup.options.maxWidth !== width || !popup._fkPadded) {
      popup.options.maxWidth = width;
      popup.options.autoPanPadding = L.point(16, 16);
      popup.options.autoPanPaddingTopLeft = L.point(16, 24);
      popup._fkPadded = true;
      popup.update();
    }
    var close = el.querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", "Sluit"); close.title = "Sluit"; }
    var active = document.activeElement;
    if (active && !el.contains(active) && active !== document.body) { opener = active; }
    var content = el.querySelector(".leaflet-popup-content");
    content.setAttribute("tabindex", "-1");
    var heading = content.querySelector(".fk-popup-title, strong");
    el.setAttribute("role", "dialog");
    if (heading) { el.setAttribute("aria-label", heading.textContent); }
    content.focus({ preventScroll: true });
    if (!el._fkKeys) {
      el._fkKeys = true;
      L.DomEvent.on(el, "keydown", function (ev) {
        if (ev.key === "Escape" || ev.key === "Esc") {
          L.DomEvent.stop(ev);
          map.closePopup();
        }
      });
    }
  });
  map.on("popupclose", function (e) {
    var el = e.popup.getElement();
    var active = document.activeElement;
    var lost = !active || active === document.body || (el && el.contains(active));
    var back = opener;
    opener = null;
    if (lost) {
      // Later: a popup replaced by another one in the same click keeps the focus.
      setTimeout(function () {
        if (map._popup && map._popup.isOpen()) { return; }
        if (back && document.contains(back)) { back.focus({ preventScroll: true }); } else { container.focus({ preventScroll: true }); }
      }, 0);
    }
  });

  /* --- every project near a click ------------------------------------------ */
  function near(layer, p) {
    if (layer instanceof L.CircleMarker) {
      return !!layer._point && p.distanceTo(layer._point) <= layer._radius + HIT_PX;
    }
    if (layer instanceof L.Polygon && layer._containsPoint && layer._pxBounds && layer._containsPoint(p)) { return true; }
    if (layer instanceof L.Polyline) {
      var closed = layer instanceof L.Polygon;
      var reach = (layer.options.weight || 0) / 2 + HIT_PX;
      var parts = layer._parts || [];
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i];
        for (var j = 1; j <= part.length; j++) {
          if (j === part.length && !closed) { break; }
          var a = part[j - 1], b = part[j % part.length];
          if (L.LineUtil.pointToSegmentDistance(p, a, b) <= reach) { return true; }
        }
      }
    }
    return false;
  }

  function projectsAt(containerPoint) {
    var p = map.containerPointToLayerPoint(containerPoint);
    var found = [], seen = {};
    map.eachLayer(function (shape) {
      if (!(shape instanceof L.Path)) { return; }
      var owner = ownerOf(shape);
      if (!isProject(owner) || !near(shape, p)) { return; }
      var key = owner.feature.properties.fid;
      if (!seen[key]) { seen[key] = true; found.push({ owner: owner, shape: shape }); }
    });
    return found;
  }

  function openProjects(found, latlng) {
    if (found.length === 1) {
      var one = found[0];
      one.owner.openPopup(one.shape instanceof L.CircleMarker ? one.shape.getLatLng() : latlng);
      return;
    }
    var html = '<div class="fk-popup-many"><p class="fk-popup-count"><strong>' + found.length +
      " projecten op deze plek</strong></p>" +
      found.map(function (f) { return f.owner.feature.properties.popup; }).join('<hr class="fk-popup-sep">') + "</div>";
    L.popup({ maxHeight: Math.max(160, map.getSize().y - 120) }).setLatLng(latlng).setContent(html).openOn(map);
  }

  map.on("click", function (e) {
    if (!e.containerPoint) { return; }
    // A phase's outline has its own popup (and its fiche's link).
    var target = e.originalEvent && e.originalEvent.target;
    if (target && target.classList && target.classList.contains("fk-phase")) { return; }
    var found = projectsAt(e.containerPoint);
    if (found.length) { openProjects(found, e.latlng); }
  });

  /* --- area labels without collisions -------------------------------------- */
  function declutter() {
    var labels = [];
    map.eachLayer(function (layer) {
      var tip = layer.getTooltip && layer.getTooltip();
      if (!tip || !tip.options.permanent || !/\bfk-label\b/.test(tip.options.className || "")) { return; }
      var el = tip.getElement();
      if (!el || !layer.getBounds) { return; }
      var b = layer.getBounds();
      var sw = map.latLngToContainerPoint(b.getSouthWest()), ne = map.latLngToContainerPoint(b.getNorthEast());
      labels.push({ el: el, size: Math.abs((ne.x - sw.x) * (sw.y - ne.y)) });
    });
    labels.forEach(function (l) { L.DomUtil.removeClass(l.el, "fk-label-hidden"); });
    labels.sort(function (a, b) { return b.size - a.size; });
    var placed = [];
    labels.forEach(function (l) {
      var r = l.el.getBoundingClientRect();
      var clash = placed.some(function (q) {
        return r.left < q.right + 2 && r.right + 2 > q.left && r.top < q.bottom + 1 && r.bottom + 1 > q.top;
      });
      if (clash) { L.DomUtil.addClass(l.el, "fk-label-hidden"); } else { placed.push(r); }
    });
    // For tests and tools: the labels were placed for the map as it is now.
    var container = map.getContainer();
    container.setAttribute("data-labels-checked", String(Number(container.getAttribute("data-labels-checked") || 0) + 1));
  }
  var declutterTimer = null;
  function later() { clearTimeout(declutterTimer); declutterTimer = setTimeout(declutter, 30); }
  map.on("zoomend moveend layeradd layerremove resize", later);
  map.whenReady(later);
  // A map drawn while its page is still parsed (render_map_parts(first=...)) gets its
  // labels while the layout around it may still change: place them again once it is complete.
  if (document.readyState !== "complete") { window.addEventListener("load", later); }

  /* --- the remembered base layer ------------------------------------------- */
  // Read before the basemap's tiles are added: with "Geen achtergrond" remembered
  // no tile is ever requested (the tile server would see the visitor's IP address).
  var KEY = "fichekaart.achtergrond";
  var NONE = options.noBasemapName || "Geen achtergrond";
  var wanted = null;
  try { wanted = window.localStorage.getItem(KEY); } catch (err) { wanted = null; }
  var addLayer = map.addLayer;
  if (wanted === NONE) {
    map.addLayer = function (layer) {
      return layer instanceof L.TileLayer ? this : addLayer.call(this, layer);
    };
  }
  map.on("baselayerchange", function (e) {
    try { window.localStorage.setItem(KEY, e.name); } catch (err) { /* private mode: not remembered */ }
  });
  // The layer control exists once the whole map script ran. A page may run it in
  // two parts (layers.base.render_map_parts(first=...)): the map and its first
  // shapes early, the layer control at the end of the page; both run before
  // DOMContentLoaded, so while the page is parsed that is the moment to wait for.
  function restoreBaseLayer() {
    map.addLayer = addLayer;
    if (!wanted) { return; }
    var inputs = container.querySelectorAll(".leaflet-control-layers-base input[type=radio]");
    Array.prototype.forEach.call(inputs, function (input) {
      var label = input.closest("label");
      if (label && label.textContent.trim() === wanted && !input.checked) { input.click(); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", restoreBaseLayer);
  } else {
    setTimeout(restoreBaseLayer, 0);
  }
}
