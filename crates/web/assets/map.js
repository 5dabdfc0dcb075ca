// Maps (ui::map, map.rs) drawn with Leaflet. The server sends everything in the page: the tiles
// to draw under (none: a plain background that needs no internet), the layers with their points
// already in the tiles' datum, and, for a form, what the map writes back. What the map writes is
// in the tiles' datum too, with the datum named beside it, and the server turns it back into
// WGS-84; typed by hand, without this script, the boxes are WGS-84 and say nothing.
(function () {
  // WGS-84 → GCJ-02, only for the phone's own position on GCJ-02 tiles; the server does every
  // other conversion (yijia_kernel::geo, tested against published points).
  function toGcj(lat, lng) {
    if (lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271) { return [lat, lng]; }
    var a = 6378245.0, ee = 0.006693421622965943, PI = Math.PI, x = lng - 105, y = lat - 35;
    var dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x))
      + (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3
      + (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3
      + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    var dLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x))
      + (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3
      + (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3
      + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    var rad = lat / 180 * PI, magic = 1 - ee * Math.sin(rad) * Math.sin(rad), sq = Math.sqrt(magic);
    dLat = dLat * 180 / ((a * (1 - ee)) / (magic * sq) * PI);
    dLng = dLng * 180 / (a / sq * Math.cos(rad) * PI);
    return [lat + dLat, lng + dLng];
  }

  function latlng(p) { return [p.lat, p.long]; }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  // A feature's popup, built from text (never HTML from the data).
  function popup(f) {
    var box = el("div");
    var head = f.href ? el("a", f.label) : el("strong", f.label);
    if (f.href) { head.href = f.href; }
    box.appendChild(head);
    if (f.detail) { box.appendChild(el("div", f.detail)); }
    return box;
  }

  function pin(style, tone) {
    return L.divIcon({ className: "map-pin " + style + " " + (tone || ""), iconSize: [14, 14] });
  }

  function draw(node) {
    if (node.drawn) { return; }
    var m = JSON.parse(node.getAttribute("data-map"));
    var map = L.map(node, { scrollWheelZoom: !m.pick && !m.edit ? "center" : true });
    node.drawn = map;
    var tiles = m.tiles || {};
    (tiles.urls || []).forEach(function (u) {
      L.tileLayer(u, { subdomains: tiles.subdomains || "abc", attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
    });
    var datum = tiles.datum || "wgs84";
    var bounds = L.latLngBounds([]);
    var overlays = {};
    var drawn = 0;
    (m.layers || []).forEach(function (layer) {
      var group = L.featureGroup();
      layer.features.forEach(function (f) {
        var shape;
        if (f.shape.type === "area") {
          shape = L.polygon(f.shape.polygons.map(function (p) { return p.map(function (r) { return r.map(latlng); }); }),
            { className: "map-area " + layer.style, weight: 2, fillOpacity: 0.08 });
        } else {
          shape = L.marker(latlng(f.shape.at), { icon: pin(layer.style, f.tone), title: f.label, keyboard: true });
        }
        shape.bindPopup(popup(f));
        group.addLayer(shape);
        drawn += 1;
      });
      overlays[layer.label + " (" + layer.features.length + ")"] = group;
      if (layer.shown) {
        group.addTo(map);
        if (layer.features.length) { bounds.extend(group.getBounds()); }
      }
    });
    if (Object.keys(overlays).length > 1) { L.control.layers(null, overlays, { collapsed: window.innerWidth < 600 }).addTo(map); }
    if (m.pick) { picker(map, m.pick, datum, bounds); }
    if (m.edit) { editor(map, m.edit, datum, bounds); }
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 });
    } else if (m.centre) {
      map.setView(latlng(m.centre), 15);
    } else {
      map.setView([36.06, 103.83], 12);
    }
    node.setAttribute("data-drawn", String(drawn));
  }

  // A point picked on the map (the appeal's place, a building's): a marker one drags or moves
  // with a tap, starting where the phone is when asked.
  function picker(map, p, datum, bounds) {
    var lat = document.getElementById(p.lat), lng = document.getElementById(p.long);
    var said = document.getElementById(p.datum), status = document.getElementById(p.status);
    var marker = null;
    function put(ll, fromMap) {
      if (!marker) {
        marker = L.marker(ll, { draggable: true, title: p.marker, keyboard: true }).addTo(map);
        marker.on("dragend", function () { put(marker.getLatLng(), true); });
      }
      marker.setLatLng(ll);
      if (fromMap) {
        lat.value = ll.lat.toFixed(6);
        lng.value = (ll.lng === undefined ? ll[1] : ll.lng).toFixed(6);
        said.value = datum;
      }
      if (status && p.placed) { status.textContent = p.placed; }
    }
    if (p.at) { put(latlng(p.at), false); bounds.extend(latlng(p.at)); }
    // With the map drawn, the typed boxes fold away, unless they hold a refused value.
    var typed = lat.closest("details.map-typed");
    if (typed && !typed.querySelector("[aria-invalid='true']")) { typed.open = false; }
    map.on("click", function (e) { put(e.latlng, true); });
    var locate = document.getElementById(p.locate);
    if (locate && navigator.geolocation) {
      locate.hidden = false;
      locate.addEventListener("click", function () {
        if (status) { status.textContent = locate.getAttribute("data-finding"); }
        navigator.geolocation.getCurrentPosition(function (pos) {
          var here = datum === "gcj02" ? toGcj(pos.coords.latitude, pos.coords.longitude) : [pos.coords.latitude, pos.coords.longitude];
          var ll = L.latLng(here[0], here[1]);
          put(ll, true);
          map.setView(ll, 17);
          if (status) { status.textContent = locate.getAttribute("data-found"); }
        }, function () {
          if (status) { status.textContent = locate.getAttribute("data-failed"); }
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }
  }

  // An outline drawn point by point (a grid's boundary): a tap adds a corner, a corner can be
  // dragged; the outline is written to the form as GeoJSON.
  function editor(map, e, datum, bounds) {
    var out = document.getElementById(e.input), said = document.getElementById(e.datum);
    var corners = [], outline = L.polygon([], { className: "map-area editing", weight: 3 }).addTo(map);
    function write() {
      var ring = corners.map(function (c) { var ll = c.getLatLng(); return [Number(ll.lng.toFixed(6)), Number(ll.lat.toFixed(6))]; });
      outline.setLatLngs(corners.map(function (c) { return c.getLatLng(); }));
      if (ring.length >= 3) {
        ring.push(ring[0]);
        out.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      } else {
        out.value = "";
      }
      said.value = datum;
    }
    function add(ll) {
      var c = L.marker(ll, { draggable: true, icon: L.divIcon({ className: "map-vertex", iconSize: [16, 16] }), title: e.corner });
      c.on("drag", write);
      c.addTo(map);
      corners.push(c);
    }
    if (e.area && e.area.length) {
      var first = e.area[0][0];
      first.slice(0, -1).forEach(function (p) { add(latlng(p)); });
      outline.setLatLngs(corners.map(function (c) { return c.getLatLng(); }));
      bounds.extend(outline.getBounds());
    }
    map.on("click", function (ev) { add(ev.latlng); write(); });
    var undo = document.getElementById(e.undo), clear = document.getElementById(e.clear);
    [undo, clear].forEach(function (b) { if (b) { b.hidden = false; } });
    if (undo) { undo.addEventListener("click", function () { var c = corners.pop(); if (c) { map.removeLayer(c); } write(); }); }
    if (clear) { clear.addEventListener("click", function () { corners.forEach(function (c) { map.removeLayer(c); }); corners = []; write(); }); }
  }

  window.yijiaMaps = function (root) {
    root.querySelectorAll("[data-map]").forEach(draw);
  };
})();
