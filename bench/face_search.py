"""1:N face search at 100,000 and 1,000,000 templates, HNSW vs exact.

    .venv/bin/python bench/face_search.py                 # 100k and 1M
    .venv/bin/python bench/face_search.py --sizes 20000   # quick run

Synthetic templates shaped like real dlib-resnet-v1 embeddings
(biometrics.search.synthetic, fitted to the photos in shared/faces): one
template per identity, plus planted near-duplicates (1 % of identities
enrolled a second time, as under another name).  Probes are new captures of
gallery identities (90 %) and of unseen people (10 %).  Everything goes
through the same FaceIndex interface the services use.  For each size:
build time and memory of each back-end, single-query latency p50/p95/p99,
recall@1/@10 of HNSW against the exact answer computed in the same run, the
planted mate found, the speed ratio, an efSearch sweep, and the time from
enrolment of a new template to it being returned by a search.
"""

from __future__ import annotations

import argparse
import gc
import time

import faiss
import numpy as np
from face_common import cached_real_embeddings, conditions, pct, rss_mb

from biometrics.face.embedding import get_model
from biometrics.search import ExactIndex, HnswIndex, ModelTag
from biometrics.search.hnsw import DEFAULT_EF_CONSTRUCTION, DEFAULT_EF_SEARCH, DEFAULT_M
from biometrics.search.synthetic import TemplateShape


def timed_searches(index, queries, tag, k=10):
    lat, results = [], []
    for q in queries:
        t = time.perf_counter()
        results.append(index.search(q, model=tag, k=k))
        lat.append(time.perf_counter() - t)
    return np.array(lat), results


def recall(approx, exact, k):
    hits = [len({c.id for c in a[:k]} & {c.id for c in e[:k]}) / min(k, len(e)) for a, e in zip(approx, exact, strict=True)]
    return float(np.mean(hits))


def run(size: int, shape: TemplateShape, tag: ModelTag, n_queries: int, exact_timed: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    centres = shape.identities(rng, size)
    templates = shape.captures(rng, centres)
    n_dup = size // 100
    dup_of = rng.choice(size, size=n_dup, replace=False)
    dups = shape.captures(rng, centres[dup_of])
    ids = np.arange(size + n_dup, dtype=np.int64)
    vecs = np.concatenate([templates, dups])
    del templates, dups
    n_known = int(n_queries * 0.9)
    probe_of = rng.choice(size, size=n_known, replace=False)
    queries = np.concatenate([shape.captures(rng, centres[probe_of]), shape.captures(rng, shape.identities(rng, n_queries - n_known))])
    del centres
    gc.collect()
    print(f"== {size:,} identities + {n_dup:,} planted near-duplicates = {len(ids):,} templates; "
          f"{n_queries} probes ({n_known} of enrolled identities); generated in {time.perf_counter() - t:.1f} s")

    # Exact reference.
    before = rss_mb()
    t = time.perf_counter()
    exact = ExactIndex(tag)
    exact.add(ids, vecs, model=tag)
    exact_build = time.perf_counter() - t
    exact_mem = rss_mb() - before
    truth = []
    for start in range(0, len(queries), 50):
        truth.extend(exact.search_batch(queries[start : start + 50], model=tag, k=10))
    exact_lat, _ = timed_searches(exact, queries[:exact_timed], tag)

    # HNSW.
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    hnsw = HnswIndex(tag)
    step = 100_000
    for start in range(0, len(ids), step):
        hnsw.add(ids[start : start + step], vecs[start : start + step], model=tag)
    hnsw_build = time.perf_counter() - t
    hnsw_mem = rss_mb() - before
    serialized_mb = faiss.serialize_index(hnsw._index).nbytes / 2**20
    hnsw_lat, approx = timed_searches(hnsw, queries, tag)

    mate_exact = np.mean([bool(e) and e[0].id == p for e, p in zip(truth[:n_known], probe_of, strict=True)])
    mate_hnsw = np.mean([bool(a) and a[0].id == p for a, p in zip(approx[:n_known], probe_of, strict=True)])
    # For probes whose identity was enrolled twice, both templates should come back.
    dup_map = {int(o): int(size + j) for j, o in enumerate(dup_of)}
    twin = [(a, p) for a, p in zip(approx[:n_known], probe_of, strict=True) if int(p) in dup_map]
    twin_found = np.mean([{int(p), dup_map[int(p)]} <= {c.id for c in a[:10]} for a, p in twin]) if twin else float("nan")

    print()
    print(f"{'back-end':<28} {'build s':>8} {'mem MB':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'R@1':>6} {'R@10':>6} {'mate@1':>7}")
    print("-" * 95)
    print(f"{'exact (numpy, reference)':<28} {exact_build:8.1f} {exact_mem:8.0f} {pct(exact_lat, 50) * 1e3:8.2f} "
          f"{pct(exact_lat, 95) * 1e3:8.2f} {pct(exact_lat, 99) * 1e3:8.2f} {1:6.3f} {1:6.3f} {mate_exact:7.3f}")
    label = f"hnsw M={DEFAULT_M} efC={DEFAULT_EF_CONSTRUCTION} ef={DEFAULT_EF_SEARCH}"
    print(f"{label:<28} {hnsw_build:8.1f} {hnsw_mem:8.0f} {pct(hnsw_lat, 50) * 1e3:8.2f} "
          f"{pct(hnsw_lat, 95) * 1e3:8.2f} {pct(hnsw_lat, 99) * 1e3:8.2f} {recall(approx, truth, 1):6.3f} "
          f"{recall(approx, truth, 10):6.3f} {mate_hnsw:7.3f}")
    print(f"(exact latency over the first {exact_timed} probes; HNSW over all {len(queries)}; "
          f"HNSW graph serialised {serialized_mb:.0f} MB; planted twins both in top 10: {twin_found:.3f} of {len(twin)})")
    print(f"speed ratio exact/HNSW at p50: {np.median(exact_lat) / np.median(hnsw_lat):.0f}x, "
          f"at p95: {pct(exact_lat, 95) / pct(hnsw_lat, 95):.0f}x")

    print()
    print(f"{'efSearch':>8} {'p50 ms':>8} {'p95 ms':>8} {'R@1':>6} {'R@10':>6}")
    for ef in (64, 128, 256, 384, 512, 768):
        hnsw.ef_search = ef
        lat, res = timed_searches(hnsw, queries, tag)
        print(f"{ef:8d} {pct(lat, 50) * 1e3:8.2f} {pct(lat, 95) * 1e3:8.2f} {recall(res, truth, 1):6.3f} {recall(res, truth, 10):6.3f}")
    hnsw.ef_search = DEFAULT_EF_SEARCH

    # Enrolment to searchable: add one new template, search for it.
    fresh = shape.captures(rng, shape.identities(rng, 100))
    delays, found = [], 0
    for j, vec in enumerate(fresh):
        new_id = 10**9 + j
        t = time.perf_counter()
        hnsw.add([new_id], vec[None, :], model=tag)
        hit = hnsw.search(vec, model=tag, k=1)
        delays.append(time.perf_counter() - t)
        found += bool(hit) and hit[0].id == new_id
    print()
    print(f"enrolment -> searchable (add + search, in-process, 100 enrolments): found {found}/100, "
          f"p50 {pct(delays, 50) * 1e3:.2f} ms, max {max(delays) * 1e3:.2f} ms")
    print()
    del exact, hnsw, vecs
    gc.collect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated gallery sizes")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--exact-timed", type=int, default=200, help="probes timed on the exact back-end")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    model = get_model()
    real = cached_real_embeddings(model)
    shape = TemplateShape.fit(real)
    tag = ModelTag.of(model)
    conditions(
        data=f"synthetic {model.dimension}-d templates fitted to {len(real)} real {model.name} embeddings",
        threads=f"faiss OpenMP threads {faiss.omp_get_max_threads()} (build); searches are single queries",
        goal="p95 <= 20 ms at 1,000,000 with recall@10 >= 0.99; enrolment searchable within 1 s",
    )
    for size in (int(s) for s in args.sizes.split(",")):
        run(size, shape, tag, args.queries, args.exact_timed, args.seed)


if __name__ == "__main__":
    main()
