"""The supervisors' hit cards: the traveler (from the provider travelers registers) and the list
entry side by side, grouped per traveler, most serious first, with no preselected decision and
the errors of a decision shown on its card."""

import io
import re

import pytest
from PIL import Image

from watchlists import hooks
from watchlists.models import HitStatus, Watchlist
from watchlists.services import hit_raise, person_entry_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def monitor_list(border_agency):
    return Watchlist.objects.create(code="MON", name="Monitor", owner_agency=border_agency, action="monitor")


@pytest.fixture
def calls():
    return []


@pytest.fixture
def provider(monkeypatch, calls):
    """A stand-in for the travelers provider: persons 1 and 2 with an inspection each."""

    def fake(*, user, hits):
        calls.append([h.pk for h in hits])
        out = {}
        for h in hits:
            out[h.pk] = {
                "person": {"id": h.person_id, "url": f"/travelers/persons/{h.person_id}/",
                           "names_as_read": f"XHSN, MXHMWD{h.person_id}", "name_readable": f"HASAN, MAHMUD{h.person_id}",
                           "needs_reading": True, "date_of_birth": "1974-08-12", "nationality": "JOR", "sex": "M",
                           "documents": [{"kind": "Passport", "number": f"N00{h.person_id}", "issuing_state": "JOR",
                                          "date_of_expiry": "2031-01-01", "name_as_read": ""}]},
                "matched_person": None,
                "inspection": {"id": 70 + h.person_id, "url": f"/travelers/inspections/{70 + h.person_id}/",
                               "status": "referred", "status_label": "In secondary inspection", "decision": "refer",
                               "decision_label": "Refer to secondary inspection", "post": "A", "read_at": None},
                "face_url": None,
            }
        return out

    monkeypatch.setattr(hooks, "_hit_context_providers", [fake])
    return fake


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (200, 240), (120, 90, 60)).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def hits(wanted, monitor_list):
    """Traveler 1: a monitor hit and an arrest hit; traveler 2: one monitor hit (newest)."""
    mahmud = person_entry_create(actor=None, watchlist=wanted, names=["Mahmud Hasan", "محمود حسن"],
                                 date_of_birth="1974-08-12", nationalities=["JOR"], document_numbers=["N001"],
                                 photo=_png(), rescreen=False)
    watched = person_entry_create(actor=None, watchlist=monitor_list, names=["Mahmoud Hassan"], rescreen=False)
    common = {"actor": None, "source": "name", "score": 0.9, "threshold": 0.8}
    h1, _ = hit_raise(entry=watched, person_id=1, inspection_id=71, query={"names": ["MXHMWD XHSN"]}, **common)
    h2, _ = hit_raise(entry=mahmud, person_id=1, inspection_id=71, **common)
    h3, _ = hit_raise(entry=watched, person_id=2, inspection_id=72, **common)
    return h1, h2, h3


def card(page: str, hit_id: int) -> str:
    m = re.search(rf'<article class="hit-card" id="hit-{hit_id}">(.*?)</article>', page, re.S)
    assert m, f"no card for hit {hit_id}"
    return m.group(1)


def test_cards_show_both_sides_grouped_per_traveler_most_serious_first(login, supervisor, hits, provider, calls):
    h1, h2, h3 = hits
    page = login(supervisor).get("/watchlists/hits/").content.decode()
    assert len(calls) == 1 and sorted(calls[0]) == sorted(h.pk for h in hits)  # one call per page
    # Traveler 1's group (an arrest) comes before traveler 2's (monitor only), though older;
    # inside the group the arrest hit comes first.
    assert page.index("MAHMUD1") < page.index("MAHMUD2")
    assert page.index(f'id="hit-{h2.pk}"') < page.index(f'id="hit-{h1.pk}"') < page.index(f'id="hit-{h3.pk}"')
    assert page.count('class="hit-group') == 2
    c = card(page, h2.pk)
    # The traveler: names as read and readable, birth, nationality, documents, inspection and its outcome.
    assert "XHSN, MXHMWD1" in c and "HASAN, MAHMUD1" in c and "1974-08-12" in c and "JOR N001" in c
    assert 'href="/travelers/inspections/71/"' in c and "Refer to secondary inspection" in c
    # The entry: names in Latin and Arabic script, birth, nationality, documents, the photo.
    assert "Mahmud Hasan" in c and "محمود حسن" in c and "N001" in c
    assert re.search(r'<img class="face" src="/watchlists/entries/\d+/photo/"', c)


def test_no_decision_is_preselected(login, supervisor, hits, provider):
    page = login(supervisor).get("/watchlists/hits/").content.decode()
    c = card(page, hits[0].pk)
    radios = re.findall(r'<input type="radio"[^>]*>', c)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    assert '<option value="" selected>' in c


def test_a_decision_without_a_choice_is_an_error_on_the_card(login, supervisor, hits, provider):
    h1 = hits[0]
    c = login(supervisor)
    r = c.post(f"/watchlists/hits/{h1.pk}/adjudicate/", {"decision": "", "note": "looked at it",
                                                          "next": "/watchlists/hits/?status=pending"})
    assert r.status_code == 400
    page = r.content.decode()
    on_card = card(page, h1.pk)
    assert "Choose: confirm or dismiss." in on_card and "looked at it" in on_card
    assert "Choose: confirm or dismiss." not in card(page, hits[1].pk)
    assert 'class="messages"' not in page
    h1.refresh_from_db()
    assert h1.status == HitStatus.PENDING


def test_dismissing_without_a_reason_shows_the_error_on_the_card_keeping_the_inputs(login, supervisor, hits, provider):
    h1 = hits[0]
    c = login(supervisor)
    r = c.post(f"/watchlists/hits/{h1.pk}/adjudicate/", {"decision": "dismissed", "reason": "", "note": "other man",
                                                          "next": "/watchlists/hits/"})
    assert r.status_code == 400
    on_card = card(r.content.decode(), h1.pk)
    assert "Choose the reason for dismissing this hit." in on_card
    assert re.search(r'<input type="radio" name="decision" value="dismissed"[^>]*checked', on_card)
    assert "other man</textarea>" in on_card and "autofocus" in on_card
    h1.refresh_from_db()
    assert h1.status == HitStatus.PENDING
    r = c.post(f"/watchlists/hits/{h1.pk}/adjudicate/", {"decision": "dismissed", "reason": "other", "note": ""})
    assert r.status_code == 400 and "Explain the dismissal" in card(r.content.decode(), h1.pk)
    r = c.post(f"/watchlists/hits/{h1.pk}/adjudicate/", {"decision": "dismissed", "reason": "different_person",
                                                          "next": "/watchlists/hits/"})
    assert r.status_code == 302
    h1.refresh_from_db()
    assert h1.status == HitStatus.DISMISSED and h1.dismiss_reason == "different_person"


def test_without_a_provider_the_card_shows_what_was_screened(login, supervisor, hits, monkeypatch):
    monkeypatch.setattr(hooks, "_hit_context_providers", [])
    page = login(supervisor).get("/watchlists/hits/").content.decode()
    assert "MXHMWD XHSN" in card(page, hits[0].pk)


def test_entry_photo_is_for_supervisors_who_see_the_list(client, login, supervisor, officer_a, booth_a, hits,
                                                         police_agency):
    entry = hits[1].person_entry
    url = f"/watchlists/entries/{entry.pk}/photo/"
    assert client.get(url).status_code == 302  # signed out: to the login page
    r = login(supervisor).get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and r["Cache-Control"] == "private, no-store"
    from audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="personentry.view", object_id=str(entry.pk), actor_user=supervisor).exists()
    assert login(officer_a, booth_a).get(url).status_code == 403


def test_hit_queue_is_for_supervisors(client, login, officer_a, booth_a, hits):
    r = client.get("/watchlists/hits/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    c = login(officer_a, booth_a)
    assert c.get("/watchlists/hits/").status_code == 403
    assert c.post(f"/watchlists/hits/{hits[0].pk}/adjudicate/", {"decision": "confirmed"}).status_code == 403


def test_the_queue_page_reads_a_fixed_number_of_queries(login, supervisor, wanted, monitor_list, provider):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def raise_for(person_id):
        entry = person_entry_create(actor=None, watchlist=wanted, names=[f"Traveler {person_id} Hasan", "محمود حسن"],
                                    date_of_birth="1974", photo=_png(), rescreen=False)
        for target in (entry, person_entry_create(actor=None, watchlist=monitor_list, names=["Mahmoud Hassan"],
                                                  rescreen=False)):
            hit_raise(actor=None, entry=target, source="name", score=0.9, threshold=0.8, person_id=person_id,
                      inspection_id=70 + person_id)

    c = login(supervisor)
    raise_for(1)
    with CaptureQueriesContext(connection) as one:
        assert c.get("/watchlists/hits/").status_code == 200
    for person_id in (2, 3, 4):
        raise_for(person_id)
    with CaptureQueriesContext(connection) as four:
        page = c.get("/watchlists/hits/").content.decode()
    assert page.count('class="hit-group') == 4 and page.count('class="hit-card"') == 8
    assert len(four) == len(one)
