import pytest

from watchlists.models import Hit, HitStatus
from watchlists.services import document_entry_create, person_entry_create

pytestmark = pytest.mark.django_db


def auth(api, raw):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api


def conforms(body: dict) -> dict:
    """The screening answers are returned as the services build them (not serialized twice):
    they must be what ScreeningOutput, the schema's serializer, would have produced."""
    import json

    from watchlists.api.serializers import ScreeningOutput

    checked = ScreeningOutput(data=body)
    assert checked.is_valid(), checked.errors
    assert json.loads(json.dumps(ScreeningOutput(body).data)) == body
    return body


def test_screen_person_api(api, make_partner, wanted):
    entry = person_entry_create(actor=None, watchlist=wanted, names=["Hamid Shakir Mahmoud"], date_of_birth="1970-03-04",
                                gender="M", nationalities=["IRQ"])
    _client, raw = make_partner(["screening:write"])
    r = auth(api, raw).post("/api/v1/screening/persons", {"names": ["XHAMD XSAKR"], "date_of_birth": "1970",
                                                          "nationality": "IRQ", "gender": "M"}, format="json")
    assert r.status_code == 200, r.content
    body = conforms(r.json())
    assert [h["entry_id"] for h in body["hits"]] == [entry.pk]
    hit = body["hits"][0]
    assert set(hit) >= {"entry_id", "list", "score", "matched_name", "action", "explanation"}
    assert hit["list"] == "WANTED" and hit["action"] == "arrest"
    assert body["unavailable_lists"] == []
    assert Hit.objects.filter(pk=hit["hit_id"], status=HitStatus.PENDING).exists()


def test_hits_are_ordered_by_score(api, make_partner, wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem Hassan"])
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    _c, raw = make_partner(["screening:write"])
    body = auth(api, raw).post("/api/v1/screening/persons", {"names": ["Laith Kareem"]}, format="json").json()
    scores = [h["score"] for h in body["hits"]]
    assert len(scores) == 2 and scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"names": []}, "names"),
        ({"names": [""]}, "names"),
        ({"names": ["A" * 5000]}, "names"),
        ({"names": ["Ali\u0007Hassan"]}, "names"),
        ({"names": ["Ali حسن"]}, "names"),
        ({"names": ["Ali Hassan"], "date_of_birth": "1974-13-45"}, "date_of_birth"),
        ({"names": "Ali"}, "names"),
        ({}, "names"),
    ],
)
def test_screen_person_bad_input_is_400_naming_the_field(api, make_partner, wanted, payload, field):
    _c, raw = make_partner(["screening:write"])
    r = auth(api, raw).post("/api/v1/screening/persons", payload, format="json")
    assert r.status_code == 400, r.content
    fields = r.json()["error"]["fields"]
    assert any(k == field or k.startswith(field + ".") for k in fields), fields


def test_screen_document_api(api, make_partner, stolen_docs):
    document_entry_create(actor=None, watchlist=stolen_docs, number="N0123456", issuing_state="IRQ", status="stolen")
    _c, raw = make_partner(["screening:write"])
    r = auth(api, raw).post("/api/v1/screening/documents", {"number": "no123456", "issuing_state": "IRQ", "type": "P"},
                            format="json")
    assert r.status_code == 200 and len(conforms(r.json())["hits"]) == 1
    r = auth(api, raw).post("/api/v1/screening/documents", {"number": "", "issuing_state": "IRQ"}, format="json")
    assert r.status_code == 400 and "number" in r.json()["error"]["fields"]


def test_screen_vehicle_api(api, make_partner, vehicles):
    from watchlists.services import vehicle_entry_create

    entry = vehicle_entry_create(actor=None, watchlist=vehicles, plate="12345 BGD", country="IRQ", make="Toyota")
    _c, raw = make_partner(["screening:write"])
    r = auth(api, raw).post("/api/v1/screening/vehicles", {"plate": "12345-bgd", "country": "IRQ"}, format="json")
    assert r.status_code == 200, r.content
    assert [h["entry_id"] for h in conforms(r.json())["hits"]] == [entry.pk]
    r = auth(api, raw).post("/api/v1/screening/vehicles", {"country": "IRQ"}, format="json")
    assert r.status_code == 400 and "plate" in r.json()["error"]["fields"]


def test_screening_needs_token_and_scope(api, make_partner, wanted):
    r = api.post("/api/v1/screening/persons", {"names": ["Ali"]}, format="json")
    assert r.status_code == 401
    _c, raw = make_partner(["watchlists:read"])
    r = auth(api, raw).post("/api/v1/screening/persons", {"names": ["Ali"]}, format="json")
    assert r.status_code == 403


def test_entries_api_create_read_update_deactivate(api, make_partner, police_agency):
    _c, raw = make_partner(["watchlists:read", "watchlists:write", "screening:write"])
    api = auth(api, raw)
    r = api.post("/api/v1/watchlists", {"code": "POLWANT", "name": "Police wanted", "action": "arrest"}, format="json")
    assert r.status_code == 201, r.content
    r = api.post("/api/v1/watchlists/POLWANT/persons", {"names": ["Sinan Thamer"], "date_of_birth": "1981",
                                                        "nationalities": ["IRQ"]}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert api.get("/api/v1/watchlists/POLWANT/persons?q=sinan").json()["count"] == 1
    r = api.patch(f"/api/v1/watchlists/POLWANT/persons/{pk}", {"names": ["Sinan Thamir Al-Lami"]}, format="json")
    assert r.status_code == 200 and r.json()["names"] == ["Sinan Thamir Al-Lami"]
    assert api.post("/api/v1/screening/persons", {"names": ["Sinan Lami"]}, format="json").json()["hits"]
    assert api.delete(f"/api/v1/watchlists/POLWANT/persons/{pk}").status_code == 204
    assert api.get(f"/api/v1/watchlists/POLWANT/persons/{pk}").json()["is_active"] is False
    assert not api.post("/api/v1/screening/persons", {"names": ["Sinan Lami"]}, format="json").json()["hits"]
    r = api.post("/api/v1/watchlists/POLWANT/persons", {"names": ["x" * 400]}, format="json")
    assert r.status_code == 400 and "names" in r.json()["error"]["fields"]
    r = api.post("/api/v1/watchlists/POLWANT/persons", {"names": ["Ali"], "date_of_birth": "1990-02-31"}, format="json")
    assert r.status_code == 400 and "date_of_birth" in r.json()["error"]["fields"]


def test_partner_cannot_write_another_agencys_list(api, make_partner, wanted):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    r = auth(api, raw).post("/api/v1/watchlists/WANTED/persons", {"names": ["Ali Hassan"]}, format="json")
    assert r.status_code == 404


def test_hit_adjudication_api_and_false_positive_rate(api, make_partner, supervisor, wanted):
    from accounts.services import api_client_create, api_token_issue

    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    _c, raw = make_partner(["screening:write"])
    hit_id = auth(api, raw).post("/api/v1/screening/persons", {"names": ["Layth Karim"]}, format="json").json()["hits"][0]["hit_id"]
    client = api_client_create(actor=None, agency=supervisor.agency, name="sup-tool", scopes=["hits:read", "hits:write"])
    client.user.role = "supervisor"
    client.user.is_national = True
    client.user.save()
    _t, sup_raw = api_token_issue(actor=None, client=client, days=1)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {sup_raw}")
    r = api.post(f"/api/v1/hits/{hit_id}/adjudicate", {"decision": "dismissed"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()["error"]["fields"]
    r = api.post(f"/api/v1/hits/{hit_id}/adjudicate", {"decision": "dismissed", "reason": "different_person"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    rates = {row["list"]: row for row in api.get("/api/v1/hits/false-positive-rates").json()}
    assert rates["WANTED"]["false_positive_rate"] == 1.0


def test_schema_has_the_screening_operations(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/screening/persons", "/api/v1/screening/documents", "/api/v1/hits/{id}/adjudicate",
                 "/api/v1/watchlists/{code}/imports", "/api/v1/watchlists/{code}/persons"):
        assert path in schema["paths"], path


def test_a_refusal_list_carries_its_reason_code(api, make_partner, police_agency):
    _c, raw = make_partner(["watchlists:read", "watchlists:write"])
    api = auth(api, raw)
    r = api.post("/api/v1/watchlists", {"code": "BANS", "name": "Entry bans", "action": "refuse",
                                        "refusal_reason": "J"}, format="json")
    assert r.status_code == 201, r.content
    assert api.get("/api/v1/watchlists/BANS").json()["refusal_reason"] == "J"
    r = api.patch("/api/v1/watchlists/BANS", {"refusal_reason": "not a code"}, format="json")
    assert r.status_code == 400 and "refusal_reason" in r.json()["error"]["fields"]
    assert api.get("/api/v1/watchlists/BANS").json()["refusal_reason"] == "J"
