"""The trend chart in a real browser (Debian's Chromium through Playwright): the SVG is in the
page, its labels are <text> elements with the translated words, in English and in Arabic (where
time runs from right to left), at a desk (1366x768); no request leaves the site and the page's
Content-Security-Policy lets the chart be drawn (no inline style refused)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

import pytest

from accounts.tests.factories import PASSWORD
from conftest import persona_totp_device, totp_code

SHOTS = os.environ.get("BMIS_SCREENSHOT_DIR")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TREND = "/analytics/trends/?since=2026-11-01&until=2026-11-30&group=week"


def _sign_in(browser, live_server, user, next_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15000)
    outside, refused = [], []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:", "blob:")) else None)
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server.url}/accounts/login/?next={quote(next_path)}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/login/code/")
    page.fill("input[name=token]", totp_code(persona_totp_device(user)))
    page.click("button[type=submit]")
    page.wait_for_url(f"**{next_path.split('?')[0]}*")
    return page, outside, refused


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _texts(page, selector="#trend-chart svg text") -> list[str]:
    return [t.strip() for t in page.locator(selector).all_text_contents()]


def _x_of(page, label: str) -> float:
    return page.evaluate(
        "(label) => [...document.querySelectorAll('#trend-chart svg text')]"
        ".find(t => t.textContent.trim() === label).getBoundingClientRect().x", label)


def test_the_trend_chart_is_svg_with_text_in_english_and_arabic(browser, live_server, supervisor, rollups):
    page, outside, refused = _sign_in(browser, live_server, supervisor, TREND)
    svg = page.locator("#trend-chart svg.chart")
    assert svg.count() == 1 and svg.get_attribute("role") == "img"
    assert page.locator("#trend-chart svg title").text_content() == "Travelers processed by week"
    texts = _texts(page)
    assert {"Travelers processed by week", "This period", "Same period last year", "Movements"} <= set(texts)
    assert "11-01" in texts and "11-30" in texts  # the weeks' labels (from the first day of the period)
    box = svg.bounding_box()
    assert box["width"] > 600 and box["height"] > 150
    assert _x_of(page, "11-01") < _x_of(page, "11-30")  # time runs left to right
    # The bars are drawn with the project's colours (presentation attributes survive the CSP).
    assert page.locator('#trend-chart svg [fill="#0b5394"]').count() >= 5
    _shot(page, "analytics-trends-en")

    page.select_option("#lang-select", "ar")
    page.wait_for_selector("html[dir=rtl]")
    texts = _texts(page)
    assert {"المسافرون المعالَجون حسب الأسبوع", "هذه الفترة", "الفترة نفسها من العام الماضي", "الحركات"} <= set(texts)
    assert _x_of(page, "11-01") > _x_of(page, "11-30")  # right to left
    # The Arabic title is laid out inside the chart (not pushed out by the page's direction).
    title = page.evaluate("[...document.querySelectorAll('#trend-chart svg text')]"
                          ".find(t => t.textContent.includes('المسافرون')).getBoundingClientRect().toJSON()")
    chart = page.locator("#trend-chart svg").bounding_box()
    assert chart["x"] <= title["x"] and title["x"] + title["width"] <= chart["x"] + chart["width"] + 1
    _shot(page, "analytics-trends-ar")
    page.select_option("#lang-select", "en")
    assert outside == [] and refused == []


def test_the_live_page_chart_is_svg_with_text_in_english_and_arabic(browser, live_server, supervisor, post_a):
    from django.utils import timezone

    from analytics.models import MovementRollup
    from analytics.rollups import hour_of

    now = timezone.now()
    for back in range(1, 6):
        MovementRollup.objects.create(hour=hour_of(now) - timezone.timedelta(hours=back), post_id=post_a.pk,
                                      direction="entry", transport_mode="vehicle", nationality="IRN",
                                      decision="admitted", reason_code="", count=10 * back)
    page, outside, refused = _sign_in(browser, live_server, supervisor, "/analytics/live/")
    chart = ".live-chart svg"
    page.wait_for_selector(chart)
    texts = _texts(page, f"{chart} text")
    assert "Last 24 hours" in texts and "Travelers per hour" in texts
    assert page.locator(f"{chart}").get_attribute("role") == "img"
    _shot(page, "analytics-live-en")
    page.select_option("#lang-select", "ar")
    page.wait_for_selector("html[dir=rtl]")
    page.wait_for_selector(chart)
    texts = _texts(page, f"{chart} text")
    assert "آخر 24 ساعة" in texts and "المسافرون في الساعة" in texts
    assert page.locator(f"{chart}").get_attribute("data-rtl") == "1"
    _shot(page, "analytics-live-ar")
    page.select_option("#lang-select", "en")
    assert outside == [] and refused == []
