"""Booth routing, end to end: from the document reader's POST to the device API to the document
shown on the screen of the officer signed in at that booth, in a real browser (Debian's Chromium
through Playwright), against a live server.

Run (a server with the demo data, e.g. `make run`, or on PostgreSQL):
    BMIS_VAR_DIR=/tmp/benchvar .venv/bin/python manage.py migrate && ... seed_demo && ... runserver 127.0.0.1:8022 --noreload
    BMIS_VAR_DIR=/tmp/benchvar .venv/bin/python bench/booth_routing.py --url http://127.0.0.1:8022 --n 50

The reader is the demo's document reader at BGW/A1 (its credential from
$BMIS_VAR_DIR/demo-devices.json), the officer officer1 signed in at that booth. Each read is a new
generated passport (a new traveler: parse, person, stay verdict, screening, audit, as typed).
Measured per read: the reader's POST (stored, held for the booth), and from just before the POST
until the document number is on the screen (the screen's poll claims the read and swaps the
inspection in). The reference measured in the same run, in the same browser: the typed-MRZ round
trip (the zone in the field, Enter, until the document number is on the screen), which is the
same server work without the wait for the poll.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from travelers.mrz.generator import generate  # noqa: E402  (pure: no Django)
from travelers.mrz.result import DocumentFields  # noqa: E402

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _mrz(rng: random.Random, n: int) -> tuple[str, str]:
    number = f"R{rng.randrange(10**7):07d}"
    fields = DocumentFields(
        document_code="P", issuing_state="JOR", primary_identifier="".join(rng.choice(LETTERS) for _ in range(8)),
        secondary_identifier="".join(rng.choice(LETTERS) for _ in range(6)), document_number=number,
        nationality="JOR", date_of_birth=dt.date(1970 + n % 30, 1 + n % 12, 1 + n % 28), sex="M",
        date_of_expiry=dt.date(2031, 1, 1),
    )
    return generate(fields, "TD3"), number


def _post(url: str, credential: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {credential}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode()[:300]}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _wait_for(page, number: str, timeout: float = 10.0) -> float:
    """Poll the page (page.evaluate: the CSP forbids the eval of wait_for_function) until the
    inspection on the screen shows `number`; the moment it did."""
    expression = ("(() => { const a = document.querySelector('#result article.inspection');"
                  f" return !!a && a.textContent.includes('{number}'); }})()")
    deadline = time.perf_counter() + timeout
    while not page.evaluate(expression):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{number} not shown within {timeout} s")
        page.wait_for_timeout(5)
    return time.perf_counter()


def _stats(values: list[float]) -> tuple[float, float, float, float]:
    ordered = sorted(values)
    return (statistics.fmean(values) * 1e3, statistics.median(values) * 1e3,
            ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1e3, ordered[-1] * 1e3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8022", help="the live server")
    parser.add_argument("--n", type=int, default=50, help="reads measured (and as many typed reads)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--devices", default=os.path.join(os.environ.get("BMIS_VAR_DIR", str(ROOT / "var")),
                                                         "demo-devices.json"))
    parser.add_argument("--reader", default="BGW-A1-READER")
    parser.add_argument("--booth-choice", type=int, default=0, help="which booth of the sign-in list (0: the first)")
    parser.add_argument("--username", default="officer1")
    parser.add_argument("--password", default="demo-officer-2026")
    args = parser.parse_args()

    devices = json.loads(Path(args.devices).read_text())["devices"]
    reader = next(d for d in devices if d["code"] == args.reader)
    chromium = shutil.which("chromium")
    if not chromium:
        sys.exit("chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with urllib.request.urlopen(f"{args.url}/healthz", timeout=10) as response:
        health = json.load(response)
    load_start = os.getloadavg()[0]
    rng = random.Random(20261203)
    routed, posts, typed = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"{args.url}/accounts/login/?next=/travelers/checkpoint/")
        page.fill("input[name=username]", args.username)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_url("**/accounts/login/booth/")
        page.locator("input[name=booth]").nth(args.booth_choice).check()
        page.click("button[type=submit]")
        page.wait_for_url("**/travelers/checkpoint/")
        trigger = page.locator("#booth-poll").get_attribute("hx-trigger")
        booth = page.locator("#reader-title .badge").inner_text()
        if booth != f"{reader['post']}/{reader['booth']}":
            sys.exit(f"signed in at {booth}, not at the reader's booth: choose another --booth-choice")
        textarea = page.locator("textarea.mrz-input")

        for i in range(args.warmup + args.n):
            # The reader: POST, then the document on the officer's screen.
            mrz, number = _mrz(rng, 2 * i)
            body = {"event_id": str(uuid.uuid4()), "time": _now(), "mrz": mrz}
            t0 = time.perf_counter()
            status, answer = _post(f"{args.url}/api/v1/devices/documents", reader["credential"], body)
            t1 = time.perf_counter()
            if status != 201 or answer.get("result", {}).get("routing") != "held":
                sys.exit(f"the reader's POST was not held for the booth: {status} {answer}")
            shown = _wait_for(page, number)
            # The reference: the same kind of read typed (pasted) by the officer, Enter.
            mrz, typed_number = _mrz(rng, 2 * i + 1)
            textarea.fill(mrz)
            t2 = time.perf_counter()
            textarea.press("Enter")
            typed_shown = _wait_for(page, typed_number)
            if i >= args.warmup:
                routed.append(shown - t0)
                posts.append(t1 - t0)
                typed.append(typed_shown - t2)
        browser.close()

    print(f"booth routing: {args.n} reads (after {args.warmup} warm-up), reader {args.reader} at {booth}, "
          f"officer {args.username}; poll {trigger}")
    print(f"server {args.url}: database {health['checks']['database'].get('detail')}, "
          f"cache {health['checks']['cache'].get('detail')}, broker {health['checks']['broker'].get('detail')}")
    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"load average {load_start:.2f} at the start, {os.getloadavg()[0]:.2f} at the end; "
          "browser and server on this machine")
    print()
    print("| measure | mean ms | median ms | p95 ms | max ms |")
    print("|---|---|---|---|---|")
    ref = _stats(typed)
    for label, values in (("reference: typed MRZ, Enter → document on the screen", typed),
                          ("reader POST /api/v1/devices/documents (stored, held for the booth)", posts),
                          ("reader POST → document on the officer's screen", routed)):
        mean, median, p95, top = _stats(values)
        print(f"| {label} | {mean:.0f} | {median:.0f} | {p95:.0f} | {top:.0f} |")
    p95 = _stats(routed)[2]
    print()
    print(f"routed p95 {p95:.0f} ms (target <= 1000 ms: {'met' if p95 <= 1000 else 'NOT met'}); "
          f"routed - typed, medians: {_stats(routed)[1] - ref[1]:.0f} ms (the wait for the poll)")


if __name__ == "__main__":
    main()
