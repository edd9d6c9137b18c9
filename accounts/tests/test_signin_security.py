"""Sign-ins resist guessing on every path, and supervisors and administrators confirm theirs with a
TOTP code (enrolled on their first sign-in). Real codes are computed from the device's key."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import PASSWORD
from audit.models import AuditEvent
from conftest import persona_totp_device, totp_code

pytestmark = pytest.mark.django_db


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_lock_the_account_even_for_the_right_one(client, officer_a, booth_a, settings):
    for attempt in range(1, 31):
        r = client.post("/accounts/login/", {"username": officer_a.username, "password": "wrong-guess-123",
                                             "booth": booth_a.pk})
        # The form again until the limit; the failure that reaches it already answers "locked".
        assert r.status_code == (200 if attempt < settings.AXES_FAILURE_LIMIT else 429), attempt
    r = client.post("/accounts/login/", {"username": officer_a.username, "password": PASSWORD, "booth": booth_a.pk})
    assert r.status_code == 429
    assert not _signed_in(client)
    assert "Too many failed sign-ins" in r.content.decode()
    assert AuditEvent.objects.filter(action="auth.locked_out", actor_label=officer_a.username).exists()
    failed = AuditEvent.objects.filter(action="auth.login_failed", actor_label=officer_a.username)
    assert failed.count() >= 30 and all("wrong-guess" not in str(e.metadata) for e in failed)
    # Another account is not affected.
    r = client.post("/accounts/login/", {"username": "nobody-else", "password": "x"})
    assert r.status_code == 200


def test_a_success_before_the_limit_resets_the_count(client, officer_a, booth_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": officer_a.username, "password": "nope-nope-1"})
    r = client.post("/accounts/login/", {"username": officer_a.username, "password": PASSWORD, "booth": booth_a.pk})
    assert r.status_code == 302 and _signed_in(client)
    login = AuditEvent.objects.get(action="auth.login", actor_user=officer_a)
    assert login.metadata["path"] == "/accounts/login/" and login.metadata["booth"] == "PA/A1"


def test_the_admin_login_is_no_second_way_in(client, admin_user):
    r = client.post("/admin/login/?next=/admin/", {"username": admin_user.username, "password": PASSWORD,
                                                   "this_is_the_login_form": "1", "next": "/admin/"})
    assert not _signed_in(client)
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")
    # A password-only session (no second factor) does not open the admin either.
    client.force_login(admin_user)
    r = client.get("/admin/", follow=True)
    assert r.redirect_chain[-1][0].startswith("/accounts/login/") and b"Sign in" in r.content


def test_the_admin_opens_after_password_and_code(client, admin_user):
    device = persona_totp_device(admin_user)
    r = client.post("/accounts/login/", {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"})
    assert r.status_code == 302 and r.url == "/accounts/login/code/"
    assert not _signed_in(client)  # the password alone signs no one in
    r = client.post("/accounts/login/code/", {"token": totp_code(device)})
    assert r.status_code == 302 and r.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    login = AuditEvent.objects.get(action="auth.login", actor_user=admin_user)
    assert login.metadata["second_factor"] == "totp"


def test_a_supervisor_enrols_an_authenticator_on_first_sign_in(client, supervisor):
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    r = client.post("/accounts/login/", {"username": supervisor.username, "password": PASSWORD})
    assert r.status_code == 302 and r.url == "/accounts/login/code/"
    page = client.get("/accounts/login/code/").content.decode()
    secret = re.search(r"data-otp-secret>([A-Z2-7=]+)<", page).group(1)
    assert "otpauth://totp/" in page
    key = base64.b32decode(secret)
    assert client.get("/watchlists/hits/").status_code == 302  # not signed in yet
    code = f"{TOTP(key).token():06d}"
    r = client.post("/accounts/login/code/", {"token": code})
    assert r.status_code == 302 and _signed_in(client)
    assert TOTPDevice.objects.get(user=supervisor).confirmed
    assert AuditEvent.objects.filter(action="auth.totp_enrol", actor_user=supervisor).exists()
    assert client.get("/watchlists/hits/").status_code == 200


def test_wrong_codes_are_refused_audited_and_end_the_attempt(client, supervisor):
    device = persona_totp_device(supervisor)
    client.post("/accounts/login/", {"username": supervisor.username, "password": PASSWORD})
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    for _ in range(4):
        r = client.post("/accounts/login/code/", {"token": wrong})
        assert r.status_code == 200 and not _signed_in(client)
    r = client.post("/accounts/login/code/", {"token": wrong})
    assert r.status_code == 302 and r.url == "/accounts/login/"
    assert client.get("/accounts/login/code/").url == "/accounts/login/"  # start again from the password
    failed = AuditEvent.objects.filter(action="auth.login_failed", actor_label=supervisor.username)
    assert failed.count() == 5 and {e.metadata["reason"] for e in failed} == {"totp"}


def test_officers_sign_in_with_a_password_alone(client, officer_a, booth_a):
    r = client.post("/accounts/login/", {"username": officer_a.username, "password": PASSWORD, "booth": booth_a.pk})
    assert r.status_code == 302 and r.url == "/travelers/checkpoint/" and _signed_in(client)
