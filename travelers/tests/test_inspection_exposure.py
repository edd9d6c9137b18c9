"""What an inspection shows depends on who asks: person fields need persons:read, the screening
summary names only lists the caller may see, and partner clients open inspections only at the
posts their client is allowed at."""

import json

import pytest

from accounts.tests.factories import AgencyFactory, UserFactory
from travelers.services import inspection_start
from travelers.tests.factories import passport
from watchlists.models import Hit, Watchlist
from watchlists.services import person_entry_create

pytestmark = pytest.mark.django_db

SURNAME = "KHAFAJIHIDDEN"


@pytest.fixture
def hidden_list(db):
    intel = AgencyFactory(code="INTEL", name="Intelligence", kind="intelligence")
    analyst = UserFactory(role="supervisor", agency=intel, is_national=True)
    secret = Watchlist.objects.create(code="SECRET", name="Intelligence watch", owner_agency=intel,
                                      visibility="agencies", action="notify")
    person_entry_create(actor=analyst, watchlist=secret, names=[f"{SURNAME} AHMED"], rescreen=False)
    return secret


@pytest.fixture
def inspection(officer_a, booth_a, hidden_list):
    mrz = passport(document_number="P1234567", primary_identifier=SURNAME, secondary_identifier="AHMED")
    return inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry", mrz=mrz)


def _get(api, token, pk):
    return api.get(f"/api/v1/inspections/{pk}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_inspections_read_alone_shows_no_name_birth_date_or_passport_number(api, make_partner, inspection):
    _client, token = make_partner(["inspections:read"])
    r = _get(api, token, inspection.pk)
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["person"] is None and body["document"] is None and body["person_id"] == inspection.person_id
    text = json.dumps(body)
    assert SURNAME not in text and "P1234567" not in text
    assert inspection.person.birth.isoformat() not in text
    _client, token = make_partner(["inspections:read", "persons:read"])
    body = _get(api, token, inspection.pk).json()
    assert body["person"]["primary_identifier"] == SURNAME and body["document"]["number"] == "P1234567"


def test_the_screening_summary_names_only_lists_the_caller_may_see(api, make_partner, inspection, hidden_list):
    assert Hit.objects.filter(watchlist=hidden_list, inspection_id=inspection.pk).exists()  # it did hit
    _client, token = make_partner(["inspections:read", "persons:read"])  # the police
    body = _get(api, token, inspection.pk).json()
    assert "SECRET" not in json.dumps(body["screening"])
    assert body["screening"]["hits"] == 0 and body["screening"]["checks"]["name"]["hits"] == 0
    intel_token = make_partner(["inspections:read"], agency=hidden_list.owner_agency)[1]
    body = _get(api, intel_token, inspection.pk).json()
    assert "SECRET" in body["screening"]["checks"]["name"]["lists"] and body["screening"]["hits"] >= 1


def test_a_partner_opens_inspections_only_at_its_allowed_posts(api, make_partner, post_a, post_b, booth_a):
    _client, token = make_partner(["inspections:write", "inspections:read"], posts=[post_a])
    body = {"post": "PB", "direction": "entry", "mrz": passport(document_number="P7654321")}
    r = api.post("/api/v1/inspections", body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 400 and "post" in r.json()["error"]["fields"]
    body["post"] = "PA"
    r = api.post("/api/v1/inspections", body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 201, r.json()
    assert r.json()["person"] is None  # and shows it without persons:read
    _client, token = make_partner(["inspections:write"])  # allowed nowhere
    r = api.post("/api/v1/inspections", body, format="json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 400


def test_the_inspection_page_does_not_name_a_hidden_unavailable_list(login, officer_a, booth_a, hidden_list):
    hidden_list.availability = "broken"
    hidden_list.save(update_fields=["availability"])
    mrz = passport(document_number="P2345678", primary_identifier="OTHERNAME")
    inspection = inspection_start(actor=officer_a, post=booth_a.post, booth=booth_a, direction="entry", mrz=mrz)
    assert any(u["list"] == "SECRET" for u in inspection.screening["unavailable_lists"])  # screened all lists
    client = login(officer_a, booth_a)
    for path in (f"/travelers/inspections/{inspection.pk}/", f"/travelers/inspections/{inspection.pk}/screening"):
        page = client.get(path)
        assert page.status_code == 200 and "SECRET" not in page.content.decode(), path
