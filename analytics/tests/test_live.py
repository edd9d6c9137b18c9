"""The live operations page: supervisors and administrators only, per post or all their posts,
its panel refreshed by htmx, in English and Arabic; figures from the rollups."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import FlowAlert
from analytics.rollups import hour_of
from analytics.tests.data import movement_make, person_with_document, reason_codes
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def traffic(post_a, booth_a, officer_a):
    """Three movements decided at booth A1 in the running hour (30, 40 and 300 seconds)."""
    reason_codes()
    now = timezone.now()
    for i, seconds in enumerate((30.0, 40.0, 300.0)):
        _person, document = person_with_document("IRN", 100 + i)
        movement_make(post=post_a, booth=booth_a, officer=officer_a, document=document,
                      when=max(hour_of(now), now - timedelta(seconds=5)), direction="entry" if i else "exit",
                      mode="vehicle", decision="admitted", seconds=seconds)


def test_officers_are_refused_and_anonymous_users_sent_to_sign_in(client, officer_a):
    assert client.get("/analytics/live/").status_code == 302
    client.force_login(officer_a)
    assert client.get("/analytics/live/").status_code == 403
    assert client.get("/analytics/live/panel/").status_code == 403


def test_a_supervisor_sees_the_figures_of_the_post(client, supervisor_a, traffic, booth_a):
    client.force_login(supervisor_a)
    response = client.get("/analytics/live/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-get="/analytics/live/panel/"' in html and 'hx-trigger="every 10s"' in html
    assert "Live operations" in html and "<svg" in html and "<text" in html
    context = response.context
    assert context["current"]["observed"] == 3
    assert context["flow"]["rows"][0]["entry"] == 2 and context["flow"]["rows"][0]["exit"] == 1
    (booth,) = context["seconds"]["booths"]  # one booth
    assert booth["label"] == "PA/A1" and booth["count"] == 3 and 40 <= booth["median"] < 50  # the 2nd of 3: 40 s
    assert 300 <= booth["p90"] < 420
    assert context["staffing"]["active"] == 1


def test_the_panel_is_a_fragment_and_follows_the_post(client, supervisor, traffic, post_a, post_b):
    client.force_login(supervisor)
    response = client.get("/analytics/live/panel/?post=PB", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "Travelers this hour" in html
    assert response.context["current"]["observed"] == 0
    national = client.get("/analytics/live/panel/", HTTP_HX_REQUEST="true")
    assert national.context["current"]["observed"] == 3 and national.context["national_remit"]


def test_a_post_outside_the_remit_or_unknown_is_a_clear_400(client, supervisor_a, post_b):
    client.force_login(supervisor_a)
    for code in ("PB", "NOPE"):
        response = client.get(f"/analytics/live/?post={code}")
        assert response.status_code == 400
        assert "No post you may see has this code." in response.content.decode()
    assert client.get("/analytics/live/panel/?post=PB").status_code == 400


def test_the_page_in_arabic(client, supervisor_a, traffic):
    client.force_login(supervisor_a)
    client.cookies["django_language"] = "ar"
    response = client.get("/analytics/live/", HTTP_ACCEPT_LANGUAGE="ar")
    html = response.content.decode()
    assert response.status_code == 200 and 'dir="rtl"' in html
    assert "العمليات المباشرة" in html and "المسافرون في هذه الساعة" in html
    assert 'data-rtl="1"' in html


def test_an_alert_is_shown_and_acknowledged(client, supervisor_a, post_a):
    alert = FlowAlert.objects.create(post=post_a, hour=hour_of(timezone.now()), observed=300, expected=80, low=40,
                                     high=120, level=3, weeks=8, departure="high")
    client.force_login(supervisor_a)
    assert "1 flow alert" in client.get("/analytics/live/").content.decode()
    response = client.post(f"/analytics/live/alerts/{alert.pk}/acknowledge/", {"note": "match day", "post": "PA"})
    assert response.status_code == 302 and response.url == "/analytics/live/?post=PA"
    alert.refresh_from_db()
    assert alert.acknowledged_by == supervisor_a and alert.acknowledge_note == "match day"
    assert AuditEvent.objects.filter(action="flowalert.acknowledge").exists()
    again = client.post(f"/analytics/live/alerts/{alert.pk}/acknowledge/", {"note": ""}, follow=True)
    assert "already acknowledged" in again.content.decode()
    assert "flow alert" not in client.get("/analytics/live/").content.decode()


def test_an_officer_cannot_acknowledge(client, officer_a, post_a):
    alert = FlowAlert.objects.create(post=post_a, hour=hour_of(timezone.now()), observed=300, expected=80, low=40,
                                     high=120, level=3, weeks=8, departure="high")
    client.force_login(officer_a)
    assert client.post(f"/analytics/live/alerts/{alert.pk}/acknowledge/").status_code == 403


def test_the_panel_never_reads_the_movements(client, supervisor, traffic):
    """Every flow figure comes from the rollups: no query of the panel touches the movements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor)
    client.get("/analytics/live/panel/")  # the first render fills the caches
    with CaptureQueriesContext(connection) as first:
        cold = client.get("/analytics/live/?post=PA")
    assert cold.status_code == 200
    assert not [q["sql"] for q in first.captured_queries if "travelers_movement" in q["sql"]]
