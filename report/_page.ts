/**
 * The HTML report's own script (browser JavaScript, inlined after the charting library):
 * reads the chart specs from the page's JSON block, draws each chart with Chart.js (no
 * animation, so it is drawn before the load event ends), and marks the page with what was
 * drawn so a headless browser can check it:
 *
 * - each `<canvas>`: `data-elements` (data points drawn), `data-error-bars` (points whose
 *   error bar the plugin laid out), `data-painted` (non-transparent pixels), or `data-error`;
 * - `<body>`: `data-charts` (charts on the page), `data-rendered` (charts with painted pixels
 *   and data points), `data-errors` (messages), `data-csp-violations` (count, updated on each).
 *
 * @module
 */

/** The script's text (hashed into the page's Content-Security-Policy). */
export const PAGE_SCRIPT: string = `"use strict";
(function () {
  var body = document.body;
  var violations = 0;
  body.setAttribute("data-csp-violations", "0");
  document.addEventListener("securitypolicyviolation", function () {
    violations += 1;
    body.setAttribute("data-csp-violations", String(violations));
  });
  var block = document.getElementById("report-charts");
  var specs = block === null ? [] : JSON.parse(block.textContent || "[]");
  var rendered = 0;
  var errors = [];
  function percentTicks(digits) {
    return function (value) { return (Number(value) * 100).toFixed(digits) + "%"; };
  }
  for (var i = 0; i < specs.length; i++) {
    var spec = specs[i];
    var canvas = document.getElementById(spec.id);
    if (canvas === null) { errors.push(spec.id + ": no canvas"); continue; }
    try {
      if (typeof spec.height === "number") canvas.parentElement.style.height = spec.height + "px";
      var config = spec.config;
      var options = config.options;
      options.animation = false;
      options.responsive = true;
      options.maintainAspectRatio = false;
      options.layout = options.layout || { padding: { top: 4, right: 14 } };
      options.plugins = options.plugins || {};
      options.plugins.legend = options.plugins.legend || {};
      options.plugins.legend.labels = { usePointStyle: true };
      if (typeof spec.percentDigits === "number") {
        var digits = spec.percentDigits;
        var valueAxis = options.indexAxis === "y" ? "x" : "y";
        options.scales = options.scales || {};
        options.scales[valueAxis] = options.scales[valueAxis] || {};
        options.scales[valueAxis].ticks = { callback: percentTicks(digits) };
        options.plugins.tooltip = {
          callbacks: {
            label: function (item) {
              var raw = item.raw;
              var y = raw !== null && typeof raw === "object" ? raw.y : raw;
              var text = item.dataset.label + ": " + (Number(y) * 100).toFixed(2) + "%";
              if (raw !== null && typeof raw === "object" && typeof raw.yMin === "number") {
                text += " [" + (raw.yMin * 100).toFixed(2) + "%, " + (raw.yMax * 100).toFixed(2) + "%]";
              }
              return text;
            },
          },
        };
      }
      var chart = new Chart(canvas, config);
      var elements = 0;
      var errorBars = 0;
      for (var d = 0; d < chart.data.datasets.length; d++) {
        var points = chart.getDatasetMeta(d).data;
        for (var p = 0; p < points.length; p++) {
          var raw = chart.data.datasets[d].data[p];
          if (raw === null || raw === undefined) continue;
          elements += 1;
          var el = points[p];
          if (typeof el.yMin === "number" && typeof el.yMax === "number" && isFinite(el.yMin) && isFinite(el.yMax)) {
            errorBars += 1;
          }
        }
      }
      var image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      var painted = 0;
      for (var k = 3; k < image.length; k += 4) if (image[k] !== 0) painted += 1;
      canvas.setAttribute("data-elements", String(elements));
      canvas.setAttribute("data-error-bars", String(errorBars));
      canvas.setAttribute("data-painted", String(painted));
      if (painted > 0 && elements > 0) rendered += 1;
    } catch (error) {
      var message = error && error.message ? error.message : String(error);
      canvas.setAttribute("data-error", message);
      errors.push(spec.id + ": " + message);
    }
  }
  body.setAttribute("data-charts", String(specs.length));
  body.setAttribute("data-rendered", String(rendered));
  if (errors.length > 0) body.setAttribute("data-errors", errors.join("; "));
})();
`;
