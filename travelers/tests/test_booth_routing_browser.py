"""In a real browser (Debian's Chromium through Playwright) against a live server: an officer
signed in at a booth sees the inspection of a document read on the booth's reader (a POST to the
device API with the reader's credential), with no typing; then types the next one as before."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from conftest import wait_until
from devices.tests.factories import event, make_device
from travelers.models import Inspection
from travelers.tests.factories import passport
from travelers.tests.test_browser import booth_page, in_view

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_read_on_the_booths_reader_opens_on_the_officers_screen(browser, live_server, api, officer_a, booth_a,
                                                                    rules):
    cache.clear()
    reader, raw = make_device("document_reader", post=booth_a.post, booth=booth_a, code="READER-A1")
    page = booth_page(browser, live_server, officer_a, booth_a)
    # The booth's devices under the title: the reader, never heard from yet.
    assert page.locator('#booth-poll [data-device="READER-A1"]').get_attribute("data-state") == "unseen"

    # The booth serves both ways: the officer's choice on the screen goes with the poll.
    page.check("input[name=direction][value=exit]")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post("/api/v1/devices/documents", event(mrz=passport()), format="json")
    assert response.status_code == 201, response.content

    # No key pressed: the booth's poll claims the read and the inspection appears.
    page.locator("#result article.inspection").wait_for(timeout=5000)
    text = page.locator("#result article.inspection").inner_text()
    assert "HADDAD" in text and "N1234567" in text and "No recorded entry for this traveler." in text
    assert in_view(page, "#result .decision")
    inspection = Inspection.objects.get()
    assert (inspection.booth, inspection.officer, inspection.direction) == (booth_a, officer_a, "exit")
    # The reader has been heard from: shown ready once its status is read again.
    cache.clear()
    wait_until(page, "document.querySelector('#booth-poll [data-device=\"READER-A1\"]').dataset.state === 'ready'")

    # Decide with the keyboard as after a typed read (F8 admits), then the next traveler is typed.
    wait_until(page, "window.__settled > 0")
    page.check("input[name=direction][value=entry]")
    page.locator("#result [data-autofocus]").first.focus()
    page.keyboard.press("F8")
    page.locator("#result [data-decided=admit]").wait_for()
    line1, line2 = passport(document_number="L8888888", primary_identifier="KARIM").split("\n")
    page.locator("textarea.mrz-input").focus()
    page.keyboard.type(line1, delay=2)
    page.keyboard.press("Enter")
    page.keyboard.type(line2, delay=2)
    page.keyboard.press("Enter")
    wait_until(page, "(document.querySelector('#result article.inspection') || {innerText: ''}).innerText.includes('L8888888')")
    assert Inspection.objects.count() == 2


def test_a_read_through_the_booth_agent_opens_on_the_officers_screen(browser, live_server, officer_a, booth_a, rules,
                                                                     tmp_path):
    """The whole path of a booth: the reader's keystrokes (a keyboard-wedge reader types the zone
    line by line) assembled by the booth agent, queued on its disk, sent with the reader's
    credential, held for the booth and opened by the officer's screen."""
    from booth_agent.mrz import MRZAssembler
    from booth_agent.queue import Queue
    from booth_agent.sender import Backoff, Sender

    cache.clear()
    _reader, raw = make_device("document_reader", post=booth_a.post, booth=booth_a, code="WEDGE-A1")
    page = booth_page(browser, live_server, officer_a, booth_a)
    assembler = MRZAssembler()
    zones = [zone for line in passport(document_number="W7777777").split("\n") if (zone := assembler.feed(line))]
    assert len(zones) == 1
    queue = Queue(tmp_path / "agent.sqlite3")
    queue.put("WEDGE-A1", "document", {"mrz": zones[0]})
    sender = Sender(queue, live_server.url, {"WEDGE-A1": raw}, backoff=Backoff(initial=0.05, maximum=0.2))
    assert sender.drain(timeout=30) and len(queue) == 0 and queue.dead_letters() == []
    wait_until(page, "(document.querySelector('#result article.inspection') || {innerText: ''}).innerText.includes('W7777777')")
    inspection = Inspection.objects.get()
    assert (inspection.booth, inspection.officer) == (booth_a, officer_a)
    queue.close()
