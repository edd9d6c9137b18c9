"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server:
sign in at a booth, type an MRZ as a keyboard-wedge reader does, see the result, decide with the
keyboard, see the movement recorded."""

import os
from pathlib import Path

import pytest

from accounts.tests.factories import PASSWORD
from travelers.models import Movement
from travelers.tests.factories import passport

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # (fixtures, assertions) are ordinary synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            yield instance
            instance.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_officer_reads_an_mrz_decides_and_the_movement_is_recorded(browser, live_server, officer_a, booth_a,
                                                                   rules):
    page = browser.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/?next=/travelers/checkpoint/")
    page.fill("input[name=username]", officer_a.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # The second step lists the booths of the officer's own posts only.
    page.wait_for_url("**/accounts/login/booth/")
    page.check(f"input[name=booth][value='{booth_a.pk}']")
    page.click("button[type=submit]")
    page.wait_for_url("**/travelers/checkpoint/")

    # The MRZ field has the focus; the reader types line, Enter, line, Enter.
    textarea = page.locator("textarea.mrz-input")
    assert textarea.evaluate("el => el === document.activeElement")
    line1, line2 = passport().split("\n")
    # htmx wires the swapped-in decision form when it settles (about 20 ms after the swap); an F8
    # pressed before that submits the plain form instead (the decision is recorded, the page
    # navigates). An officer never presses that fast; the test could, so it waits for the settle.
    page.evaluate("window.__settled = 0; document.body.addEventListener('htmx:afterSettle', () => window.__settled++)")
    page.keyboard.type(line1.lower(), delay=2)  # Caps Lock off: still read as capitals
    page.keyboard.press("Enter")
    page.keyboard.type(line2, delay=2)
    page.keyboard.press("Enter")

    inspection = page.locator("#result article.inspection")
    inspection.wait_for()
    text = inspection.inner_text()
    assert "HADDAD" in text and "N1234567" in text and "Allowed to enter" in text
    assert "No previous movements." in text
    page.wait_for_function("window.__settled > 0")

    # Admit with the keyboard: F8.
    page.keyboard.press("F8")
    page.locator("#result [data-decided=admit]").wait_for()
    assert "Movement recorded" in page.locator("#result").inner_text()
    movement = Movement.objects.get()
    assert (movement.direction, movement.decision, movement.officer_id, movement.booth_id) == (
        "entry", "admitted", officer_a.pk, booth_a.pk)

    # Ready for the next traveler: the MRZ field is empty and focused again.
    assert textarea.input_value() == ""
    assert textarea.evaluate("el => el === document.activeElement")

    # The same traveler again: the previous movement is on screen.
    for line in passport(fmt="TD3").split("\n"):
        page.keyboard.type(line, delay=2)
        page.keyboard.press("Enter")
    page.locator("#result article.inspection").wait_for()
    assert "No previous movements." not in page.locator("#result").inner_text()
    page.screenshot(path=str(Path(os.environ.get("BMIS_VAR_DIR", "var")) / "checkpoint.png"), full_page=True)
    page.close()
