"""The face capture page of an inspection in Arabic: right-to-left, translated controls, and the
pure quality module's coaching shown in Arabic."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from biometrics.face.quality import QualityReport
from biometrics.messages import face_quality_message, translate
from biometrics.tests.face.conftest import read_fixture

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def arabic_officer(login, officer_a, booth_a):
    client = login(officer_a, booth=booth_a)
    assert client.post("/i18n/setlang/", {"language": "ar", "next": "/"}).status_code == 302
    return client


def test_face_capture_page_in_arabic(arabic_officer, make_inspection, officer_a, booth_a):
    inspection = make_inspection(officer_a, booth_a)
    html = arabic_officer.get(f"/biometrics/face/inspections/{inspection.pk}/").content.decode()
    assert 'lang="ar"' in html and 'dir="rtl"' in html
    assert "تشغيل الكاميرا" in html and "التقاط الوجه" in html  # Start camera, Capture face
    assert "لم يُلتقط أي وجه لهذا التفتيش." in html
    assert 'data-text-camera-on="الكاميرا تعمل' in html  # the camera script's texts, translated
    for english in ("Start camera", "Capture face", "No face captured", "Camera on:"):
        assert english not in html


def test_face_coaching_and_errors_in_arabic(arabic_officer, make_inspection, officer_a, booth_a):
    inspection = make_inspection(officer_a, booth_a)
    url = f"/biometrics/face/inspections/{inspection.pk}/capture/"
    r = arabic_officer.post(url, {"kind": "live-camera", "image": SimpleUploadedFile(
        "c.jpg", read_fixture("couple-1140.jpg"), content_type="image/jpeg")})
    html = r.content.decode()
    assert r.status_code == 200 and 'data-face-notice="warn"' in html
    assert "يظهر وجهان في الصورة" in html and "غير مقبولة:" in html
    assert "Two faces in view" not in html and "Not accepted" not in html
    r = arabic_officer.post(url, {"kind": "live-camera", "image": SimpleUploadedFile(
        "c.jpg", b"not a jpeg at all", content_type="image/jpeg")})
    html = r.content.decode()
    assert r.status_code == 400 and "الملف ليس صورة" in html and "<strong>الصورة:</strong>" in html
    r = arabic_officer.post(url, {"kind": "live-camera"})
    assert r.status_code == 400 and "لم تُرسل أي صورة" in r.content.decode()


def test_every_face_quality_message_has_an_arabic_rendering():
    """Each issue the pure quality module can raise is known to biometrics.messages."""
    from biometrics.face import quality

    samples = [
        "No face found: look straight at the camera, face uncovered.",
        "Two faces in view: only the traveller may be in front of the camera.",
        "3 faces in view: only the traveller may be in front of the camera.",
        "Face too small (31 px between the eyes, 50 needed): step closer to the camera.",
        "Head tilted up: look straight ahead, chin level.",
        "Head tilted down: look straight ahead, chin level.",
    ]
    source = open(quality.__file__, encoding="utf-8").read()
    fixed = [s for s in samples if "{" not in s and s in source]
    assert fixed  # the samples are still the module's words
    with translation.override("ar"):
        for text in samples:
            assert translate(text) != text, text
        report = QualityReport(accepted=False, face_count=1, issues=[
            quality.Issue("too_dark", "Image too dark: add light in front of the face."),
            quality.Issue("head_turned", "Head turned: look straight at the camera."),
        ])
        assert face_quality_message(report.as_dict()) == (
            "الصورة مظلمة جداً: أضف إضاءة أمام الوجه. الرأس ملتفت: انظر مباشرة إلى الكاميرا.")
    with translation.override("en"):
        for text in samples:
            assert translate(text) == text
