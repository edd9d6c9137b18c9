"""The traveler's side of the supervisors' hit cards (travelers.hit_context, registered with
watchlists at start-up): restricted reads, one audited read per page, no query per hit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from travelers.hit_context import hit_context_for
from travelers.mrz import PartialDate
from travelers.services import inspection_start
from travelers.tests.factories import at, passport
from watchlists.hooks import _hit_context_providers
from watchlists.models import Hit
from watchlists.services.entries import person_entry_create, watchlist_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def wanted(border_agency):
    return watchlist_create(actor=None, code="WANTED", name="Wanted persons", kind="persons",
                            owner_agency=border_agency, action="arrest")


def _inspect(officer, booth, n=0, **fields):
    mrz = passport(primary_identifier="XHSN", secondary_identifier="MXHMWD",
                   date_of_birth=PartialDate(1974, 8, 12), document_number=f"N12345{n:02d}", **fields)
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=mrz,
                            now=at(2026, 3, 1, 10, n))


def test_the_provider_is_registered_at_start_up():
    assert hit_context_for in _hit_context_providers


def test_hit_card_shows_the_traveler_and_the_inspection(login, supervisor, officer_a, booth_a, wanted, rules):
    person_entry_create(actor=None, watchlist=wanted, names=["محمود حسن", "Mahmoud Hassan"],
                        date_of_birth="1974-08-12", nationalities=["JOR"])
    inspection = _inspect(officer_a, booth_a)
    hit = Hit.objects.get(inspection_id=inspection.pk)
    page = login(supervisor).get("/watchlists/hits/").content.decode()
    card = page[page.index(f'id="hit-{hit.pk}"'):]
    card = card[:card.index("</article>")]
    assert "XHSN, MXHMWD" in card and "HASAN, MAHMUD" in card  # as read, and readable
    assert "1974-08-12" in card and "JOR N1234500" in card
    assert f'href="/travelers/inspections/{inspection.pk}/"' in card and "Open" in card and "no decision yet" in card
    assert "محمود حسن" in card and "Mahmoud Hassan" in card  # the entry in both scripts
    assert '<ul class="explanation">' in card
    read = AuditEvent.objects.filter(action="person.list", actor_user=supervisor).latest("seq")
    assert read.metadata == {"person_ids": [inspection.person_id], "purpose": "hit adjudication"}


def test_a_traveler_outside_the_users_posts_is_not_given(officer_a, officer_b, booth_a, wanted, rules):
    person_entry_create(actor=None, watchlist=wanted, names=["Mahmoud Hassan"], date_of_birth="1974-08-12")
    inspection = _inspect(officer_a, booth_a)
    hit = Hit.objects.get(inspection_id=inspection.pk)
    assert hit_context_for(user=officer_a, hits=[hit])[hit.pk]["person"]["id"] == inspection.person_id
    hidden = hit_context_for(user=officer_b, hits=[hit])[hit.pk]
    assert hidden["person"] is None and hidden["inspection"] is None
    assert not AuditEvent.objects.filter(action="person.list", actor_user=officer_b).exists()


def test_one_page_of_hits_is_read_in_a_fixed_number_of_queries(supervisor, officer_a, booth_a, wanted, rules):
    person_entry_create(actor=None, watchlist=wanted, names=["Mahmoud Hassan"], date_of_birth="1974-08-12")
    _inspect(officer_a, booth_a, 0)
    one = list(Hit.objects.all())
    with CaptureQueriesContext(connection) as first:
        hit_context_for(user=supervisor, hits=one)
    for n in range(1, 4):
        _inspect(officer_a, booth_a, n, optional_data=f"X{n}")
    many = list(Hit.objects.all())
    assert len(many) >= 4 and len({h.inspection_id for h in many}) >= 4
    with CaptureQueriesContext(connection) as second:
        context = hit_context_for(user=supervisor, hits=many)
    assert len(second) == len(first)
    assert all(context[h.pk]["inspection"]["id"] == h.inspection_id for h in many)


def test_hits_api_gives_both_sides(api, make_partner, officer_a, booth_a, wanted, rules):
    person_entry_create(actor=None, watchlist=wanted, names=["Mahmoud Hassan", "محمود حسن"], date_of_birth="1974-08-12")
    inspection = _inspect(officer_a, booth_a)
    _c, raw = make_partner(["hits:read"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    r = api.get("/api/v1/hits")
    assert r.status_code == 200, r.content
    hit = r.json()["results"][0]
    assert hit["traveler"]["names_as_read"] == "XHSN, MXHMWD" and hit["traveler"]["date_of_birth"] == "1974-08-12"
    assert hit["inspection"]["id"] == inspection.pk and hit["inspection"]["status"] == "open"
    assert {(n["name"], n["script"]) for n in hit["entry"]["names"]} == {
        ("Mahmoud Hassan", "latin"), ("محمود حسن", "arabic")}
    api.credentials()
    assert api.get("/api/v1/hits").status_code == 401
