"""Creating a list with the code of a list the caller may not see tells nothing about that list."""

import pytest

from accounts.tests.factories import AgencyFactory
from watchlists.models import Watchlist

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(police_agency):
    intel = AgencyFactory(code="INTEL", name="Intelligence", kind="intelligence")
    Watchlist.objects.create(code="SECRET", name="Hidden", owner_agency=intel, visibility="agencies")
    Watchlist.objects.create(code="OPEN", name="Everyone sees it", owner_agency=intel)


def test_a_hidden_lists_code_answers_like_a_visible_lists_code(api, make_partner, lists):
    _client, token = make_partner(["watchlists:write", "watchlists:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    answers = {code: api.post("/api/v1/watchlists", {"code": code, "name": "Mine"}, format="json")
               for code in ("SECRET", "OPEN")}
    for r in answers.values():
        assert r.status_code == 400 and "code" in r.json()["error"]["fields"]
        assert "exist" not in r.json()["error"]["message"]
    assert answers["SECRET"].json() == answers["OPEN"].json()
    assert api.post("/api/v1/watchlists", {"code": "FRESH", "name": "Mine"}, format="json").status_code == 201


def test_the_page_answers_alike_too(client, lists, police_agency):
    from accounts.tests.factories import UserFactory

    supervisor = UserFactory(role="supervisor", agency=police_agency, is_national=True)
    client.force_login(supervisor)
    form = {"name": "Mine", "kind": "persons", "visibility": "all", "action": "refer", "default_threshold": 0.9}
    pages = [client.post("/watchlists/new/", {**form, "code": code}).content.decode() for code in ("SECRET", "OPEN")]
    for page in pages:
        assert "This code is not available" in page and "already exists" not in page
