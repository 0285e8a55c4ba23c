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

  // One number format per axis: the unit is chosen once from the axis maximum,
  // so an axis never mixes "800K €" with "1,8 mln. €" (Intl's compact notation
  // does). Amounts are written as the pages write them: "1,8 miljoen €".
  var whole = new Intl.NumberFormat("nl-BE", { maximumFractionDigits: 0 });

  function axisFormat(max, ticks, money) {
    var unit = money ? " €" : "";
    if (Math.abs(max) >= 1e6) {
      // The same decimals on every tick: none when all ticks are whole millions.
      var digits = ticks.every(function (t) { return t.value % 1e6 === 0; }) ? 0 : 1;
      var millions = new Intl.NumberFormat("nl-BE", { minimumFractionDigits: digits, maximumFractionDigits: digits });
      return function (v) { return millions.format(v / 1e6) + " miljoen" + unit; };
    }
    return function (v) { return whole.format(v) + unit; };
  }

  // The tooltip: real amounts to the euro, illustrative ones rounded to two
  // significant digits with "±" (layers/styles.format_eur_approx does the same).
  function amount(v, approx) {
    if (!approx || v === 0) { return whole.format(v) + " €"; }
    var size = Math.abs(v);
    var step = Math.pow(10, Math.floor(Math.log10(size)) - 1);
    var rounded = Math.round(size / step) * step * (v < 0 ? -1 : 1);
    if (Math.abs(rounded) >= 1e6) {
      var scaled = new Intl.NumberFormat("nl-BE", { maximumFractionDigits: Math.abs(rounded) < 1e7 ? 1 : 0 });
      return "± " + scaled.format(rounded / 1e6) + " miljoen €";
    }
    return "± " + whole.format(rounded) + " €";
  }

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
               ticks: { callback: function (v, i, ticks) { return axisFormat(this.max, ticks, money)(v); } } }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var approx = item.dataset.illustrative[item.dataIndex];
                var text = item.dataset.label + ": " + (money ? amount(item.parsed.y, approx) : whole.format(item.parsed.y));
                return approx ? text + " (illustratief)" : text;
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
