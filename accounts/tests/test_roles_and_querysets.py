import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts.models import User
from accounts.permissions import effective_scopes
from audit.models import AuditEvent
from core.models import Booth, BorderPost
from core.querysets import RestrictedQuerySet


@pytest.mark.django_db
def test_officer_of_post_a_cannot_read_supervisor_only_pages(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    for url in ("/posts/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Access denied" in response.content


@pytest.mark.django_db
def test_supervisor_reads_supervisor_pages(login, supervisor_a):
    client = login(supervisor_a)
    assert client.get("/posts/").status_code == 200
    assert client.get("/audit/").status_code == 200


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get("/posts/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_restricted_querysets_by_post(officer_a, officer_b, supervisor_a, supervisor, admin_user, booth_a, booth_b):
    assert list(BorderPost.objects.restrict(officer_a).values_list("code", flat=True)) == ["PA"]
    assert list(BorderPost.objects.restrict(officer_b).values_list("code", flat=True)) == ["PB"]
    assert list(Booth.objects.restrict(officer_a).values_list("code", flat=True)) == ["A1"]
    assert set(BorderPost.objects.restrict(supervisor).values_list("code", flat=True)) == {"PA", "PB"}
    assert set(BorderPost.objects.restrict(supervisor_a).values_list("code", flat=True)) == {"PA"}
    assert BorderPost.objects.restrict(officer_a, "change").count() == 0
    assert BorderPost.objects.restrict(admin_user, "change").count() == 2


@pytest.mark.django_db
def test_restriction_happens_in_sql(officer_a, booth_a, booth_b):
    sql = str(BorderPost.objects.restrict(officer_a).query)
    assert "WHERE" in sql and "IN" in sql


@pytest.mark.django_db
def test_inactive_or_anonymous_users_see_nothing(officer_a, booth_a):
    from django.contrib.auth.models import AnonymousUser

    assert BorderPost.objects.restrict(AnonymousUser()).count() == 0
    officer_a.is_active = False
    officer_a.save()
    assert BorderPost.objects.restrict(officer_a).count() == 0
    assert effective_scopes(officer_a) == frozenset()


def test_a_model_without_policy_cannot_be_restricted():
    class Plain:
        __name__ = "Plain"

    qs = RestrictedQuerySet.__new__(RestrictedQuerySet)
    qs.model = Plain
    with pytest.raises(ImproperlyConfigured):
        qs.restrict(object())


@pytest.mark.django_db
def test_users_visible_to_supervisors_by_post(officer_a, officer_b, supervisor_a):
    visible = set(User.objects.restrict(supervisor_a).values_list("username", flat=True))
    assert "officer.a" in visible and "officer.b" not in visible
    assert set(User.objects.restrict(officer_a).values_list("username", flat=True)) == {"officer.a"}


@pytest.mark.django_db
def test_audit_trail_visibility(officer_a, officer_b, supervisor_a, supervisor, login, booth_a, booth_b):
    login(officer_a, booth=booth_a)
    login(officer_b, booth=booth_b)
    seen_by_post_supervisor = set(AuditEvent.objects.restrict(supervisor_a).values_list("actor_label", flat=True))
    assert "officer.a" in seen_by_post_supervisor and "officer.b" not in seen_by_post_supervisor
    assert {"officer.a", "officer.b"} <= set(AuditEvent.objects.restrict(supervisor).values_list("actor_label", flat=True))
    assert AuditEvent.objects.restrict(officer_a).count() == 0
