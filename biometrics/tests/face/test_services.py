"""Capture, templates, 1:1 and 1:N through the services, on the real database."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from audit.models import AuditEvent
from biometrics.models.face import (
    PERSONS_GALLERY,
    FaceIdentification,
    FaceImage,
    FacePurpose,
    FaceRequestStatus,
    FaceSource,
    FaceTemplate,
    FaceTemplateChange,
    FaceVerification,
)
from biometrics.search import ModelTag
from biometrics.services import face as services
from biometrics.services.face_index import GalleryRegistry, get_registry
from biometrics.tests.face.conftest import photo_page, read_fixture
from watchlists.models import Hit, PersonEntry, PersonEntryName, Visibility, Watchlist

pytestmark = pytest.mark.django_db(transaction=True)

BACKENDS = ["exact", "hnsw"]


@pytest.fixture(params=BACKENDS)
def backend(request, settings):
    settings.BMIS_FACE_SEARCH_BACKEND = request.param
    return request.param


def _live(data, *, inspection_id=1, person_id=None, post=None, actor=None):
    return services.face_capture(
        actor=actor, data=data, purpose=FacePurpose.LIVE, source=FaceSource.BROWSER, person_id=person_id,
        inspection_id=inspection_id, post=post,
    )


def _document_page(data, *, inspection_id=1, person_id=None, post=None):
    return services.face_capture(
        actor=None, data=photo_page(data), purpose=FacePurpose.DOCUMENT, source=FaceSource.DOCUMENT_PAGE,
        person_id=person_id, inspection_id=inspection_id, post=post,
    )


def _watchlist_entry(watchlist, photo: bytes, name="Wanted Person"):
    entry = PersonEntry.objects.create(watchlist=watchlist, gender="F", birth_year=1975)
    PersonEntryName.objects.create(entry=entry, full_name=name, is_primary=True)
    entry.photo.save("photo.jpg", ContentFile(photo))
    return entry


@pytest.fixture
def wanted(border_agency):
    return Watchlist.objects.create(code="WANTED", name="Wanted", owner_agency=border_agency, action="arrest")


def test_live_then_document_gives_a_match(post_a, officer_a):
    live = _live(read_fixture("img10.jpg"), person_id=5, post=post_a, actor=officer_a)
    assert live.accepted and live.image.purpose == "live"
    assert live.verification is None  # no document portrait yet
    assert live.identification.status == FaceRequestStatus.PENDING  # object as created
    doc = _document_page(read_fixture("img5.jpg"), person_id=5, post=post_a)
    assert doc.accepted and doc.image.source == "document_page"
    v = FaceVerification.objects.get(pk=doc.verification.pk)
    assert v.status == FaceRequestStatus.DONE and v.verdict == "match"
    assert v.distance < v.threshold == pytest.approx(0.55)
    assert v.probe_id == live.image.pk and v.reference_id == doc.image.pk
    assert v.model_name == "dlib-resnet-v1"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"face_image.create", "face_verification.request", "face_verification.complete",
            "face_template.create", "face_identification.complete"} <= actions


def test_different_people_no_match(post_a):
    _live(read_fixture("img10.jpg"), inspection_id=2, post=post_a)
    doc = _document_page(read_fixture("img12.jpg"), inspection_id=2, post=post_a)
    v = FaceVerification.objects.get(pk=doc.verification.pk)
    assert v.verdict == "no_match" and v.distance > v.threshold


def test_poor_capture_is_coached_not_stored_and_1to1_inconclusive(post_a):
    result = _live(read_fixture("couple-1140.jpg"), inspection_id=3, post=post_a)
    assert not result.accepted
    assert result.quality["issues"][0]["code"] == "multiple_faces"
    assert "Two faces in view" in result.message
    assert FaceImage.objects.count() == 0 and FaceTemplate.objects.count() == 0
    v = FaceVerification.objects.get(inspection_id=3)
    assert v.verdict == "inconclusive" and "Two faces" in v.reason


@pytest.mark.parametrize("make, words", [
    (lambda: b"", "empty"),
    (lambda: b"GIF89a not really", "not an image"),
    (lambda: read_fixture("img10.jpg")[:5000], "truncated"),  # made when the test runs (shared data)
])
def test_bad_bytes_name_the_field_and_write_nothing(make, words):
    data = make()
    with pytest.raises(ValidationError) as info:
        services.face_capture(actor=None, data=data, purpose="live", source="upload", inspection_id=4,
                              field_name="probe")
    assert "probe" in info.value.message_dict
    assert words in info.value.message_dict["probe"][0]
    assert FaceImage.objects.count() == 0 and FaceVerification.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="face_").exists()


def test_unknown_purpose_and_missing_person():
    with pytest.raises(ValidationError) as info:
        services.face_capture(actor=None, data=b"x", purpose="selfie", source="upload")
    assert "purpose" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.face_capture(actor=None, data=read_fixture("img5.jpg"), purpose="enrolment", source="device")
    assert "person_id" in info.value.message_dict


def test_watchlist_photo_found_by_1toN_and_raises_a_face_hit(backend, wanted, post_a, officer_a):
    entry = _watchlist_entry(wanted, read_fixture("img5.jpg"), name="Angela Wanted")
    outcome = services.face_sync_watchlist_photos()
    assert outcome["enrolled"] == 1
    template = FaceTemplate.objects.get(watchlist_entry=entry)
    assert template.gallery == f"watchlist:{wanted.pk}"
    live = _live(read_fixture("img10.jpg"), inspection_id=11, person_id=21, post=post_a, actor=officer_a)
    ident = FaceIdentification.objects.get(pk=live.identification.pk)
    assert ident.status == FaceRequestStatus.DONE and ident.backend == backend
    assert [c["entry_id"] for c in ident.candidates] == [entry.pk]
    hit = Hit.objects.get(pk=ident.candidates[0]["hit_id"])
    assert hit.source == "face" and hit.person_entry == entry and hit.action == "arrest"
    assert hit.inspection_id == 11 and hit.person_id == 21 and hit.matched_name == "Angela Wanted"
    assert hit.explanation["probe_image_id"] == live.image.pk
    assert hit.explanation["gallery_image_id"] == template.image_id
    assert 0 < hit.score <= 1 and hit.explanation["distance"] <= 0.5
    # Another person does not hit the list.
    other = _live(read_fixture("img12.jpg"), inspection_id=12, person_id=22, post=post_a)
    assert FaceIdentification.objects.get(pk=other.identification.pk).candidates == []


def test_same_face_under_another_identity(backend, post_a):
    first = services.face_capture(actor=None, data=read_fixture("img5.jpg"), purpose="enrolment", source="device",
                                  person_id=31)
    assert FaceTemplate.objects.get(image=first.image).gallery == PERSONS_GALLERY
    # The same woman comes back as traveler 32.
    live = _live(read_fixture("img10.jpg"), inspection_id=13, person_id=32, post=post_a)
    ident = FaceIdentification.objects.get(pk=live.identification.pk)
    assert [c["person_id"] for c in ident.candidates] == [31]
    hit = Hit.objects.get(pk=ident.candidates[0]["hit_id"])
    assert hit.matched_person_id == 31 and hit.person_entry is None
    # As traveler 31 herself: her own earlier face is not a candidate, traveler 32's is.
    again = _live(read_fixture("img10.jpg"), inspection_id=14, person_id=31, post=post_a)
    assert [c["person_id"] for c in FaceIdentification.objects.get(pk=again.identification.pk).candidates] == [32]


def test_exact_and_hnsw_give_the_same_candidates(settings, wanted, post_a):
    for name in ("img5.jpg", "img12.jpg"):
        services.face_capture(actor=None, data=read_fixture(name), purpose="enrolment", source="device",
                              person_id=100 + len(name))
    results = {}
    for backend in BACKENDS:
        settings.BMIS_FACE_SEARCH_BACKEND = backend
        from biometrics.services.face_index import reset_registries

        reset_registries()
        live = _live(read_fixture("img10.jpg"), inspection_id=20 + len(results), person_id=200, post=post_a)
        ident = FaceIdentification.objects.get(pk=live.identification.pk)
        assert ident.backend == backend
        results[backend] = [(c["template_id"], c["distance"]) for c in ident.candidates]
    assert results["exact"] == results["hnsw"] and len(results["exact"]) == 1


def test_enrolled_on_one_worker_found_by_another(settings):
    """Two registries stand for two worker processes with their own indexes."""
    model = services.face_model()
    tag = ModelTag.of(model)
    worker_a = GalleryRegistry(tag)
    worker_b = GalleryRegistry(tag)
    worker_a.warm()
    worker_b.warm()
    enrolled = services.face_capture(actor=None, data=read_fixture("img5.jpg"), purpose="enrolment",
                                     source="device", person_id=41)
    template = FaceTemplate.objects.get(image=enrolled.image)  # encoded through "worker a" (eager)
    probe = services.face_template_ensure(image=_live(read_fixture("img10.jpg"), inspection_id=None).image)
    assert worker_b.sync() >= 1
    found, _backend, size = worker_b.search(PERSONS_GALLERY, probe.embedding, k=5, max_distance=0.5)
    assert [c.id for c in found] == [template.pk] and size == 1
    # And a removal made elsewhere disappears here too.
    services.face_templates_remove(actor=None, templates=[template], reason="test")
    worker_b.sync()
    found, _backend, size = worker_b.search(PERSONS_GALLERY, probe.embedding, k=5, max_distance=0.5)
    assert found == [] and size == 0


def test_registry_saves_and_reloads_hnsw(settings, tmp_path):
    settings.BMIS_FACE_SEARCH_BACKEND = "hnsw"
    model = services.face_model()
    for person, name in ((51, "img5.jpg"), (52, "img12.jpg")):
        services.face_capture(actor=None, data=read_fixture(name), purpose="enrolment", source="device",
                              person_id=person)
    registry = get_registry(model)
    registry.warm()
    registry.save()
    saved = list(settings.BMIS_FACE_INDEX_DIR.glob("*.npz"))
    assert len(saved) == 1
    # A new worker starts from the file, then catches up with a later enrolment.
    services.face_capture(actor=None, data=read_fixture("img10.jpg"), purpose="enrolment", source="device",
                          person_id=53)
    fresh = GalleryRegistry(ModelTag.of(model), index_dir=settings.BMIS_FACE_INDEX_DIR)
    fresh.warm()
    assert len(fresh.galleries[PERSONS_GALLERY]) == 3


def test_retention_purge_is_audited_and_leaves_the_index(post_a):
    enrolled = _live(read_fixture("img10.jpg"), inspection_id=61, person_id=61, post=post_a)
    template = FaceTemplate.objects.get(image=enrolled.image)
    registry = get_registry(services.face_model())
    registry.sync()
    assert template.pk in registry.galleries[PERSONS_GALLERY]
    image = FaceImage.objects.get(pk=enrolled.image.pk)
    assert image.retain_until > timezone.now() + timedelta(days=89)
    assert services.face_purge_expired(now=timezone.now()) == 0
    assert services.face_purge_expired(now=timezone.now() + timedelta(days=91)) == 1
    assert not FaceImage.objects.filter(pk=image.pk).exists()
    assert not FaceTemplate.objects.filter(pk=template.pk).exists()
    assert FaceTemplateChange.objects.filter(template_id=template.pk, op="remove").exists()
    assert AuditEvent.objects.filter(action="face_image.purge", object_id=str(image.pk)).exists()
    assert AuditEvent.objects.filter(action="face_template.delete", object_id=str(template.pk)).exists()
    registry.sync()
    assert template.pk not in registry.galleries[PERSONS_GALLERY]
    # The identification result survives, its probe gone.
    assert FaceIdentification.objects.get(inspection_id=61).probe_id is None


def test_inactive_watchlist_entry_leaves_the_gallery(wanted):
    entry = _watchlist_entry(wanted, read_fixture("img5.jpg"))
    services.face_sync_watchlist_photos()
    assert FaceTemplate.objects.filter(watchlist_entry=entry).count() == 1
    entry.is_active = False
    entry.save()
    assert services.face_sync_watchlist_photos()["removed"] == 1
    assert FaceTemplate.objects.filter(watchlist_entry=entry).count() == 0


def test_hidden_watchlist_hit_is_not_shown_to_other_agencies(police_agency, post_a, officer_a):
    from biometrics.selectors.face import face_panel

    secret = Watchlist.objects.create(code="SECRET", name="Police only", owner_agency=police_agency,
                                      visibility=Visibility.AGENCIES, action="notify")
    _watchlist_entry(secret, read_fixture("img5.jpg"))
    services.face_sync_watchlist_photos()
    live = _live(read_fixture("img10.jpg"), inspection_id=71, person_id=71, post=post_a, actor=officer_a)
    ident = FaceIdentification.objects.get(pk=live.identification.pk)
    # Screening searched every list, but keeps (and raises hits on) only what the officer may see.
    assert ident.candidates == [] and not Hit.objects.exists()
    panel = face_panel(user=officer_a, inspection_id=71)
    assert panel.candidates == [] and panel.hits == []


@pytest.mark.django_db(transaction=True)
def test_broker_down_leaves_requests_pending_then_requeued(settings, post_a, monkeypatch):
    """A real connection failure to a broker that is not there."""
    from bmis.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its own setting.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")

    def fresh_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.task_always_eager = False
    old = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    fresh_pools()
    try:
        _live(read_fixture("img10.jpg"), inspection_id=81, person_id=81, post=post_a)
        ident = FaceIdentification.objects.get(inspection_id=81)
        assert ident.status == FaceRequestStatus.PENDING and ident.queued is False
        from biometrics.selectors.face import face_panel

        panel = face_panel(user=_superuser(), inspection_id=81)
        assert panel.unavailable and panel.waiting
    finally:
        monkeypatch.undo()
        app.conf.broker_url = old
        fresh_pools()
        app.conf.task_always_eager = True
    assert services.face_requeue_pending(older_than_seconds=3600) == 1
    ident.refresh_from_db()
    assert ident.status == FaceRequestStatus.DONE and ident.queued


def _superuser():
    from accounts.permissions import Role
    from accounts.tests.factories import UserFactory

    return UserFactory(username="root", role=Role.ADMIN, is_national=True)


def test_template_vector_round_trip(post_a):
    live = _live(read_fixture("img5.jpg"), inspection_id=91, person_id=91, post=post_a)
    template = FaceTemplate.objects.get(image=live.image)
    vec = template.embedding
    assert vec.dtype == np.float32 and vec.shape == (128,)
    assert template.model_name == "dlib-resnet-v1" and template.model_version.startswith("sha256:")


def test_faces_linked_to_the_traveler_join_the_persons_gallery(post_a):
    live = _live(read_fixture("img5.jpg"), inspection_id=95, person_id=None, post=post_a)
    # Encoded for its 1:N search, but with no traveler it belongs to no gallery.
    assert FaceTemplate.objects.get(image=live.image).gallery == ""
    assert services.face_inspection_link_person(actor=None, inspection_id=95, person_id=96) == 1
    template = FaceTemplate.objects.get(image=live.image)
    assert template.person_id == 96 and template.gallery == PERSONS_GALLERY
    assert AuditEvent.objects.filter(action="face_image.link_person").count() == 1
    # Found later as the same face under another identity.
    again = _live(read_fixture("img10.jpg"), inspection_id=97, person_id=98, post=post_a)
    assert [c["person_id"] for c in FaceIdentification.objects.get(pk=again.identification.pk).candidates] == [96]


def test_face_index_command(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.BMIS_FACE_SEARCH_BACKEND = "hnsw"
    services.face_capture(actor=None, data=read_fixture("img5.jpg"), purpose="enrolment", source="device",
                          person_id=111)
    out = StringIO()
    call_command("face_index", stdout=out)
    assert "persons: 1 templates (hnsw)" in out.getvalue()
    assert len(list(settings.BMIS_FACE_INDEX_DIR.glob("*.npz"))) == 1


def test_saved_index_older_than_the_pruned_log_is_rebuilt(settings):
    settings.BMIS_FACE_SEARCH_BACKEND = "hnsw"
    model = services.face_model()

    def enrol(person, name):
        services.face_capture(actor=None, data=read_fixture(name), purpose="enrolment", source="device",
                              person_id=person)

    enrol(121, "img5.jpg")
    enrol(122, "img12.jpg")
    registry = get_registry(model)
    registry.warm()
    registry.save()
    enrol(123, "img10.jpg")
    enrol(124, "img5.jpg")
    # The log rows up to the third enrolment are pruned: the saved file cannot catch up.
    third = FaceTemplateChange.objects.order_by("id")[2]
    FaceTemplateChange.objects.filter(id__lte=third.id).delete()
    fresh = GalleryRegistry(ModelTag.of(model), index_dir=settings.BMIS_FACE_INDEX_DIR)
    fresh.warm()
    assert len(fresh.galleries[PERSONS_GALLERY]) == 4
