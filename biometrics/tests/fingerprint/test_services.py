"""Fingerprint enrolment, verification and identification through the services, on real FVC2002
images (read from the shared data sets), including every bad input of the issue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from biometrics.models.fingerprint import (
    FingerprintCapture,
    FingerprintImpression,
    FingerprintSearch,
    SearchStatus,
)
from biometrics.services.fingerprint import (
    FingerInput,
    FingerprintInputError,
    fingerprint_enrol,
    fingerprint_purge_expired,
    fingerprint_search_create,
)
from biometrics.tasks.fingerprint import fingerprint_search as search_task
from biometrics.tests.fingerprint.helpers import blank_png, face_png, raw
from watchlists.models import Hit


@pytest.mark.django_db
def test_enrol_stores_every_finger_with_versions_quality_and_audit(officer_a, post_a):
    capture = fingerprint_enrol(
        actor=officer_a, person_id=501, post=post_a, inspection_id=9,
        fingers=[FingerInput(2, raw("db1_101_1.tif")), FingerInput(3, raw("db1_102_1.tif"), "rolled")],
    )
    imps = list(capture.impressions.order_by("position"))
    assert [i.position for i in imps] == [2, 3]
    assert imps[1].impression_type == "rolled"
    for imp in imps:
        assert imp.extractor_version.startswith("nbis-mindtct/")
        assert imp.matcher_version.startswith("bmis-mcc16b-lssr/")
        assert imp.quality_score >= 30 and imp.minutiae_count >= 12
        assert bytes(imp.image_png)[:8] == b"\x89PNG\r\n\x1a\n"
        assert imp.purpose == "border_control" and imp.retention_until > timezone.localdate()
    event = AuditEvent.objects.get(action="fingerprint_capture.enrol")
    assert event.metadata["positions"] == [2, 3]


@pytest.mark.django_db
def test_re_enrolling_a_finger_replaces_the_active_one(officer_a):
    first = fingerprint_enrol(actor=officer_a, person_id=7, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    fingerprint_enrol(actor=officer_a, person_id=7, fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    active = FingerprintImpression.objects.filter(person_id=7, position=1, is_active=True)
    assert active.count() == 1 and active.get().capture_id != first.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make_bad", "field", "text"),  # made when the test runs (shared data)
    [
        (lambda: FingerInput(3, b"%PDF-1.4 not an image"), "fingers.1.image", "not a readable image"),
        (lambda: FingerInput(3, blank_png()), "fingers.1.image", "No finger detected"),
        (lambda: FingerInput(3, face_png()), "fingers.1.image", "does not look like a fingerprint"),
        (lambda: FingerInput(3, raw("db1_102_1.tif"), resolution_dpi=150), "fingers.1.resolution_dpi", "150 ppi"),
        (lambda: FingerInput(11, raw("db1_102_1.tif")), "fingers.1.position", "from 1 (right thumb) to 10"),
        (lambda: FingerInput(0, raw("db1_102_1.tif")), "fingers.1.position", "from 1 (right thumb) to 10"),
        (lambda: FingerInput(2, raw("db1_102_1.tif")), "fingers.1.position", "appears more than once"),
        (lambda: FingerInput(3, raw("db1_102_1.tif"), impression_type="smudge"), "fingers.1.impression_type", "plain"),
    ],
)
def test_one_bad_finger_rejects_the_whole_set(officer_a, make_bad, field, text):
    bad = make_bad()
    with pytest.raises(FingerprintInputError) as err:
        fingerprint_enrol(actor=officer_a, person_id=42, fingers=[FingerInput(2, raw("db1_101_1.tif")), bad])
    messages = err.value.message_dict
    assert field in messages, messages
    assert text in " ".join(messages[field])
    assert FingerprintCapture.objects.count() == 0 and FingerprintImpression.objects.count() == 0
    assert not AuditEvent.objects.filter(action="fingerprint_capture.enrol").exists()


@pytest.mark.django_db
def test_enrol_needs_exactly_one_subject(officer_a, wanted_entry):
    fingers = [FingerInput(1, raw("db1_101_1.tif"))]
    with pytest.raises(Exception) as err:
        fingerprint_enrol(actor=officer_a, fingers=fingers)
    assert "person_id" in err.value.message_dict
    with pytest.raises(Exception) as err:
        fingerprint_enrol(actor=officer_a, fingers=fingers, person_id=3, person_entry=wanted_entry)
    assert "person_id" in err.value.message_dict


@pytest.mark.django_db
def test_verify_matches_the_same_finger_and_rejects_another(officer_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=11, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        same = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                         fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    same.refresh_from_db()
    assert same.status == SearchStatus.DONE and same.decision == "match"
    assert same.result["fingers"]["1"]["score"] > same.threshold
    with committed():
        other = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                          fingers=[FingerInput(1, raw("db1_102_1.tif"))])
    other.refresh_from_db()
    assert other.decision == "no_match"
    with committed():
        absent = fingerprint_search_create(actor=officer_a, kind="verify", person_id=11,
                                           fingers=[FingerInput(4, raw("db1_101_2.tif"))])
    absent.refresh_from_db()
    assert absent.decision == "no_reference"
    assert AuditEvent.objects.filter(action="fingerprint_search.complete").count() == 3


@pytest.mark.django_db
def test_identify_raises_hits_against_travelers_and_watchlist_persons(officer_a, supervisor, post_a, wanted_entry, committed,
                                                                     traveler_a):
    seen = traveler_a().person_id  # candidates name only travelers the officer may see (post A's)
    fingerprint_enrol(actor=officer_a, person_id=seen, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    fingerprint_enrol(actor=supervisor, person_entry=wanted_entry, fingers=[FingerInput(2, raw("db1_102_1.tif"))])
    with committed():
        search = fingerprint_search_create(
            actor=officer_a, kind="identify", person_id=99, inspection_id=5, post=post_a,
            fingers=[FingerInput(1, raw("db1_101_2.tif")), FingerInput(2, raw("db1_102_2.tif"))],
        )
    search.refresh_from_db()
    assert search.status == SearchStatus.DONE and search.decision == "hit"
    hits = Hit.objects.filter(source="fingerprint", inspection_id=5)
    assert hits.count() == 2
    traveler_hit = hits.get(matched_person_id=seen)
    entry_hit = hits.get(person_entry=wanted_entry)
    assert entry_hit.action == "arrest" and entry_hit.person_id == 99
    assert traveler_hit.score >= search.threshold
    assert {c.get("hit_id") for c in search.result["candidates"] if c["above_threshold"]} == {
        traveler_hit.pk, entry_hit.pk}
    # The supervisors' hit queue links each fingerprint hit to the search that raised it.
    from django.test import Client

    reviewer = Client()
    reviewer.force_login(supervisor)
    queue = reviewer.get("/watchlists/hits/").content.decode()
    assert queue.count(f'href="/biometrics/fingerprints/searches/{search.pk}/"') == 2


@pytest.mark.django_db
def test_identify_excludes_the_screened_traveler_and_respects_positions(officer_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=31, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        own = fingerprint_search_create(actor=officer_a, kind="identify", person_id=31,
                                        fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    own.refresh_from_db()
    assert own.decision == "no_hit" and not Hit.objects.exists()
    with committed():
        other_finger = fingerprint_search_create(actor=officer_a, kind="identify",
                                                 fingers=[FingerInput(6, raw("db1_101_2.tif"))])
    other_finger.refresh_from_db()
    assert other_finger.decision == "no_hit"


@pytest.mark.django_db
def test_the_gallery_follows_new_and_replaced_enrolments(officer_a, committed, traveler_a):
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_102_1.tif"))])
    with committed():
        first = fingerprint_search_create(actor=officer_a, kind="identify", fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    first.refresh_from_db()
    assert first.decision == "no_hit"
    # The traveler's finger 1 is replaced by one that matches the probe: the next search sees it.
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        second = fingerprint_search_create(actor=officer_a, kind="identify", fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    second.refresh_from_db()
    assert second.decision == "hit"
    assert second.result["candidates"][0]["person_id"] == pid


@pytest.mark.django_db
def test_verify_without_enrolment_is_refused_on_person_id(officer_a, committed):
    with pytest.raises(Exception) as err:
        with committed():
            fingerprint_search_create(actor=officer_a, kind="verify", person_id=12345,
                                      fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    assert "person_id" in err.value.message_dict
    assert not FingerprintSearch.objects.exists()


@pytest.mark.django_db
def test_purge_deletes_expired_fingerprints_and_audits(officer_a):
    capture = fingerprint_enrol(actor=officer_a, person_id=51, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    assert fingerprint_purge_expired() == 0
    FingerprintImpression.objects.filter(capture=capture).update(retention_until=timezone.localdate() - dt.timedelta(days=1))
    assert fingerprint_purge_expired() == 1
    assert not FingerprintImpression.objects.exists() and not FingerprintCapture.objects.exists()
    assert AuditEvent.objects.filter(action="fingerprint_impression.purge").exists()


def test_search_task_is_durable_and_routed_to_the_biometrics_queue(settings):
    assert search_task.acks_late is True
    assert search_task.max_retries >= 1
    assert search_task.name == "biometrics.fingerprint_search"
    routes = settings.CELERY_TASK_ROUTES
    assert routes["biometrics.*"]["queue"] == "biometrics"


@pytest.mark.broker
@pytest.mark.django_db(transaction=True)
def test_identify_runs_on_a_real_worker(officer_a, celery_live_worker, traveler_a):
    # A real traveler at officer A's post: 1:N candidates name only travelers the requester may see.
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    search = fingerprint_search_create(actor=officer_a, kind="identify",
                                       fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    import time

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        search.refresh_from_db()
        if search.status != SearchStatus.PENDING:
            break
        time.sleep(0.3)
    assert search.status == SearchStatus.DONE and search.decision == "hit"
