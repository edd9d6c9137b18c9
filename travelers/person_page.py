"""What the person page and ``GET /api/v1/persons/{id}`` show of a person (issue 15): every
identity the person was known under, documents, biometrics with quality, movements, hits,
decisions, the panels other apps register (travelers.hooks), and the merge history. Every part is
restricted to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from biometrics.selectors.persons import person_biometric_records
from travelers.hooks import person_panels
from travelers.matching import name_key
from travelers.models import Inspection, Person, PersonIdentity, PersonMerge
from travelers.selectors import person_movements
from watchlists.models import Hit


def source_link(source_ref: str) -> str | None:
    """The page of an identity's source ("document:5": the document on this page,
    "registration:12": the registration's page, by URL: travelers never imports registrations)."""
    kind, _sep, key = (source_ref or "").partition(":")
    if not key.isdigit():
        return None
    if kind == "document":
        return f"#document-{key}"
    if kind == "registration":
        for name in ("registrations:registration-detail", "registrations:detail"):
            try:
                return reverse(name, args=[int(key)])
            except NoReverseMatch:
                continue
        return f"/registrations/{key}/"
    return None


def birth_text(identity) -> str:
    """A birth date as given with its precision: "1990-04-02", "1990-04", "1990", "about 30 years"."""
    if identity.birth_precision == "estimated" and identity.estimated_age is not None:
        return _("about %(age)d years old (born about %(year)s)") % {"age": identity.estimated_age,
                                                                    "year": identity.birth_year or "?"}
    return identity.birth.isoformat() or "—"


@dataclass
class PersonPage:
    person: Person
    identities: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    biometrics: list = field(default_factory=list)
    movements: list = field(default_factory=list)
    hits: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    panels: list = field(default_factory=list)
    merges: list = field(default_factory=list)
    merged_persons: list = field(default_factory=list)


def person_identities(*, person: Person) -> list[PersonIdentity]:
    identities = list(person.identities.select_related("post", "recorded_by").order_by("recorded_at", "pk"))
    for identity in identities:
        identity.link = source_link(identity.source_ref)
        identity.birth_as_given = birth_text(identity)
    return identities


def person_page(*, user, person: Person) -> PersonPage:
    page = PersonPage(person=person)
    page.identities = person_identities(person=person)
    page.documents = list(person.documents.order_by("-created_at"))
    page.biometrics = person_biometric_records(user=user, person_id=person.pk)
    page.movements = list(person_movements(user=user, person=person)[:100])
    page.hits = list(
        Hit.objects.restrict(user, "view").filter(Q(person_id=person.pk) | Q(matched_person_id=person.pk))
        .select_related("watchlist", "adjudicated_by").order_by("-created_at")[:50]
    )
    page.decisions = list(
        Inspection.objects.restrict(user, "view").filter(person=person).exclude(decision="")
        .select_related("post", "officer", "reason_code", "document").order_by("-decided_at", "-pk")[:50]
    )
    for name, provider in person_panels():
        panel = provider(user, person.pk)
        if panel:
            page.panels.append({"name": name, **panel})
    page.merges = list(
        PersonMerge.objects.filter(Q(source=person) | Q(target=person))
        .select_related("source", "target", "actor", "reverted_by").order_by("-merged_at", "-pk")
    )
    page.merged_persons = list(Person.objects.filter(merged_into=person).order_by("pk"))
    return page


def known_under(person: Person, *, name: tuple[str, str] | None = None) -> dict:
    """How many other names the person is known under (identities whose name differs from
    ``name``, by default the person's), and how many records were merged into it."""
    primary, secondary = name or (person.primary_identifier, person.secondary_identifier)
    own = name_key(primary, secondary)
    others = {name_key(p, s) for p, s in person.identities.values_list("primary_identifier", "secondary_identifier")}
    others.discard(own)
    merged = Person.objects.filter(merged_into=person).count()
    return {"other_names": len(others), "merged": merged, "any": bool(others or merged)}
