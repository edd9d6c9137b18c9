"""The pages' and the API's reads live in watchlists.selectors and load what they show up front:
a list of N items reads as many queries as a list of one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from watchlists.selectors import watchlist_rows
from watchlists.tests.factories import HitFactory, PersonEntryFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


def test_the_hit_list_api_reads_a_fixed_number_of_queries(api, supervisor, border_agency):
    wl = WatchlistFactory(code="WANTED", owner_agency=border_agency)
    api.force_authenticate(supervisor)

    def read():
        r = api.get("/api/v1/hits")
        assert r.status_code == 200
        return r.json()["results"]

    HitFactory(person_entry=PersonEntryFactory(watchlist=wl, names=["Mahmud Hasan", "محمود حسن"]))
    one = _queries(read)
    for name in ("Laith Kareem", "Sinan Thamer", "Harith Adel"):
        HitFactory(person_entry=PersonEntryFactory(watchlist=wl, names=[name]))
    assert _queries(read) == one
    assert {tuple(n["name"] for n in h["entry"]["names"]) for h in read()} >= {("Mahmud Hasan", "محمود حسن")}


def test_the_entries_api_reads_a_fixed_number_of_queries_and_filters_by_name(api, supervisor, border_agency):
    wl = WatchlistFactory(code="WANTED", owner_agency=border_agency)
    api.force_authenticate(supervisor)
    PersonEntryFactory(watchlist=wl, names=["Mahmud Hasan"])
    one = _queries(lambda: api.get("/api/v1/watchlists/WANTED/persons"))
    for name in ("Laith Kareem", "Sinan Thamer", "Harith Adel"):
        PersonEntryFactory(watchlist=wl, names=[name, f"{name} Alias"])
    assert _queries(lambda: api.get("/api/v1/watchlists/WANTED/persons")) == one
    found = api.get("/api/v1/watchlists/WANTED/persons", {"q": "  LAITH "}).json()["results"]
    assert [e["names"] for e in found] == [["Laith Kareem", "Laith Kareem Alias"]]


def test_watchlist_rows_count_active_persons_and_what_the_user_may_change(supervisor, border_agency):
    from accounts.tests.factories import AgencyFactory

    ours = WatchlistFactory(code="OURS", owner_agency=border_agency)
    WatchlistFactory(code="THEIRS", owner_agency=AgencyFactory(code="NIS"))
    PersonEntryFactory(watchlist=ours)
    PersonEntryFactory(watchlist=ours, is_active=False)
    rows = {r["wl"].code: r for r in watchlist_rows(user=supervisor)}
    assert rows["OURS"]["wl"].n_persons == 1 and rows["OURS"]["can_change"]
    assert rows["THEIRS"]["wl"].n_persons == 0 and not rows["THEIRS"]["can_change"]
