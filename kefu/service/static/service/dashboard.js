// The supervisor dashboard's charts (ECharts), drawn from the JSON the page embeds.
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function draw() {
    var data = read("dashboard-data");
    var labels = read("dashboard-labels") || {};
    if (!data || typeof window.echarts === "undefined") {
      return;
    }
    var byDay = document.getElementById("chart-by-day");
    if (byDay) {
      byDay.style.height = "260px";
      window.echarts.init(byDay).setOption({
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.by_day.map(function (d) { return d.day.slice(5); }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: labels.volume, type: "bar", data: data.by_day.map(function (d) { return d.count; }) }]
      });
    }
    var backlog = document.getElementById("chart-backlog");
    if (backlog) {
      backlog.style.height = "260px";
      window.echarts.init(backlog).setOption({
        tooltip: { trigger: "axis" },
        xAxis: {
          type: "category",
          data: data.backlog.map(function (b) { return b.low + "–" + (b.high === null ? "∞" : b.high); })
        },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ name: labels.backlog, type: "bar", data: data.backlog.map(function (b) { return b.count; }) }]
      });
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
