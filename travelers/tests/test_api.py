"""The travelers API through the test client: scopes, the common error body, the workflow."""

from datetime import date

import pytest

from audit.models import AuditEvent
from travelers.models import Inspection, Movement, Person
from travelers.tests.factories import passport

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


# POST /api/v1/documents/parse ----------------------------------------------------------------


def test_parse_returns_the_typed_fields(api, officer_a):
    api.force_authenticate(officer_a)
    response = api.post("/api/v1/documents/parse", {"mrz": passport().lower()}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["format"] == "TD3" and data["valid"] is True
    assert data["document"]["primary_identifier"] == "HADDAD"
    assert data["document"]["date_of_birth"] == "1980-05-17"
    assert data["document"]["date_of_expiry"] == "2031-01-01"
    assert [c["field"] for c in data["checks"]] == [
        "document_number", "date_of_birth", "date_of_expiry", "optional_data", "composite"]
    assert data["warnings"][0]["kind"] == "lowercase"


@pytest.mark.parametrize(
    "mrz,field,fragment",
    [
        ("P<JORHADDAD", "mrz", "expected 3 lines of 30"),
        (passport(date_of_expiry=date(2020, 1, 1)), "date_of_expiry", "the document expired on 2020-01-01"),
        (passport(issuing_state="UTO"), "issuing_state", "line 1, positions 3-5: issuing state UTO is not"),
    ],
)
def test_parse_errors_name_the_field(api, officer_a, mrz, field, fragment):
    api.force_authenticate(officer_a)
    err = error(api.post("/api/v1/documents/parse", {"mrz": mrz}, format="json"), 400)
    assert err["code"] == "invalid"
    assert any(fragment in message for message in err["fields"][field])


def test_parse_error_for_a_wrong_check_digit_and_a_bad_date(api, officer_a):
    api.force_authenticate(officer_a)
    line1, line2 = passport().split("\n")
    line2 = line2[:13] + "801317" + line2[19:]
    err = error(api.post("/api/v1/documents/parse", {"mrz": f"{line1}\n{line2}"}, format="json"), 400)
    assert err["fields"]["date_of_birth"][0] == (
        "line 2, positions 14-19: date of birth 801317 is not a valid date: month 13 does not exist")
    assert "composite" in err["fields"]


def test_parse_needs_the_scope(api, make_partner):
    _client, raw = make_partner(["movements:read"])
    err = error(api.post("/api/v1/documents/parse", {"mrz": passport()}, format="json", **bearer(raw)), 403)
    assert "documents:parse" in err["message"]
    _client, raw = make_partner(["documents:parse"])
    assert api.post("/api/v1/documents/parse", {"mrz": passport()}, format="json",
                    **bearer(raw)).status_code == 200


def test_anonymous_gets_401(api):
    assert error(api.post("/api/v1/documents/parse", {"mrz": passport()}, format="json"), 401)


# POST /api/v1/inspections and /decision ------------------------------------------------------


def start_body(booth, **extra):
    return {"post": booth.post.code, "booth": booth.code, "direction": "entry", "mrz": passport(), **extra}


def test_start_and_decide_through_the_api(api, officer_a, booth_a, rules):
    api.force_authenticate(officer_a)
    response = api.post("/api/v1/inspections", start_body(booth_a, transport_mode="air", carrier="IA123"),
                        format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "open" and data["person"]["primary_identifier"] == "HADDAD"
    assert data["stay_verdict"]["allowed"] is True and data["movement"] is None
    inspection_id = data["id"]

    err = error(api.post(f"/api/v1/inspections/{inspection_id}/decision", {"decision": "refuse"},
                         format="json"), 400)
    assert "reason_code" in err["fields"]
    response = api.post(f"/api/v1/inspections/{inspection_id}/decision", {"decision": "admit"}, format="json")
    assert response.status_code == 200, response.content
    decided = response.json()
    assert decided["status"] == "closed" and decided["decision"] == "admit"
    assert decided["movement"]["direction"] == "entry" and decided["movement"]["carrier"] == "IA123"
    assert decided["seconds_to_decision"] >= 0
    assert api.get(f"/api/v1/inspections/{inspection_id}").json()["movement"]["id"] == decided["movement"]["id"]
    read = AuditEvent.objects.filter(action="person.view").last()
    assert read.metadata == {"purpose": "api: inspection"} and read.actor_user == officer_a


def test_start_with_a_bad_document_is_400_and_saves_nothing(api, officer_a, booth_a, rules):
    api.force_authenticate(officer_a)
    err = error(api.post("/api/v1/inspections", start_body(booth_a, mrz=passport(date_of_expiry=date(2020, 1, 1))),
                         format="json"), 400)
    assert "date_of_expiry" in err["fields"]
    assert not Inspection.objects.exists() and not Person.objects.exists()
    # The same with an override reason proceeds, audited.
    response = api.post("/api/v1/inspections", start_body(
        booth_a, mrz=passport(date_of_expiry=date(2020, 1, 1)), override_reason="supervisor approved"),
        format="json")
    assert response.status_code == 201, response.content
    assert AuditEvent.objects.filter(action="inspection.override").count() == 1


def test_start_from_typed_document_data(api, officer_a, booth_a, rules):
    api.force_authenticate(officer_a)
    document = {"document_code": "I", "issuing_state": "JOR", "primary_identifier": "Haddad",
                "secondary_identifier": "Samir", "document_number": "j998877", "nationality": "JOR",
                "date_of_birth": "1980-05", "sex": "M", "date_of_expiry": "2030-01-01"}
    response = api.post("/api/v1/inspections", {"post": booth_a.post.code, "direction": "entry",
                                                "document": document}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["source"] == "manual" and data["document"]["number"] == "J998877"
    assert data["person"]["date_of_birth"] == "1980-05"
    bad = dict(document, date_of_birth="1980-02-30", sex="Q")
    err = error(api.post("/api/v1/inspections", {"post": booth_a.post.code, "direction": "entry",
                                                 "document": bad}, format="json"), 400)
    assert set(err["fields"]) == {"document.date_of_birth", "document.sex"}


def test_start_validates_post_booth_and_input(api, officer_a, booth_a, booth_b, rules):
    api.force_authenticate(officer_a)
    err = error(api.post("/api/v1/inspections", start_body(booth_b), format="json"), 400)
    assert "post" in err["fields"]  # post B is not officer A's
    err = error(api.post("/api/v1/inspections", dict(start_body(booth_a), booth="ZZ"), format="json"), 400)
    assert "booth" in err["fields"]
    err = error(api.post("/api/v1/inspections", {"post": booth_a.post.code, "direction": "entry"},
                         format="json"), 400)
    assert "mrz" in err["fields"]
    err = error(api.post("/api/v1/inspections", dict(start_body(booth_a), direction="sideways"),
                         format="json"), 400)
    assert "direction" in err["fields"]


def test_partner_with_write_scope_starts_inspections_but_not_without(api, make_partner, booth_a, rules):
    _client, raw = make_partner(["inspections:read"])
    err = error(api.post("/api/v1/inspections", start_body(booth_a), format="json", **bearer(raw)), 403)
    assert "inspections:write" in err["message"]


def test_decision_on_an_inspection_out_of_scope_is_404(api, officer_a, officer_b, booth_a, rules):
    api.force_authenticate(officer_a)
    inspection_id = api.post("/api/v1/inspections", start_body(booth_a), format="json").json()["id"]
    api.force_authenticate(officer_b)
    error(api.post(f"/api/v1/inspections/{inspection_id}/decision", {"decision": "admit"}, format="json"), 404)
    error(api.get(f"/api/v1/inspections/{inspection_id}"), 404)


# GET /api/v1/persons/{id}/movements -----------------------------------------------------------


def test_person_movements_are_scoped_and_audited(api, officer_a, booth_a, make_partner, rules):
    api.force_authenticate(officer_a)
    inspection_id = api.post("/api/v1/inspections", start_body(booth_a), format="json").json()["id"]
    api.post(f"/api/v1/inspections/{inspection_id}/decision", {"decision": "admit"}, format="json")
    person_id = Inspection.objects.get(pk=inspection_id).person_id

    _client, raw = make_partner(["persons:read", "movements:read"])
    api.force_authenticate(None)
    response = api.get(f"/api/v1/persons/{person_id}/movements", **bearer(raw))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 1 and data["results"][0]["direction"] == "entry"
    assert data["results"][0]["id"] == Movement.objects.get().pk
    event = AuditEvent.objects.filter(action="person.view").last()
    assert event.object_id == str(person_id) and event.actor_agency_id is not None

    _client, raw = make_partner(["persons:read"])
    err = error(api.get(f"/api/v1/persons/{person_id}/movements", **bearer(raw)), 403)
    assert "movements:read" in err["message"]
    _client, raw = make_partner(["persons:read", "movements:read"])
    error(api.get("/api/v1/persons/999999/movements", **bearer(raw)), 404)


def test_endpoints_are_in_the_openapi_schema_with_their_scopes(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    expected = {
        ("/api/v1/documents/parse", "post"): ["documents:parse"],
        ("/api/v1/inspections", "post"): ["inspections:write"],
        ("/api/v1/inspections/{id}", "get"): ["inspections:read"],
        ("/api/v1/inspections/{id}/decision", "post"): ["inspections:write"],
        ("/api/v1/persons/{id}/movements", "get"): ["movements:read", "persons:read"],
    }
    for (path, method), scopes in expected.items():
        operation = paths[path][method]
        assert operation["x-required-scopes"] == scopes
        assert "400" in operation["responses"] and "403" in operation["responses"]
