/* AAC Portal's only script: draws the charts from their json_script data (a
   click on a bar opens the table it counts), redraws them when htmx swaps
   fresh content in, and tells the login form the browser's timezone. Loaded with `defer`; no inline code anywhere (CSP). */
(function () {
  "use strict";

  var PALETTE = ["#2563eb", "#0e9f6e", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#65a30d"];

  // Where a click on a bar goes: its segment's link (stacked series), else its bar's.
  function linkOf(data, series, index) {
    var links = data.series[series].links || [];
    return links[index] || (data.links || [])[index] || "";
  }

  function chartConfig(data) {
    var horizontal = data.kind === "hbar" || data.kind === "hstacked";
    var stacked = data.kind === "stacked" || data.kind === "hstacked";
    var valueAxis = { beginAtZero: true, stacked: stacked, ticks: { precision: 0 } };
    var categoryAxis = { stacked: stacked, ticks: { autoSkip: !horizontal } };
    var x = horizontal ? valueAxis : categoryAxis;
    var y = horizontal ? categoryAxis : valueAxis;
    x.title = { display: true, text: data.xLabel };
    y.title = { display: true, text: data.yLabel };
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          return {
            label: series.name,
            data: series.values,
            backgroundColor: series.colour || PALETTE[(stacked ? i : 0) % PALETTE.length],
            borderRadius: stacked ? 0 : 3
          };
        })
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          title: {
            display: true,
            text: data.title,
            align: "start",
            color: "#1f2933",
            font: { size: 15, weight: "600" },
            padding: { bottom: 12 }
          },
          subtitle: {
            display: !!data.subtitle,
            text: data.subtitle,
            align: "start",
            color: "#52606d",
            padding: { bottom: 10 }
          },
          legend: { display: stacked, position: "bottom" }
        },
        scales: { x: x, y: y },
        onClick: function (event, elements) {
          if (elements.length) {
            var href = linkOf(data, elements[0].datasetIndex, elements[0].index);
            if (href) {
              window.location.assign(href);
            }
          }
        },
        onHover: function (event, elements) {
          var linked = elements.length && linkOf(data, elements[0].datasetIndex, elements[0].index);
          event.native.target.style.cursor = linked ? "pointer" : "";
        }
      }
    };
  }

  function drawCharts(root) {
    if (typeof Chart === "undefined") {
      return;
    }
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (Chart.getChart(canvas)) {
        return;
      }
      var source = document.getElementById(canvas.dataset.chart);
      new Chart(canvas, chartConfig(JSON.parse(source.textContent)));
    });
  }

  function rememberBrowserTimezone() {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    var input = document.getElementById("browser-timezone");
    if (input) {
      input.value = zone;
    }
    var shown = document.getElementById("browser-timezone-name");
    if (shown && zone) {
      shown.textContent = zone;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    rememberBrowserTimezone();
    drawCharts(document);
  });

  // htmx swapped fresh content in (after a sync): draw its charts...
  document.addEventListener("htmx:load", function (event) {
    drawCharts(event.detail.elt);
  });
  // ...and free the charts of the content it removed.
  document.addEventListener("htmx:beforeCleanupElement", function (event) {
    var element = event.target;
    if (typeof Chart !== "undefined" && element instanceof HTMLCanvasElement) {
      var chart = Chart.getChart(element);
      if (chart) {
        chart.destroy();
      }
    }
  });
})();
