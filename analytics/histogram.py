"""Seconds per traveler kept as a fixed histogram, so that rollups can add them up (pure Python,
no Django).

Each decided inspection falls in one bucket of its seconds from document read to decision:
bucket ``i`` holds ``EDGES[i] <= seconds < EDGES[i + 1]`` (the last bucket is open: one hour or
more). Summing the bucket counts of any set of hours, booths or officers gives that set's
histogram, from which the median and the 90th percentile are read:

* the rank is the nearest rank, ``k = ceil(q / 100 * n)`` (the k-th smallest value);
* the bucket holding the k-th value is found from the cumulative counts, and the value is
  interpolated linearly inside it, as if its values were spread evenly.

The estimate therefore lies in the same bucket as the exact nearest-rank percentile: its error
is at most that bucket's width (5 s under half a minute, 10-15 s up to two minutes, then at most
a quarter of the value up to an hour). Beyond an hour the lower edge (3600) is returned.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Mapping

EDGES: tuple[int, ...] = (
    0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90, 105, 120, 150, 180, 240, 300, 420, 600, 900, 1200, 1800, 3600,
)
BUCKETS = len(EDGES)  # the last one is open-ended


def bucket_of(seconds: float) -> int:
    """The bucket of a number of seconds (negative counts as 0)."""
    if seconds is None or seconds != seconds:  # noqa: PLR0124 (NaN)
        raise ValueError("seconds must be a number")
    return max(0, bisect_right(EDGES, seconds) - 1)


def bounds(bucket: int) -> tuple[float, float | None]:
    """(lower, upper) seconds of a bucket; upper is None for the last, open one."""
    return float(EDGES[bucket]), (float(EDGES[bucket + 1]) if bucket + 1 < BUCKETS else None)


def histogram(values: Iterable[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for value in values:
        b = bucket_of(value)
        counts[b] = counts.get(b, 0) + 1
    return counts


def quantile(counts: Mapping[int, int], q: float) -> float | None:
    """The q-th percentile (0-100) read from bucket counts, or None when there are none."""
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    n = sum(c for c in counts.values() if c > 0)
    if n == 0:
        return None
    k = max(1, math.ceil(q / 100 * n))
    cumulative = 0
    for bucket in sorted(counts):
        count = counts[bucket]
        if count <= 0:
            continue
        if cumulative + count >= k:
            low, high = bounds(bucket)
            if high is None:
                return low
            # the k-th value, as if the bucket's values sat at the middles of `count` equal slices
            return low + (high - low) * (k - cumulative - 0.5) / count
        cumulative += count
    raise AssertionError("unreachable")  # pragma: no cover


def summary(counts: Mapping[int, int]) -> dict:
    """count, median and 90th percentile of a histogram."""
    return {"count": sum(counts.values()), "median": quantile(counts, 50), "p90": quantile(counts, 90)}
