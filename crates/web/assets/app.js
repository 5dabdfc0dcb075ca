// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the first field with an error, so a screen reader announces it.
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
  // "Use where I am": fills a form's lat/long from the phone's position (HTTPS or localhost).
  document.querySelectorAll("button[data-locate]").forEach(function (b) {
    if (!navigator.geolocation) { return; }
    b.hidden = false;
    var form = b.form, status = document.getElementById(b.getAttribute("data-locate"));
    b.addEventListener("click", function () {
      status.textContent = b.getAttribute("data-finding");
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.lat.value = p.coords.latitude.toFixed(6);
        form.elements.long.value = p.coords.longitude.toFixed(6);
        status.textContent = b.getAttribute("data-found");
      }, function () {
        status.textContent = b.getAttribute("data-failed");
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  });
  // A page that shows something short-lived (a check-in code) loads itself again in time.
  var reload = document.querySelector("[data-reload-after]");
  if (reload) {
    setTimeout(function () { location.reload(); }, Number(reload.getAttribute("data-reload-after")));
  }
  // A list drawn as cards on a phone (table.cards, display changed in CSS) keeps its table
  // semantics for screen readers, which browsers drop with the display.
  document.querySelectorAll("table.cards").forEach(function (t) {
    t.setAttribute("role", "table");
    t.querySelectorAll("thead, tbody, tfoot").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
    t.querySelectorAll("tr").forEach(function (r) { r.setAttribute("role", "row"); });
    t.querySelectorAll("td").forEach(function (c) { c.setAttribute("role", "cell"); });
    t.querySelectorAll("th").forEach(function (c) {
      c.setAttribute("role", c.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
    });
  });
  // Confirm destructive actions (retire, revoke) before posting.
  document.querySelectorAll("form[data-confirm]").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!window.confirm(f.getAttribute("data-confirm"))) { e.preventDefault(); }
    });
  });
});
