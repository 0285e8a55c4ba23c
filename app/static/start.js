/* The start page (templates/public/index.html).
 * 1. The city search as an accessible combobox (ARIA 1.2, list autocomplete):
 *    suggestions from /gemeenten.json as you type; Arrow keys move through
 *    them, Enter opens the chosen city, Escape closes the list. Without JS
 *    the same form is a plain GET search on `/`.
 * 2. The map of Flanders: one point per city that publishes plans, fetched
 *    from /gemeenten.geojson (kept per data version), each with its summary.
 * Text from the data is set with textContent, never as HTML. */
(function () {
  "use strict";

  function element(tag, text, className) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function setUpSearch(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[role=status]");
    var items = [], active = -1, timer = null, asked = 0;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      active = index;
      Array.prototype.forEach.call(options, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(found) {
      items = found;
      list.textContent = "";
      found.forEach(function (item, i) {
        var option = element("li", null, "start-suggestion");
        option.id = "gemeente-suggestie-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.appendChild(element("span", item.naam));
        if (item.via) { option.appendChild(element("span", " (" + item.via + ")", "muted")); }
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { window.location.assign(item.url); });
        list.appendChild(option);
      });
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
      status.textContent = found.length
        ? (found.length === 1 ? "1 gemeente gevonden." : found.length + " gemeenten gevonden.")
        : "Geen gemeente gevonden.";
    }

    function ask() {
      var text = input.value.trim();
      if (text.length < 2) { close(); items = []; return; }
      var ticket = ++asked;
      fetch(form.getAttribute("data-url") + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggesties: [] }; })
        .then(function (data) { if (ticket === asked && document.activeElement === input) { show(data.suggesties); } })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        if (items.length) { highlight(active + 1 < items.length ? active + 1 : 0); }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (open) { highlight(active > 0 ? active - 1 : items.length - 1); }
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          window.location.assign(items[active].url);
        }
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      }
    });
    input.addEventListener("blur", function () { window.setTimeout(close, 100); });
  }

  function popupContent(p) {
    var box = element("div", null, "start-popup");
    var link = element("a", p.naam);
    link.href = p.url;
    box.appendChild(element("strong")).appendChild(link);
    box.appendChild(element("div", p.samenvatting));
    return box;
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) { return response.json(); });
  }

  // The view stays on Flanders (folium's bounds): the points show who publishes, the outline where.
  function setUpMap(holder) {
    var map = window[holder.getAttribute("data-map")];
    if (!map || !window.L) { return; }
    var outline = getJson(holder.getAttribute("data-outline")).then(function (data) {
      window.L.geoJSON(data, { interactive: false, style: { color: "#55606b", weight: 1, fillColor: "#ffffff",
                                                           fillOpacity: 0.7 } }).addTo(map);
    });
    var points = getJson(holder.getAttribute("data-points"));
    Promise.all([outline, points]).then(function (loaded) {
      var data = loaded[1];
      window.L.geoJSON(data, {
        pointToLayer: function (feature, latlng) {
          return window.L.circleMarker(latlng, { radius: 8, color: "#ffffff", weight: 2,
                                                 fillColor: "#0b5cad", fillOpacity: 0.9 });
        },
        onEachFeature: function (feature, marker) {
          marker.bindPopup(popupContent(feature.properties));
          marker.bindTooltip(feature.properties.naam);
        }
      }).addTo(map);
      holder.setAttribute("data-points-drawn", String(data.features.length));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-start-search]"), setUpSearch);
  var holder = document.getElementById("start-kaart");
  if (holder) { setUpMap(holder); }
})();
