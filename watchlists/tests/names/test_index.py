"""The candidate index: retrieval, incremental add/remove, evidence filter."""

import random
import sys
from pathlib import Path

import pytest

from watchlists.names.index import PersonIndex
from watchlists.names.score import Person

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from synthetic import generate, spelling_variant


@pytest.fixture(scope="module")
def people():
    return [
        Person(
            p["names"],
            p["date_of_birth"],
            tuple(p["nationalities"]),
            p["gender"],
            entry_id=p["id"],
        )
        for p in generate(3000, seed=7)
    ]


@pytest.fixture(scope="module")
def index(people):
    idx = PersonIndex()
    idx.bulk_load(people)
    return idx


def test_finds_respelled_entries(index, people):
    rng = random.Random(3)
    found = 0
    trials = 100
    for _ in range(trials):
        p = rng.choice(people)
        q = Person(
            [spelling_variant(rng, p.names[0])],
            p.date_of_birth,
            p.nationalities,
            p.gender,
        )
        hits = index.search(q)
        found += any(h.explanation["entry_id"] == p.entry_id for h in hits)
    assert found / trials >= 0.95


def test_new_entry_is_searchable_immediately_and_removal_hides_it(index):
    person = Person(["Zubair Qahtan Al-Mashhadani"], "1971-03-09", ("IRQ",), "M", entry_id="new-1")
    q = Person(["زبير قحطان المشهداني"], "1971", ("IRQ",), "M")
    assert not any(h.explanation["entry_id"] == "new-1" for h in index.search(q))
    index.add(person)
    hits = index.search(q)
    assert hits and hits[0].explanation["entry_id"] == "new-1"
    assert index.remove("new-1")
    assert not any(h.explanation["entry_id"] == "new-1" for h in index.search(q))
    assert not index.remove("new-1")


def test_update_replaces_names(index):
    index.add(Person(["Qutaiba Sarmad"], "1990", entry_id="upd"))
    index.add(Person(["Muhannad Sarmad"], "1990", entry_id="upd"))
    assert not any(h.explanation["entry_id"] == "upd" for h in index.search(Person(["Qutaiba Sarmad"], "1990")))
    assert any(h.explanation["entry_id"] == "upd" for h in index.search(Person(["Mohanad Sarmad"], "1990")))


def test_compact_keeps_results(index):
    index.add(Person(["Sinan Thamer"], "1980", entry_id="cmp"))
    before = [h.explanation["entry_id"] for h in index.search(Person(["Sinan Thamir"], "1980"))]
    index.compact()
    assert index.stats()["delta_postings"] == 0
    after = [h.explanation["entry_id"] for h in index.search(Person(["Sinan Thamir"], "1980"))]
    assert before == after and "cmp" in after


def test_contradicting_evidence_filters_in_the_index(index):
    index.add(Person(["Sinan Thamer"], "1980", ("IRQ",), "M", entry_id="ev"))
    assert not any(
        h.explanation["entry_id"] == "ev" for h in index.search(Person(["Sinan Thamer"], "1940", ("IRQ",), "M"))
    )
    assert not any(
        h.explanation["entry_id"] == "ev" for h in index.search(Person(["Sinan Thamer"], "1980", ("IRQ",), "F"))
    )


def test_hits_are_ordered_and_explained(index):
    index.add(Person(["Harith Adel Al-Lami"], "1975-02-03", ("IRQ",), "M", entry_id="ord"))
    hits = index.search(Person(["Harith Adil Allami"], "1975-02-03", ("IRQ",), "M"))
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert hits[0].explanation["entry_id"] == "ord"
    assert hits[0].explanation["name_parts"]


def test_memory_and_stats(index):
    stats = index.stats()
    assert stats["entries"] == len(index) > 3000
    assert sum(index.memory_bytes().values()) > 0


def test_empty_index_and_empty_query():
    idx = PersonIndex()
    assert idx.search(Person(["Ali Hassan"])) == []
    idx.add(Person(["Ali Hassan"], entry_id=1))
    assert idx.search(Person(["---"])) == []


def test_cached_similar_readings_follow_new_vocabulary():
    """A query reading's similar-reading list is computed once, then kept up to date: an entry
    added afterwards with a new spelling is found by the same query."""
    idx = PersonIndex()
    idx.bulk_load([Person(["Mohammed Ali Hussein"], "1970", entry_id="a")])
    query = Person(["Muhamad Ali Husayn"], "1970")
    assert [r.explanation["entry_id"] for r in idx.search(query)] == ["a"]
    idx.add(Person(["Mohamad Aly Hussain"], "1970", entry_id="b"))  # three readings the index never saw
    assert sorted(r.explanation["entry_id"] for r in idx.search(query)) == ["a", "b"]


def test_cached_similar_readings_match_a_fresh_computation(index, people):
    """The per-reading lists (warmed at build, penalties subtracted per reading) give every
    vocabulary reading the direct part comparison gives, at least as similar."""
    from watchlists.names.index import MIN_PART_SIMILARITY
    from watchlists.names.parsing import parse_name
    from watchlists.names.score import NamePart, part_similarity

    rng = random.Random(3)
    checked = 0
    for p in rng.sample(people, 40):
        for part in parse_name(spelling_variant(rng, p.names[0])).parts:
            fast = dict(index._similar_vids(part))
            for k in {k for f in part.forms for k in index._similar_keys(f.key)}:
                for vid in index._key_vids.get(k, ()):
                    direct, _ = part_similarity(part, NamePart("", (index._forms[vid],)))
                    if direct >= MIN_PART_SIMILARITY:
                        assert fast.get(vid, -1.0) >= direct - 1e-9, (part.text, index._forms[vid].latin)
                        checked += 1
    assert checked > 100


def test_pruned_search_gives_the_candidates_of_the_full_one(people):
    """The MaxScore pruning (PersonIndex._plan) skips only rows that would fail the ``near`` test:
    the same entries come out as when every posting of every query part is scattered, with the
    same approximate scores (to float32 rounding), for full, partial, reordered and padded
    names, in both scripts, with entries added after the bulk load."""
    full = PersonIndex(prune=False)
    pruned = PersonIndex(prune=True)
    pruned.PRUNE_MIN_POSTINGS = 0  # plan every query, however few postings it reaches
    extra = [
        Person(p["names"], p["date_of_birth"], tuple(p["nationalities"]), p["gender"], entry_id=f"late-{p['id']}")
        for p in generate(300, seed=99)
    ]
    for idx in (full, pruned):
        idx.bulk_load(people)
        for p in extra:
            idx.add(p)
    rng = random.Random(5)
    compared = 0
    for _ in range(150):
        p = rng.choice(people + extra)
        parts = spelling_variant(rng, rng.choice(p.names)).split()
        r = rng.random()
        if r < 0.2 and len(parts) > 2:
            parts = parts[: rng.randint(1, len(parts) - 1)]
        elif r < 0.35:
            rng.shuffle(parts)
        elif r < 0.5:
            parts.append(rng.choice(rng.choice(people).names).split()[0])
        query = Person([" ".join(parts)], p.date_of_birth if rng.random() < 0.7 else None,
                       p.nationalities if rng.random() < 0.5 else (), p.gender if rng.random() < 0.5 else None)
        for threshold in (0.80, 0.87, 0.95):
            a = {c.entry_id: c.approx for c in pruned.candidates(query, threshold, limit=10_000)}
            b = {c.entry_id: c.approx for c in full.candidates(query, threshold, limit=10_000)}
            assert a.keys() == b.keys(), (query.names, threshold)
            assert all(abs(a[k] - b[k]) < 1e-4 for k in a)
            compared += len(a)
    assert compared > 800 and pruned.stats()["pruned_searches"] > 100
