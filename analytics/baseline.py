"""A seasonal, robust baseline for the flow of travelers at a post (pure Python, no Django).

The flow of an hour is compared with the same hour of the week in the last N weeks (Monday 09:00
with the previous Mondays 09:00): the expected value is their **median**, the spread their
**median absolute deviation** (MAD) scaled by 1.4826 to estimate a standard deviation. One
holiday, one closed day or one peak among the N weeks moves neither (the median ignores up to
half of them being odd), unlike a mean and a standard deviation.

The band is ``expected ± level × spread`` (``level`` configurable, e.g. 3). Counts are small
numbers, and N alike weeks can give a MAD of 0; the spread is therefore at least the Poisson
noise of the expected count (``sqrt(expected)``) and at least ``min_spread`` travelers, so a
quiet hour with 2 travelers instead of the usual 1 is not an alert.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MAD_SCALE = 1.4826  # MAD → standard deviation for normally distributed data


@dataclass(frozen=True)
class Band:
    expected: float
    spread: float
    low: float
    high: float
    weeks: int

    def departure(self, observed: float) -> str:
        """"high", "low" or "" (inside the band)."""
        if observed > self.high:
            return "high"
        if observed < self.low:
            return "low"
        return ""

    def score(self, observed: float) -> float:
        """How many spreads from the expected value (signed)."""
        return (observed - self.expected) / self.spread if self.spread else 0.0


def median(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("median of no values")
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def mad(values: Sequence[float]) -> float:
    centre = median(values)
    return median([abs(v - centre) for v in values])


def band(history: Sequence[float], *, level: float = 3.0, min_spread: float = 1.0, min_weeks: int = 3) -> Band | None:
    """The expected band from the same hour of the week in past weeks, or None with fewer than
    `min_weeks` weeks of history."""
    if level <= 0:
        raise ValueError("level must be positive")
    if len(history) < max(1, min_weeks):
        return None
    expected = median(history)
    spread = max(MAD_SCALE * mad(history), math.sqrt(max(expected, 0.0)), min_spread)
    return Band(expected=expected, spread=spread, low=max(0.0, expected - level * spread),
                high=expected + level * spread, weeks=len(history))
