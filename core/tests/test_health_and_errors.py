import pytest
from django.core.management import call_command

from accounts.models import ApiClient, User
from audit.verify import verify_chain
from core.models import Booth, BorderPost


@pytest.mark.django_db
def test_healthz_reports_every_service(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "broker"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_healthz_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_CONNECTION_TIMEOUT = 0.5
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


@pytest.mark.django_db
def test_healthz_503_when_the_cache_is_unreachable(client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}
    from django.core.cache import caches

    caches._settings = caches.settings = settings.CACHES
    try:
        del caches._connections.default
    except AttributeError:
        pass
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False


@pytest.mark.django_db
def test_unknown_api_path_and_wrong_method_answer_json(client, make_partner):
    _c, raw = make_partner(["movements:read"])
    response = client.get("/api/v1/no-such-thing", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # A method the endpoint maps to no scope is refused by the scope check, before DRF's method check
    # (required_scopes is closed by default): 403, never a 405 that would tell the method exists elsewhere.
    response = client.delete("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_schema_lists_scopes_and_error_body(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/border-posts"]["get"]
    assert operation["x-required-scopes"] == ["movements:read"]
    assert "Required scopes" in operation["description"]
    assert operation["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
    assert "bearerToken" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_api_docs_page_uses_local_assets(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (BorderPost.objects.count(), Booth.objects.count(), User.objects.count(), ApiClient.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert counts == (BorderPost.objects.count(), Booth.objects.count(), User.objects.count(), ApiClient.objects.count())
    assert counts[0] == 4 and counts[3] == 1
    assert "officer1" in first and "Bearer bmis_" in first
    assert "(0 objects created this run)" in second
    assert {p.kind for p in BorderPost.objects.all()} == {"airport", "land", "green_border"}
    assert verify_chain().ok


@pytest.mark.django_db
def test_demo_token_works(client):
    from accounts.management.commands.seed_demo import DEMO_TOKEN

    call_command("seed_demo")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {DEMO_TOKEN}")
    assert response.status_code == 200 and response.json()["agency"] == "POLICE"


@pytest.mark.django_db
def test_arabic_renders_right_to_left(client):
    client.post("/i18n/setlang/", {"language": "ar", "next": "/accounts/login/"})
    html = client.get("/accounts/login/").content.decode()
    assert 'dir="rtl"' in html and 'lang="ar"' in html
    assert "تسجيل الدخول" in html  # "Sign in", from the Arabic catalogue


@pytest.mark.django_db
def test_english_renders_left_to_right(client):
    html = client.get("/accounts/login/").content.decode()
    assert 'dir="ltr"' in html and "Sign in" in html


@pytest.mark.django_db
def test_request_id_is_echoed(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef12-3456")
    assert response["X-Request-ID"] == "abcdef12-3456"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert response["X-Request-ID"] != "bad id with spaces" and len(response["X-Request-ID"]) == 32


def test_healthz_503_when_the_database_is_unreachable(tmp_path):
    """A real process whose database does not answer (PostgreSQL on a closed port): /healthz says
    503 and names the database, the other checks still run."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(DATABASE_URL="postgres://postgres@127.0.0.1:1/bmis", DJANGO_SETTINGS_MODULE="bmis.settings")
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["status"] == 503
    assert result["body"]["status"] == "fail"
    assert result["body"]["checks"]["database"]["ok"] is False
    assert result["body"]["checks"]["database"]["detail"] == "OperationalError"
    assert result["body"]["checks"]["cache"]["ok"] is True
