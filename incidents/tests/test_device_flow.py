"""End to end through the real device API: a thermal camera's track crossing a sector becomes ONE
incident on the supervisor's map; the supervisor dispatches a patrol; the patrol's handset sends
positions (the contact) and the outcome; the apprehension is there for registration."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from devices.models import DeviceEvent, EventStatus
from incidents.models import Incident, IncidentStatus, Outcome
from incidents.selectors import apprehensions, camera_stats

pytestmark = pytest.mark.django_db(transaction=True)  # the background handler runs after the commit


def _send(api, raw, path, when, **fields):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {"event_id": str(uuid.uuid4()), "time": when.isoformat(), **fields}
    return api.post(f"/api/v1/devices/{path}", body, format="json")


def test_a_thermal_track_makes_one_incident_then_dispatch_contact_and_outcome(
        api, client, login, supervisor_a, camera_raw, handset_raw):
    camera, cam_key = camera_raw
    handset, hs_key = handset_raw
    start = timezone.now() - timedelta(seconds=100)
    # Six detections of one track walking north-east across the border line, 20 s apart.
    for n in range(6):
        response = _send(api, cam_key, "detections", start + timedelta(seconds=20 * n), **{"class": "person"},
                         count=3 if n < 3 else 4, confidence=0.8 + n * 0.02, bearing_deg=45,
                         distance_m=400 + 60 * n, track_id="T-17")
        assert response.status_code == 201, response.content

    incident = Incident.objects.get()
    assert incident.detection_count == 6 and incident.max_count == 4 and incident.object_class == "person"
    assert incident.status == IncidentStatus.NEW and incident.sector.code == "SA1" and incident.camera == camera
    events = DeviceEvent.objects.filter(kind="detection")
    assert {e.status for e in events} == {EventStatus.PROCESSED}
    assert {e.result["incident"] for e in events} == {incident.pk}
    opened = AuditEvent.objects.get(action="incident.open")
    assert opened.actor_device == "CAM-A1" and opened.actor_user is None

    # The supervisor sees it on the map and dispatches the post's patrol.
    login(supervisor_a)
    data = client.get("/incidents/map.json").json()
    assert [i["id"] for i in data["incidents"]] == [incident.pk]
    assert client.post(f"/incidents/{incident.pk}/dispatch/", {"patrol": handset.pk}).status_code == 302

    # The patrol drives there: the first position within the contact radius is the contact.
    incident.refresh_from_db()
    far = _send(api, hs_key, "positions", timezone.now(), latitude=incident.latitude + 0.02,
                longitude=incident.longitude, status="en_route", incident=incident.pk)
    assert far.status_code == 201, far.content
    assert far.json()["result"] == {"incident": incident.pk, "incident_status": "dispatched", "contact": False,
                                    "closed": False}
    near_at = timezone.now()
    near = _send(api, hs_key, "positions", near_at, latitude=incident.latitude + 0.001,
                 longitude=incident.longitude)
    assert near.status_code == 201 and near.json()["result"]["contact"] is True
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE and incident.contact_source == "position"
    assert abs((incident.contact_at - near_at).total_seconds()) < 1
    contact = AuditEvent.objects.get(action="incident.contact")
    assert contact.actor_device == "HS-A1"

    # The positions are on the incident's page; the patrol reports the outcome.
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"{incident.latitude + 0.001:.5f}" in page
    done = _send(api, hs_key, "positions", timezone.now(), latitude=incident.latitude, longitude=incident.longitude,
                 message="outcome: apprehended 3 at the wadi", incident=incident.pk)
    assert done.status_code == 201 and done.json()["result"]["closed"] is True
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.outcome == Outcome.APPREHENDED
    assert incident.persons_count == 3 and incident.closed_by_device == "HS-A1"
    assert AuditEvent.objects.get(action="incident.close").actor_device == "HS-A1"

    # A second outcome for the closed incident is refused, naming the incident.
    again = _send(api, hs_key, "positions", timezone.now(), latitude=incident.latitude, longitude=incident.longitude,
                  message="outcome: false_alarm", incident=incident.pk)
    assert again.status_code == 409 and "incident" in again.json()["error"]["fields"]
    bad = _send(api, hs_key, "positions", timezone.now(), latitude=incident.latitude, longitude=incident.longitude,
                message="outcome: escaped")
    assert bad.status_code == 400 and "message" in bad.json()["error"]["fields"]

    assert [(i.pk, i.persons_count) for i in apprehensions()] == [(incident.pk, 3)]
    (row,) = camera_stats(user=supervisor_a)
    assert row["incidents"] == 1 and row["false_alarm_share"] == 0.0 and row["contacts"] == 1
    assert row["median_seconds_to_contact"] == incident.seconds_to_contact > 60


def test_the_handset_reports_the_outcome_as_fields(api, client, login, supervisor_a, camera_raw, handset_raw):
    """The position's own outcome and persons fields close the incident (the message is the note);
    an outcome without its incident, or an apprehension without its count, is a 400 naming the field."""
    _camera, cam_key = camera_raw
    handset, hs_key = handset_raw
    assert _send(api, cam_key, "detections", timezone.now(), **{"class": "person"}, confidence=0.9, bearing_deg=45,
                 distance_m=500, track_id="T-9").status_code == 201
    incident = Incident.objects.get()
    login(supervisor_a)
    assert client.post(f"/incidents/{incident.pk}/dispatch/", {"patrol": handset.pk}).status_code == 302
    incident.refresh_from_db()
    where = {"latitude": incident.latitude, "longitude": incident.longitude}
    no_incident = _send(api, hs_key, "positions", timezone.now(), **where, outcome="smuggling")
    assert no_incident.status_code == 400 and "incident" in no_incident.json()["error"]["fields"]
    no_count = _send(api, hs_key, "positions", timezone.now(), **where, outcome="apprehended", incident=incident.pk)
    assert no_count.status_code == 400 and "persons" in no_count.json()["error"]["fields"]
    done = _send(api, hs_key, "positions", timezone.now(), **where, outcome="apprehended", persons=5,
                 message="near the wadi", incident=incident.pk)
    assert done.status_code == 201 and done.json()["result"]["closed"] is True
    incident.refresh_from_db()
    assert (incident.status, incident.outcome, incident.persons_count) == (IncidentStatus.CLOSED, Outcome.APPREHENDED, 5)
