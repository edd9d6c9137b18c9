"""Sign-in: no booth is listed before the password is accepted; an officer then chooses among the
booths of their own posts only (a booth of another post is refused with a field error) and lands
on the checkpoint screen; supervisors and administrators land where they always did."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from accounts.views import PENDING_SESSION_KEY, TERMINAL_BOOTH_COOKIE
from audit.models import AuditEvent
from conftest import persona_totp_device, totp_code
from core.tests.factories import BoothFactory


@pytest.fixture
def booth_a2(post_a):
    return BoothFactory(post=post_a, code="A2", name="Booth A2")


@pytest.mark.django_db
def test_the_sign_in_page_lists_no_booth(client, booth_a, booth_b):
    page = client.get("/accounts/login/").content.decode()
    assert booth_a.name not in page and booth_b.post.name not in page
    assert "select your booth" not in page and f"value=\"{booth_a.pk}\"" not in page


@pytest.mark.django_db
def test_an_officer_chooses_among_the_booths_of_their_own_posts(client, officer_a, booth_a, booth_a2, booth_b):
    response = client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login-booth")
    page = client.get(reverse("accounts:login-booth")).content.decode()
    assert f'value="{booth_a.pk}"' in page and f'value="{booth_a2.pk}"' in page
    assert f'value="{booth_b.pk}"' not in page and "Post B" not in page
    response = client.post(reverse("accounts:login-booth"), {"booth": booth_a2.pk})
    assert response.status_code == 302 and response["Location"] == reverse("travelers:checkpoint")
    assert client.session["bmis_booth_id"] == booth_a2.pk
    assert PENDING_SESSION_KEY not in client.session
    assert AuditEvent.objects.get(action="auth.login").metadata["booth"] == "PA/A2"
    assert response.cookies[TERMINAL_BOOTH_COOKIE].value == str(booth_a2.pk)


@pytest.mark.django_db
def test_a_booth_of_another_post_is_refused_with_a_field_error(client, officer_a, booth_a, booth_b):
    client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD})
    response = client.post(reverse("accounts:login-booth"), {"booth": booth_b.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["booth"] == ["You are not assigned to the post of this booth."]
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()


@pytest.mark.django_db
def test_the_booth_step_needs_an_accepted_password_first(client, officer_a, booth_a):
    response = client.post(reverse("accounts:login-booth"), {"booth": booth_a.pk})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("accounts:login-booth"), follow=True).content.decode()
    assert 'type="radio"' not in page


@pytest.mark.django_db
def test_the_booth_step_expires(client, officer_a, booth_a):
    client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD})
    session = client.session
    session[PENDING_SESSION_KEY] = {**session[PENDING_SESSION_KEY], "until": time.time() - 1}
    session.save()
    response = client.post(reverse("accounts:login-booth"), {"booth": booth_a.pk})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_terminal_remembers_its_booth(client, officer_a, booth_a, booth_a2):
    client.cookies[TERMINAL_BOOTH_COOKIE] = str(booth_a2.pk)
    client.post("/accounts/login/", {"username": "officer.a", "password": PASSWORD})
    response = client.get(reverse("accounts:login-booth"))
    assert response.context["form"]["booth"].value() == booth_a2.pk


@pytest.mark.django_db
def test_an_officer_without_a_booth_is_told_so(client, border_agency):
    from accounts.permissions import Role
    from accounts.tests.factories import UserFactory

    UserFactory(username="officer.none", role=Role.OFFICER, agency=border_agency, posts=[])
    client.post("/accounts/login/", {"username": "officer.none", "password": PASSWORD})
    page = client.get(reverse("accounts:login-booth")).content.decode()
    assert "not assigned to any active post" in page
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_next_is_kept_through_the_booth_step(client, officer_a, booth_a):
    client.post("/accounts/login/?next=/watchlists/", {"username": "officer.a", "password": PASSWORD,
                                                       "next": "/watchlists/"})
    response = client.post(reverse("accounts:login-booth"), {"booth": booth_a.pk})
    assert response["Location"] == "/watchlists/"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["supervisor_a", "supervisor", "admin_user"])
def test_supervisors_and_administrators_land_where_they_did(client, persona, request):
    user = request.getfixturevalue(persona)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    # No booth step for them: the second factor, then the home page.
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login-otp")
    response = client.post(reverse("accounts:login-otp"), {"token": totp_code(persona_totp_device(user))})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert "bmis_booth_id" not in client.session
