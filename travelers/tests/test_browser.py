"""End to end in a real browser (Debian's Chromium driven by Playwright) against a live server:
sign in at a booth, type an MRZ as a keyboard-wedge reader does, see the result, decide with the
keyboard, see the movement recorded."""

import os
from pathlib import Path

import pytest

from accounts.tests.factories import PASSWORD
from conftest import wait_until
from travelers.models import Inspection, Movement
from travelers.tests.factories import passport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def booth_page(browser, live_server, officer, booth):
    """A signed-in checkpoint screen at a booth terminal's size."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/accounts/login/?next=/travelers/checkpoint/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    # The second step lists the booths of the officer's own posts only.
    page.wait_for_url("**/accounts/login/booth/")
    page.check(f"input[name=booth][value='{booth.pk}']")
    page.click("button[type=submit]")
    page.wait_for_url("**/travelers/checkpoint/")
    page.evaluate("window.__settled = 0; document.body.addEventListener('htmx:afterSettle', () => window.__settled++)")
    return page


def type_mrz(page, mrz):
    before = page.evaluate("window.__settled")
    for line in mrz.split("\n"):
        page.keyboard.type(line, delay=2)
        page.keyboard.press("Enter")
    page.locator("#result article.inspection").wait_for()
    wait_until(page, f"window.__settled > {before}")


def in_view(page, selector) -> bool:
    """The element's box lies inside the 1366×768 window without scrolling."""
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768 and box["x"] >= 0 \
        and box["x"] + box["width"] <= 1366


def test_officer_reads_an_mrz_decides_and_the_movement_is_recorded(browser, live_server, officer_a, booth_a,
                                                                   rules):
    page = booth_page(browser, live_server, officer_a, booth_a)

    # The MRZ field has the focus; the reader types line, Enter, line, Enter.
    textarea = page.locator("textarea.mrz-input")
    assert textarea.evaluate("el => el === document.activeElement")
    line1, line2 = passport().split("\n")
    # htmx wires the swapped-in decision form when it settles (about 20 ms after the swap); an F8
    # pressed before that submits the plain form instead (the decision is recorded, the page
    # navigates). An officer never presses that fast; the test could, so it waits for the settle.
    page.keyboard.type(line1.lower(), delay=2)  # Caps Lock off: still read as capitals
    page.keyboard.press("Enter")
    page.keyboard.type(line2, delay=2)
    page.keyboard.press("Enter")

    inspection = page.locator("#result article.inspection")
    inspection.wait_for()
    text = inspection.inner_text()
    assert "HADDAD" in text and "N1234567" in text and "Allowed to enter" in text
    assert "No previous movements." in text
    wait_until(page, "window.__settled > 0")

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


@pytest.fixture
def wanted(border_agency):
    from watchlists.models import Watchlist
    from watchlists.services import person_entry_create

    wl = Watchlist.objects.create(code="WANTED", name="National wanted persons", owner_agency=border_agency,
                                  action="arrest")
    person_entry_create(actor=None, watchlist=wl, names=["Samir Haddad"], date_of_birth="1980-05-17",
                        gender="M", nationalities=["JOR"], rescreen=False)
    return wl


def test_an_arrest_hit_cannot_be_admitted_by_f8_or_a_plain_post_until_resolved(browser, live_server, officer_a,
                                                                                booth_a, rules, wanted):
    from watchlists.models import Hit

    page = booth_page(browser, live_server, officer_a, booth_a)
    type_mrz(page, passport())
    # At 1366×768 the document, the verdict, the hit and the decision buttons are all in view.
    for selector in (".document-panel", ".verdict-panel [data-verdict=blocked]", ".screening-panel .hit",
                     "form.decision .actions"):
        assert in_view(page, selector), selector
    verdict = page.locator(".verdict-panel").inner_text()
    assert "Do not admit" in verdict
    # The focus is on the hit, not on Admit; Admit is disabled.
    assert page.evaluate("document.activeElement.closest('.hit') !== null")
    assert page.locator("form.decision button.ok").is_disabled()

    page.keyboard.press("F8")
    page.wait_for_timeout(500)
    inspection = Inspection.objects.get()
    assert inspection.status == "open" and not Movement.objects.exists()

    # A plain form post (no htmx, no button) is refused by the service as well.
    status = page.evaluate("""async (url) => {
        const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
        const body = new URLSearchParams({csrfmiddlewaretoken: token, decision: 'admit'});
        const r = await fetch(url, {method: 'POST', body, credentials: 'same-origin'});
        return r.status;
    }""", f"/travelers/inspections/{inspection.pk}/decide")
    assert status == 400 and not Movement.objects.exists()

    # "Not this person" without a reason: the error is on the card; with a reason the hit is dismissed.
    hit = page.locator(".screening-panel .hit").first
    hit.locator("button[value=dismissed]").click()
    page.locator(".screening-panel .hit .error").wait_for()
    assert Hit.objects.get().status == "pending"
    page.locator(".screening-panel .hit select[name=reason]").select_option("different_dob")
    # The screening panel polls every 5 s for new hits, but not while the officer is in it.
    page.locator(".screening-panel .hit input[name=note]").fill("born 1981 per ID card")
    page.wait_for_timeout(5600)
    assert page.locator(".screening-panel .hit select[name=reason]").input_value() == "different_dob"
    settled = page.evaluate("window.__settled")
    page.locator(".screening-panel .hit button[value=dismissed]").click()
    page.locator("form.decision button.ok:not([disabled])").wait_for()
    # As after a read: F8 waits for htmx to wire the swapped-in decision form (see above).
    wait_until(page, f"window.__settled > {settled}")
    wait_until(page, "document.activeElement && document.activeElement.dataset.shortcut === 'F8'")
    hit = Hit.objects.get()
    assert hit.status == "dismissed" and hit.adjudication_note == "born 1981 per ID card"
    page.keyboard.press("F8")
    page.locator("#result [data-decided=admit]").wait_for()
    assert Movement.objects.get().decision == "admitted"
    page.close()


def test_esc_on_an_undecided_inspection_asks_why_and_records_it_abandoned(browser, live_server, officer_a,
                                                                          booth_a, rules):
    page = booth_page(browser, live_server, officer_a, booth_a)
    type_mrz(page, passport())
    page.keyboard.press("Escape")
    form = page.locator("form.abandon")
    form.wait_for(state="visible")
    assert page.evaluate("document.activeElement.name") == "reason"
    # Without a reason nothing is recorded.
    form.locator("button[type=submit]").click()
    page.locator("form.abandon .error").wait_for()
    assert Inspection.objects.get().status == "open"
    page.locator("form.abandon select[name=reason]").select_option("traveler_left")
    page.locator("form.abandon button[type=submit]").click()
    page.locator("#result [data-decided=abandoned]").wait_for()
    inspection = Inspection.objects.get()
    assert inspection.status == "abandoned" and inspection.abandon_reason == "traveler_left"
    # Ready for the next traveler.
    textarea = page.locator("textarea.mrz-input")
    assert textarea.input_value() == "" and textarea.evaluate("el => el === document.activeElement")
    page.close()
