"""Demo data for `manage.py seed_demo`: stay rules and a few travelers with movements (one of
them an overstayer, one known under two identities), made through the real services with past
clocks. Idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from core.models import Booth
from travelers.models import IdentitySource, PersonIdentity, StayRule, TravelDocument
from travelers.mrz import DocumentFields, PartialDate, generate
from travelers.services import inspection_decide, inspection_start, overstay_scan, stay_rule_set
from travelers.services.identity import DeclaredIdentity, person_merge, person_register

RULES = [
    ("JOR", "visa_exempt", 30, 180, "demo rule"),
    ("TUR", "visa_on_arrival", 30, None, "demo rule"),
    ("IRN", "visa_on_arrival", 30, None, "demo rule"),
    ("SYR", "visa_required", None, None, "demo rule"),
]

TRAVELERS = [
    # fields, entry days ago, exit days ago (None: still in the country)
    (DocumentFields("P", "JOR", "HADDAD", "SAMIR", "N1234567", "JOR", PartialDate(1980, 5, 17), "M",
                    date(2031, 1, 1)), 60, 45),
    (DocumentFields("P", "TUR", "YILMAZ", "AYSE", "U12345678", "TUR", PartialDate(1990, 1, 9), "F",
                    date(2029, 12, 31)), 50, None),  # visa on arrival for 30 days: overstayer
    (DocumentFields("P", "IRQ", "MXHMWD", "EBD ALLXH", "A0123456", "IRQ", PartialDate(1985, 3, 14), "M",
                    date(2031, 6, 30)), 10, None),
]

# An Iraqi unified national card (TD1) of the first citizen in registry_service's synthetic data
# set: read at the checkpoint with `make run REGISTRY=1`, the civil registry confirms it.
NATIONAL_ID_CARD = DocumentFields("ID", "IRQ", "AL SAADI", "ISRAA JASSIM", "AB1234567", "IRQ",
                                  PartialDate(1977, 12, 12), "F", date(2034, 5, 31), "102444185218")


def _at(days_ago: int) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(9, 30)))


# The Iraqi traveler above was registered in the field a month before his passport was read, under
# another name given in Arabic script with an estimated age; a supervisor merged the two records.
FIELD_REGISTRATION = "demo:field-registration"


def _known_under_two_names(*, supervisor, officer, booth, stdout) -> None:
    if PersonIdentity.objects.filter(source_ref=FIELD_REGISTRATION).exists():
        return
    passport = TravelDocument.objects.filter(number="A0123456", issuing_state="IRQ").select_related("person").first()
    if passport is None:
        return
    registered = person_register(
        actor=officer, post=booth.post, place="green border, sector 2", source=IdentitySource.DECLARED,
        source_ref=FIELD_REGISTRATION, now=_at(40),
        identity=DeclaredIdentity(primary_identifier="MAHMOUD", secondary_identifier="ABDULLAH",
                                  name_original="عبد الله محمود", estimated_age=40, sex="M", nationality="IRQ",
                                  place_of_origin="Mosul", languages=("ar",)),
    )
    person_merge(actor=supervisor, source=registered, target=passport.person,
                 reason="same face at the field registration and at the checkpoint (demo)")
    stdout.write(f"travelers: person {passport.person_id} is known under two identities (merged from "
                 f"{registered.pk})")


def seed(stdout) -> None:
    supervisor = User.objects.filter(username="supervisor").first()
    officer = User.objects.filter(username="officer1").first()
    booth = Booth.objects.filter(post__code="BGW", code="A1").select_related("post").first()
    exit_booth = Booth.objects.filter(post__code="BGW", code="D1").select_related("post").first()
    if supervisor is None or officer is None or booth is None or exit_booth is None:
        stdout.write("travelers: core demo data missing, skipped")
        return
    for nationality, regime, max_days, period, note in RULES:
        if not StayRule.objects.filter(nationality=nationality).exists():
            stay_rule_set(actor=supervisor, nationality=nationality, regime=regime, max_stay_days=max_days,
                          period_days=period, note=note)
    created = 0
    for fields, entry_ago, exit_ago in TRAVELERS:
        if TravelDocument.objects.filter(number=fields.document_number, issuing_state=fields.issuing_state).exists():
            continue
        mrz = generate(fields, "TD3")
        entry = inspection_start(actor=officer, post=booth.post, booth=booth, direction="entry", mrz=mrz,
                                 transport_mode="air", carrier="IA102", now=_at(entry_ago))
        inspection_decide(actor=officer, inspection=entry, decision="admit",
                          now=_at(entry_ago) + timedelta(seconds=9))
        if exit_ago is not None:
            leaving = inspection_start(actor=officer, post=exit_booth.post, booth=exit_booth, direction="exit",
                                       mrz=mrz, transport_mode="air", carrier="RJ404", now=_at(exit_ago))
            inspection_decide(actor=officer, inspection=leaving, decision="admit",
                              now=_at(exit_ago) + timedelta(seconds=7))
        created += 1
    _known_under_two_names(supervisor=supervisor, officer=officer, booth=booth, stdout=stdout)
    found = overstay_scan()
    stdout.write(f"travelers: {created} demo travelers, {len(found)} new overstays "
                 f"(home nationality {settings.TRAVELERS_HOME_NATIONALITY})")
    stdout.write("travelers: MRZs to type at the checkpoint (officer1, booth BGW/A1):")
    for fields, _entry, _exit in TRAVELERS:
        stdout.write(generate(fields, "TD3"))
    stdout.write("travelers: an Iraqi national ID card (TD1), checked against the civil registry when one is "
                 "configured (make run REGISTRY=1):")
    stdout.write(generate(NATIONAL_ID_CARD, "TD1"))
