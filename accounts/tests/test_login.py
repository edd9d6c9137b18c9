import time

import pytest

from accounts.middleware import SESSION_KEY
from accounts.tests.factories import PASSWORD
from audit.models import AuditEvent


@pytest.mark.django_db
def test_officer_must_choose_a_booth(client, officer_a, booth_a):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/booth/"
    assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/booth/", {})
    assert response.status_code == 200
    assert "Officers must select the booth" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_officer_cannot_sign_in_to_a_booth_of_another_post(client, officer_a, booth_a, booth_b):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD, "booth": booth_b.pk})
    assert response.status_code == 200
    assert "not assigned to the post of this booth" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_officer_signs_in_to_a_booth_and_it_is_audited(client, officer_a, booth_a):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD, "booth": booth_a.pk})
    assert response.status_code == 302
    assert client.session["bmis_booth_id"] == booth_a.pk
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor_user == officer_a and event.metadata["booth"] == "PA/A1"
    page = client.get("/").content.decode()
    assert "PA/A1" in page


@pytest.mark.django_db
def test_failed_login_is_audited_without_the_password(client, officer_a):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": "wrong-password"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor_label == "officer.a"
    assert "wrong-password" not in str(event.metadata)


@pytest.mark.django_db
def test_logout_is_post_only_and_audited(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout").exists()
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_idle_session_ends(login, officer_a, booth_a, settings):
    settings.BMIS_SESSION_IDLE_MINUTES = 15
    client = login(officer_a, booth=booth_a)
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_KEY] = int(time.time()) - 16 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/").status_code == 302  # still signed out


@pytest.mark.django_db
def test_passive_polling_does_not_extend_the_session(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    client.get("/")
    session = client.session
    stale = int(time.time()) - 10 * 60
    session[SESSION_KEY] = stale
    session.save()
    client.get("/", HTTP_X_BMIS_PASSIVE="1")
    assert client.session[SESSION_KEY] == stale
    client.get("/")
    assert client.session[SESSION_KEY] > stale


@pytest.mark.django_db
def test_partner_machine_account_cannot_use_the_web_ui(client, make_partner):
    api_client, _raw = make_partner(["movements:read"])
    user = api_client.user
    user.set_password(PASSWORD)
    user.save()
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "for API access only" in response.content.decode()
