"""Booth telemetry arithmetic: percentiles that add up (a 90th percentile below the median was
once shown), checked against numpy's definition on generated data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from travelers.telemetry import by_group, percentile, summarise

seconds = st.lists(st.floats(min_value=0, max_value=3600, allow_nan=False, allow_infinity=False),
                   min_size=1, max_size=200)


@given(seconds)
def test_summary_is_ordered_and_bounded(values):
    s = summarise(values)
    assert min(values) <= s["median"] <= s["p90"] <= s["max"] == max(values)
    assert s["count"] == len(values)


@given(seconds, st.floats(min_value=0, max_value=100))
def test_percentile_matches_numpy_linear(values, q):
    assert percentile(values, q) == pytest.approx(float(np.percentile(values, q)), rel=1e-9, abs=1e-9)


@given(seconds, st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_percentile_is_monotonic_in_q(values, q1, q2):
    low, high = sorted((q1, q2))
    assert percentile(values, low) <= percentile(values, high) + 1e-9


def test_known_values_and_bad_input():
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 90) == pytest.approx(91.0)
    assert percentile([7], 90) == 7
    with pytest.raises(ValueError):
        percentile([], 50)
    with pytest.raises(ValueError):
        percentile([1], 101)


def test_groups_ignore_undecided_and_sort_by_label():
    rows = by_group([("B/1", 5.0), ("A/1", 3.0), ("A/1", None), ("A/1", 9.0)])
    assert [r["label"] for r in rows] == ["A/1", "B/1"]
    assert rows[0]["count"] == 2 and rows[0]["median"] == 6.0 and rows[0]["max"] == 9.0
