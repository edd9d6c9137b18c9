"""The officer's fingerprint capture screen: ten fingers, quality, verify and identify, bad fields,
who may open it."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from biometrics.models.fingerprint import (
    FingerprintImpression,
)
from biometrics.services.fingerprint import (
    FingerInput,
    fingerprint_enrol,
    fingerprint_gallery_reset,
    fingerprint_search_create,
)
from biometrics.tests.fingerprint.helpers import blank_png, face_png, raw
from biometrics.tests.fingerprint.helpers import upload as _upload


@pytest.mark.django_db
def test_capture_screen_shows_ten_fingers(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    r = c.get(f"/biometrics/fingerprints/capture/?inspection={traveler_a().pk}")
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('name="finger_') == 10
    assert "right thumb" in html and "left little" in html


@pytest.mark.django_db
def test_capture_screen_enrols_and_shows_quality(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    inspection = traveler_a()
    pid = inspection.person_id
    r = c.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": str(inspection.pk),
        "finger_1": _upload("a.tif", raw("db1_101_1.tif")), "finger_2": _upload("b.tif", raw("db1_102_1.tif")),
    })
    assert r.status_code == 200, r.content.decode()[:2000]
    html = r.content.decode()
    assert "2 fingers enrolled" in html
    assert html.count('data-state="good"') == 2 and html.count('data-state="missing"') == 8
    assert FingerprintImpression.objects.filter(person_id=pid).count() == 2


@pytest.mark.django_db
def test_capture_screen_marks_poor_and_missing_fingers_and_stores_nothing(login, officer_a, booth_a, traveler_a):
    c = login(officer_a, booth_a)
    r = c.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": str(traveler_a().pk),
        "finger_1": _upload("a.tif", raw("db1_101_1.tif")), "finger_2": _upload("face.png", face_png()),
        "finger_3": _upload("blank.png", blank_png()), "finger_4": _upload("notes.txt", b"hello"),
    })
    assert r.status_code == 400
    html = r.content.decode()
    assert "Nothing was stored" in html
    assert 'data-position="1" data-state="good"' in html
    for pos in (2, 3, 4):
        assert f'data-position="{pos}" data-state="poor"' in html
    assert html.count('data-state="missing"') == 6
    assert "does not look like a fingerprint" in html and "No finger detected" in html
    assert not FingerprintImpression.objects.exists()


@pytest.mark.django_db
def test_capture_screen_verify_and_identify(login, officer_a, booth_a, committed, traveler_a):
    c = login(officer_a, booth_a)
    first, screened = traveler_a(), traveler_a()
    pid = first.person_id
    c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": str(first.pk),
                                                 "finger_1": _upload("a.tif", raw("db1_101_1.tif"))})
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "verify", "inspection": str(first.pk),
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert 'data-decision="match"' in page
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "identify", "inspection": str(screened.pk),
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 302
    page = c.get(r["Location"]).content.decode()
    assert 'data-decision="hit"' in page and f"Traveler {pid}" in page


@pytest.mark.django_db
def test_capture_screen_bad_fields(login, officer_a, booth_a, committed, traveler_a):
    c = login(officer_a, booth_a)
    with committed():
        r = c.post("/biometrics/fingerprints/capture/", {"action": "verify", "inspection": "abc",
                                                         "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 400 and 'data-field="inspection"' in r.content.decode()
    iid = str(traveler_a().pk)
    r = c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": iid})
    assert r.status_code == 400 and 'data-field="fingers"' in r.content.decode()
    assert "No file was chosen" in r.content.decode()
    r = c.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": iid, "resolution_dpi": "90",
                                                     "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 400 and "90 ppi" in r.content.decode()


@pytest.mark.django_db
def test_capture_screen_needs_an_officer(client, login, officer_a):
    r = client.get("/biometrics/fingerprints/capture/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.django_db
def test_inspection_panel_shows_fingerprint_results(officer_a, post_a, committed):
    fingerprint_enrol(actor=officer_a, person_id=701, inspection_id=33, post=post_a,
                      fingers=[FingerInput(1, raw("db1_101_1.tif"))])
    with committed():
        fingerprint_search_create(actor=officer_a, kind="verify", person_id=701, inspection_id=33, post=post_a,
                                  fingers=[FingerInput(1, raw("db1_101_2.tif"))])
    request = RequestFactory().get("/")
    request.user = officer_a
    html = Template("{% load biometrics_tags %}{% biometrics_panel 33 %}").render(Context({"request": request}))
    assert 'data-modality="fingerprint"' in html
    assert "1 finger enrolled" in html and 'data-decision="match"' in html
    empty = Template("{% load biometrics_tags %}{% biometrics_panel 34 %}").render(Context({"request": request}))
    assert "no capture for this inspection" in empty


@pytest.mark.django_db
def test_enrolled_fingers_carry_their_index_record_and_searches_agree_without_it(officer_a, committed, traveler_a):
    from django.core.management import call_command

    from biometrics.fingerprint.identification import FingerprintIndex

    version = FingerprintIndex().prepared_version
    pid = traveler_a().person_id
    fingerprint_enrol(actor=officer_a, person_id=pid, fingers=[FingerInput(1, raw("db1_101_1.tif")),
                                                              FingerInput(2, raw("db1_102_1.tif"))])
    assert all(i.index_data and i.index_version == version for i in FingerprintImpression.objects.all())

    def identify():
        fingerprint_gallery_reset()  # a worker starting afresh
        with committed():
            search = fingerprint_search_create(actor=officer_a, kind="identify", person_id=99,
                                               fingers=[FingerInput(1, raw("db1_101_2.tif"))])
        search.refresh_from_db()
        return [(c["person_id"], round(c["score"], 6)) for c in search.result["candidates"]]

    from_records = identify()
    assert from_records and from_records[0][0] == pid
    FingerprintImpression.objects.update(index_data=None, index_version="")
    assert identify() == from_records  # rebuilt from the templates: the same answer
    call_command("fingerprint_index_prepare")
    assert all(bytes(i.index_data) and i.index_version == version for i in FingerprintImpression.objects.all())
    assert identify() == from_records
