from io import StringIO

import pytest
from django.core.management import call_command

from travelers.models import Movement, Overstay, Person, StayRule


@pytest.mark.django_db
def test_seed_demo_adds_travelers_rules_and_an_overstayer_idempotently():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert Person.objects.filter(merged_into__isnull=True).count() == 3
    known = Person.objects.get(primary_identifier="MXHMWD")
    assert sorted(known.identities.values_list("primary_identifier", flat=True)) == ["MAHMOUD", "MXHMWD"]
    assert Person.objects.filter(merged_into=known).count() == 1
    assert StayRule.objects.filter(nationality__in=["JOR", "TUR", "IRN", "SYR"]).count() == 4
    assert Movement.objects.count() == 4  # three entries, one exit
    overstay = Overstay.objects.get()
    assert overstay.person.primary_identifier == "YILMAZ"
    assert "P<JORHADDAD<<SAMIR" in out.getvalue()
    call_command("seed_demo", stdout=StringIO())
    assert Person.objects.count() == 4 and Movement.objects.count() == 4 and Overstay.objects.count() == 1
