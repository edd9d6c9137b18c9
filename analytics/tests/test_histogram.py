"""Seconds per traveler read from histogram buckets: in the bucket of the exact percentile."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analytics.histogram import EDGES, bounds, bucket_of, histogram, quantile, summary

seconds = st.floats(min_value=0, max_value=8000, allow_nan=False)


def nearest_rank(values, q):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


@given(st.lists(seconds, min_size=1, max_size=300), st.sampled_from([50, 90, 10, 99, 100]))
def test_the_estimate_lies_in_the_bucket_of_the_exact_percentile(values, q):
    estimate = quantile(histogram(values), q)
    exact = nearest_rank(values, q)
    low, high = bounds(bucket_of(exact))
    assert low <= estimate <= (high if high is not None else low)


@given(st.lists(seconds, max_size=50), st.lists(seconds, max_size=50))
def test_histograms_add_up(a, b):
    joined = histogram(a)
    for bucket, count in histogram(b).items():
        joined[bucket] = joined.get(bucket, 0) + count
    assert joined == histogram(a + b)


def test_buckets_and_edges():
    assert bucket_of(0) == 0 and bucket_of(4.999) == 0 and bucket_of(5) == 1
    assert bucket_of(-3) == 0
    assert bucket_of(3600) == len(EDGES) - 1 and bucket_of(10**6) == len(EDGES) - 1
    assert bounds(len(EDGES) - 1) == (3600.0, None)
    with pytest.raises(ValueError):
        bucket_of(float("nan"))


def test_summary_of_nothing_and_of_a_few():
    assert summary({}) == {"count": 0, "median": None, "p90": None}
    result = summary(histogram([30, 31, 32, 33, 200]))
    assert result["count"] == 5 and 30 <= result["median"] < 40 and 180 <= result["p90"] < 240
    with pytest.raises(ValueError):
        quantile({1: 1}, 101)
