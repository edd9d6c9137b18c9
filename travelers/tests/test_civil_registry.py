"""The unified national ID card at the checkpoint, and civil-registry lookups through the real
reference adapter against the reference registry running as its own process (conftest
`registry_server`): found, not found, differs, search, cache within its expiry, timeout ->
"registry not checked" -> retried, and the audit trail of every lookup."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from travelers.civil_registry import RegistryUnavailable
from travelers.civil_registry.http import HttpRegistry
from travelers.models import MatchRule, RegistryAnswer, RegistryCheck, RegistryStatus
from travelers.mrz import PartialDate, national_id_number, parse
from travelers.services import inspection_start, person_split
from travelers.services.civil_registry import (
    registry_answers_purge,
    registry_check,
    registry_check_retry,
    registry_search,
)
from travelers.tasks import civil_registry_retry_pending_task
from travelers.tests.factories import at, fields, generate

pytestmark = pytest.mark.django_db


def id_card(citizen=None, **changes) -> str:
    """The MRZ of an Iraqi unified national card (TD1): card number on line 1, the holder's
    12-digit national ID number at the start of the optional data."""
    data = {
        "document_code": "ID", "issuing_state": "IRQ", "nationality": "IRQ", "document_number": "AB1234567",
        "primary_identifier": "AL TAMIMI", "secondary_identifier": "ALI HASSAN", "optional_data": "199912345678",
        "date_of_birth": PartialDate(1985, 4, 2), "sex": "M", "date_of_expiry": date(2033, 1, 1),
    }
    if citizen is not None:
        born = date.fromisoformat(citizen["date_of_birth"])
        data.update(primary_identifier=citizen["surname_latin"], secondary_identifier=citizen["given_names_latin"],
                    optional_data=citizen["national_id"], sex=citizen["sex"],
                    date_of_birth=PartialDate(born.year, born.month, born.day))
    data.update(changes)
    return generate(fields(**data), "TD1")


def start(officer, booth, mrz, now=None):
    return inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=mrz,
                            now=now or at(2026, 3, 1))


def lookups():
    return list(AuditEvent.objects.filter(action__startswith="civil_registry.").order_by("seq"))


# The card ------------------------------------------------------------------------------------


def test_the_mrz_parser_reads_the_national_id_number_of_an_iraqi_card():
    result = parse(id_card(), today=date(2026, 3, 1))
    assert result.valid, result.errors
    assert (result.format, result.document_code, result.document_number) == ("TD1", "ID", "AB1234567")
    assert result.national_id_number == "199912345678"
    # Not a national card: a passport, another state's card, or no number where it belongs.
    assert national_id_number("P", "IRQ", "199912345678") == ""
    assert national_id_number("ID", "JOR", "199912345678") == ""
    assert national_id_number("ID", "IRQ", "12345<<<") == ""
    assert national_id_number("I", "IRQ", "199912345678<<<") == "199912345678"


def test_a_citizen_card_is_accepted_like_a_passport_and_links_by_national_id(officer_a, booth_a, rules):
    inspection = start(officer_a, booth_a, id_card())
    document, person = inspection.document, inspection.person
    assert document.kind == "identity_card" and document.is_national_id
    assert document.national_id_number == person.national_id_number == "199912345678"
    assert inspection.stay_verdict["allowed"] is True and inspection.stay_verdict["code"] == "national"
    # No registry configured: no lookup, nothing recorded.
    assert not RegistryCheck.objects.exists()

    # A renewed card (new card number, the name spelled differently) is the same person, by number.
    renewed = start(officer_a, booth_a, id_card(document_number="AC7654321", primary_identifier="ALTAMIMI"),
                    now=at(2026, 4, 1))
    assert renewed.person == person and renewed.document != document
    assert renewed.document.match_rule == MatchRule.NATIONAL_ID


def test_the_inspection_says_when_no_registry_is_configured(officer_a, booth_a, rules, client):
    inspection = start(officer_a, booth_a, id_card(), now=timezone.now())
    client.force_login(officer_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    assert 'data-registry="not_configured"' in page and "199912345678" in page


# Lookups through the reference registry -------------------------------------------------------


def test_lookup_found_matches_is_cached_and_audited(officer_a, booth_a, rules, civil_registry, client):
    citizen = civil_registry.citizen(face=True)
    inspection = start(officer_a, booth_a, id_card(citizen), now=timezone.now())
    check = RegistryCheck.objects.get(inspection=inspection)
    assert (check.status, check.differences, check.from_cache) == (RegistryStatus.MATCHES, [], False)
    assert check.face_shared and check.requested_by == officer_a and check.person == inspection.person
    answer = RegistryAnswer.objects.get(national_id_number=citizen["national_id"])
    assert answer.identity["name_ar"] == citizen["name_ar"] and bytes(answer.face_image).startswith(b"\x89PNG")
    assert answer.expires_at == answer.fetched_at + timedelta(hours=24)
    [event] = lookups()
    assert event.actor_user_id == officer_a.pk and event.metadata["national_id_number"] == citizen["national_id"]
    assert event.metadata["reason"] == "inspection" and event.metadata["outcome"] == "matches"

    client.force_login(officer_a)
    page = client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    assert 'data-registry="matches"' in page


def test_a_cached_answer_serves_within_its_expiry_and_not_after(officer_a, civil_registry):
    citizen = civil_registry.citizen()
    now = timezone.now()
    first = registry_check(actor=officer_a, national_id_number=citizen["national_id"], reason="registration", now=now)
    assert first.status == RegistryStatus.MATCHES and not first.from_cache
    civil_registry.set_delay(3)  # the registry is now too slow to answer within the 0.5 s timeout
    cached = registry_check(actor=officer_a, national_id_number=citizen["national_id"], reason="registration",
                            now=now + timedelta(hours=23))
    assert cached.status == RegistryStatus.MATCHES and cached.from_cache
    expired = registry_check(actor=officer_a, national_id_number=citizen["national_id"], reason="registration",
                             now=now + timedelta(hours=25))
    assert expired.status == RegistryStatus.NOT_CHECKED and expired.error == "timeout"
    assert [e.metadata["from_cache"] for e in lookups()] == [False, True, False]
    assert registry_answers_purge(now=now + timedelta(hours=25)) == 1
    assert not RegistryAnswer.objects.exists()


def test_not_found_and_differences(officer_a, booth_a, rules, civil_registry):
    unknown = start(officer_a, booth_a, id_card(optional_data="100000000001"), now=timezone.now())
    assert RegistryCheck.objects.get(inspection=unknown).status == RegistryStatus.NOT_FOUND

    citizen = civil_registry.citizen()
    other_sex = "F" if citizen["sex"] == "M" else "M"
    differs = start(officer_a, booth_a, id_card(citizen, document_number="AD1111111", date_of_birth=PartialDate(1950, 1, 1), sex=other_sex),
                    now=timezone.now())
    check = RegistryCheck.objects.get(inspection=differs)
    assert check.status == RegistryStatus.DIFFERS and check.differences == ["date_of_birth", "sex"]

    deceased = civil_registry.citizen(status="deceased")
    check = registry_check(actor=officer_a, national_id_number=deceased["national_id"], reason="inspection",
                           document=differs.document)
    assert "status" in check.differences


def test_a_registry_that_times_out_is_not_checked_then_retried(officer_a, booth_a, rules, civil_registry, client):
    citizen = civil_registry.citizen()
    civil_registry.set_delay(3)
    inspection = start(officer_a, booth_a, id_card(citizen), now=timezone.now() - timedelta(minutes=10))
    # The inspection opened all the same; the check says why not and when it is tried again.
    assert inspection.pk and inspection.status == "open"
    check = RegistryCheck.objects.get(inspection=inspection)
    assert (check.status, check.error, check.attempts) == (RegistryStatus.NOT_CHECKED, "timeout", 1)
    assert check.next_attempt_at is not None and check.checked_at is None
    client.force_login(officer_a)
    assert 'data-registry="not_checked"' in client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()

    civil_registry.set_delay(0)
    assert civil_registry_retry_pending_task.delay().get() == {"queued": 1}  # eager: the retry ran too
    check.refresh_from_db()
    assert (check.status, check.attempts, check.next_attempt_at) == (RegistryStatus.MATCHES, 2, None)
    assert [e.action for e in lookups()] == ["civil_registry.lookup", "civil_registry.retry"]
    assert lookups()[-1].metadata["outcome"] == "matches"
    assert 'data-registry="matches"' in client.get(f"/travelers/inspections/{inspection.pk}/").content.decode()
    # An answered check is not asked again.
    assert registry_check_retry(check_id=check.pk).attempts == 2


def test_retries_stop_after_the_last_attempt(officer_a, civil_registry, settings):
    settings.BMIS_CIVIL_REGISTRY_MAX_ATTEMPTS = 2
    civil_registry.set_delay(3)
    check = registry_check(actor=officer_a, national_id_number=civil_registry.citizen()["national_id"],
                           reason="registration")
    check = registry_check_retry(check_id=check.pk)
    assert (check.status, check.attempts, check.next_attempt_at) == (RegistryStatus.NOT_CHECKED, 2, None)


def test_search_by_biographic_data_latin_and_arabic(officer_a, civil_registry):
    citizen = civil_registry.citizen()
    born = date.fromisoformat(citizen["date_of_birth"])
    found = registry_search(actor=officer_a, reason="registration",
                            names=f"{citizen['given_names_latin']} {citizen['surname_latin']}", date_of_birth=born)
    assert citizen["national_id"] in [i.national_id for i in found]
    match = next(i for i in found if i.national_id == citizen["national_id"])
    assert (match.name_ar, match.place_of_birth_latin, match.date_of_birth) == (
        citizen["name_ar"], citizen["place_of_birth_latin"], born)
    arabic = registry_search(actor=officer_a, reason="registration", names=citizen["name_ar"], sex=citizen["sex"])
    assert citizen["national_id"] in [i.national_id for i in arabic]
    assert registry_search(actor=officer_a, reason="registration", names="NOBODY NOWHERE") == []
    events = lookups()
    assert [e.action for e in events] == ["civil_registry.search"] * 3
    assert events[0].actor_user_id == officer_a.pk and citizen["national_id"] in events[0].metadata["national_id_numbers"]

    civil_registry.set_delay(3)
    with pytest.raises(RegistryUnavailable) as raised:
        registry_search(actor=officer_a, reason="registration", names=citizen["surname_latin"])
    assert raised.value.kind == "timeout"
    assert lookups()[-1].metadata["outcome"] == "not_checked:timeout"


def test_the_adapter_refuses_a_wrong_token_and_reports_an_unreachable_registry(civil_registry):
    citizen = civil_registry.citizen(face=True)
    identity = HttpRegistry(civil_registry.url, civil_registry.token).lookup_by_national_id(citizen["national_id"])
    assert identity.face_image.startswith(b"\x89PNG") and identity.surname_ar == citizen["surname_ar"]
    assert HttpRegistry(civil_registry.url, civil_registry.token).lookup_by_national_id("100000000001") is None
    with pytest.raises(RegistryUnavailable) as wrong:
        HttpRegistry(civil_registry.url, "not-the-token").lookup_by_national_id(citizen["national_id"])
    assert wrong.value.kind == "unauthorised"
    with pytest.raises(RegistryUnavailable) as down:
        HttpRegistry("http://127.0.0.1:9", "x" * 20, timeout=0.5).lookup_by_national_id(citizen["national_id"])
    assert down.value.kind == "unreachable"


# The card through the API, and a split -------------------------------------------------------


def test_the_api_parse_gives_the_national_id_number(api, officer_a):
    api.force_authenticate(officer_a)
    response = api.post("/api/v1/documents/parse", {"mrz": id_card()}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["document"]["national_id_number"] == "199912345678"
    passport_mrz = generate(fields(), "TD3")
    assert api.post("/api/v1/documents/parse", {"mrz": passport_mrz}, format="json").json()[
        "document"]["national_id_number"] == ""


def test_a_split_takes_the_national_id_number_with_the_card(officer_a, booth_a, supervisor_a, rules):
    card = start(officer_a, booth_a, id_card(primary_identifier="HADDAD", secondary_identifier="SAMIR",
                                             date_of_birth=PartialDate(1980, 5, 17)))
    person = card.person
    # An Iraqi passport of the same name and birth joins the person by the biographic rule (here
    # wrongly: two people), and a supervisor splits the card off.
    other = start(officer_a, booth_a, generate(fields(issuing_state="IRQ", nationality="IRQ"), "TD3"),
                  now=at(2026, 3, 2))
    assert other.person == person and other.document.match_rule == MatchRule.BIOGRAPHIC
    new = person_split(actor=supervisor_a, person=person, document_ids=[card.document.pk], reason="two people")
    person.refresh_from_db()
    assert new.national_id_number == "199912345678" and person.national_id_number == ""
    # The next reading of a card with that number goes to the person now holding it.
    again = start(officer_a, booth_a, id_card(document_number="AE2222222", primary_identifier="HADDAD",
                                              secondary_identifier="SAMIR", date_of_birth=PartialDate(1980, 5, 17)),
                  now=at(2026, 3, 3))
    assert again.person == new and again.document.match_rule == MatchRule.NATIONAL_ID


def test_registry_settings_are_checked():
    """A URL without a token, or not HTTP(S), stops start-up naming the variable."""

    def start_up(**env):
        return subprocess.run(
            [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bmis.settings'; django.setup()"],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
        )

    result = start_up(BMIS_CIVIL_REGISTRY_URL="http://127.0.0.1:8010")
    assert result.returncode != 0 and "BMIS_CIVIL_REGISTRY_TOKEN" in result.stderr
    result = start_up(BMIS_CIVIL_REGISTRY_URL="ftp://registry", BMIS_CIVIL_REGISTRY_TOKEN="t" * 20)
    assert result.returncode != 0 and "must start with http" in result.stderr
