"""The supervisor pages through the test client: who may see them, the map's data, dispatch and
outcome forms, the per-camera figures, Arabic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident, IncidentStatus
from incidents.services import incident_attach_detection, incident_dispatch
from incidents.tests.factories import make_detection, make_position

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident_a(camera):
    incident, _ = incident_attach_detection(detection=make_detection(camera, at=timezone.now() - timedelta(minutes=3),
                                                                     track_id="T1", count=4))
    return incident


@pytest.fixture
def incident_b(camera_b):
    incident, _ = incident_attach_detection(detection=make_detection(camera_b, track_id="T1"))
    return incident


PAGES = ["/incidents/", "/incidents/list/", "/incidents/map.json", "/incidents/map-panel/", "/incidents/{pk}/",
         "/incidents/{pk}/facts/"]


@pytest.mark.parametrize("path", PAGES)
def test_officers_get_403_supervisors_200(client, login, officer_b, booth_b, supervisor_a, path, incident_a):
    login(officer_b, booth=booth_b)
    assert client.get(path.format(pk=incident_a.pk)).status_code == 403
    assert client.get(f"/incidents/{incident_a.pk}/").status_code == 403
    assert client.post(f"/incidents/{incident_a.pk}/dispatch/", {"patrol": 1}).status_code == 403
    client.logout()
    login(supervisor_a)
    assert client.get(path.format(pk=incident_a.pk)).status_code == 200


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/incidents/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_supervisor_sees_only_the_incidents_of_their_post(client, login, supervisor_a, incident_a, incident_b):
    login(supervisor_a)
    assert client.get(f"/incidents/{incident_b.pk}/").status_code == 404
    assert client.post(f"/incidents/{incident_b.pk}/outcome/", {"outcome": "false_alarm"}).status_code == 404
    data = client.get("/incidents/map.json").json()
    assert [i["id"] for i in data["incidents"]] == [incident_a.pk]
    assert [f["properties"]["code"] for f in data["sectors"]["features"]] == ["SA1"]
    assert [c["code"] for c in data["cameras"]] == ["CAM-A1"]
    listing = client.get("/incidents/list/").content.decode()
    assert incident_a.reference in listing and incident_b.reference not in listing
    assert client.get(f"/incidents/map.json?incident={incident_b.pk}").status_code == 404
    assert client.get("/incidents/map.json?incident=x").status_code == 400


def test_the_map_page_loads_leaflet_and_the_borders_from_this_site(client, login, supervisor_a):
    login(supervisor_a)
    page = client.get("/incidents/").content.decode()
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page
    assert 'data-borders="/static/incidents/iraq-borders.geojson"' in page
    assert 'src="/static/incidents/incident-map.js"' in page
    assert "<script>" not in page  # no inline script (the CSP); the labels are JSON data
    assert 'id="incident-map-labels" type="application/json"' in page


def test_dispatch_contact_and_outcome_from_the_incident_page(client, login, supervisor_a, incident_a, handset):
    login(supervisor_a)
    page = client.get(f"/incidents/{incident_a.pk}/").content.decode()
    assert "HS-A1" in page and "Dispatch" in page
    response = client.post(f"/incidents/{incident_a.pk}/dispatch/", {"patrol": handset.pk})
    assert response.status_code == 302
    incident_a.refresh_from_db()
    assert incident_a.status == IncidentStatus.DISPATCHED and incident_a.patrol == handset
    make_position(handset, latitude=33.52, longitude=46.02, status="en_route")
    page = client.get(f"/incidents/{incident_a.pk}/").content.decode()
    assert "33.52000" in page and "En route" in page
    facts = client.get(f"/incidents/{incident_a.pk}/facts/")
    assert facts.status_code == 200 and "HS-A1" in facts.content.decode()
    assert client.post(f"/incidents/{incident_a.pk}/contact/").status_code == 302
    incident_a.refresh_from_db()
    assert incident_a.status == IncidentStatus.ON_SCENE and incident_a.contact_source == "supervisor"
    bad = client.post(f"/incidents/{incident_a.pk}/outcome/", {"outcome": "apprehended"})
    assert bad.status_code == 400 and "give the number of persons apprehended" in bad.content.decode()
    done = client.post(f"/incidents/{incident_a.pk}/outcome/", {"outcome": "apprehended", "persons": 5})
    assert done.status_code == 302
    incident_a.refresh_from_db()
    assert incident_a.status == IncidentStatus.CLOSED and incident_a.persons_count == 5
    page = client.get(f"/incidents/{incident_a.pk}/").content.decode()
    assert "Persons apprehended" in page and "5 persons" in page and 'action="/incidents/' not in page


def test_a_patrol_of_another_post_cannot_be_chosen(client, login, supervisor_a, incident_a, post_b):
    from devices.tests.factories import make_device

    other, _raw = make_device("patrol_handset", post=post_b, code="HS-B1")
    login(supervisor_a)
    response = client.post(f"/incidents/{incident_a.pk}/dispatch/", {"patrol": other.pk})
    assert response.status_code == 400
    incident_a.refresh_from_db()
    assert incident_a.status == IncidentStatus.NEW


def test_the_map_data_shows_the_dispatched_patrol_and_its_trail(client, login, supervisor_a, incident_a, handset):
    incident_dispatch(actor=supervisor_a, incident=incident_a, patrol=handset)
    now = timezone.now()
    Incident.objects.filter(pk=incident_a.pk).update(dispatched_at=now - timedelta(minutes=1))
    make_position(handset, latitude=33.53, longitude=46.03, at=now - timedelta(seconds=30))
    make_position(handset, latitude=33.52, longitude=46.02, at=now)
    login(supervisor_a)
    data = client.get(f"/incidents/map.json?incident={incident_a.pk}").json()
    (patrol,) = data["patrols"]
    assert patrol["code"] == "HS-A1" and patrol["incident"] == incident_a.pk
    assert (patrol["latitude"], patrol["longitude"]) == (33.52, 46.02)
    assert patrol["trail"] == [[33.53, 46.03], [33.52, 46.02]]
    assert data["focus"]["trail"] == [[33.53, 46.03], [33.52, 46.02]]
    assert data["focus"]["detections"] == [[33.5, 46.0]]
    assert data["incidents"][0]["status"] == "dispatched" and data["incidents"][0]["patrol"] == "HS-A1"


def test_the_list_filters_and_shows_camera_figures(client, login, supervisor_a, incident_a):
    login(supervisor_a)
    page = client.get("/incidents/list/").content.decode()
    assert "CAM-A1" in page and "False-alarm share" in page
    assert client.get("/incidents/list/?since=yesterday").status_code == 400
    assert incident_a.reference not in client.get("/incidents/list/?status=closed").content.decode()


def test_the_pages_in_arabic(client, login, supervisor_a, incident_a):
    login(supervisor_a)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/incidents/"})
    page = client.get("/incidents/").content.decode()
    assert 'dir="rtl"' in page and "خريطة الحدود" in page
    detail = client.get(f"/incidents/{incident_a.pk}/").content.decode()
    assert "إرسال دورية" in detail and "القاطع أ١" in detail
    data = client.get("/incidents/map.json").json()
    assert data["incidents"][0]["status_label"] == "جديد"
