// Kehu: every chart of the report pages, drawn with ECharts from the data its element points
// to (no inline script): <div class="kehu-chart" data-chart-source="ID"> and the
// <script type="application/json" id="ID"> written by core.reports.bar_chart / {% chart %}.
(function () {
  "use strict";

  function money(v) {
    return "¥" + Number(v).toLocaleString(undefined, {minimumFractionDigits: 2});
  }

  function option(spec) {
    var horizontal = spec.horizontal;
    // A horizontal chart lists its first label on top: ECharts draws categories bottom up.
    function ordered(values) { return horizontal ? values.slice().reverse() : values; }
    var categories = {type: "category", data: ordered(spec.labels), axisLabel: {width: 160, overflow: "truncate"}};
    var values = {type: "value"};
    var result = {
      grid: {left: 8, right: 24, top: spec.legend ? 40 : 16, bottom: 8, containLabel: true},
      tooltip: {trigger: "axis", valueFormatter: spec.counts ? function (v) { return String(v); } : money},
      xAxis: horizontal ? values : categories,
      yAxis: horizontal ? categories : values,
      series: spec.series.map(function (s) {
        var bar = {type: "bar", data: ordered(s.data)};
        if (s.name) { bar.name = s.name; }
        if (spec.stacked) { bar.stack = "total"; }
        return bar;
      })
    };
    if (spec.colors && spec.colors.length) { result.color = spec.colors; }
    if (spec.legend) { result.legend = {top: 0}; }
    if (spec.pointer) { result.tooltip.axisPointer = {type: spec.pointer}; }
    return result;
  }

  document.querySelectorAll(".kehu-chart[data-chart-source]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart-source"));
    if (!source || typeof echarts === "undefined") { return; }
    var chart = echarts.init(element);
    chart.setOption(option(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
