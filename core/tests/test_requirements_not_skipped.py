"""A test that needs the shared data sets or Debian's chromium cannot silently vanish: under CI=true
a missing requirement fails the run, naming what is missing; elsewhere the test is skipped with how
to get it. Proved on a real data test, run by pytest in a subprocess with BMIS_SHARED_DIR pointing
to an empty folder (the accuracy floor on the shared name pairs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA_TEST = "watchlists/tests/names/test_accuracy.py::test_shared_pairs_recall_and_false_hits"


def _run(tmp_path: Path, *, ci: bool | None, shared: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")}
    env["BMIS_SHARED_DIR"] = str(shared)
    env["BMIS_VAR_DIR"] = str(tmp_path / "var")
    if ci is not None:
        env["CI"] = "true" if ci else "false"
    return subprocess.run(
        [sys.executable, "-m", "pytest", DATA_TEST, "-q", "-rA", "-p", "no:cacheprovider"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture
def empty_shared(tmp_path) -> Path:
    folder = tmp_path / "no-shared-data"
    folder.mkdir()
    return folder


def test_under_ci_a_missing_data_set_fails_naming_the_folder(tmp_path, empty_shared):
    run = _run(tmp_path, ci=True, shared=empty_shared)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert f"shared data set not found: {empty_shared / 'names' / 'pairs.csv'}" in out, out
    assert "1 failed" in out or "1 error" in out, out
    assert "skipped" not in out, out


@pytest.mark.parametrize("ci", [None, False])
def test_elsewhere_a_missing_data_set_skips_saying_how_to_get_it(tmp_path, empty_shared, ci):
    run = _run(tmp_path, ci=ci, shared=empty_shared)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    assert "1 skipped" in out, out
    assert str(empty_shared / "names" / "pairs.csv") in out, out
    assert "set BMIS_SHARED_DIR to the shared data folder, or place the repository beside shared/" in out, out


def test_a_missing_shared_folder_is_named_too(tmp_path):
    absent = tmp_path / "nowhere"
    run = _run(tmp_path, ci=True, shared=absent)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out
    assert f"shared data sets folder not found: {absent}" in out, out


def test_data_tests_carry_the_shared_data_marker(shared_dir, request):
    """The fixture makes its test a `shared_data` test (so `-m "not shared_data"` selects around it)."""
    assert request.node.get_closest_marker("shared_data") is not None


def test_a_missing_browser_or_data_fails_under_ci_and_skips_elsewhere(monkeypatch):
    from conftest import missing_requirement

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"):
        missing_requirement("chromium is not installed", "apt-get install -y chromium")
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="chromium is not installed: apt-get install -y chromium"):
        missing_requirement("chromium is not installed", "apt-get install -y chromium")
