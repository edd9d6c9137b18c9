from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_client_set_active, api_token_revoke
from audit.models import AuditEvent


def _bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)


@pytest.mark.django_db
def test_valid_token_authenticates_with_its_scopes(api, make_partner):
    _client, raw = make_partner(["movements:read", "screening:write"])
    response = api.get("/api/v1/me", **_bearer(raw))
    assert response.status_code == 200
    data = response.json()
    assert data["role"] == "partner" and data["agency"] == "POLICE"
    assert data["scopes"] == ["movements:read", "screening:write"]


@pytest.mark.django_db
def test_agency_without_the_scope_gets_403_naming_it(api, make_partner, post_a):
    _client, raw = make_partner(["screening:write"])
    response = api.get("/api/v1/border-posts", **_bearer(raw))
    _assert_error(response, 403, "permission_denied")
    assert "movements:read" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_agency_with_the_scope_reads(api, make_partner, post_a, post_b):
    _client, raw = make_partner(["movements:read"])
    response = api.get("/api/v1/border-posts", **_bearer(raw))
    assert response.status_code == 200
    assert {p["code"] for p in response.json()["results"]} == {"PA", "PB"}


@pytest.mark.django_db
def test_expired_token_gets_401(api, make_partner):
    client, raw = make_partner(["movements:read"])
    ApiToken.objects.filter(client=client).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = api.get("/api/v1/me", **_bearer(raw))
    _assert_error(response, 401, "token_expired")
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_revoked_token_gets_401_and_revocation_is_audited(api, make_partner):
    client, raw = make_partner(["movements:read"])
    from django.db import transaction

    with transaction.atomic():
        api_token_revoke(actor=None, token=client.tokens.get())
    _assert_error(api.get("/api/v1/me", **_bearer(raw)), 401, "token_revoked")
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("header", [
    "Bearer",
    "Bearer a b",
    "Bearer not-a-bmis-token",
    "Bearer bmis_zzzzzzzzzzzz_" + "A" * 43,
    "Token bmis_SHOUTING0001_" + "A" * 43,
])
def test_malformed_or_unknown_tokens_get_401(api, make_partner, header):
    make_partner(["movements:read"])
    response = api.get("/api/v1/me", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in {"malformed_token", "invalid_token"}


@pytest.mark.django_db
def test_right_key_wrong_secret_gets_401(api, make_partner):
    _client, raw = make_partner(["movements:read"])
    tampered = raw[:-4] + ("AAAA" if not raw.endswith("AAAA") else "BBBB")
    _assert_error(api.get("/api/v1/me", **_bearer(tampered)), 401, "invalid_token")


@pytest.mark.django_db
def test_no_credentials_gets_401(api):
    _assert_error(api.get("/api/v1/me"), 401, "not_authenticated")


@pytest.mark.django_db
def test_disabled_client_gets_403(api, make_partner):
    client, raw = make_partner(["movements:read"])
    from django.db import transaction

    with transaction.atomic():
        api_client_set_active(actor=None, client=client, active=False)
    _assert_error(api.get("/api/v1/me", **_bearer(raw)), 403, "client_disabled")


@pytest.mark.django_db
def test_suspended_agency_gets_403(api, make_partner, police_agency):
    _client, raw = make_partner(["movements:read"])
    police_agency.is_active = False
    police_agency.save()
    response = api.get("/api/v1/me", **_bearer(raw))
    _assert_error(response, 403, "client_disabled")
    assert "suspended" in response.json()["error"]["message"]


@pytest.mark.django_db
def test_token_is_stored_hashed(make_partner):
    client, raw = make_partner(["movements:read"])
    token = client.tokens.get()
    assert raw.split("_", 2)[2] not in token.secret_hash
    assert len(token.secret_hash) == 64
    issue = AuditEvent.objects.get(action="api_token.issue")
    assert raw not in str(issue.metadata)


@pytest.mark.django_db
def test_unknown_scope_is_refused(police_agency):
    from django.core.exceptions import ValidationError

    from accounts.services import api_client_create

    with pytest.raises(ValidationError, match="unknown scope"):
        api_client_create(actor=None, agency=police_agency, name="x", scopes=["everything:write"])


@pytest.mark.django_db
def test_officer_session_uses_role_scopes(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    data = client.get("/api/v1/me").json()
    assert "screening:write" in data["scopes"] and "hits:write" not in data["scopes"]
    assert data["posts"] == ["PA"]
    posts = client.get("/api/v1/border-posts").json()["results"]
    assert [p["code"] for p in posts] == ["PA"]


@pytest.mark.django_db
def test_officer_cannot_use_supervisor_scopes_through_the_api(login, officer_a, booth_a, post_b):
    client = login(officer_a, booth=booth_a)
    # Row-level: an officer of post A cannot read post B even by id.
    response = client.get(f"/api/v1/border-posts/{post_b.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.django_db
def test_session_api_write_requires_csrf(officer_a, booth_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)
    response = client.post("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
