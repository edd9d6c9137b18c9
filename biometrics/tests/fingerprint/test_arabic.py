"""The fingerprint capture and search pages in Arabic: right-to-left, translated finger names and
actions, and the pure quality module's coaching shown in Arabic."""

from __future__ import annotations

import pytest
from django.utils import translation

from biometrics.fingerprint.quality import COACHING
from biometrics.messages import FINGERPRINT_COACHING, fingerprint_coaching
from biometrics.tests.fingerprint.helpers import blank_png, face_png, raw
from biometrics.tests.fingerprint.helpers import upload as _upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def arabic_officer(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    assert client.post("/i18n/setlang/", {"language": "ar", "next": "/"}).status_code == 302
    return client


@pytest.fixture
def iid(make_traveler, booth_a) -> str:
    """An open inspection of a traveler at officer A's post (the capture screen refuses others)."""
    return str(make_traveler(booth=booth_a).pk)


def test_capture_page_in_arabic(arabic_officer, iid):
    html = arabic_officer.get(f"/biometrics/fingerprints/capture/?inspection={iid}").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "التقاط بصمات الأصابع" in html and "الإبهام الأيمن" in html and "الخنصر الأيسر" in html
    assert ">تسجيل</button>" in html and "تحقق (1:1)" in html  # the actions
    assert 'name="resolution_dpi" value="" inputmode="decimal" dir="ltr"' in html  # numbers stay left-to-right
    for english in ("Fingerprint capture", "right thumb", "left little", "What to do", "Verify (1:1)"):
        assert english not in html


def test_capture_coaching_and_errors_in_arabic(arabic_officer, iid):
    r = arabic_officer.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": iid,
        "finger_1": _upload("a.tif", raw("db1_101_1.tif")), "finger_2": _upload("face.png", face_png()),
        "finger_3": _upload("blank.png", blank_png()), "finger_4": _upload("notes.txt", b"hello"),
    })
    html = r.content.decode()
    assert r.status_code == 400
    assert "لم يُحفظ شيء" in html
    assert "لا تبدو هذه الصورة بصمة إصبع" in html and "لم يُكتشف أي إصبع" in html  # coaching
    assert "الملف ليس صورة قابلة للقراءة." in html  # the image error of the text file
    assert "رديئة" in html  # the "poor" state
    for english in ("does not look like a fingerprint", "No finger detected", "not a readable image", "Nothing was stored"):
        assert english not in html
    r = arabic_officer.post("/biometrics/fingerprints/capture/", {"action": "enrol", "inspection": iid})
    assert r.status_code == 400 and "الأصابع: لم يُختر أي ملف" in r.content.decode()


def test_enrolment_and_search_result_in_arabic(arabic_officer, iid, django_capture_on_commit_callbacks):
    r = arabic_officer.post("/biometrics/fingerprints/capture/", {
        "action": "enrol", "inspection": iid, "finger_1": _upload("a.tif", raw("db1_101_1.tif"))})
    assert "سُجّل إصبع واحد." in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = arabic_officer.post("/biometrics/fingerprints/capture/", {
            "action": "verify", "inspection": iid, "finger_1": _upload("b.tif", raw("db1_101_2.tif"))})
    assert r.status_code == 302
    html = arabic_officer.get(r["Location"]).content.decode()
    assert 'dir="rtl"' in html and "التحقق بالبصمات (1:1)" in html and ">تطابق</span>" in html
    assert "Fingerprint verification" not in html and "Back to capture" not in html


def test_every_coaching_code_has_an_arabic_message():
    assert set(COACHING) == set(FINGERPRINT_COACHING)
    with translation.override("en"):
        for code, text in COACHING.items():
            assert fingerprint_coaching({"code": code, "message": text})["message"] == text
    with translation.override("ar"):
        for code, text in COACHING.items():
            assert fingerprint_coaching({"code": code, "message": text})["message"] != text
