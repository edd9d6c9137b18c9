"""Booth telemetry: seconds from document read to decision, summarised per booth and officer.
Pure Python (no Django), so the arithmetic is tested on its own."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between the closest ranks (the
    definition of numpy's default and of spreadsheets' PERCENTILE.INC). Raises ValueError on no
    values or q outside 0-100."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(values: Sequence[float]) -> dict:
    """count, median, 90th percentile and maximum of a group's seconds."""
    return {"count": len(values), "median": percentile(values, 50), "p90": percentile(values, 90),
            "max": float(max(values))}


def by_group(rows: Iterable[tuple[str, float]]) -> list[dict]:
    """[(group label, seconds)] → one summary per label, sorted by label."""
    groups: dict[str, list[float]] = defaultdict(list)
    for label, seconds in rows:
        if seconds is not None:
            groups[label].append(float(seconds))
    return [{"label": label, **summarise(values)} for label, values in sorted(groups.items())]
