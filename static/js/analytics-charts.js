// Draws the course analytics charts from the JSON the page embeds with json_script.
// Every chart has its figures in a table beside it, so nothing is lost without this script.
(function () {
  "use strict";

  // Wagtail prints extra_js before the page body, so wait for the canvases to be parsed.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }

  function draw() {
    var source = document.getElementById("analytics-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    // Django's JavaScript catalogue (/jsi18n/); the labels stay English if a page lacks it.
    var gettext = window.gettext || function (text) { return text; };
    var Chart = window.Chart;
    var TEAL = "#007d7e";
    var INDIGO = "#261a4b";
    var CORAL = "#cd4444";

    var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    Chart.defaults.animation = reducedMotion ? false : Chart.defaults.animation;
    Chart.defaults.maintainAspectRatio = false;

    function integerAxis(title) {
      return { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: title } };
    }

    function bar(canvas, labels, values, options) {
      return new Chart(canvas, {
        type: "bar",
        data: {
          labels: labels,
          datasets: [{ label: options.label, data: values, backgroundColor: options.color }],
        },
        options: {
          indexAxis: options.horizontal ? "y" : "x",
          plugins: { legend: { display: false } },
          scales: options.scales,
        },
      });
    }

    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      var kind = canvas.dataset.chart;
      if (kind === "funnel") {
        bar(canvas, data.funnel.labels, data.funnel.counts, {
          label: gettext("Learners"),
          color: TEAL,
          horizontal: true,
          scales: { x: integerAxis(gettext("Learners")) },
        });
      } else if (kind === "distribution") {
        var item = data.distributions[Number(canvas.dataset.index)];
        if (item) {
          bar(canvas, item.labels, item.counts, {
            label: gettext("Learners"),
            color: INDIGO,
            scales: { y: integerAxis(gettext("Learners")) },
          });
        }
      } else if (kind === "failures") {
        bar(canvas, data.failures.labels, data.failures.rates, {
          label: gettext("Failure rate (%)"),
          color: CORAL,
          horizontal: true,
          scales: { x: { beginAtZero: true, max: 100, title: { display: true, text: gettext("Graded submissions (%)") } } },
        });
      } else if (kind === "activity") {
        new Chart(canvas, {
          type: "line",
          data: {
            labels: data.activity.labels,
            datasets: [
              { label: gettext("Submissions"), data: data.activity.submissions, borderColor: TEAL, backgroundColor: TEAL },
              { label: gettext("Checks"), data: data.activity.checks, borderColor: INDIGO, backgroundColor: INDIGO, borderDash: [6, 4] },
            ],
          },
          options: { scales: { y: integerAxis(gettext("Per day")) } },
        });
      }
    });
  }
})();
