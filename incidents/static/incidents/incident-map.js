/* The supervisor's border map (Leaflet, served locally; no tile server, no network beyond this
 * site). Draws Iraq's borders from the GeoJSON shipped in the repository, then polls the map's
 * JSON (sectors, cameras, incidents, patrols) every few seconds. No inline script (the CSP):
 * the words it shows come translated from the page (#incident-map-labels). */
(function () {
  "use strict";

  var el = document.getElementById("incident-map");
  if (!el || !window.L) return;

  var labels = {};
  var labelsNode = document.getElementById("incident-map-labels");
  if (labelsNode) {
    try { labels = JSON.parse(labelsNode.textContent); } catch (e) { labels = {}; }
  }
  function t(key) { return labels[key] || key; }

  var lang = el.dataset.lang || document.documentElement.lang || "en";
  var arabic = lang.indexOf("ar") === 0;
  var focusId = el.dataset.focus ? parseInt(el.dataset.focus, 10) : null;
  var refreshSeconds = parseInt(el.dataset.refreshSeconds || "5", 10);
  var statusNode = document.getElementById("map-status");

  var IRAQ_BOUNDS = L.latLngBounds([29.0, 38.7], [37.4, 48.6]);
  var STATUS_COLOURS = { "new": "#c62828", "dispatched": "#ef6c00", "on_scene": "#6a1b9a", "closed": "#6b7280" };

  var map = L.map(el, { minZoom: 4, maxZoom: 16, zoomSnap: 0.25, worldCopyJump: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("Natural Earth");
  map.fitBounds(IRAQ_BOUNDS);

  function pane(name, zIndex, passive) {
    var p = map.createPane(name);
    p.style.zIndex = String(zIndex);
    if (passive) p.style.pointerEvents = "none";
    return name;
  }
  var BORDERS = pane("borders", 250, true);
  var NAMES = pane("names", 260, true);
  var SECTORS = pane("sectors", 380, false);
  var TRAILS = pane("trails", 390, false);

  var sectorLayer = L.layerGroup().addTo(map);
  var cameraLayer = L.layerGroup().addTo(map);
  var trailLayer = L.layerGroup().addTo(map);
  var incidentLayer = L.layerGroup().addTo(map);
  var patrolLayer = L.layerGroup().addTo(map);
  var focusLayer = L.layerGroup().addTo(map);

  var state = { borders: false, data: false, fitted: false, sectorsDrawn: false };

  function ready() {
    if (state.borders && state.data) el.dataset.ready = "1";
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function localTime(iso) {
    if (!iso) return "—";
    var d = new Date(iso);
    try { return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" }); }
    catch (e) { return d.toISOString().slice(11, 19); }
  }

  // --- the base layer: borders from Natural Earth -------------------------------------------------
  var BASE_STYLES = {
    country: { stroke: false, fill: true, fillColor: "#f6f1e3", fillOpacity: 1 },
    border: { color: "#4b3b2b", weight: 2.2, opacity: 0.9, fill: false },
    coast: { color: "#5b84a8", weight: 1.4, opacity: 0.9, fill: false },
    context: { color: "#8d99a6", weight: 1, opacity: 0.9, dashArray: "4 4", fill: false }
  };

  fetch(el.dataset.borders, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (geojson) {
      L.geoJSON(geojson, {
        pane: BORDERS,
        interactive: false,
        filter: function (feature) { return feature.properties.kind !== "label"; },
        style: function (feature) { return BASE_STYLES[feature.properties.kind] || BASE_STYLES.context; }
      }).addTo(map);
      geojson.features.forEach(function (feature) {
        if (feature.properties.kind !== "label") return;
        var name = arabic ? feature.properties.name_ar : feature.properties.name_en;
        var c = feature.geometry.coordinates;
        L.marker([c[1], c[0]], {
          pane: NAMES, interactive: false, keyboard: false,
          icon: L.divIcon({ className: "country-name" + (feature.properties.iso === "IRQ" ? " home" : ""),
                            html: "", iconSize: null })
        }).addTo(map).getElement().textContent = name;
      });
      el.dataset.borders = "loaded";
      state.borders = true;
      ready();
    })
    .catch(function () {
      if (statusNode) statusNode.textContent = t("borders_failed");
      state.borders = true;
      ready();
    });

  // --- live layers ----------------------------------------------------------------------------
  function drawSectors(sectors) {
    sectorLayer.clearLayers();
    L.geoJSON(sectors, {
      pane: SECTORS,
      style: function () { return { color: "#0b6e99", weight: 6, opacity: 0.55, fillOpacity: 0.12 }; },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        var name = arabic && p.name_local ? p.name_local : p.name;
        layer.bindTooltip(p.code, { permanent: true, direction: "center", className: "sector-name", opacity: 0.9 });
        var box = document.createElement("div");
        box.appendChild(text("strong", p.code));
        box.appendChild(text("div", name));
        box.appendChild(text("div", p.post, "help"));
        box.dir = "auto";
        layer.bindPopup(box);
      }
    }).addTo(sectorLayer);
  }

  function drawCameras(cameras) {
    cameraLayer.clearLayers();
    cameras.forEach(function (c) {
      var marker = L.marker([c.latitude, c.longitude], {
        keyboard: false,
        icon: L.divIcon({ className: "camera-icon" + (c.online ? "" : " offline"), iconSize: [14, 14] })
      });
      marker.bindTooltip(c.code + " · " + (c.online ? t("online") : t("offline")), { direction: "top" });
      marker.addTo(cameraLayer);
    });
  }

  function incidentPopup(i) {
    var box = document.createElement("div");
    box.className = "incident-popup";
    box.dir = arabic ? "rtl" : "ltr";
    var link = document.createElement("a");
    link.href = i.url;
    link.appendChild(text("strong", i.reference));
    box.appendChild(link);
    var rows = [
      [t("status"), i.status_label],
      [t("object"), i.object_label + " × " + i.max_count],
      [t("sector"), i.sector || i.post],
      [t("camera"), i.camera],
      [t("patrol"), i.patrol || "—"],
      [t("last_seen"), localTime(i.last_detection_at)]
    ];
    if (i.outcome_label) rows.push([t("outcome"), i.outcome_label + (i.persons ? " (" + i.persons + ")" : "")]);
    var dl = document.createElement("dl");
    rows.forEach(function (row) { dl.appendChild(text("dt", row[0])); dl.appendChild(text("dd", row[1])); });
    box.appendChild(dl);
    var open = document.createElement("a");
    open.href = i.url;
    open.className = "button";
    open.textContent = t("open");
    box.appendChild(open);
    return box;
  }

  function drawIncidents(incidents) {
    incidentLayer.clearLayers();
    var drawn = 0;
    incidents.forEach(function (i) {
      if (i.latitude === null || i.longitude === null) return;
      var colour = STATUS_COLOURS[i.status] || "#333";
      var focused = focusId === i.id;
      var marker = L.circleMarker([i.latitude, i.longitude], {
        radius: Math.min(7 + i.max_count, 16) + (focused ? 3 : 0),
        color: focused ? "#111" : "#fff", weight: focused ? 3 : 2,
        fillColor: colour, fillOpacity: i.status === "closed" ? 0.5 : 0.9,
        className: "incident-marker status-" + i.status
      });
      marker.bindTooltip(i.reference + " · " + i.status_label, { direction: "top" });
      marker.bindPopup(incidentPopup(i));
      marker.addTo(incidentLayer);
      drawn += 1;
    });
    el.dataset.incidents = String(drawn);
  }

  function drawPatrols(patrols) {
    patrolLayer.clearLayers();
    trailLayer.clearLayers();
    patrols.forEach(function (p) {
      if (p.trail && p.trail.length > 1 && focusId === null) {
        L.polyline(p.trail, { pane: TRAILS, color: "#1565c0", weight: 3, opacity: 0.7, dashArray: "6 6" }).addTo(trailLayer);
      }
      var marker = L.marker([p.latitude, p.longitude], {
        keyboard: false,
        icon: L.divIcon({ className: "patrol-icon" + (p.incident ? " dispatched" : ""), iconSize: [16, 16] })
      });
      marker.bindTooltip(p.code + (p.status_label ? " · " + p.status_label : "") + " · " + localTime(p.at),
                         { direction: "top" });
      marker.addTo(patrolLayer);
    });
    el.dataset.patrols = String(patrols.length);
  }

  function drawFocus(focus) {
    focusLayer.clearLayers();
    if (!focus) return null;
    var points = [];
    if (focus.detections.length > 1) {
      L.polyline(focus.detections, { pane: TRAILS, color: "#c62828", weight: 2, opacity: 0.8 }).addTo(focusLayer);
    }
    focus.detections.forEach(function (d) {
      L.circleMarker(d, { pane: TRAILS, radius: 3, color: "#c62828", weight: 1, fillOpacity: 1 }).addTo(focusLayer);
      points.push(d);
    });
    if (focus.trail.length > 1) {
      L.polyline(focus.trail, { pane: TRAILS, color: "#1565c0", weight: 3, opacity: 0.8, dashArray: "6 6" }).addTo(focusLayer);
    }
    focus.trail.forEach(function (p) { points.push(p); });
    var i = focus.incident;
    if (i.latitude !== null) points.push([i.latitude, i.longitude]);
    return points.length ? L.latLngBounds(points) : null;
  }

  function fit(data, focusBounds) {
    if (state.fitted) return;
    state.fitted = true;
    if (focusBounds) {
      map.fitBounds(focusBounds.pad(0.6), { maxZoom: 13 });
      return;
    }
    var bounds = null;
    if (data.sectors.features.length) bounds = L.geoJSON(data.sectors).getBounds();
    data.cameras.forEach(function (c) {
      bounds = bounds ? bounds.extend([c.latitude, c.longitude]) : L.latLngBounds([c.latitude, c.longitude], [c.latitude, c.longitude]);
    });
    if (bounds && bounds.isValid()) {
      // The whole country stays in view with the sectors: the supervisor sees where they are.
      map.fitBounds(bounds.extend(IRAQ_BOUNDS).pad(0.02));
    }
  }

  function draw(data) {
    if (!state.sectorsDrawn) {
      drawSectors(data.sectors);
      state.sectorsDrawn = true;
    }
    drawCameras(data.cameras);
    drawIncidents(data.incidents);
    drawPatrols(data.patrols);
    var focusBounds = drawFocus(data.focus);
    fit(data, focusBounds);
    if (statusNode) statusNode.textContent = t("updated") + " " + localTime(data.now);
    state.data = true;
    ready();
  }

  function poll() {
    fetch(el.dataset.source, {
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-BMIS-Passive": "1" }
    })
      .then(function (response) {
        if (response.status === 401 || response.status === 403 || response.redirected) {
          window.location.reload();
          throw new Error("signed out");
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(draw)
      .catch(function () {
        if (statusNode) statusNode.textContent = t("update_failed");
      })
      .then(function () {
        if (refreshSeconds > 0) window.setTimeout(poll, refreshSeconds * 1000);
      });
  }
  poll();

  // Leaflet measures its container once; a layout change (the tablet's rotation) needs a new look.
  window.addEventListener("resize", function () { map.invalidateSize(); });
  window.bmisIncidentMap = map;
})();
