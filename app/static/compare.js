/* The comparison page (/<slug>/vergelijken): keep the two folium maps in step
   (Leaflet.Sync) and draw the scatter chart (Chart.js) from the canvas's
   data-points. Loaded as a file: the CSP allows no inline script without nonce. */
(function () {
  "use strict";

  var numberFormat = new Intl.NumberFormat("nl-BE", { maximumFractionDigits: 1 });

  function withUnit(value, unit) {
    if (!unit) { return numberFormat.format(value); }
    if (unit === "%" || unit === "‰") { return numberFormat.format(value) + unit; }
    if (unit === "€") { return numberFormat.format(Math.round(value)) + " €"; }
    return numberFormat.format(value) + " " + unit;
  }

  function syncMaps() {
    var holder = document.querySelector("[data-sync-maps]");
    if (!holder) { return; }
    // folium declares each map as a global `var map_<id>`.
    var maps = holder.getAttribute("data-sync-maps").split(" ").map(function (name) { return window[name]; });
    if (maps.length !== 2 || !maps[0] || !maps[1] || typeof maps[0].sync !== "function") { return; }
    // folium's fitBounds starts an animated zoom on each map; a map that
    // finishes it after the sync would pull the other one back. Sync once
    // both have settled.
    var waiting = 0;
    function settled() {
      waiting -= 1;
      if (waiting > 0) { return; }
      maps[0].sync(maps[1], { syncCursor: true });
      maps[1].sync(maps[0], { syncCursor: true });
      fitBesideLegends(maps, JSON.parse(holder.getAttribute("data-bounds") || "null"));
      holder.setAttribute("data-synced", "true");
    }
    maps.forEach(function (map) {
      waiting += 1;
      if (map._animatingZoom) { map.once("zoomend", settled); } else { setTimeout(settled, 0); }
    });
  }

  // folium fits the wijken to the whole map; an open legend (maps wider than
  // 600 px) then covers part of them. Refit with the widest legend as right
  // padding; the other map follows through the sync.
  function fitBesideLegends(maps, bounds) {
    if (!bounds) { return; }
    var right = 12;
    maps.forEach(function (map) {
      var legend = map.getContainer().querySelector(".fk-legend details[open]");
      if (legend) { right = Math.max(right, legend.parentNode.offsetWidth + 16); }
    });
    if (right >= maps[0].getSize().x / 2) { return; }  // too narrow to leave room: keep folium's fit
    maps[0].fitBounds(bounds, { paddingTopLeft: [48, 12], paddingBottomRight: [right, 12], maxZoom: 17, animate: false });
  }

  function drawScatter() {
    var canvas = document.getElementById("compare-scatter");
    if (!canvas || typeof Chart === "undefined") { return; }
    var points = JSON.parse(canvas.getAttribute("data-points") || "[]");
    var xUnit = canvas.getAttribute("data-x-unit");
    var yUnit = canvas.getAttribute("data-y-unit");
    new Chart(canvas, {
      type: "scatter",
      data: {
        datasets: [{
          label: "Wijken",
          data: points,
          backgroundColor: "rgba(11, 92, 173, 0.55)",
          borderColor: "#0b5cad",
          pointRadius: 6,
          pointHoverRadius: 8
        }]
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (context) {
                var p = context.raw;
                return p.label + ": " + withUnit(p.x, xUnit) + "; " + withUnit(p.y, yUnit);
              }
            }
          }
        },
        scales: {
          x: {
            beginAtZero: true,
            title: { display: true, text: canvas.getAttribute("data-x-title"), color: "#1d2329" },
            ticks: { color: "#1d2329", callback: function (v) { return numberFormat.format(v); } }
          },
          y: {
            title: { display: true, text: canvas.getAttribute("data-y-title"), color: "#1d2329" },
            ticks: { color: "#1d2329", callback: function (v) { return numberFormat.format(v); } }
          }
        }
      }
    });
  }

  syncMaps();
  drawScatter();
})();
