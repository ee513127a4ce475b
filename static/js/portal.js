/* AAC Portal's only script: draws the charts from their json_script data (a
   click on a bar opens the table it counts), redraws them when htmx swaps
   fresh content in, keeps every time's age ticking, lets a button's
   confirmation give way to the live status, and tells the login form the
   browser's timezone. Loaded with `defer`; no inline code anywhere (CSP). */
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

  // A time's age, worded as the server words it (pages/templatetags/portal.py, age).
  function age(at, now) {
    var seconds = (at - now) / 1000;
    var size = Math.abs(seconds);
    var words;
    if (size < 45) {
      return "just now";
    }
    if (size < 90 * 60) {
      words = Math.max(1, Math.round(size / 60)) + " min";
    } else if (size < 36 * 3600) {
      words = Math.round(size / 3600) + " h";
    } else if (size < 60 * 86400) {
      var days = Math.round(size / 86400);
      words = days + (days === 1 ? " day" : " days");
    } else if (size < 730 * 86400) {
      words = Math.round(size / (30 * 86400)) + " months";
    } else {
      words = Math.round(size / (365 * 86400)) + " years";
    }
    return seconds > 0 ? "in " + words : words + " ago";
  }

  function tickAges() {
    var now = Date.now();
    document.querySelectorAll(".age[data-at]").forEach(function (element) {
      var at = Date.parse(element.dataset.at);
      if (!isNaN(at)) {
        element.textContent = age(at, now);
      }
    });
  }

  // A button's "queued" confirmation gives way to the live status once the
  // page's poller (or a connection task's) has swapped the status in.
  function confirmationGivesWay(event) {
    var config = event.detail.requestConfig;
    var target = event.detail.target;
    if (!config || config.verb !== "get" || !target) {
      return;
    }
    if (target.id === "sync-poller" || target.id.indexOf("connection-task-") === 0) {
      var message = document.getElementById("sync-message");
      if (message && message.querySelector(".ok")) {
        message.textContent = "";
      }
    }
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
    tickAges();
    window.setInterval(tickAges, 15000);
  });
  document.addEventListener("htmx:afterSwap", confirmationGivesWay);

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
