/* Bar charts for the public pages, drawn with the app's own chart.js.
 *
 * A page puts <canvas data-chart-source="ID"> and <script type="application/json"
 * id="ID"> with {title, labels, unit, datasets: [{label, stack, color, values,
 * illustrative: [bool per label]}]} next to it (the CSP allows no inline
 * script, and a JSON data block is not a script). Bars of illustrative values
 * are hatched; the tooltip says "illustratief" too.
 */
(function () {
  "use strict";

  var euro = new Intl.NumberFormat("nl-BE", { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
  var compact = new Intl.NumberFormat("nl-BE", { notation: "compact", maximumFractionDigits: 1 });

  function hatch(color) {
    var size = 8;
    var tile = document.createElement("canvas");
    tile.width = tile.height = size;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = color;
    ctx.globalAlpha = 0.35;
    ctx.fillRect(0, 0, size, size);
    ctx.globalAlpha = 1;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-1, 1);
    ctx.lineTo(1, -1);
    ctx.moveTo(size - 1, size + 1);
    ctx.lineTo(size + 1, size - 1);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function dataset(spec) {
    var marks = spec.illustrative || [];
    var pattern = hatch(spec.color);
    return {
      label: spec.label,
      stack: spec.stack,
      data: spec.values,
      borderColor: spec.color,
      borderWidth: 1,
      backgroundColor: spec.values.map(function (_, i) { return marks[i] ? pattern : spec.color; }),
      illustrative: marks
    };
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart-source"));
    if (!source || typeof Chart === "undefined") { return; }
    var spec = JSON.parse(source.textContent);
    var money = spec.unit === "EUR";
    new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: spec.datasets.map(dataset) },
      options: {
        animation: false,
        locale: "nl-BE",
        maintainAspectRatio: false,
        responsive: true,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true,
               ticks: { callback: function (v) { return money ? compact.format(v) + " €" : compact.format(v); } } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var text = item.dataset.label + ": " + (money ? euro.format(item.parsed.y) : item.parsed.y);
                return item.dataset.illustrative[item.dataIndex] ? text + " (illustratief)" : text;
              }
            }
          }
        }
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart-source]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
