"""Plane geometry on the Earth's surface for sectors and detections (pure: no Django).

Geometries are GeoJSON geometry objects (RFC 7946): positions are [longitude, latitude] in
degrees. A sector of the green border is a LineString (the border line it watches, with a buffer
in metres on either side) or a Polygon (the area it covers, with an optional buffer around it).
Distances use a local equirectangular projection around the point: exact enough (well under 1 %)
for the few kilometres a camera or a sector spans, and cheap."""

from __future__ import annotations

import math
from collections.abc import Sequence

EARTH_RADIUS_M = 6_371_008.8
KINDS = ("LineString", "Polygon")


def _is_position(p) -> bool:
    return (
        isinstance(p, (list, tuple)) and len(p) in (2, 3)
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in p)
        and -180 <= p[0] <= 180 and -90 <= p[1] <= 90
    )


def validate_latlon(lat, lon) -> list[str]:
    """Problems with a latitude/longitude pair (empty when valid)."""
    errors = []
    for name, value, bound in (("latitude", lat, 90), ("longitude", lon, 180)):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            errors.append(f"{name} must be a number")
        elif not -bound <= value <= bound:
            errors.append(f"{name} must be between -{bound} and {bound}")
    return errors


def validate_geometry(geometry) -> list[str]:
    """Problems with a sector geometry (empty when valid): a GeoJSON LineString of at least two
    positions, or a Polygon whose rings are closed and have at least four positions."""
    if not isinstance(geometry, dict):
        return ["the geometry must be a GeoJSON object"]
    kind = geometry.get("type")
    if kind not in KINDS:
        return [f"the geometry type must be one of {', '.join(KINDS)}"]
    coords = geometry.get("coordinates")
    if kind == "LineString":
        if not isinstance(coords, list) or len(coords) < 2:
            return ["a LineString needs at least two positions"]
        if not all(_is_position(p) for p in coords):
            return ["every position must be [longitude, latitude] within range"]
        return []
    if not isinstance(coords, list) or not coords:
        return ["a Polygon needs at least one ring"]
    for ring in coords:
        if not isinstance(ring, list) or len(ring) < 4:
            return ["every ring of a Polygon needs at least four positions"]
        if not all(_is_position(p) for p in ring):
            return ["every position must be [longitude, latitude] within range"]
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return ["every ring of a Polygon must be closed (first position = last position)"]
    return []


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def destination(lat: float, lon: float, bearing_deg: float, distance: float) -> tuple[float, float]:
    """The point `distance` metres from (lat, lon) on the initial bearing (degrees from north)."""
    d = distance / EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def _project(lat0: float, lon0: float):
    k = math.cos(math.radians(lat0))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (math.radians(lon - lon0) * k * EARTH_RADIUS_M, math.radians(lat - lat0) * EARTH_RADIUS_M)

    return xy


def _segment_distance(px: float, py: float, ax: float, ay: float, bx: float, by: float) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _rings(geometry) -> list[Sequence]:
    return [geometry["coordinates"]] if geometry["type"] == "LineString" else list(geometry["coordinates"])


def distance_to_geometry_m(geometry, lat: float, lon: float) -> float:
    """Metres from the point to the nearest line of the geometry (0 inside a polygon)."""
    xy = _project(lat, lon)
    if geometry["type"] == "Polygon" and _inside_polygon(geometry["coordinates"], lat, lon):
        return 0.0
    best = math.inf
    for ring in _rings(geometry):
        pts = [xy(p[0], p[1]) for p in ring]
        for (ax, ay), (bx, by) in zip(pts, pts[1:], strict=False):
            best = min(best, _segment_distance(0.0, 0.0, ax, ay, bx, by))
    return best


def _inside_ring(ring: Sequence, lat: float, lon: float) -> bool:
    inside = False
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:], strict=False):
        if (y1 > lat) != (y2 > lat):
            x = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lon < x:
                inside = not inside
    return inside


def _inside_polygon(rings: Sequence, lat: float, lon: float) -> bool:
    if not rings or not _inside_ring(rings[0], lat, lon):
        return False
    return not any(_inside_ring(hole, lat, lon) for hole in rings[1:])


def contains(geometry, lat: float, lon: float, buffer_m: float = 0) -> bool:
    """Whether the point lies in the sector: inside the polygon, or within `buffer_m` metres of
    its outline or of the line."""
    return distance_to_geometry_m(geometry, lat, lon) <= buffer_m


def centroid(geometry) -> tuple[float, float]:
    """A representative (lat, lon): the mean of the positions (of the outer ring for a polygon)."""
    points = geometry["coordinates"] if geometry["type"] == "LineString" else geometry["coordinates"][0][:-1]
    return (sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points))
