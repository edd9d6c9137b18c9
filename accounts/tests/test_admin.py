"""Administration pages: partner API clients are created and edited with scope checkboxes (the
services create the machine user and audit every change); a user's role and posts come first."""

from __future__ import annotations

import pytest

from accounts.models import ApiClient, User
from accounts.permissions import Role
from accounts.scopes import SCOPES
from audit.models import AuditEvent

ADD = "/admin/accounts/apiclient/add/"


def _change(client: ApiClient) -> str:
    return f"/admin/accounts/apiclient/{client.pk}/change/"


@pytest.fixture
def admin_client_(login, admin_user):
    """The administrator through the real sign-in, password and TOTP code: the admin site needs a
    verified session."""
    return login(admin_user)


@pytest.mark.django_db
def test_the_add_page_offers_every_scope_as_a_checkbox_with_its_description(admin_client_, police_agency):
    page = admin_client_.get(ADD).content.decode()
    for scope, description in SCOPES.items():
        assert f'type="checkbox" name="scopes" value="{scope}"' in page
        assert str(description) in page
    assert "<textarea" not in page  # no raw JSON


@pytest.mark.django_db
def test_an_administrator_creates_a_client_with_scopes_and_it_is_audited(admin_client_, admin_user, police_agency):
    response = admin_client_.post(ADD, {"agency": police_agency.pk, "name": "Border watch",
                                        "scopes": ["screening:write", "hits:read"], "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client = ApiClient.objects.get(name="Border watch")
    assert client.scopes == ["hits:read", "screening:write"]
    assert client.user.role == Role.PARTNER and client.user.agency == police_agency
    assert not client.user.has_usable_password()
    event = AuditEvent.objects.get(action="api_client.create")
    assert event.actor_user == admin_user and event.object_id == str(client.pk)


@pytest.mark.django_db
def test_an_inactive_client_can_be_created(admin_client_, police_agency):
    admin_client_.post(ADD, {"agency": police_agency.pk, "name": "Later", "scopes": ["hits:read"]})
    assert ApiClient.objects.get(name="Later").is_active is False
    assert AuditEvent.objects.filter(action="api_client.set_active").count() == 1


@pytest.mark.django_db
def test_a_duplicate_name_is_a_field_error(admin_client_, police_agency, make_partner):
    existing, _token = make_partner(["hits:read"])
    response = admin_client_.post(ADD, {"agency": police_agency.pk, "name": existing.name, "scopes": []})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]


@pytest.mark.django_db
def test_an_unknown_scope_is_refused(admin_client_, police_agency):
    response = admin_client_.post(ADD, {"agency": police_agency.pk, "name": "X", "scopes": ["everything:write"]})
    assert response.status_code == 200
    assert "scopes" in response.context["adminform"].form.errors
    assert not ApiClient.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_editing_scopes_goes_through_the_service_with_before_and_after(admin_client_, admin_user, make_partner):
    client, _token = make_partner(["hits:read"])
    page = admin_client_.get(_change(client)).content.decode()
    assert 'value="hits:read" id="id_scopes_' in page and "checked" in page.split('value="hits:read"')[1][:80]
    response = admin_client_.post(_change(client), {"name": client.name, "scopes": ["hits:read", "hits:write"],
                                                    "is_active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.refresh_from_db()
    assert client.scopes == ["hits:read", "hits:write"]
    event = AuditEvent.objects.get(action="api_client.set_scopes")
    assert event.actor_user == admin_user
    assert event.changes == {"scopes": [["hits:read"], ["hits:read", "hits:write"]]}
    assert not AuditEvent.objects.filter(action="apiclient.change").exists()


@pytest.mark.django_db
def test_renaming_and_deactivating_are_audited(admin_client_, make_partner):
    client, _token = make_partner(["hits:read"])
    admin_client_.post(_change(client), {"name": "Renamed", "scopes": ["hits:read"]})
    client.refresh_from_db()
    assert client.name == "Renamed" and client.is_active is False
    assert AuditEvent.objects.get(action="apiclient.change").changes["name"][1] == "Renamed"
    assert AuditEvent.objects.filter(action="api_client.set_active").count() == 1
    assert not AuditEvent.objects.filter(action="api_client.set_scopes").exists()


@pytest.mark.django_db
def test_the_agency_of_an_existing_client_is_not_editable(admin_client_, make_partner, border_agency):
    client, _token = make_partner(["hits:read"])
    agency = client.agency
    admin_client_.post(_change(client), {"agency": border_agency.pk, "name": client.name,
                                         "scopes": ["hits:read"], "is_active": "on"})
    client.refresh_from_db()
    assert client.agency == agency


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["officer_a", "supervisor"])
def test_only_administrators_reach_the_admin(client, persona, request):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(ADD)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_role_and_posts_come_first_on_the_user_forms(admin_client_, officer_a):
    for url in (f"/admin/accounts/user/{officer_a.pk}/change/", "/admin/accounts/user/add/"):
        page = admin_client_.get(url).content.decode()
        positions = [page.index(f'name="{name}"') for name in ("role", "posts", "username")]
        assert positions == sorted(positions), url
        assert page.index('name="role"') < page.index('name="first_name"' if "change" in url else 'name="password1"')


@pytest.mark.django_db
def test_a_user_added_with_role_and_posts(admin_client_, post_a, border_agency):
    response = admin_client_.post("/admin/accounts/user/add/", {
        "role": Role.SUPERVISOR, "posts": [post_a.pk], "agency": border_agency.pk, "username": "new.supervisor",
        "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase", "usable_password": "true",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="new.supervisor")
    assert user.role == Role.SUPERVISOR and list(user.posts.all()) == [post_a]
    event = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert event.changes["posts"] == [None, [str(post_a)]]
    assert "a-long-enough-passphrase" not in str(event.changes) and "password1" not in event.changes


@pytest.mark.django_db
def test_changing_a_users_posts_is_audited_by_name(admin_client_, officer_a, post_a, post_b):
    url = f"/admin/accounts/user/{officer_a.pk}/change/"
    form = admin_client_.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"posts": [post_a.pk, post_b.pk], "groups": [], "user_permissions": [],
                 "agency": officer_a.agency_id, "last_login_0": "", "last_login_1": "",
                 "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"})
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="user.change", object_id=str(officer_a.pk))
    assert event.changes["posts"] == [[str(post_a)], sorted([str(post_a), str(post_b)])]
