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
  var timeZone = el.dataset.timeZone || "";
  // Arabic-script, right-to-left UIs (Arabic, Kurdish Sorani) show the Arabic names and labels.
  var arabic = lang.indexOf("ar") === 0 || document.documentElement.dir === "rtl";
  var focusId = el.dataset.focus ? parseInt(el.dataset.focus, 10) : null;
  var refreshSeconds = parseInt(el.dataset.refreshSeconds || "5", 10);
  var statusNode = document.getElementById("map-status");

  var IRAQ_BOUNDS = L.latLngBounds([29.0, 38.7], [37.4, 48.6]);
  var MIN_SPAN = 1.2;
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
  // Cameras under patrols (the marker pane, 600) under incidents: what needs a decision is on top.
  var CAMERAS = pane("cameras", 590, false);
  var INCIDENTS = pane("incidents", 620, false);

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
    // The server's time zone (the one the pages print), 24-hour, whatever the browser's is.
    try {
      return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
                                          timeZone: timeZone || undefined });
    }
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
        // The sector's name beside the middle of its line, to the west (the cameras sit on it).
        L.tooltip({ permanent: true, direction: "left", offset: [-12, 0], className: "sector-name", opacity: 0.9,
                    interactive: false })
          .setLatLng(p.label_at).setContent(p.code).addTo(sectorLayer);
        var box = document.createElement("div");
        box.appendChild(text("strong", p.code));
        box.appendChild(text("div", name));
        box.appendChild(text("div", p.post, "help"));
        box.dir = "auto";
        layer.bindPopup(box);
      }
    }).addTo(sectorLayer);
  }

  // Markers are kept by key and updated in place, so that an open popup or tooltip survives the
  // refresh (a supervisor reading an incident's popup must not see it vanish every few seconds).
  function sync(layer, store, items, keyOf, make, update) {
    var seen = {};
    items.forEach(function (item) {
      var key = keyOf(item);
      if (key === null) return;
      seen[key] = true;
      var marker = store[key];
      if (!marker) {
        marker = make(item);
        store[key] = marker;
        marker.addTo(layer);
      }
      update(marker, item);
    });
    Object.keys(store).forEach(function (key) {
      if (!seen[key]) {
        layer.removeLayer(store[key]);
        delete store[key];
      }
    });
  }

  var cameraMarkers = {};
  function drawCameras(cameras) {
    sync(cameraLayer, cameraMarkers, cameras, function (c) { return c.code; }, function (c) {
      return L.marker([c.latitude, c.longitude], { pane: CAMERAS, keyboard: false, icon: cameraIcon(c.online) })
        .bindTooltip(c.code, { direction: "top" });
    }, function (marker, c) {
      marker.setLatLng([c.latitude, c.longitude]);
      if (marker.options.icon.options.className !== cameraIcon(c.online).options.className) {
        marker.setIcon(cameraIcon(c.online));
      }
      marker.setTooltipContent(c.code + " · " + (c.online ? t("online") : t("offline")));
    });
  }
  function cameraIcon(online) {
    return L.divIcon({ className: "camera-icon" + (online ? "" : " offline"), iconSize: [14, 14] });
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

  var incidentMarkers = {};
  function drawIncidents(incidents) {
    var placed = incidents.filter(function (i) { return i.latitude !== null && i.longitude !== null; });
    sync(incidentLayer, incidentMarkers, placed, function (i) { return String(i.id); }, function (i) {
      return L.circleMarker([i.latitude, i.longitude], { pane: INCIDENTS, className: "incident-marker" })
        .bindTooltip("", { direction: "top" }).bindPopup("");
    }, function (marker, i) {
      var focused = focusId === i.id;
      marker.setLatLng([i.latitude, i.longitude]);
      marker.setRadius(Math.min(7 + i.max_count, 16) + (focused ? 3 : 0));
      marker.setStyle({ color: focused ? "#111" : "#fff", weight: focused ? 3 : 2,
                        fillColor: STATUS_COLOURS[i.status] || "#333", fillOpacity: i.status === "closed" ? 0.5 : 0.9 });
      var path = marker.getElement();
      if (path) path.setAttribute("class", "incident-marker status-" + i.status + " leaflet-interactive");
      marker.setTooltipContent(i.reference + " · " + i.status_label);
      marker.setPopupContent(incidentPopup(i));
    });
    // Stacking: new incidents above dispatched above on scene above closed, the latest on top.
    var RANK = { "closed": 0, "on_scene": 1, "dispatched": 2, "new": 3 };
    placed.slice().sort(function (a, b) {
      return (RANK[a.status] - RANK[b.status]) || (a.last_detection_at < b.last_detection_at ? -1 : 1);
    }).forEach(function (i) { incidentMarkers[String(i.id)].bringToFront(); });
    el.dataset.incidents = String(placed.length);
  }

  var patrolMarkers = {};
  function drawPatrols(patrols) {
    trailLayer.clearLayers();
    patrols.forEach(function (p) {
      if (p.trail && p.trail.length > 1 && focusId === null) {
        L.polyline(p.trail, { pane: TRAILS, color: "#1565c0", weight: 3, opacity: 0.7, dashArray: "6 6",
                              interactive: false }).addTo(trailLayer);
      }
    });
    sync(patrolLayer, patrolMarkers, patrols, function (p) { return p.code; }, function (p) {
      return L.marker([p.latitude, p.longitude], { keyboard: false, icon: patrolIcon(p.incident) })
        .bindTooltip("", { direction: "top" });
    }, function (marker, p) {
      marker.setLatLng([p.latitude, p.longitude]);
      if (marker.options.icon.options.className !== patrolIcon(p.incident).options.className) {
        marker.setIcon(patrolIcon(p.incident));
      }
      marker.setTooltipContent(p.code + (p.status_label ? " · " + p.status_label : "") + " · " + localTime(p.at));
    });
    el.dataset.patrols = String(patrols.length);
  }
  function patrolIcon(dispatched) {
    return L.divIcon({ className: "patrol-icon" + (dispatched ? " dispatched" : ""), iconSize: [16, 16] });
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
      map.fitBounds(focusBounds.pad(0.6), { maxZoom: 13, animate: false });
      return;
    }
    var bounds = null;
    if (data.sectors.features.length) bounds = L.geoJSON(data.sectors).getBounds();
    data.cameras.forEach(function (c) {
      bounds = bounds ? bounds.extend([c.latitude, c.longitude]) : L.latLngBounds([c.latitude, c.longitude], [c.latitude, c.longitude]);
    });
    data.incidents.forEach(function (i) {
      if (i.latitude === null || i.status === "closed") return;
      bounds = bounds ? bounds.extend([i.latitude, i.longitude]) : L.latLngBounds([i.latitude, i.longitude], [i.latitude, i.longitude]);
    });
    if (bounds && bounds.isValid()) {
      // The sectors of the user's posts, with at least MIN_SPAN degrees around them: enough of the
      // border and the country around it to know where one is.
      var centre = bounds.getCenter();
      var half = MIN_SPAN / 2;
      bounds = bounds.extend([centre.lat - half, centre.lng - half]).extend([centre.lat + half, centre.lng + half]);
      map.fitBounds(bounds.pad(0.05), { animate: false });
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
