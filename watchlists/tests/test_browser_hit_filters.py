"""In a real browser (1366x768): a hit queue filter that cannot be applied is named above the
filters, its field marked, in English and Arabic, with no hits shown as if it applied."""

import pytest

from watchlists.tests.factories import HitFactory, PersonEntryFactory, WatchlistFactory
from watchlists.tests.test_browser import _arabic, _shot, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_list_code_naming_no_visible_list_is_shown_by_its_field(browser, live_server, supervisor,
                                                                  border_agency):
    wl = WatchlistFactory(code="WANTED", action="arrest", owner_agency=border_agency)
    HitFactory(person_entry=PersonEntryFactory(watchlist=wl, names=["Mahmud Hasan", "محمود حسن"]), person_id=1)
    page = _sign_in(browser, live_server, supervisor, "/watchlists/hits/")
    assert page.locator(".hit-card").count() == 1
    page.fill("input[name=list]", "NOSUCH")
    page.click(".hit-filters button[type=submit]")
    page.wait_for_selector(".filter-errors")
    error = page.locator(".filter-errors")
    assert "List" in error.inner_text() and "No list you may see has this code." in error.inner_text()
    box = error.bounding_box()
    assert error.is_visible() and box["y"] + box["height"] <= 768
    assert page.locator("label.has-error input[name=list]").input_value() == "NOSUCH"
    assert page.locator(".hit-card").count() == 0
    _shot(page, "hit-filter-error-en")
    _arabic(page)
    assert "لا توجد قائمة" in page.locator(".filter-errors").inner_text()
    _shot(page, "hit-filter-error-ar")
