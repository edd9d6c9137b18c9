"""End to end in a real browser: Debian's Chromium with a fake camera that
shows a real face (a .y4m clip built from a test photo).  On the inspection
screen an officer captures the face, sees the quality verdict, then the 1:N
and 1:1 results, and decides."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from biometrics.tests.face.conftest import photo_page, read_fixture
from conftest import CHROMIUM_FLAGS, wait_until

# The camera: Chromium's fake device, playing a clip made from a shared photograph.
FLAGS = [*CHROMIUM_FLAGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def write_y4m(path: Path, portrait_bytes: bytes, *, width=640, height=480, frames=10) -> None:
    """A YUV4MPEG2 (4:2:0) clip of a still photo centred on a grey frame."""
    import cv2

    portrait = Image.open(io.BytesIO(portrait_bytes)).convert("RGB")
    scale = height / portrait.height
    portrait = portrait.resize((round(portrait.width * scale), height), Image.Resampling.LANCZOS)
    frame = Image.new("RGB", (width, height), (128, 128, 128))
    frame.paste(portrait, ((width - portrait.width) // 2, 0))
    yuv = cv2.cvtColor(np.asarray(frame), cv2.COLOR_RGB2YUV_I420)
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            fh.write(b"FRAME\n")
            fh.write(yuv.tobytes())


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_officer_captures_face_and_sees_results(live_server, officer_a, booth_a, supervisor, tmp_path, chromium):
    from playwright import sync_api

    from accounts.tests.factories import PASSWORD
    from biometrics.models.face import FaceIdentification, FaceImage, FaceVerification
    from travelers.models import Inspection, Movement
    from travelers.services import stay_rule_set
    from travelers.tests.factories import passport

    stay_rule_set(actor=supervisor, nationality="JOR", regime="visa_exempt", max_stay_days=30, period_days=180)
    clip = tmp_path / "face.y4m"
    write_y4m(clip, read_fixture("img10.jpg"))
    page_file = tmp_path / "photo-page.jpg"
    page_file.write_bytes(photo_page(read_fixture("img5.jpg")))

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=[*FLAGS, f"--use-file-for-fake-video-capture={clip}"])
        try:
            context = browser.new_context()
            context.grant_permissions(["camera"], origin=live_server.url)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.goto(f"{live_server.url}/accounts/login/?next=/travelers/checkpoint/")
            page.fill("input[name=username]", officer_a.username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            # The second step lists the booths of the officer's own posts only.
            page.wait_for_url("**/accounts/login/booth/")
            page.check(f"input[name=booth][value='{booth_a.pk}']")
            page.click("button[type=submit]")
            page.wait_for_url("**/travelers/checkpoint/")
            # The document reader types the MRZ; the inspection screen opens with the face panel.
            line1, line2 = passport().split("\n")
            page.keyboard.type(line1, delay=2)
            page.keyboard.press("Enter")
            page.keyboard.type(line2, delay=2)
            page.keyboard.press("Enter")
            page.locator("#result article.inspection [data-face-capture]").wait_for()
            # Camera on (Alt+C), still capture (Alt+F).
            page.keyboard.press("Alt+C")
            wait_until(page, "document.querySelector('[data-face-video]').videoWidth > 0", timeout=30)
            # On a loaded machine the first frames of Chromium's fake camera can still be blank:
            # capture once the clip has been playing for a moment.
            wait_until(page, "document.querySelector('[data-face-video]').currentTime > 0.5", timeout=30)
            page.keyboard.press("Alt+F")
            notice = page.wait_for_selector("[data-face-notice]")
            assert notice.get_attribute("data-face-notice") == "ok", notice.inner_text()
            assert "Face accepted" in notice.inner_text()
            page.wait_for_selector("[data-face-identification=done]")
            assert "no match among" in page.inner_text("[data-face-identification]")
            assert "1:1 waits for the document portrait" in page.inner_text(".face-results")
            # The document: the photo page goes through the upload form; its portrait is cropped.
            page.select_option("select[name=kind]", "document-page")
            page.set_input_files("input[name=image]", str(page_file))
            page.click(".face-upload button[type=submit]")
            verdict = page.wait_for_selector("[data-face-verdict=match]")
            assert "Match" in verdict.inner_text()
            screenshot = tmp_path / "face-panel.png"
            page.screenshot(path=str(screenshot), full_page=True)
            assert screenshot.stat().st_size > 0
            # The officer decides on the same screen (F8: admit).
            page.keyboard.press("F8")
            page.locator("#result [data-decided=admit]").wait_for()
        finally:
            browser.close()

    inspection = Inspection.objects.get()
    live = FaceImage.objects.get(inspection_id=inspection.pk, purpose="live")
    assert live.source == "browser" and live.width == 640
    assert live.person_id == inspection.person_id and live.post_id == booth_a.post_id
    assert FaceIdentification.objects.get(inspection_id=inspection.pk).status == "done"
    assert FaceVerification.objects.get(inspection_id=inspection.pk).verdict == "match"
    assert Movement.objects.get(inspection_id=inspection.pk).decision == "admitted"
