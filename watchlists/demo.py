"""Demo watchlists for `manage.py seed_demo` (invented people, idempotent)."""

from __future__ import annotations

from accounts.models import Agency
from watchlists.models import Watchlist
from watchlists.services import document_entry_create, person_entry_create, vehicle_entry_create

PERSONS = [
    ("WANTED", "DEMO-P1", ["Ahmed Jaber Kadhim Al-Khafaji", "أحمد جابر كاظم الخفاجي"], "1974-08-12", "M", ["IRQ"]),
    ("WANTED", "DEMO-P2", ["Rezan Khalil Hama", "ڕێزان خەلیل حەمە"], "1988", "M", ["IRQ"]),
    ("WANTED", "DEMO-P3", ["Huda Jamal Hassan"], "1990-03-04", "F", ["IRQ", "SYR"]),
    ("UNSC", "DEMO-P4", ["Qutaiba Sarmad Hamoudi", "Abu Sarmad al-Iraqi"], "1979-06-15", "M", ["IRQ"]),
]


def seed(stdout) -> None:
    agency = Agency.objects.filter(code="BPD").first() or Agency.objects.order_by("pk").first()
    if agency is None:
        return
    lists = {
        "WANTED": dict(name="National wanted persons", action="arrest"),
        "UNSC": dict(name="UN Security Council sanctions", action="refer"),
        "SLTD": dict(name="Stolen and lost travel documents", action="refer", kind="documents"),
        "VEH": dict(name="Vehicle alerts", action="notify", kind="vehicles"),
    }
    made = {}
    for code, fields in lists.items():
        made[code], _ = Watchlist.objects.get_or_create(code=code, defaults={"owner_agency": agency, **fields})
    for code, ext, names, dob, gender, nats in PERSONS:
        if not made[code].personentrys.filter(external_id=ext).exists():
            person_entry_create(actor=None, watchlist=made[code], names=names, date_of_birth=dob, gender=gender,
                                nationalities=nats, external_id=ext, rescreen=False)
    if not made["SLTD"].documententrys.filter(external_id="DEMO-D1").exists():
        document_entry_create(actor=None, watchlist=made["SLTD"], number="A1234567", issuing_state="IRQ",
                              status="stolen", document_type="P", external_id="DEMO-D1")
    if not made["VEH"].vehicleentrys.filter(external_id="DEMO-V1").exists():
        vehicle_entry_create(actor=None, watchlist=made["VEH"], plate="12345 BGD", country="IRQ", make="Toyota",
                             external_id="DEMO-V1")
    stdout.write("watchlists: WANTED, UNSC, SLTD and VEH demo lists\n")
