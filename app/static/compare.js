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
    maps[0].sync(maps[1], { syncCursor: true });
    maps[1].sync(maps[0], { syncCursor: true });
    holder.setAttribute("data-synced", "true");
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
