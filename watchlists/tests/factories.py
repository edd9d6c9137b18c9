"""Test data of the watchlists app (factory_boy). Rows are written directly, without the
services (no audit events, no re-screening): use the services where a test is about them."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from accounts.tests.factories import AgencyFactory
from watchlists.models import (
    DocumentEntry,
    DocumentStatus,
    Hit,
    HitSource,
    HitStatus,
    ImportFormat,
    ImportJob,
    ListKind,
    NameScript,
    PersonEntry,
    PersonEntryName,
    VehicleEntry,
    Watchlist,
)
from watchlists.names.normalize import has_arabic, normalize_text
from watchlists.names.score import normalize_document_number
from watchlists.services.screening import normalize_plate


class WatchlistFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Watchlist
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WL{n}")
    name = factory.LazyAttribute(lambda o: f"List {o.code}")
    kind = ListKind.PERSONS
    owner_agency = factory.SubFactory(AgencyFactory, code="BPD", kind="border")
    action = "refer"


class PersonEntryNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonEntryName

    entry = factory.SubFactory("watchlists.tests.factories.PersonEntryFactory", names=[])
    full_name = factory.Sequence(lambda n: f"Traveler {n} Hasan")
    normalized = factory.LazyAttribute(lambda o: normalize_text(o.full_name)[:300])
    script = factory.LazyAttribute(lambda o: NameScript.ARABIC if has_arabic(o.full_name) else NameScript.LATIN)


class PersonEntryFactory(factory.django.DjangoModelFactory):
    """``names=["Mahmud Hasan", "محمود حسن"]``: the first is the primary name (as the services
    write them); one generated name when not given."""

    class Meta:
        model = PersonEntry
        skip_postgeneration_save = True

    watchlist = factory.SubFactory(WatchlistFactory)
    gender = "M"
    birth_year = 1974

    @factory.post_generation
    def names(self, create, extracted, **kwargs):
        if not create:
            return
        names = [f"Person {self.pk} Hasan"] if extracted is None else list(extracted)
        for i, name in enumerate(names):
            PersonEntryNameFactory(entry=self, full_name=name, is_primary=(i == 0))


class DocumentEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentEntry

    watchlist = factory.SubFactory(WatchlistFactory, kind=ListKind.DOCUMENTS)
    number = factory.Sequence(lambda n: f"N{n:07d}")
    number_normalized = factory.LazyAttribute(lambda o: normalize_document_number(o.number))
    issuing_state = "IRQ"
    status = DocumentStatus.STOLEN


class VehicleEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VehicleEntry

    watchlist = factory.SubFactory(WatchlistFactory, kind=ListKind.VEHICLES)
    plate = factory.Sequence(lambda n: f"{10000 + n} BGD")
    plate_normalized = factory.LazyAttribute(lambda o: normalize_plate(o.plate))
    country = "IRQ"


class HitFactory(factory.django.DjangoModelFactory):
    """A pending name hit on a person entry, taking the list's action (as hit_raise does)."""

    class Meta:
        model = Hit

    person_entry = factory.SubFactory(PersonEntryFactory)
    watchlist = factory.LazyAttribute(lambda o: o.person_entry.watchlist if o.person_entry else None)
    source = HitSource.NAME
    status = HitStatus.PENDING
    score = 0.9
    threshold = 0.8
    action = factory.LazyAttribute(lambda o: o.watchlist.action if o.watchlist else "refer")
    matched_name = factory.LazyAttribute(
        lambda o: o.person_entry.names.order_by("-is_primary", "pk").first().full_name if o.person_entry else "")


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    watchlist = factory.SubFactory(WatchlistFactory)
    format = ImportFormat.CSV
    filename = "list.csv"
    file = factory.LazyAttribute(lambda o: ContentFile(b"external_id,kind,names\n1,person,Mahmud Hasan\n",
                                                       name=f"{o.watchlist.code}.csv"))
