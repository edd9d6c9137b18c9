import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from watchlists.models import Availability, Hit, HitStatus
from watchlists.services import (
    document_entry_create,
    person_entry_create,
    person_entry_deactivate,
    person_entry_update,
    screen_document,
    screen_person,
    screen_vehicle,
    vehicle_entry_create,
)

pytestmark = pytest.mark.django_db


def test_person_found_across_scripts_with_explanation(wanted, post_a, supervisor):
    entry = person_entry_create(actor=supervisor, watchlist=wanted, names=["عبد العزيز فاضل الخفاجي", "Abdulaziz Fadhil Al-Khafaji"],
                                date_of_birth="1974-08-12", gender="M", nationalities=["IRQ"])
    out = screen_person(names=["ABD AL AZIZ FADEL"], date_of_birth="1974-12-08", nationality="IRQ", gender="M",
                        inspection_id=11, person_id=5, post=post_a)
    assert [h["entry_id"] for h in out.hits] == [entry.pk]
    hit = out.hits[0]
    assert hit["list"] == "WANTED" and hit["action"] == "arrest"
    assert hit["score"] >= wanted.default_threshold
    ex = hit["explanation"]
    assert ex["name_parts"] and any(ev["field"] == "date_of_birth" and "swapped" in ev["finding"] for ev in ex["evidence"])
    stored = Hit.objects.get(pk=hit["hit_id"])
    assert stored.status == HitStatus.PENDING and stored.inspection_id == 11 and stored.source == "name"
    assert AuditEvent.objects.filter(action="hit.raise").count() == 1
    assert out.screened_lists == ["WANTED"] and out.unavailable_lists == []


def test_icao_mrz_name_and_partial_name(wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Khalil Abbas Jasim Al-Tamimi"], date_of_birth="1980")
    assert screen_person(names=["XKHALYL EBAS"], date_of_birth="1980", store_hits=False).hits
    assert screen_person(names=["Khalil Al-Tamimi"], store_hits=False).hits


def test_contradicting_evidence_gives_no_hit(wanted):
    person_entry_create(actor=None, watchlist=wanted, names=["Huda Jamal"], date_of_birth="1980", gender="F")
    assert not screen_person(names=["Huda Jamal"], gender="M", store_hits=False).hits
    assert not screen_person(names=["Huda Jamal"], date_of_birth="1950", store_hits=False).hits
    assert screen_person(names=["Hoda Gamal"], date_of_birth="1980", gender="F", store_hits=False).hits


def test_new_entry_is_found_by_the_next_screening_and_deactivation_hides_it(wanted, supervisor):
    assert not screen_person(names=["Zubair Qahtan"], store_hits=False).hits
    entry = person_entry_create(actor=supervisor, watchlist=wanted, names=["Zubair Qahtan"])
    assert screen_person(names=["Zubayr Kahtan"], store_hits=False).hits
    person_entry_update(actor=supervisor, entry=entry, names=["Muhannad Qahtan"])
    assert not screen_person(names=["Zubair Qahtan"], store_hits=False).hits
    assert screen_person(names=["Mohanad Qahtan"], store_hits=False).hits
    person_entry_deactivate(actor=supervisor, entry=entry, reason="arrested")
    assert not screen_person(names=["Mohanad Qahtan"], store_hits=False).hits
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"person_entry.create", "person_entry.update", "person_entry.deactivate"} <= actions


def test_list_being_imported_is_skipped_and_named(wanted, un_list):
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    person_entry_create(actor=None, watchlist=un_list, names=["Laith Kareem"])
    un_list.availability = Availability.IMPORTING
    un_list.save()
    out = screen_person(names=["Layth Karim"], store_hits=False)
    assert [h["list"] for h in out.hits] == ["WANTED"]
    assert out.unavailable_lists == [{"list": "UNSC", "reason": "Being imported"}]


def test_broken_index_of_one_list_does_not_fail_screening(wanted, un_list, monkeypatch):
    from watchlists import search

    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    person_entry_create(actor=None, watchlist=un_list, names=["Laith Kareem"])
    real_build = search.IndexRegistry._build

    def build(self, watchlist_id):
        if watchlist_id == un_list.pk:
            raise RuntimeError("corrupt list")
        return real_build(self, watchlist_id)

    monkeypatch.setattr(search.IndexRegistry, "_build", build)
    out = screen_person(names=["Layth Karim"], store_hits=False)
    assert [h["list"] for h in out.hits] == ["WANTED"]
    assert out.unavailable_lists == [{"list": "UNSC", "reason": "RuntimeError"}]


def test_invisible_list_is_not_screened_for_a_partner(wanted, police_agency, make_partner):
    from watchlists.models import Visibility

    wanted.visibility = Visibility.AGENCIES
    wanted.save()
    person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"])
    client, _raw = make_partner(["screening:write"])
    out = screen_person(names=["Laith Kareem"], actor=client.user, store_hits=False)
    assert out.hits == [] and out.screened_lists == []


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"names": []}, "names"),
        ({"names": [""]}, "names"),
        ({"names": ["A" * 5000]}, "names"),
        ({"names": ["Ali\x00Hassan"]}, "names"),
        ({"names": ["Ali حسن"]}, "names"),
        ({"names": ["Ali Hassan"], "date_of_birth": "1974-13-45"}, "date_of_birth"),
        ({"names": ["Ali Hassan"], "nationality": "Iraq"}, "nationality"),
        ({"names": ["Ali Hassan"], "gender": "male"}, "gender"),
    ],
)
def test_bad_input_names_the_field(kwargs, field, wanted):
    with pytest.raises(ValidationError) as err:
        screen_person(**kwargs)
    assert field in err.value.message_dict


def test_document_exact_match_after_normalisation(stolen_docs, post_a):
    entry = document_entry_create(actor=None, watchlist=stolen_docs, number="A1234567O", issuing_state="IRQ",
                                  status="stolen", document_type="P")
    out = screen_document(number="a 123 4567 0", issuing_state="IRQ", document_type="P", inspection_id=3, post=post_a)
    assert [h["entry_id"] for h in out.hits] == [entry.pk]
    assert out.hits[0]["explanation"]["status"] == "stolen"
    assert not screen_document(number="A12345670", issuing_state="SYR").hits
    assert not screen_document(number="A12345679", issuing_state="IRQ").hits
    assert screen_document(number="AI234567O").hits  # I/1 and O/0 confusions
    with pytest.raises(ValidationError) as err:
        screen_document(number="")
    assert "number" in err.value.message_dict


def test_vehicle_plate_match(vehicles):
    entry = vehicle_entry_create(actor=None, watchlist=vehicles, plate="12345 BGD", country="IRQ", make="Toyota")
    out = screen_vehicle(plate="12345-bgd", country="IRQ", store_hits=False)
    assert [h["entry_id"] for h in out.hits] == [entry.pk]
    assert not screen_vehicle(plate="12346 BGD", store_hits=False).hits
    assert screen_vehicle(plate="١٢٣٤٥ BGD", store_hits=False).hits  # Arabic-Indic digits
