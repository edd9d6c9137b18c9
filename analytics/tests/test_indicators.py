"""core.indicators: sibling apps publish counts by name; incidents publishes its detections by
sector (detections, not persons)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.indicators import indicator_rows, indicator_sources, register_indicator_source


def test_a_source_is_named_app_dot_indicator():
    with pytest.raises(ValueError):
        register_indicator_source("nodot", lambda **kw: [])


def test_an_unregistered_source_reads_as_unavailable():
    now = timezone.now()
    assert indicator_rows("nobody.nothing", since=now, until=now, post_ids=None) is None


def test_incidents_registers_its_detections():
    assert "incidents.detections" in indicator_sources()


@pytest.mark.django_db
def test_detections_by_sector_count_incidents_in_the_period(post_a, post_b):
    from core.tests.factories import SectorFactory
    from devices.tests.factories import make_device
    from incidents.services import incident_attach_detection
    from incidents.tests.factories import make_detection

    sector = SectorFactory(post=post_a, code="SA1")
    camera, _raw = make_device("thermal_camera", post=post_a, sector=sector, code="CAM-A1", latitude=33.5,
                               longitude=46.0)
    now = timezone.now()
    # Two detections far apart in time: two incidents (two detections, whoever they were).
    incident_attach_detection(detection=make_detection(camera, at=now - timedelta(hours=5)))
    incident_attach_detection(detection=make_detection(camera, at=now - timedelta(hours=1)))
    rows = indicator_rows("incidents.detections", since=now - timedelta(days=1), until=now + timedelta(minutes=1),
                          post_ids=None)
    assert rows == [{"sector": "SA1", "object_class": "person", "count": 2}]
    assert indicator_rows("incidents.detections", since=now - timedelta(days=1), until=now,
                          post_ids=[post_b.pk]) == []


@pytest.mark.django_db
def test_registrations_publish_apprehensions_by_sector_and_nationality(post_a, supervisor):
    try:
        from registrations.models import Apprehension, Registration
    except ImportError:  # the registrations models arrive with the branch "registrations"
        pytest.skip("registrations.models is not on this branch yet")
    from core.tests.factories import SectorFactory
    from registrations.indicators import apprehensions_by_sector

    sector = SectorFactory(post=post_a, code="SA1")
    now = timezone.now()
    apprehension = Apprehension.objects.create(apprehended_at=now - timedelta(hours=2), post=post_a, sector=sector,
                                               recorded_by=supervisor)
    for nationality in ("SYR", "SYR", "IRN"):
        Registration.objects.create(apprehension=apprehension, primary_identifier="A", nationality=nationality,
                                    consent="given", recorded_by=supervisor)
    rows = apprehensions_by_sector(since=now - timedelta(days=1), until=now, post_ids=None)
    assert rows == [{"sector": "SA1", "nationality": "IRN", "count": 1},
                    {"sector": "SA1", "nationality": "SYR", "count": 2}]
    assert apprehensions_by_sector(since=now - timedelta(days=1), until=now, post_ids=[post_a.pk + 1000]) == []
