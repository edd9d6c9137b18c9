"""Name screening benchmark: latency, memory, brute-force reference, accuracy.

One command (from the repository root):

    .venv/bin/python bench/screening.py                # 1,000,000 entries
    .venv/bin/python bench/screening.py --entries 50000 --queries 200

Builds a synthetic list (bench/synthetic.py) plus the list side of every row
of ``$BMIS_SHARED_DIR/names/pairs.csv``, then measures in the same run:

* build time and index memory (RSS growth while building, and the bytes of
  the index's numpy arrays);
* latency per screening query (p50, p95) on respelled entries;
* a brute-force reference: rapidfuzz ``token_sort_ratio`` over every entry
  name (transliterated to Latin beforehand, not timed), on a subsample of
  queries, with the speed ratio and the overlap of the two result sets;
* the index's retrieval recall against exhaustive exact scoring (our own
  scorer over every entry of a slice);
* time until a newly added entry is found;
* accuracy on pairs.csv: ours pairwise, ours through the index among all
  entries, and nomenklatura's logic-v2 (the matcher yente uses; bench-only
  dependency, threshold 0.70 as in yente) pairwise.

``--backend postgres`` runs the same measurements through the screening
service on PostgreSQL (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from screening_common import (  # noqa: E402
    ascii_name,
    load_pairs,
    nomenklatura_scores,
    pair_people,
    pct,
    rates,
    rss_mb,
)
from synthetic import generate, spelling_variant  # noqa: E402

from watchlists.names.index import PersonIndex  # noqa: E402
from watchlists.names.parsing import parse_name  # noqa: E402
from watchlists.names.score import DEFAULT_THRESHOLD, Person, score_person  # noqa: E402


def run_memory(args):
    print("== conditions")
    print(f"entries={args.entries:,} queries={args.queries} brute_force_queries={args.brute_queries} seed={args.seed}")
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, numpy {np.__version__}"
    )
    print("back-end: in-memory PersonIndex (numpy postings), exact rescoring of a shortlist of 30")
    print("note: figures from a shared, loaded machine unless stated otherwise")

    pairs = load_pairs()
    planted = pair_people(pairs)

    t0 = time.perf_counter()
    people = [
        Person(
            p["names"],
            p["date_of_birth"],
            tuple(p["nationalities"]),
            p["gender"],
            entry_id=p["id"],
        )
        for p in generate(args.entries, seed=args.seed)
    ]
    people += [e for _, _, e in planted]
    by_id = {p.entry_id: p for p in people}
    gen_s = time.perf_counter() - t0

    rss0 = rss_mb()
    t0 = time.perf_counter()
    index = PersonIndex(name_lookup=lambda ids: {i: by_id[i] for i in ids})
    index.bulk_load(people)
    build_s = time.perf_counter() - t0
    rss1 = rss_mb()
    arrays = index.memory_bytes()

    rng = random.Random(args.seed + 1)

    def make_queries(n):
        out = []
        for _ in range(n):
            p = people[rng.randrange(args.entries)]
            out.append((p, Person([spelling_variant(rng, p.names[0])], p.date_of_birth, p.nationalities, p.gender)))
        return out

    # cold: the first queries a fresh process answers (its similarity caches empty)
    cold_lat = []
    for _p, q in make_queries(50):
        t = time.perf_counter()
        index.search(q)
        cold_lat.append((time.perf_counter() - t) * 1000)
    # warm-up (not timed), then the measured queries, all distinct draws
    for _p, q in make_queries(args.warmup):
        index.search(q)
    queries = make_queries(args.queries)
    lat = []
    found = 0
    for p, q in queries:
        t = time.perf_counter()
        hits = index.search(q)
        lat.append((time.perf_counter() - t) * 1000)
        found += any(h.explanation["entry_id"] == p.entry_id for h in hits)

    # candidate retrieval with and without the MaxScore pruning, each query both ways, alternating
    # which goes first (same warm caches); the candidates must be the same
    prune_lat = {True: [], False: []}
    differ = 0
    for i, (_p, q) in enumerate(queries):
        got = {}
        for prune in ((True, False) if i % 2 else (False, True)):
            index.prune = prune
            t = time.perf_counter()
            got[prune] = {c.entry_id for c in index.candidates(q, DEFAULT_THRESHOLD, 30)}
            prune_lat[prune].append((time.perf_counter() - t) * 1000)
        differ += got[True] != got[False]
    index.prune = True

    # brute force: rapidfuzz over every entry name
    from rapidfuzz import fuzz, process

    t0 = time.perf_counter()
    choice_names, choice_ids = [], []
    for p in people:
        for n in p.names:
            choice_names.append(ascii_name(n))
            choice_ids.append(p.entry_id)
    prep_s = time.perf_counter() - t0
    bf_lat, fast_lat = [], []
    overlap_bf, total_bf, overlap_fast, total_fast = 0, 0, 0, 0
    for _p, q in queries[: args.brute_queries]:
        qa = ascii_name(q.names[0])
        t = time.perf_counter()
        res = process.extract(qa, choice_names, scorer=fuzz.token_sort_ratio, score_cutoff=90, limit=None)
        bf_lat.append((time.perf_counter() - t) * 1000)
        bf_ids = {choice_ids[idx] for _, _, idx in res}
        name_only = Person(q.names)
        t = time.perf_counter()
        fast_ids = {h.explanation["entry_id"] for h in index.search(name_only, limit=10_000, shortlist=10_000)}
        fast_lat.append((time.perf_counter() - t) * 1000)
        total_bf += len(bf_ids)
        overlap_bf += len(bf_ids & fast_ids)
        total_fast += len(fast_ids)
        overlap_fast += len(fast_ids & bf_ids)

    # retrieval recall against exhaustive exact scoring on a slice
    slice_n = min(args.slice, len(people))
    slice_people = people[:slice_n]
    slice_index = PersonIndex(name_lookup=lambda ids: {i: by_id[i] for i in ids})
    slice_index.bulk_load(slice_people)
    ex_total = ex_found = 0
    ex_lat = []
    for _ in range(args.exhaustive_queries):
        q2 = Person([spelling_variant(rng, slice_people[rng.randrange(slice_n)].names[0])])
        t = time.perf_counter()
        exhaustive = {e.entry_id for e in slice_people if score_person(q2, e).score >= DEFAULT_THRESHOLD}
        ex_lat.append((time.perf_counter() - t) * 1000)
        got = {h.explanation["entry_id"] for h in slice_index.search(q2, limit=10_000, shortlist=10_000)}
        ex_total += len(exhaustive)
        ex_found += len(exhaustive & got)

    # a new entry becomes searchable
    add_ms = []
    for i in range(20):
        newp = Person(
            [f"Zubair Qahtan Al-Mashhadani {['Fadhil', 'Kamil', 'Sattar', 'Ghanim'][i % 4]}"],
            "1971-03-09",
            ("IRQ",),
            "M",
            entry_id=f"new-{i}",
        )
        by_id[newp.entry_id] = newp
        t = time.perf_counter()
        index.add(newp)
        hits = index.search(Person(newp.names, "1971-03-09"), limit=50)
        add_ms.append((time.perf_counter() - t) * 1000)
        assert any(h.explanation["entry_id"] == newp.entry_id for h in hits)

    # accuracy on pairs.csv
    acc_rows = []
    if pairs:
        ours_pair = [score_person(q, e).score >= DEFAULT_THRESHOLD for _, q, e in planted]
        ours_index = []
        for _, q, e in planted:
            hits = index.search(q, limit=1000)
            ours_index.append(any(h.explanation["entry_id"] == e.entry_id for h in hits))
        nk, nk_s = nomenklatura_scores(pairs)
        acc_rows.append(("ours, pairwise", *rates(pairs, ours_pair)))
        acc_rows.append(
            (
                f"ours, via index among {len(people):,} entries",
                *rates(pairs, ours_index),
            )
        )
        if nk is not None:
            acc_rows.append(
                (
                    "nomenklatura logic-v2 >= 0.70, pairwise",
                    *rates(pairs, [s >= 0.70 for s in nk]),
                )
            )
            acc_rows.append(
                (
                    "nomenklatura logic-v2 >= 0.50, pairwise",
                    *rates(pairs, [s >= 0.50 for s in nk]),
                )
            )
            nk_note = f"(logic-v2 {len(pairs)} pairs in {nk_s:.1f} s, including its start-up)"
        else:
            nk_note = "(nomenklatura not installed: pip install -r requirements-bench.txt)"

    stats = index.stats()
    print("\n== index")
    print(f"| generate entries | {gen_s:.1f} s |")
    print(f"| build index | {build_s:.1f} s ({len(people) / build_s:,.0f} entries/s) |")
    print(
        f"| rows / vocabulary / keys / postings | {stats['rows']:,} / {stats['vocabulary']:,} / {stats['keys']:,} / {stats['postings']:,} |"
    )
    print(f"| RSS growth while building | {rss1 - rss0:,.0f} MB |")
    print(
        f"| numpy arrays of the index | {sum(arrays.values()) / 1e6:,.1f} MB ({', '.join(f'{k} {v / 1e6:.1f}' for k, v in arrays.items())}) |"
    )
    print("\n== latency per screening query (ms)")
    print("| path | queries | p50 | p95 | max |")
    print("|---|---|---|---|---|")
    print(
        f"| index search, cold process (first 50 queries) | {len(cold_lat)} | {pct(cold_lat, 50):.1f} | {pct(cold_lat, 95):.1f} | {max(cold_lat):.1f} |"
    )
    print(
        f"| index search after {args.warmup} warm-up queries (respelled entries, with evidence) | {len(lat)} | {pct(lat, 50):.1f} | {pct(lat, 95):.1f} | {max(lat):.1f} |"
    )
    for prune, label in ((False, "every posting scattered"), (True, "MaxScore pruning (default)")):
        pl = prune_lat[prune]
        print(f"| candidate retrieval only, {label} | {len(pl)} | {pct(pl, 50):.1f} | {pct(pl, 95):.1f} | {max(pl):.1f} |")
    print(
        f"| index search, names only, all hits | {len(fast_lat)} | {pct(fast_lat, 50):.1f} | {pct(fast_lat, 95):.1f} | {max(fast_lat):.1f} |"
    )
    print(
        f"| brute force rapidfuzz token_sort_ratio over {len(choice_names):,} names | {len(bf_lat)} | {pct(bf_lat, 50):.1f} | {pct(bf_lat, 95):.1f} | {max(bf_lat):.1f} |"
    )
    print(
        f"| exhaustive exact scoring over a {slice_n:,}-entry slice | {len(ex_lat)} | {pct(ex_lat, 50):.1f} | {pct(ex_lat, 95):.1f} | {max(ex_lat):.1f} |"
    )
    print(
        f"| add one entry + find it | {len(add_ms)} | {pct(add_ms, 50):.1f} | {pct(add_ms, 95):.1f} | {max(add_ms):.1f} |"
    )
    print(f"\ncandidates differing between pruned and full retrieval: {differ}/{len(queries)}")
    print(f"speed ratio brute force / index (p50, names only): {pct(bf_lat, 50) / pct(fast_lat, 50):.1f}x")
    print(f"(brute-force names were transliterated to Latin once beforehand in {prep_s:.1f} s, not counted)")
    print("\n== recall")
    print(f"| respelled entry found by the index | {found}/{len(queries)} = {found / len(queries):.3f} |")
    print(
        f"| rapidfuzz>=90 hits also returned by the index | {overlap_bf}/{total_bf} = {overlap_bf / max(total_bf, 1):.3f} |"
    )
    print(
        f"| index hits that rapidfuzz scores >=90 | {overlap_fast}/{total_fast} = {overlap_fast / max(total_fast, 1):.3f} |"
    )
    print(
        f"| index hits / exhaustive exact hits on the slice | {ex_found}/{ex_total} = {ex_found / max(ex_total, 1):.3f} |"
    )
    if acc_rows:
        print(f"\n== accuracy on pairs.csv ({len(pairs)} rows) {nk_note}")
        print("| matcher | recall (match rows) | false hits (nomatch rows) | precision |")
        print("|---|---|---|---|")
        for name, rec, fh, prec in acc_rows:
            print(f"| {name} | {rec:.3f} | {fh:.3f} | {prec:.3f} |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=300, help="untimed queries before the measured ones")
    ap.add_argument("--brute-queries", type=int, default=20)
    ap.add_argument("--exhaustive-queries", type=int, default=20)
    ap.add_argument("--slice", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--backend", choices=["memory", "postgres"], default="memory")
    ap.add_argument("--profile", action="store_true",
                    help="postgres backend: profile the timed API queries with cProfile (slows them) and print the top functions")
    args = ap.parse_args(argv)
    if args.backend == "postgres":
        from screening_db import run_postgres

        run_postgres(args)
    else:
        run_memory(args)
    parse_name.cache_clear()


if __name__ == "__main__":
    main()
