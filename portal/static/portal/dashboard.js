// Draws the dashboard's charts with Chart.js from the page's JSON block; the tables beside
// them carry the same numbers for readers without JavaScript or a screen.
(function () {
  "use strict";
  const source = document.getElementById("dashboard-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const chart = data[canvas.dataset.chart];
    if (!chart) {
      return;
    }
    new Chart(canvas, {
      type: chart.kind,
      data: {
        labels: chart.labels,
        datasets: [{ label: chart.title, data: chart.counts, borderWidth: 1 }],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: chart.kind === "doughnut" } },
        scales: chart.kind === "doughnut" ? {} : { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
