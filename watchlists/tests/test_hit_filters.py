"""One filter class (watchlists.filters.HitFilter) for the hit queue page and GET /api/v1/hits:
the same filters, the same validation, a bad value named on its field in both."""

import pytest

from accounts.tests.factories import AgencyFactory
from watchlists.models import HitStatus, Visibility
from watchlists.tests.factories import HitFactory, PersonEntryFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(border_agency):
    wanted = WatchlistFactory(code="WANTED", action="arrest", owner_agency=border_agency)
    monitor = WatchlistFactory(code="MONITOR", action="notify", owner_agency=border_agency)
    secret = WatchlistFactory(code="SECRET", visibility=Visibility.AGENCIES, owner_agency=AgencyFactory(code="NIS"))
    return {
        "pending": HitFactory(person_entry=PersonEntryFactory(watchlist=wanted, names=["Mahmud Hasan"]), person_id=1),
        "confirmed": HitFactory(person_entry=PersonEntryFactory(watchlist=monitor, names=["Laith Kareem"]),
                                status=HitStatus.CONFIRMED, person_id=2),
        "secret": HitFactory(person_entry=PersonEntryFactory(watchlist=secret, names=["Hidden Person"]), person_id=3),
    }


def _api_ids(api, user, query=""):
    api.force_authenticate(user)
    r = api.get(f"/api/v1/hits{query}")
    return r, ({h["id"] for h in r.json()["results"]} if r.status_code == 200 else None)


def test_the_api_filters_by_status_and_list(api, supervisor, queue):
    _r, everything = _api_ids(api, supervisor)
    assert everything == {queue["pending"].pk, queue["confirmed"].pk}  # the secret list is not visible
    assert _api_ids(api, supervisor, "?status=confirmed")[1] == {queue["confirmed"].pk}
    assert _api_ids(api, supervisor, "?list=WANTED")[1] == {queue["pending"].pk}
    assert _api_ids(api, supervisor, "?list=WANTED&status=confirmed")[1] == set()


@pytest.mark.parametrize("query, field", [("?status=bogus", "status"), ("?list=NOSUCH", "list"),
                                          ("?list=SECRET", "list")])
def test_a_bad_filter_value_is_a_400_naming_the_field_in_the_api(api, supervisor, queue, query, field):
    r, _ids = _api_ids(api, supervisor, query)
    assert r.status_code == 400
    assert list(r.json()["error"]["fields"]) == [field]


def _cards(page: str) -> int:
    return page.count('class="hit-card"')


def test_the_page_opens_on_pending_hits_and_filters_as_the_api(login, supervisor, queue):
    c = login(supervisor)
    assert _cards(c.get("/watchlists/hits/").content.decode()) == 1  # pending by default
    assert _cards(c.get("/watchlists/hits/?status=").content.decode()) == 2  # any status
    assert _cards(c.get("/watchlists/hits/?status=confirmed&list=MONITOR").content.decode()) == 1
    assert _cards(c.get("/watchlists/hits/?status=confirmed&list=WANTED").content.decode()) == 0


@pytest.mark.parametrize("query, label", [("?status=bogus", "Status"), ("?list=NOSUCH", "List"),
                                          ("?list=SECRET", "List")])
def test_a_bad_filter_value_is_named_on_the_page_and_shows_no_hits(login, supervisor, queue, query, label):
    r = login(supervisor).get(f"/watchlists/hits/{query}")
    page = r.content.decode()
    assert r.status_code == 400
    assert 'class="filter-errors"' in page and f"<strong>{label}</strong>" in page
    assert _cards(page) == 0  # never the queue as if the filter had been applied
