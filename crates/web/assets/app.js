// Small progressive enhancements; every page works without them. They run on a page load and
// again on what a form sent in place (htmx) brings back.

// Move focus to the first field with an error, so a screen reader announces it.
function focusFirstError() {
  var invalid = document.querySelector("[aria-invalid='true']");
  if (invalid) { invalid.focus(); }
}

function enhance(root) {
  // "Use where I am": fills a form's lat/long from the phone's position (HTTPS or localhost).
  root.querySelectorAll("button[data-locate]").forEach(function (b) {
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
