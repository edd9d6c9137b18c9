"""The supervisor's border map in a real browser (Debian's Chromium through Playwright), with no
network beyond the test server: Leaflet and the border outlines come from this site, the map
draws Iraq's borders, the sectors, the camera, the incident and the dispatched patrol, in English
and in Arabic, at a desk (1366x768) and on a tablet (800x1280)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import PASSWORD
from conftest import persona_totp_device, totp_code, wait_until
from incidents.services import incident_attach_detection, incident_dispatch
from incidents.tests.factories import make_detection, make_position

SHOTS = os.environ.get("BMIS_SCREENSHOT_DIR")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

READY = "document.querySelector('#incident-map') && document.querySelector('#incident-map').dataset.ready === '1'"


def _sign_in(browser, live_server, user, next_path, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(15000)
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/code/")
    page.fill("input[name=token]", totp_code(persona_totp_device(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    return page, outside


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


@pytest.mark.parametrize(("size", "viewport"), [("desk", {"width": 1366, "height": 768}),
                                                ("tablet", {"width": 800, "height": 1280})])
def test_the_map_draws_borders_sectors_cameras_incidents_and_patrols(browser, live_server, supervisor_a, camera,
                                                                      handset, size, viewport):
    incident, _ = incident_attach_detection(detection=make_detection(
        camera, at=timezone.now() - timedelta(minutes=4), track_id="T1", count=3, latitude=33.52, longitude=45.99))
    incident_dispatch(actor=supervisor_a, incident=incident, patrol=handset)
    make_position(handset, latitude=33.47, longitude=46.05, status="en_route")

    page, outside = _sign_in(browser, live_server, supervisor_a, "/incidents/", viewport)
    wait_until(page, READY)
    map_ = page.locator("#incident-map")
    assert map_.get_attribute("data-borders") == "loaded"
    assert map_.get_attribute("data-incidents") == "1" and map_.get_attribute("data-patrols") == "1"
    # Iraq's outline and its borders are drawn as SVG paths; the country names as text.
    assert page.locator(".leaflet-pane.leaflet-borders-pane path").count() >= 8
    assert "IRAQ" in page.locator(".leaflet-names-pane").inner_text().upper()
    assert page.locator(".leaflet-sectors-pane path").count() == 1
    assert page.locator(".camera-icon").count() == 1 and page.locator(".patrol-icon.dispatched").count() == 1
    assert page.locator("path.incident-marker.status-dispatched").count() == 1
    box = map_.bounding_box()
    assert box["width"] > 400 and box["height"] > 300
    # The side panel lists the open incident (htmx).
    page.wait_for_selector(f"#map-panel [data-incident='{incident.pk}']")
    _shot(page, f"incident-map-{size}-en")

    # A click on the incident opens its popup, with the link to its page.
    page.locator("path.incident-marker").dispatch_event("click")
    page.wait_for_selector(".incident-popup")
    assert incident.reference in page.locator(".incident-popup").inner_text()

    page.select_option("#lang-select", "ar")
    page.wait_for_selector("html[dir=rtl]")
    wait_until(page, READY)
    assert "العراق" in page.locator(".leaflet-names-pane").inner_text()
    assert "خريطة الحدود" in page.locator(".map-side h1").inner_text()
    _shot(page, f"incident-map-{size}-ar")

    page.goto(f"{live_server.url}/incidents/{incident.pk}/")
    wait_until(page, READY)
    _shot(page, f"incident-detail-{size}-ar")
    page.select_option("#lang-select", "en")
    page.wait_for_selector("html[dir=ltr]")
    wait_until(page, READY)
    _shot(page, f"incident-detail-{size}-en")
    page.context.close()  # no more polling of the live server
    assert outside == [], f"requests left the site: {outside[:5]}"
