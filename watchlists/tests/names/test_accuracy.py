"""Accuracy floors on fixed data (the issue's acceptance criteria).

``pairs.csv`` (shared development set, read through BMIS_SHARED_DIR) and
``data/variants.csv`` (held-out names written for this repository, none of
them in pairs.csv) are scored at the default threshold.
"""

import csv
from pathlib import Path

from watchlists.names.score import DEFAULT_THRESHOLD, Person, score_person

HERE = Path(__file__).resolve().parent


def _rates(rows, default_dob=None):
    tp = fn = fp = tn = 0
    failures = []
    for r in rows:
        q = Person(
            [r["query_name"]],
            r.get("query_dob") or default_dob,
            (r.get("query_nationality") or "IRQ",),
            r.get("query_gender") or None,
        )
        e = Person(
            [r["list_name"]],
            r.get("list_dob") or default_dob,
            (r.get("list_nationality") or "IRQ",),
            r.get("list_gender") or None,
        )
        hit = score_person(q, e).score >= DEFAULT_THRESHOLD
        if r["expected"] == "match":
            tp += hit
            fn += not hit
        else:
            fp += hit
            tn += not hit
        if hit != (r["expected"] == "match"):
            failures.append((r["category"], r["query_name"], r["list_name"]))
    return tp / max(tp + fn, 1), fp / max(fp + tn, 1), failures


def test_shared_pairs_recall_and_false_hits(pairs_csv):
    rows = list(csv.DictReader(pairs_csv.open(encoding="utf-8")))
    assert len(rows) >= 70
    recall, false_hits, failures = _rates(rows)
    assert recall >= 0.97, failures
    assert false_hits <= 0.02, failures


def test_every_category_of_the_shared_set_has_a_working_rule(pairs_csv):
    """No category may rely on luck elsewhere: each gets most of its rows right."""
    rows = list(csv.DictReader(pairs_csv.open(encoding="utf-8")))
    by_cat = {}
    for r in rows:
        by_cat.setdefault(r["category"], []).append(r)
    for cat, cat_rows in by_cat.items():
        right = 0
        for r in cat_rows:
            q = Person([r["query_name"]], r["query_dob"], (r["query_nationality"],), r["query_gender"])
            e = Person([r["list_name"]], r["list_dob"], (r["list_nationality"],), r["list_gender"])
            hit = score_person(q, e).score >= DEFAULT_THRESHOLD
            right += hit == (r["expected"] == "match")
        assert right / len(cat_rows) >= 0.75, cat


def test_held_out_variants():
    """Names of the same kinds that the rules were not tuned on.

    Dates of birth are 1 January of the same year on both sides (year-only
    evidence). Known misses at the time of writing: Amir/Amer (one vowel
    apart, a false hit) and Khalid/Kahlid (a vowel swapped with a
    consonant, not forgiven as a typo); the floors keep them from growing.
    """
    rows = list(csv.DictReader((HERE / "data" / "variants.csv").open(encoding="utf-8")))
    recall, false_hits, failures = _rates(rows, default_dob="1980-01-01")
    assert recall >= 0.95, failures
    assert false_hits <= 0.1, failures
