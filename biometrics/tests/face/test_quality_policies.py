"""Face quality by source: live captures are coached, photographs compared whenever the matcher can
use the face, with their issues reported beside the verdict (issue 13, item 7)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from biometrics.face.embedding import get_model
from biometrics.face.images import load_image
from biometrics.face.quality import (
    DOCUMENT_POLICY,
    LIVE_POLICY,
    PHOTO_POLICY,
    POLICY_BY_SOURCE,
    assess,
    policy_for_source,
)
from biometrics.models.face import FaceSource

# The failure-to-acquire bound of the photo policy on the shared photographs with one subject.
# Measured (bench/face_quality.py, 2026-12-03): 0 of 62 refused (the live policy refuses 8, 12.9 %:
# turned, tilted, raised heads and two faces of 47-49 px between the eyes; the matcher still
# separates the labelled pairs that use them, FNMR 2.6 % with and 3.2 % without them). The photo
# policy refuses only a face below 30 px between the eyes; the smallest face of the set has 47,
# so a refusal here means the policy (or the detector under it) changed, not a harder photo. The
# bound of 5 % (3 of 62) leaves room for a detector or landmark update moving one or two borderline
# photographs while catching a return of the coaching gate (8 refusals).
PHOTO_FTA_BOUND = 0.05


def test_every_source_has_its_policy():
    assert set(FaceSource.values) == set(POLICY_BY_SOURCE)
    assert policy_for_source(FaceSource.BROWSER) is LIVE_POLICY
    assert policy_for_source(FaceSource.DEVICE) is LIVE_POLICY
    assert policy_for_source(FaceSource.CHIP) is DOCUMENT_POLICY
    assert policy_for_source(FaceSource.DOCUMENT_PAGE) is DOCUMENT_POLICY
    assert policy_for_source(FaceSource.UPLOAD) is PHOTO_POLICY
    assert policy_for_source(FaceSource.WATCHLIST) is PHOTO_POLICY
    assert policy_for_source("something new") is LIVE_POLICY  # the strict one when unsure


@pytest.fixture(scope="module")
def shared_reports(deepface_dir):
    model = get_model()
    out = {}
    for path in sorted(deepface_dir.glob("*.jpg")):
        image = load_image(path.read_bytes())
        faces = model.detect(image.pixels)
        out[path.name] = {
            name: assess(image.pixels, faces, scale=image.scale, policy=policy)
            for name, policy in (("live", LIVE_POLICY), ("photo", PHOTO_POLICY))
        }
    return out


def test_photo_policy_failure_to_acquire_stays_under_its_bound(shared_reports):
    single = {name: r for name, r in shared_reports.items() if r["live"].face_count <= 1}
    assert len(single) >= 60
    refused = sorted(name for name, r in single.items() if not r["photo"].accepted)
    assert len(refused) / len(single) <= PHOTO_FTA_BOUND, refused
    live_refused = [name for name, r in single.items() if not r["live"].accepted]
    assert len(live_refused) > len(refused)  # the coaching gate stays strict at the booth
    # A group photograph is refused by every policy: which face would be the subject?
    for name in ("couple.jpg", "selfie-many-people.jpg"):
        assert not shared_reports[name]["photo"].accepted
        assert shared_reports[name]["photo"].issues[0].code == "multiple_faces"


def test_photo_policy_reports_the_issues_it_does_not_refuse(shared_reports):
    live, photo = shared_reports["img11.jpg"]["live"], shared_reports["img11.jpg"]["photo"]
    assert not live.accepted and [i.code for i in live.issues] == ["head_tilted"] and live.issues[0].blocking
    assert photo.accepted and photo.policy == "photo"
    assert [(i.code, i.blocking) for i in photo.issues] == [("head_tilted", False)]
    assert photo.message.startswith("Face accepted for comparison despite: Head tilted")
    assert photo.as_dict()["issues"][0]["blocking"] is False


def test_photo_policy_refuses_a_face_the_matcher_cannot_use(deepface_dir):
    original = Image.open(deepface_dir / "img1.jpg").convert("RGB")  # about 275 px between the eyes
    small = original.resize((original.width // 10, original.height // 10), Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", (600, 600), (128, 128, 128))
    canvas.paste(small, (300 - small.width // 2, 300 - small.height // 2))
    buf = io.BytesIO()
    canvas.save(buf, format="PNG")
    image = load_image(buf.getvalue())
    faces = get_model().detect(image.pixels)
    if not faces:
        pytest.skip("the detector finds no face this small (then the photo is refused as no_face anyway)")
    report = assess(image.pixels, faces, scale=image.scale, policy=PHOTO_POLICY)
    assert not report.accepted
    issue = next(i for i in report.issues if i.code == "face_too_small")
    assert issue.blocking and issue.limit == PHOTO_POLICY.min_usable_inter_eye_px
    assert "30 needed" in issue.message
