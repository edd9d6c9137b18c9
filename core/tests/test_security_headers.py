"""Security headers: a Content-Security-Policy and `Cache-Control: no-store` on pages and API
answers holding personal data; with DEBUG off behind the TLS proxy, HSTS; and `manage.py check
--deploy` clean with production settings (the README's key rules included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Distinct characters: Django's deployment check wants 50 characters, 5 of them different.
PROD_SECRET = "prod-secret-key-for-tests-only-0123456789-abcdefghij-KLMNOP"
PROD_AUDIT_KEY = "prod-audit-key-for-tests-only-0123456789-abcdefghij"


def production_env(tmp_path: Path, **extra) -> dict:
    """The environment of docker-compose's web service, with test secrets in files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BMIS_", "DATABASE_URL", "CELERY_", "CACHE_URL"))}
    (tmp_path / "secret_key").write_text(PROD_SECRET)
    (tmp_path / "audit_key").write_text(PROD_AUDIT_KEY)
    env.update({
        "BMIS_DEBUG": "false", "BMIS_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
        "BMIS_AUDIT_KEY_FILE": str(tmp_path / "audit_key"), "BMIS_BEHIND_TLS_PROXY": "true",
        "BMIS_ALLOWED_HOSTS": "bmis.example.gov", "BMIS_CSRF_TRUSTED_ORIGINS": "https://bmis.example.gov",
        "BMIS_VAR_DIR": str(tmp_path / "var"),
    })
    env.update(extra)
    return env


@pytest.mark.django_db
def test_pages_and_api_answers_carry_a_csp_and_no_store(login, officer_a, booth_a, api, make_partner):
    from travelers.services import inspection_start
    from travelers.tests.factories import passport

    person = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry",
                              mrz=passport()).person
    client = login(officer_a, booth_a)
    for path in ("/travelers/checkpoint/", f"/travelers/persons/{person.pk}/", "/accounts/login/"):
        r = client.get(path)
        assert r.status_code == 200, (path, r.status_code)
        csp = r["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert "no-store" in r["Cache-Control"], path
    _client, token = make_partner(["movements:read", "persons:read"])
    r = api.get(f"/api/v1/persons/{person.pk}/movements", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]


def test_pages_have_no_inline_script_or_handler():
    """What the policy forbids is not used: no inline <script> body and no on* attributes."""
    import re

    for template in ROOT.glob("*/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), template
        assert not re.search(r"\son[a-z]+=\"", text), template


def _headers_with_debug_off(tmp_path) -> dict:
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "c = Client(HTTP_HOST='bmis.example.gov'); "
        "r = c.get('/api/v1/me', secure=True, HTTP_X_FORWARDED_PROTO='https'); "
        "plain = c.get('/api/v1/me'); health = c.get('/healthz'); "
        "print(json.dumps({'headers': dict(r.headers), 'plain': plain.status_code, "
        "'plain_location': plain.get('Location', ''), 'health': health.status_code}))"
    )
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="bmis.settings")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_with_debug_off_behind_the_proxy_https_is_enforced(tmp_path):
    got = _headers_with_debug_off(tmp_path)
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "includeSubDomains" in headers["strict-transport-security"]
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "no-store" in headers["cache-control"]
    assert got["plain"] == 301 and got["plain_location"].startswith("https://")
    assert got["health"] != 301  # the container's health check talks plain HTTP


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    out = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=ROOT, env=production_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "no issues" in out.stdout


def test_a_secret_key_django_would_call_weak_is_refused(tmp_path):
    (tmp_path / "weak").write_text("x" * 40)
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                         env=production_env(tmp_path, BMIS_SECRET_KEY_FILE=str(tmp_path / "weak")),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "BMIS_SECRET_KEY must be at least 50 characters" in out.stderr
