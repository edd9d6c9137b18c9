"""'Watchlists in force today' has one home (watchlists.selectors.lists_in_force): name screening
and the face 1:N both read it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from biometrics.services.face.identify import _watchlist_ids_in_force
from watchlists.models import ListKind, Visibility, Watchlist
from watchlists.selectors import lists_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def lists(border_agency):
    from accounts.models import Agency

    other = Agency.objects.create(code="OTHER", name="Other agency")
    today = timezone.localdate()
    make = Watchlist.objects.create
    return {
        "open": make(code="OPEN", name="Open", owner_agency=border_agency),
        "docs": make(code="DOCS", name="Documents", owner_agency=border_agency, kind=ListKind.DOCUMENTS),
        "ended": make(code="ENDED", name="Ended", owner_agency=border_agency, valid_until=today - timedelta(days=1)),
        "later": make(code="LATER", name="Later", owner_agency=border_agency, valid_from=today + timedelta(days=1)),
        "today": make(code="TODAY", name="Today", owner_agency=border_agency, valid_from=today, valid_until=today),
        "off": make(code="OFF", name="Off", owner_agency=border_agency, is_active=False),
        "secret": make(code="SECRET", name="Secret", owner_agency=other, visibility=Visibility.AGENCIES),
    }


def test_in_force_today_by_kind_and_user(lists, officer_a):
    assert [w.code for w in lists_in_force()] == ["DOCS", "OPEN", "SECRET", "TODAY"]
    assert [w.code for w in lists_in_force(kinds=[ListKind.DOCUMENTS])] == ["DOCS"]
    assert "SECRET" not in [w.code for w in lists_in_force(user=officer_a)]


def test_face_search_and_screening_read_the_same_lists(lists):
    from watchlists.services.screening import _lists

    in_force = set(lists_in_force().values_list("pk", flat=True))
    assert set(_watchlist_ids_in_force(None)) == in_force
    assert set(_watchlist_ids_in_force([lists["open"].pk, lists["ended"].pk])) == {lists["open"].pk}
    assert {w.pk for w in _lists(None, list(ListKind.values), all_lists=True)} == in_force
