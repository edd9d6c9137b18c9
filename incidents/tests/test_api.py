"""The incidents API through the test client: scopes, posts, dispatch and outcome, errors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import IncidentStatus
from incidents.services import incident_attach_detection
from incidents.tests.factories import make_detection

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_a(camera):
    incident, _ = incident_attach_detection(detection=make_detection(camera, at=timezone.now() - timedelta(minutes=2),
                                                                     track_id="T1", count=3))
    return incident


@pytest.fixture
def incident_b(camera_b):
    incident, _ = incident_attach_detection(detection=make_detection(camera_b, track_id="T1"))
    return incident


def _as(api, user):
    api.force_authenticate(user)
    return api


def test_supervisors_see_the_incidents_of_their_posts(api, supervisor_a, incident_a, incident_b):
    body = _as(api, supervisor_a).get("/api/v1/incidents").json()
    assert [row["id"] for row in body["results"]] == [incident_a.pk]
    row = body["results"][0]
    assert row["reference"] == f"INC-{incident_a.pk}" and row["status"] == "new" and row["max_count"] == 3
    assert row["post"] == "PA" and row["sector"] == "SA1" and row["camera"] == "CAM-A1"
    assert api.get(f"/api/v1/incidents/{incident_b.pk}").status_code == 404
    assert api.get(f"/api/v1/incidents/{incident_a.pk}").json()["id"] == incident_a.pk


def test_partners_need_the_incidents_scope(api, make_partner, incident_a, incident_b):
    _client, raw = make_partner(["incidents:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert {r["id"] for r in api.get("/api/v1/incidents").json()["results"]} == {incident_a.pk, incident_b.pk}
    _client, other = make_partner(["hits:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    response = api.get("/api/v1/incidents")
    assert response.status_code == 403 and "incidents:read" in response.json()["error"]["message"]
    api.credentials()
    assert api.get("/api/v1/incidents").status_code == 401


def test_officers_do_not_read_incidents(api, officer_a, incident_a):
    assert _as(api, officer_a).get("/api/v1/incidents").status_code == 403


def test_filters(api, supervisor, incident_a, incident_b):
    _as(api, supervisor)
    assert [r["id"] for r in api.get("/api/v1/incidents?post=PB").json()["results"]] == [incident_b.pk]
    assert [r["id"] for r in api.get("/api/v1/incidents?sector=SA1").json()["results"]] == [incident_a.pk]
    assert len(api.get("/api/v1/incidents?status=open").json()["results"]) == 2
    assert api.get("/api/v1/incidents?status=closed").json()["results"] == []
    bad = api.get("/api/v1/incidents?post=NOPE&since=yesterday")
    assert bad.status_code == 400 and {"post", "since"} <= set(bad.json()["error"]["fields"])


def test_dispatch_and_outcome_through_the_api(api, supervisor_a, incident_a, handset):
    _as(api, supervisor_a)
    response = api.post(f"/api/v1/incidents/{incident_a.pk}/dispatch", {"patrol": "HS-A1"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "dispatched" and response.json()["patrol"] == "HS-A1"
    missing = api.post(f"/api/v1/incidents/{incident_a.pk}/outcome", {"outcome": "apprehended"}, format="json")
    assert missing.status_code == 400 and "persons" in missing.json()["error"]["fields"]
    done = api.post(f"/api/v1/incidents/{incident_a.pk}/outcome", {"outcome": "apprehended", "persons": 2,
                                                                    "note": "two men"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["status"] == IncidentStatus.CLOSED and body["persons_count"] == 2 and body["closed_by"] == "supervisor.a"
    again = api.post(f"/api/v1/incidents/{incident_a.pk}/outcome", {"outcome": "false_alarm"}, format="json")
    assert again.status_code == 400 and "status" in again.json()["error"]["fields"]


def test_dispatch_errors_name_the_field(api, supervisor_a, incident_a, incident_b, handset):
    _as(api, supervisor_a)
    unknown = api.post(f"/api/v1/incidents/{incident_a.pk}/dispatch", {"patrol": "NOPE"}, format="json")
    assert unknown.status_code == 400 and "patrol" in unknown.json()["error"]["fields"]
    camera = api.post(f"/api/v1/incidents/{incident_a.pk}/dispatch", {"patrol": "CAM-A1"}, format="json")
    assert camera.status_code == 400 and "patrol" in camera.json()["error"]["fields"]
    typo = api.post(f"/api/v1/incidents/{incident_a.pk}/dispatch", {"patrol": "HS-A1", "patorl": 1}, format="json")
    assert typo.status_code == 400 and "patorl" in typo.json()["error"]["fields"]
    other_post = api.post(f"/api/v1/incidents/{incident_b.pk}/dispatch", {"patrol": "HS-A1"}, format="json")
    assert other_post.status_code == 404


def test_partners_read_but_do_not_dispatch(api, make_partner, incident_a, handset):
    _client, raw = make_partner(["incidents:read", "incidents:write"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post(f"/api/v1/incidents/{incident_a.pk}/dispatch", {"patrol": "HS-A1"}, format="json")
    assert response.status_code == 403


def test_camera_stats(api, supervisor_a, incident_a):
    rows = _as(api, supervisor_a).get("/api/v1/incidents/camera-stats").json()
    assert rows == [{"code": "CAM-A1", "kind": "thermal_camera", "post": "PA", "sector": "SA1", "incidents": 1,
                     "closed": 0, "false_alarms": 0, "false_alarm_share": None, "contacts": 0,
                     "median_seconds_to_contact": None, "mean_seconds_to_contact": None}]
