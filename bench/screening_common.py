"""What both name-screening benchmarks use (bench/screening.py in memory, bench/screening_db.py on
PostgreSQL): the shared data set, the accuracy pairs and their rates, nomenklatura's scores for the
comparison, process memory and percentiles. One module, so the two scripts import it and not each
other."""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path

import numpy as np

from watchlists.names.score import Person
from watchlists.names.translit import arabic_to_latin, latin_to_ascii

ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("BMIS_SHARED_DIR", ROOT.parent / "shared"))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values, q):
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def ascii_name(name: str) -> str:
    """What a plain fuzzy matcher sees: Latin letters, lower case."""
    return " ".join(latin_to_ascii(w) for w in arabic_to_latin(name).split())


def load_pairs():
    path = shared_dir() / "names" / "pairs.csv"
    if not path.exists():
        print(f"pairs.csv not found at {path}: accuracy rows skipped (set BMIS_SHARED_DIR)")
        return []
    return list(csv.DictReader(path.open(encoding="utf-8")))


def pair_people(pairs):
    out = []
    for i, r in enumerate(pairs):
        q = Person(
            [r["query_name"]],
            r["query_dob"],
            (r["query_nationality"],),
            r["query_gender"],
        )
        e = Person(
            [r["list_name"]],
            r["list_dob"],
            (r["list_nationality"],),
            r["list_gender"],
            entry_id=f"pair-{i}",
        )
        out.append((r, q, e))
    return out


def nomenklatura_scores(pairs):
    """logic-v2 score per pair; None when nomenklatura is not installed."""
    try:
        from followthemoney.proxy import EntityProxy
        from followthemoney.types import registry
        from nomenklatura.matching import LogicV2
        from nomenklatura.matching.types import ScoringConfig
    except ImportError:
        return None, 0.0
    cfg = ScoringConfig.defaults()

    def ent(eid, name, dob, nat, gender):
        props = {"name": [name]}
        if dob:
            props["birthDate"] = [dob]
        country = registry.country.clean(nat) if nat else None
        if country:
            props["nationality"] = [country]
        if gender:
            props["gender"] = ["male" if gender.upper().startswith("M") else "female"]
        return EntityProxy.from_dict({"id": eid, "schema": "Person", "properties": props})

    t0 = time.perf_counter()
    scores = []
    for i, r in enumerate(pairs):
        a = ent(
            f"nk-q-{i}",
            r["query_name"],
            r["query_dob"],
            r["query_nationality"],
            r["query_gender"],
        )
        b = ent(
            f"nk-l-{i}",
            r["list_name"],
            r["list_dob"],
            r["list_nationality"],
            r["list_gender"],
        )
        scores.append(LogicV2.compare(a, b, cfg).score)
    return scores, time.perf_counter() - t0


def rates(pairs, hits):
    m = [h for r, h in zip(pairs, hits, strict=True) if r["expected"] == "match"]
    n = [h for r, h in zip(pairs, hits, strict=True) if r["expected"] != "match"]
    recall = sum(m) / len(m) if m else float("nan")
    false_hits = sum(n) / len(n) if n else float("nan")
    tp, fp = sum(m), sum(n)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    return recall, false_hits, precision
