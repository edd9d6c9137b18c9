"""Two workers attaching detections of one track at the same moment make one incident (the
grouping of a post's detections is serialised: PostgreSQL advisory lock; SQLite's writers are
serialised already)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from incidents.models import Incident
from incidents.services import incident_attach_detection
from incidents.tests.factories import make_detection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_workers_one_track_one_incident(camera):
    at = timezone.now() - timedelta(minutes=1)
    detections = [make_detection(camera, at=at + timedelta(seconds=n), track_id="T1") for n in range(8)]
    barrier = threading.Barrier(len(detections))
    errors = []

    def work(detection):
        try:
            barrier.wait(timeout=10)
            incident_attach_detection(detection=detection)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(d,)) for d in detections]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors, errors
    incident = Incident.objects.get()
    assert incident.detection_count == len(detections)
