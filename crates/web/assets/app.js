// Small progressive enhancements; every page works without them. They run on a page load and
// again on what a form sent in place (htmx) brings back.

// Move focus to the first field with an error, so a screen reader announces it.
function focusFirstError() {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
}

// Scripts a page needs only sometimes (charts, maps), loaded once when it has one.
var loaded = {};
function load(src) {
  if (!loaded[src]) {
    loaded[src] = new Promise(function (ok, fail) {
      var s = document.createElement("script");
      s.src = src; s.onload = ok; s.onerror = fail;
      document.head.appendChild(s);
    });
  }
  return loaded[src];
}

// Charts (ui::chart): the figures are in the page (data-chart); once drawn, the table beside
// the chart folds under its summary, one tap away.
function drawCharts(root) {
  var figures = root.querySelectorAll("figure.chart[data-chart]");
  if (!figures.length) { return; }
  load("/assets/chart.umd.min.js").then(function () {
    var css = getComputedStyle(document.documentElement);
    var palette = [1, 2, 3, 4, 5, 6].map(function (i) { return css.getPropertyValue("--chart-" + i).trim(); });
    Chart.defaults.font.family = css.fontFamily;
    figures.forEach(function (f) {
      var box = f.querySelector(".chart-canvas");
      if (!box || f.drawn) { return; }
      var c = JSON.parse(f.getAttribute("data-chart"));
      var across = c.kind === "across", stacked = c.kind === "stacked";
      var values = { beginAtZero: true, stacked: stacked };
      if (c.percent) { values.max = 100; }
      var labels = { stacked: stacked };
      box.hidden = false;
      // Bars across the page get the height their names need.
      if (across) { box.style.height = Math.max(200, c.labels.length * 30 + 60) + "px"; }
      f.drawn = new Chart(box.querySelector("canvas"), {
        type: c.kind === "line" ? "line" : "bar",
        data: {
          labels: c.labels,
          datasets: c.series.map(function (s, i) {
            var colour = palette[i % palette.length];
            return { label: s.name, data: s.values, backgroundColor: colour, borderColor: colour, tension: 0.2 };
          })
        },
        options: {
          indexAxis: across ? "y" : "x",
          maintainAspectRatio: false,
          animation: false,
          scales: across ? { x: values, y: labels } : { x: labels, y: values },
          plugins: { legend: { display: c.series.length > 1 } }
        }
      });
      var table = f.querySelector("details.chart-data");
      if (table) { table.open = false; }
    });
  });
}

// Maps (ui::map) are drawn by map.js over Leaflet, both loaded only where a page has a map.
function drawMaps(root) {
  if (!root.querySelector("[data-map]")) { return; }
  if (!document.querySelector("link[href='/assets/leaflet.css']")) {
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = "/assets/leaflet.css";
    document.head.appendChild(css);
  }
  load("/assets/leaflet.js").then(function () { return load("/assets/map.js"); }).then(function () {
    window.yijiaMaps(root);
  });
}

function enhance(root) {
  // A list drawn as cards on a phone (table.cards, display changed in CSS) keeps its table
  // semantics for screen readers, which browsers drop with the display.
  root.querySelectorAll("table.cards").forEach(function (t) {
    t.setAttribute("role", "table");
    t.querySelectorAll("thead, tbody, tfoot").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
    t.querySelectorAll("tr").forEach(function (r) { r.setAttribute("role", "row"); });
    t.querySelectorAll("td").forEach(function (c) { c.setAttribute("role", "cell"); });
    t.querySelectorAll("th").forEach(function (c) {
      c.setAttribute("role", c.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
    });
  });
  drawCharts(root);
  drawMaps(root);
  // Confirm destructive actions (retire, revoke) before posting.
  root.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
}

document.addEventListener("DOMContentLoaded", function () {
  focusFirstError();
  enhance(document);
  // A page that shows something short-lived (a check-in code) loads itself again in time.
  var reload = document.querySelector("[data-reload-after]");
  if (reload) {
    setTimeout(function () { location.reload(); }, Number(reload.getAttribute("data-reload-after")));
  }
});

// What comes back is the page's main, swapped whole (the photos chosen are kept, hx-preserve).
document.addEventListener("htmx:afterSettle", function () {
  var main = document.querySelector("main");
  if (main) { enhance(main); }
  focusFirstError();
});

// A form sent in place that failed otherwise than on its fields (the server's error page): show
// that page's message where the form was, as a page load would have.
document.addEventListener("htmx:responseError", function (e) {
  var page = new DOMParser().parseFromString(e.detail.xhr.responseText, "text/html");
  var shown = page.querySelector("main"), here = document.querySelector("main");
  if (shown && here) { here.replaceWith(shown); }
});
