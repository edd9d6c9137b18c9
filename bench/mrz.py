"""MRZ parsing and validation: time per MRZ over 10,000 generated zones of all five formats.

Run:  .venv/bin/python bench/mrz.py [--n 10000] [--seed 9303]

The reference, measured in the same run on the same zones, is the least work any validator has to
do: split the lines and compute the check digits (``reference`` column). The ratio of the full
parse to it survives a noisy machine better than the absolute times.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from travelers.mrz import (
    LAYOUTS,
    DocumentFields,
    PartialDate,
    check_digit,
    generate,
    parse,
)
from travelers.mrz.codes import ALL_CODES

TODAY = date(2026, 11, 28)
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ALNUM = LETTERS + "0123456789"
FIRST = {"TD1": "I", "TD2": "I", "TD3": "P", "MRVA": "V", "MRVB": "V"}
BUDGET_MS = 50.0


def random_zone(rng: random.Random, fmt: str) -> str:
    codes = sorted(ALL_CODES)

    def word() -> str:
        return "".join(rng.choice(LETTERS) for _ in range(rng.randint(2, 8)))

    born = TODAY - timedelta(days=rng.randint(0, 365 * 90))
    fields = DocumentFields(
        document_code=FIRST[fmt],
        issuing_state=rng.choice(codes),
        primary_identifier=word(),
        secondary_identifier=" ".join(word() for _ in range(rng.randint(0, 2))),
        document_number="".join(rng.choice(ALNUM) for _ in range(rng.randint(6, 9))),
        nationality=rng.choice(codes),
        date_of_birth=PartialDate.from_date(born),
        sex=rng.choice("MFX"),
        date_of_expiry=TODAY + timedelta(days=rng.randint(0, 3650)),
        optional_data="".join(rng.choice(ALNUM) for _ in range(rng.randint(0, 7))),
    )
    return generate(fields, fmt)


def reference(text: str) -> bool:
    """Split the lines and compute the check digits: the floor for any validator."""
    lines = text.split("\n")
    if len(lines) == 2:
        line = lines[1]
        ok = check_digit(line[0:9]) == line[9]
        ok &= check_digit(line[13:19]) == line[19]
        ok &= check_digit(line[21:27]) == line[27]
        if len(line) == 44 and lines[0][0] == "P":
            ok &= check_digit(line[0:10] + line[13:20] + line[21:43]) == line[43]
        return ok
    a, b = lines[0], lines[1]
    ok = check_digit(a[5:14]) == a[14]
    ok &= check_digit(b[0:6]) == b[6]
    ok &= check_digit(b[8:14]) == b[14]
    ok &= check_digit(a[5:30] + b[0:7] + b[8:15] + b[18:29]) == b[29]
    return ok


def timed(fn, zones) -> list[float]:
    times = []
    clock = time.perf_counter
    for text in zones:
        start = clock()
        fn(text)
        times.append(clock() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9303)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    formats = sorted(LAYOUTS)
    zones = [random_zone(rng, formats[i % len(formats)]) for i in range(args.n)]

    # Warm-up, then check that every zone is valid (the benchmark measures the success path).
    results = [parse(z, today=TODAY) for z in zones[:200]]
    assert all(r.valid for r in results), [r.errors for r in results if not r.valid][:3]
    assert all(reference(z) for z in zones)

    ref = timed(reference, zones)
    full = timed(lambda z: parse(z, today=TODAY), zones)

    print("MRZ parse + validate benchmark")
    print(f"  zones: {args.n} ({', '.join(formats)} in equal shares), seed {args.seed}")
    print(
        f"  python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} cores (shared machine: figures are indicative)"
    )
    print()
    header = f"{'measure':<34}{'total s':>10}{'mean us':>10}{'median us':>11}{'p99 us':>10}"
    print(header)
    print("-" * len(header))
    for name, times in (("reference (check digits only)", ref), ("parse + validate", full)):
        ordered = sorted(times)
        p99 = ordered[int(len(ordered) * 0.99) - 1]
        print(
            f"{name:<34}{sum(times):>10.3f}{statistics.fmean(times) * 1e6:>10.1f}"
            f"{statistics.median(times) * 1e6:>11.1f}{p99 * 1e6:>10.1f}"
        )
    print()
    mean_ms = statistics.fmean(full) * 1e3
    print(f"parse / reference (mean): {statistics.fmean(full) / statistics.fmean(ref):.1f}x")
    print(
        f"per-MRZ mean {mean_ms:.3f} ms = {mean_ms / BUDGET_MS * 100:.2f} % of the 50 ms "
        f"server budget for parse + inspection"
    )


if __name__ == "__main__":
    main()
