"""The incidents services on the real database: grouping detections into incidents (track,
sector, time window, distance), dispatch, contact, outcome, the per-camera figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from devices.tests.factories import make_device
from incidents.models import ContactSource, Incident, IncidentStatus, Outcome
from incidents.selectors import apprehensions, camera_stats
from incidents.services import (
    incident_apply_position,
    incident_attach_detection,
    incident_close,
    incident_contact,
    incident_dispatch,
    parse_outcome_message,
)
from incidents.tests.factories import make_detection, make_position

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=1)


def attach(*args, **kwargs) -> Incident:
    incident, _created = incident_attach_detection(detection=make_detection(*args, **kwargs))
    return incident


# --- grouping ---------------------------------------------------------------------------------------

def test_one_track_makes_one_incident_that_grows(camera):
    first = attach(camera, at=T0, track_id="T1", count=2, object_class="unknown", latitude=33.500, longitude=46.000)
    second = attach(camera, at=T0 + timedelta(seconds=20), track_id="T1", count=5, latitude=33.502, longitude=46.003)
    third = attach(camera, at=T0 + timedelta(seconds=40), track_id="T1", count=3, latitude=33.504, longitude=46.006)
    assert first.pk == second.pk == third.pk
    incident = Incident.objects.get()
    assert incident.detection_count == 3 and incident.max_count == 5
    assert incident.object_class == "person"  # the most significant class seen
    assert incident.first_detection_at == T0 and incident.last_detection_at == T0 + timedelta(seconds=40)
    assert (incident.latitude, incident.longitude) == (33.504, 46.006)  # where it was last seen
    assert incident.sector.code == "SA1" and incident.post.code == "PA" and incident.camera == camera
    assert incident.status == IncidentStatus.NEW
    actions = list(AuditEvent.objects.filter(object_type="incidents.incident").order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["incident.open", "incident.detection_add", "incident.detection_add"]


def test_the_same_track_after_the_window_opens_a_new_incident(camera, settings):
    settings.INCIDENTS_WINDOW_SECONDS = 300
    a = attach(camera, at=T0, track_id="T1")
    b = attach(camera, at=T0 + timedelta(seconds=299), track_id="T1")
    c = attach(camera, at=T0 + timedelta(seconds=299 + 301), track_id="T1")
    assert a.pk == b.pk != c.pk


def test_other_tracks_in_the_sector_join_when_near_and_not_when_far(camera, settings):
    settings.INCIDENTS_MERGE_DISTANCE_M = 1500
    a = attach(camera, at=T0, track_id="T1", latitude=33.500, longitude=46.000)
    near = attach(camera, at=T0 + timedelta(seconds=30), track_id="T2", latitude=33.505, longitude=46.005)  # ~700 m
    far = attach(camera, at=T0 + timedelta(seconds=30), track_id="T3", latitude=33.560, longitude=45.940)  # ~8.6 km
    assert near.pk == a.pk
    assert far.pk != a.pk
    # A detection of the first track goes to its own incident, whatever else is nearer.
    again = attach(camera, at=T0 + timedelta(seconds=60), track_id="T3", latitude=33.503, longitude=46.003)
    assert again.pk == far.pk


def test_detections_of_two_sectors_are_two_incidents(camera, post_a, sector_a2):
    other, _raw = make_device("thermal_camera", post=post_a, sector=sector_a2, code="CAM-A2", latitude=33.3,
                              longitude=46.2)
    a = attach(camera, at=T0, latitude=33.41, longitude=46.09)
    b = attach(other, at=T0 + timedelta(seconds=5), latitude=33.41, longitude=46.10)
    assert a.pk != b.pk and b.sector == sector_a2


def test_two_cameras_on_one_sector_share_the_incident(camera, post_a, sector_a):
    other, _raw = make_device("surveillance_camera", post=post_a, sector=sector_a, code="PTZ-A1")
    a = attach(camera, at=T0, track_id="T1")
    b = attach(other, at=T0 + timedelta(seconds=10), track_id="T1", latitude=33.501, longitude=46.001)
    assert a.pk == b.pk
    assert Incident.objects.get().camera == camera  # the camera that opened it


def test_a_closed_incident_is_not_extended(camera, supervisor_a):
    a = attach(camera, at=T0, track_id="T1")
    incident_close(actor=supervisor_a, incident=a, outcome=Outcome.FALSE_ALARM)
    b = attach(camera, at=T0 + timedelta(seconds=10), track_id="T1")
    assert b.pk != a.pk and b.status == IncidentStatus.NEW


def test_a_detection_is_attached_once(camera):
    detection = make_detection(camera, at=T0, track_id="T1")
    first, created = incident_attach_detection(detection=detection)
    again, created_again = incident_attach_detection(detection=detection)
    assert created and not created_again and first.pk == again.pk
    assert Incident.objects.get().detection_count == 1


def test_without_a_sector_the_camera_groups_its_own_detections(post_a):
    loose, _raw = make_device("surveillance_camera", post=post_a, code="CAM-LOOSE", latitude=33.5, longitude=46.0)
    other, _raw = make_device("surveillance_camera", post=post_a, code="CAM-LOOSE2", latitude=33.5, longitude=46.0)
    a = attach(loose, at=T0, sector=None)
    b = attach(loose, at=T0 + timedelta(seconds=30), sector=None)
    c = attach(other, at=T0 + timedelta(seconds=30), sector=None)
    assert a.pk == b.pk != c.pk and a.sector is None


def test_detections_without_position_group_by_sector_and_window(camera):
    a = attach(camera, at=T0, latitude=None, longitude=None)
    b = attach(camera, at=T0 + timedelta(seconds=30), latitude=33.5, longitude=46.0)
    assert a.pk == b.pk and Incident.objects.get().latitude == 33.5


# --- dispatch, contact, outcome ---------------------------------------------------------------------

@pytest.fixture
def incident(camera):
    return attach(camera, at=timezone.now() - timedelta(minutes=5), track_id="T9", latitude=33.50, longitude=46.00)


def test_a_supervisor_dispatches_a_patrol_of_the_post(incident, handset, supervisor_a):
    incident = incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    assert incident.status == IncidentStatus.DISPATCHED and incident.patrol == handset
    assert incident.dispatched_by == supervisor_a and incident.dispatched_at is not None
    event = AuditEvent.objects.get(action="incident.dispatch")
    assert event.actor_user == supervisor_a and event.changes["patrol"] == [None, "HS-A1"]


def test_dispatch_refuses_officers_other_posts_patrols_and_closed_incidents(incident, handset, officer_a, post_b,
                                                                           supervisor_a, camera):
    with pytest.raises(PermissionDenied):
        incident_dispatch(actor=officer_a, incident=incident, patrol=handset)
    elsewhere, _raw = make_device("patrol_handset", post=post_b, code="HS-B1")
    with pytest.raises(ValidationError) as exc:
        incident_dispatch(actor=supervisor_a, incident=incident, patrol=elsewhere)
    assert "patrol" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        incident_dispatch(actor=supervisor_a, incident=incident, patrol=camera)
    assert "patrol" in exc.value.message_dict
    incident_close(actor=supervisor_a, incident=incident, outcome=Outcome.NO_CONTACT)
    with pytest.raises(ValidationError) as exc:
        incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    assert "status" in exc.value.message_dict


def test_the_first_position_within_the_radius_is_the_contact(incident, handset, supervisor_a, settings):
    settings.INCIDENTS_CONTACT_RADIUS_M = 200
    incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    now = timezone.now()
    far = incident_apply_position(position=make_position(handset, latitude=33.52, longitude=46.02, at=now,
                                                         status="en_route"))
    assert far.incident.pk == incident.pk and not far.contact
    assert Incident.objects.get().status == IncidentStatus.DISPATCHED
    near_at = now + timedelta(seconds=90)
    near = incident_apply_position(position=make_position(handset, latitude=33.5012, longitude=46.0010, at=near_at))
    assert near.contact
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SCENE and incident.contact_at == near_at
    assert incident.contact_source == ContactSource.POSITION
    assert abs(incident.seconds_to_contact - (near_at - incident.first_detection_at).total_seconds()) < 0.01
    # Later positions do not move the contact.
    incident_apply_position(position=make_position(handset, latitude=33.5, longitude=46.0, at=near_at + timedelta(seconds=60)))
    incident.refresh_from_db()
    assert incident.contact_at == near_at
    event = AuditEvent.objects.get(action="incident.contact")
    assert event.metadata["source"] == "position"


def test_status_on_scene_is_the_contact_wherever_the_patrol_is(incident, handset, supervisor_a):
    incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    effect = incident_apply_position(position=make_position(handset, latitude=33.6, longitude=46.2,
                                                            status="on_scene", incident_ref=incident.pk))
    assert effect.contact
    incident.refresh_from_db()
    assert incident.contact_source == ContactSource.STATUS and incident.status == IncidentStatus.ON_SCENE


def test_a_supervisor_may_record_the_contact_heard_on_the_radio(incident, handset, supervisor_a, officer_a):
    incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    with pytest.raises(PermissionDenied):
        incident_contact(actor=officer_a, incident=incident, at=timezone.now(), source=ContactSource.SUPERVISOR)
    incident = incident_contact(actor=supervisor_a, incident=incident, at=timezone.now(),
                                source=ContactSource.SUPERVISOR)
    assert incident.status == IncidentStatus.ON_SCENE


def test_positions_of_a_patrol_not_dispatched_change_nothing(incident, handset):
    effect = incident_apply_position(position=make_position(handset, latitude=33.5, longitude=46.0))
    assert effect.incident is None
    with pytest.raises(ValidationError) as exc:
        incident_apply_position(position=make_position(handset, latitude=33.5, longitude=46.0,
                                                       incident_ref=incident.pk))
    assert "incident" in exc.value.message_dict


def test_outcome_rules(incident, supervisor_a, officer_a):
    with pytest.raises(ValidationError) as exc:
        incident_close(actor=supervisor_a, incident=incident, outcome=Outcome.APPREHENDED)
    assert "persons" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        incident_close(actor=supervisor_a, incident=incident, outcome=Outcome.FALSE_ALARM, persons=2)
    assert "persons" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        incident_close(actor=supervisor_a, incident=incident, outcome="escaped")
    assert "outcome" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        incident_close(actor=officer_a, incident=incident, outcome=Outcome.FALSE_ALARM)
    closed = incident_close(actor=supervisor_a, incident=incident, outcome=Outcome.APPREHENDED, persons=4,
                            note="group of four, walking east")
    assert closed.status == IncidentStatus.CLOSED and closed.persons_count == 4 and closed.closed_by == supervisor_a
    with pytest.raises(ValidationError) as exc:
        incident_close(actor=supervisor_a, incident=closed, outcome=Outcome.FALSE_ALARM)
    assert "status" in exc.value.message_dict
    event = AuditEvent.objects.get(action="incident.close")
    assert event.changes["outcome"] == ["", "apprehended"] and event.changes["persons_count"] == [None, 4]


@pytest.mark.parametrize(("message", "expected"), [
    ("outcome: apprehended 4", ("apprehended", 4, "")),
    ("OUTCOME=apprehended persons=12 two women", ("apprehended", 12, "two women")),
    ("outcome false_alarm", ("false_alarm", None, "")),
    ("Outcome: no_contact searched the wadi", ("no_contact", None, "searched the wadi")),
    ("outcome: smuggling 40 cartons", ("smuggling", 40, "cartons")),
    ("leaving the post", None),
    ("", None),
])
def test_outcome_messages(message, expected):
    parsed = parse_outcome_message(message)
    assert (parsed and (parsed.outcome, parsed.persons, parsed.note)) == expected if expected else parsed is None


def test_an_unknown_outcome_message_names_the_message():
    with pytest.raises(ValidationError) as exc:
        parse_outcome_message("outcome: escaped")
    assert "message" in exc.value.message_dict


def test_the_patrol_reports_the_outcome_in_its_message(incident, handset, supervisor_a, post_a):
    incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    effect = incident_apply_position(position=make_position(handset, latitude=33.5, longitude=46.0,
                                                            message="outcome: apprehended 3 near the wadi"))
    assert effect.contact and effect.closed
    incident.refresh_from_db()
    assert incident.outcome == Outcome.APPREHENDED and incident.persons_count == 3
    assert incident.closed_by is None and incident.closed_by_device == "HS-A1"
    assert incident.outcome_note == "near the wadi"
    # Another handset cannot close someone else's incident.
    other, _raw = make_device("patrol_handset", post=post_a, code="HS-A2")
    with pytest.raises(ValidationError):
        incident_apply_position(position=make_position(other, latitude=33.5, longitude=46.0, incident_ref=incident.pk,
                                                       message="outcome: false_alarm"))


# --- reads --------------------------------------------------------------------------------------------

def test_camera_figures_false_alarm_share_and_time_to_contact(camera, handset, supervisor_a, post_a, sector_a):
    quiet, _raw = make_device("thermal_camera", post=post_a, sector=sector_a, code="CAM-QUIET", latitude=33.4,
                              longitude=46.1)
    base = timezone.now() - timedelta(hours=3)
    outcomes = [(Outcome.FALSE_ALARM, None, 60), (Outcome.APPREHENDED, 2, 300), (Outcome.FALSE_ALARM, None, None),
                (Outcome.ANIMAL, None, 120)]
    for n, (outcome, persons, contact_after) in enumerate(outcomes):
        first = base + timedelta(minutes=30 * n)
        incident = attach(camera, at=first, track_id=f"T{n}")
        if contact_after is not None:
            incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
            incident_contact(incident=incident, at=first + timedelta(seconds=contact_after),
                             source=ContactSource.POSITION)
        incident_close(actor=supervisor_a, incident=incident, outcome=outcome, persons=persons)
    attach(camera, at=base + timedelta(minutes=150), track_id="open")  # still open: not in the share
    rows = {row["code"]: row for row in camera_stats(user=supervisor_a)}
    row = rows["CAM-A1"]
    assert row["incidents"] == 5 and row["closed"] == 4 and row["false_alarms"] == 2
    assert row["false_alarm_share"] == 0.5
    assert row["contacts"] == 3 and row["median_seconds_to_contact"] == 120 and row["mean_seconds_to_contact"] == 160
    assert rows["CAM-QUIET"]["incidents"] == 0 and rows["CAM-QUIET"]["false_alarm_share"] is None


def test_camera_figures_only_for_the_users_posts(camera, camera_b, supervisor_a, supervisor):
    assert {r["code"] for r in camera_stats(user=supervisor_a)} == {"CAM-A1"}
    assert {r["code"] for r in camera_stats(user=supervisor)} == {"CAM-A1", "CAM-B1"}


def test_apprehensions_are_what_registration_starts_from(camera, camera_b, supervisor, supervisor_a):
    caught = attach(camera, at=T0, track_id="T1")
    incident_close(actor=supervisor, incident=caught, outcome=Outcome.APPREHENDED, persons=6)
    nothing = attach(camera, at=T0, track_id="T2", latitude=33.58, longitude=45.92)
    incident_close(actor=supervisor, incident=nothing, outcome=Outcome.FALSE_ALARM)
    elsewhere = attach(camera_b, at=T0, track_id="T1")
    incident_close(actor=supervisor, incident=elsewhere, outcome=Outcome.APPREHENDED, persons=1)
    assert [(i.pk, i.persons_count) for i in apprehensions()] == [(elsewhere.pk, 1), (caught.pk, 6)]
    assert [i.pk for i in apprehensions(user=supervisor_a)] == [caught.pk]
