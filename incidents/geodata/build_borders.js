// Builds incidents/static/incidents/iraq-borders.geojson from Natural Earth 1:10m admin-0
// boundaries as redistributed by the npm package world-atlas (see README.md beside this file).
//
//   mkdir /tmp/borders && cd /tmp/borders && npm init -y \
//     && npm install world-atlas@2.0.2 topojson-client@3.1.0 topojson-simplify@3.0.3
//   NODE_PATH=/tmp/borders/node_modules node incidents/geodata/build_borders.js \
//     > incidents/static/incidents/iraq-borders.geojson
//
// Output: one GeoJSON FeatureCollection ([lon, lat], 4 decimals, about 10 m) with
//   kind=country  Iraq's outline (Polygon), for a light fill;
//   kind=border   the line Iraq shares with each neighbour (MultiLineString, neighbour's ISO code);
//   kind=coast    Iraq's coastline on the Gulf;
//   kind=context  the neighbours' other borders and coasts, clipped to the map's frame;
//   kind=label    a point per country for its name (English and Arabic).
"use strict";
const topojson = require("topojson-client");
const simplify = require("topojson-simplify");
const world = require("world-atlas/countries-10m.json");

const IRAQ = "368";
const NEIGHBOURS = {
  "364": {iso: "IRN", en: "Iran", ar: "إيران", at: [33.0, 48.6]},
  "792": {iso: "TUR", en: "Turkey", ar: "تركيا", at: [38.2, 40.0]},
  "760": {iso: "SYR", en: "Syria", ar: "سوريا", at: [35.0, 38.6]},
  "400": {iso: "JOR", en: "Jordan", ar: "الأردن", at: [31.3, 37.3]},
  "682": {iso: "SAU", en: "Saudi Arabia", ar: "السعودية", at: [28.6, 43.0]},
  "414": {iso: "KWT", en: "Kuwait", ar: "الكويت", at: [29.35, 47.6]},
};
// The frame of the map: Iraq and a margin around it (lon/lat).
const FRAME = {west: 35.5, east: 50.5, south: 27.5, north: 39.5};
const MIN_WEIGHT = 2e-4; // square degrees: keeps the shape, drops the wiggles under ~100 m

const topo = simplify.simplify(simplify.presimplify(world), MIN_WEIGHT);
const countries = topo.objects.countries;
const round = (c) => [Math.round(c[0] * 1e4) / 1e4, Math.round(c[1] * 1e4) / 1e4];
const inside = (c) => c[0] >= FRAME.west && c[0] <= FRAME.east && c[1] >= FRAME.south && c[1] <= FRAME.north;

function lines(geometry) {
  return geometry.type === "LineString" ? [geometry.coordinates] : geometry.coordinates;
}

// Splits lines at the frame: keeps the runs of points inside it (plus one point beyond each end,
// so that a line leaving the frame reaches its edge).
function clip(linesIn) {
  const out = [];
  for (const line of linesIn) {
    let run = [];
    line.forEach((c, i) => {
      if (inside(c)) {
        if (run.length === 0 && i > 0) run.push(line[i - 1]);
        run.push(c);
      } else if (run.length) {
        run.push(c);
        out.push(run);
        run = [];
      }
    });
    if (run.length > 1) out.push(run);
  }
  return out;
}

function dedupe(line) {
  const out = [];
  for (const c of line.map(round)) {
    const last = out[out.length - 1];
    if (!last || last[0] !== c[0] || last[1] !== c[1]) out.push(c);
  }
  return out;
}

const features = [];
const iraq = countries.geometries.find((g) => g.id === IRAQ);
const iraqShape = topojson.feature(topo, iraq).geometry;
iraqShape.coordinates = iraqShape.coordinates.map((ring) => dedupe(ring));
features.push({type: "Feature", properties: {kind: "country", iso: "IRQ", name_en: "Iraq", name_ar: "العراق"}, geometry: iraqShape});

for (const [id, n] of Object.entries(NEIGHBOURS)) {
  const mesh = topojson.mesh(topo, countries, (a, b) => (a.id === IRAQ && b.id === id) || (a.id === id && b.id === IRAQ));
  features.push({
    type: "Feature",
    properties: {kind: "border", iso: n.iso, name_en: `Iraq–${n.en}`, name_ar: `العراق–${n.ar}`},
    geometry: {type: "MultiLineString", coordinates: lines(mesh).map(dedupe).filter((l) => l.length > 1)},
  });
}

const coast = topojson.mesh(topo, countries, (a, b) => a === b && a.id === IRAQ);
features.push({type: "Feature", properties: {kind: "coast", iso: "IRQ"}, geometry: {type: "MultiLineString", coordinates: lines(coast).map(dedupe)}});

const ids = new Set(Object.keys(NEIGHBOURS));
const others = topojson.mesh(topo, countries, (a, b) => a.id !== IRAQ && b.id !== IRAQ && (ids.has(a.id) || ids.has(b.id)));
features.push({
  type: "Feature",
  properties: {kind: "context"},
  geometry: {type: "MultiLineString", coordinates: clip(lines(others)).map(dedupe).filter((l) => l.length > 1)},
});

features.push({type: "Feature", properties: {kind: "label", iso: "IRQ", name_en: "Iraq", name_ar: "العراق"}, geometry: {type: "Point", coordinates: [43.7, 33.2]}});
for (const n of Object.values(NEIGHBOURS)) {
  features.push({type: "Feature", properties: {kind: "label", iso: n.iso, name_en: n.en, name_ar: n.ar}, geometry: {type: "Point", coordinates: [n.at[1], n.at[0]]}});
}

process.stdout.write(JSON.stringify({
  type: "FeatureCollection",
  source: "Natural Earth 1:10m admin-0 countries v4.1.0 (public domain) via npm world-atlas@2.0.2; simplified, Iraq and its neighbours only",
  bbox: [FRAME.west, FRAME.south, FRAME.east, FRAME.north],
  features,
}) + "\n");
