// The service reports' charts (ECharts), drawn from the JSON the page embeds; every chart has
// a table with the same figures next to it for screen readers and copying.
(function () {
  "use strict";
  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  function chart(id) {
    var node = document.getElementById(id);
    if (!node) {
      return null;
    }
    node.style.height = "280px";
    return window.echarts.init(node);
  }
  function bucketLabel(b) {
    return b.low + "–" + (b.high === null ? "∞" : b.high);
  }
  function draw() {
    var data = read("reports-data");
    var labels = read("reports-labels") || {};
    var tab = (document.getElementById("reports-tab") || {}).dataset;
    if (!data || !tab || typeof window.echarts === "undefined") {
      return;
    }
    if (tab.tab === "csat") {
      var csat = chart("chart-csat-trend");
      if (csat) {
        csat.setOption({
          tooltip: { trigger: "axis" },
          legend: {},
          xAxis: { type: "category", data: data.trend.map(function (r) { return r.period; }) },
          yAxis: [
            { type: "value", min: 0, max: 100, name: "%" },
            { type: "value", minInterval: 1 }
          ],
          series: [
            { name: labels.csat, type: "line", data: data.trend.map(function (r) { return r.csat; }) },
            { name: labels.answered, type: "bar", yAxisIndex: 1, data: data.trend.map(function (r) { return r.answered; }) }
          ]
        });
      }
    } else if (tab.tab === "times") {
      Object.keys(data).forEach(function (metric) {
        var c = chart("chart-" + metric);
        if (c) {
          c.setOption({
            tooltip: { trigger: "axis" },
            xAxis: { type: "category", name: labels.hours, data: data[metric].histogram.map(bucketLabel) },
            yAxis: { type: "value", minInterval: 1 },
            series: [{ name: labels.tickets, type: "bar", data: data[metric].histogram.map(function (b) { return b.count; }) }]
          });
        }
      });
    } else if (tab.tab === "sla") {
      var s = chart("chart-sla-trend");
      if (s) {
        s.setOption({
          tooltip: { trigger: "axis" },
          legend: {},
          xAxis: { type: "category", data: data.trend.map(function (r) { return r.label; }) },
          yAxis: { type: "value", minInterval: 1 },
          series: [
            { name: labels.met, type: "bar", stack: "sla", color: "#16a34a", data: data.trend.map(function (r) { return r.met; }) },
            { name: labels.breached, type: "bar", stack: "sla", color: "#dc2626", data: data.trend.map(function (r) { return r.breached; }) }
          ]
        });
      }
    } else if (tab.tab === "contracts") {
      var k = chart("chart-contracts");
      if (k) {
        var usage = data.usage.filter(function (r) { return r.used_percent !== null; });
        k.setOption({
          tooltip: { trigger: "axis" },
          xAxis: { type: "category", data: usage.map(function (r) { return r.number; }) },
          yAxis: { type: "value", name: "%" },
          series: [{ name: labels.used_percent, type: "bar", data: usage.map(function (r) { return r.used_percent; }) }]
        });
      }
    }
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
