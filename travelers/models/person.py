from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet
from travelers.mrz import PartialDate
from travelers.validators import icao_code_validator
from watchlists.names.icao import icao_readable


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNSPECIFIED = "X", _("Unspecified")


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    IDENTITY_CARD = "identity_card", _("Identity card")
    VISA = "visa", _("Visa")
    TRAVEL_DOCUMENT = "travel_document", _("Other travel document")


class MatchRule(models.TextChoices):
    """How a document came to belong to its person (travelers.matching)."""

    NEW = "new", _("New person")
    DOCUMENT = "document", _("Same document seen before")
    BIOGRAPHIC = "biographic", _("Same name, date of birth and nationality")
    NATIONAL_ID = "national_id", _("Same national ID number")
    SPLIT = "split", _("Split off by a supervisor")


class BirthDateMixin(models.Model):
    """A date of birth that may be known only to the month or the year."""

    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField(_("day of birth"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def birth(self) -> PartialDate:
        return PartialDate(self.birth_year, self.birth_month, self.birth_day)

    @property
    def date_of_birth(self):
        return self.birth.date

    def set_birth(self, birth: PartialDate) -> None:
        self.birth_year, self.birth_month, self.birth_day = birth.year, birth.month, birth.day


class ReadableNameMixin:
    """Names kept as read, and their readable form for people and screening (ICAO's
    transliteration of Arabic, `MXHMWD` -> `MAHMUD`, made readable by watchlists.names)."""

    @property
    def name_readable(self) -> str:
        return f"{icao_readable(self.primary_identifier)}, {icao_readable(self.secondary_identifier)}".strip(", ")

    @property
    def name_needs_reading(self) -> bool:
        return self.name_readable != f"{self.primary_identifier}, {self.secondary_identifier}".strip(", ")


class PersonQuerySet(RestrictedQuerySet):
    pass


def visible_persons_q(user, prefix: str = "") -> Q | None:
    """None: every person. Otherwise the persons inspected at one of the user's posts, or with an
    identity recorded at one of them (a migrant registered in the field has no inspection); a
    merged-away record (its rows moved to the survivor) is visible where its survivor is."""
    allowed = post_ids(user)
    if allowed is None:
        return None
    inspected = apps.get_model("travelers", "Inspection").objects.filter(post_id__in=allowed).values("person_id")
    recorded = apps.get_model("travelers", "PersonIdentity").objects.filter(post_id__in=allowed).values("person_id")
    return (Q(**{f"{prefix}pk__in": inspected}) | Q(**{f"{prefix}pk__in": recorded})
            | Q(**{f"{prefix}merged_into__in": inspected}) | Q(**{f"{prefix}merged_into__in": recorded}))


def restrict_to_visible_persons(qs, user, prefix: str = "person__"):
    """The rows of `qs` about persons `user` may see: the one rule for persons and for what hangs
    off a person (documents, visas, movements, overstays), reached through `prefix`."""
    q = visible_persons_q(user, prefix=prefix)
    return qs if q is None else qs.filter(q).distinct()


class Person(ReadableNameMixin, BirthDateMixin):
    """One identity, which can hold several documents over the years."""

    primary_identifier = models.CharField(_("surname"), max_length=100)
    secondary_identifier = models.CharField(_("given names"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    nationality = models.CharField(_("nationality"), max_length=3, validators=[icao_code_validator])
    match_key = models.CharField(max_length=250, blank=True, db_index=True, editable=False)
    # The national ID number of the home state's unified card, once such a card was read.
    national_id_number = models.CharField(_("national ID number"), max_length=20, blank=True, db_index=True)
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="split_persons",
        verbose_name=_("split from"),
    )
    # Set when this record was merged into another (travelers.services.identity.person_merge): it
    # stays as a tombstone pointing at the survivor; reading it shows the survivor.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_persons",
        verbose_name=_("merged into"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["primary_identifier", "secondary_identifier", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.primary_identifier}, {self.secondary_identifier} ({self.nationality})"

    @property
    def full_name(self) -> str:
        return f"{self.primary_identifier} {self.secondary_identifier}".strip()

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Officers see the persons inspected at their posts (which includes the one they are
        inspecting now); national supervisors, administrators and scoped partner agencies see
        all. Only supervisors and administrators split and merge."""
        if action in ("split", "merge") and user.role in (Role.SUPERVISOR, Role.ADMIN):
            action = "view"
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user, prefix="")


class TravelDocument(ReadableNameMixin, BirthDateMixin):
    """A travel document as read at the border; the data as printed on it, which may differ
    from the person's (a new passport after a name change)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    document_code = models.CharField(_("document code"), max_length=2)
    number = models.CharField(_("document number"), max_length=35)
    issuing_state = models.CharField(_("issuing state"), max_length=3)
    nationality = models.CharField(_("nationality"), max_length=3)
    primary_identifier = models.CharField(_("surname"), max_length=100)
    secondary_identifier = models.CharField(_("given names"), max_length=100, blank=True)
    name_as_read = models.CharField(_("name as read"), max_length=100, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    date_of_expiry = models.DateField(_("date of expiry"))
    optional_data = models.CharField(_("optional data"), max_length=30, blank=True)
    # Set on a national identity card (travelers.mrz.national_id): the holder's national ID
    # number, which links the card to its person and is the key of civil-registry lookups.
    national_id_number = models.CharField(_("national ID number"), max_length=20, blank=True, db_index=True)
    mrz = models.TextField(_("MRZ as read"), blank=True)
    mrz_format = models.CharField(_("MRZ format"), max_length=8, blank=True)
    portrait = models.ImageField(_("portrait"), upload_to="travelers/portraits/%Y/%m/", null=True, blank=True)
    match_rule = models.CharField(_("linked by"), max_length=20, choices=MatchRule.choices)
    match_detail = models.JSONField(_("link evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("travel document")
        verbose_name_plural = _("travel documents")
        constraints = [
            models.UniqueConstraint(fields=["issuing_state", "kind", "number"], name="document_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.issuing_state} {self.number}"

    @property
    def is_national_id(self) -> bool:
        """A national identity card (accepted like a passport for its own nationals)."""
        return bool(self.national_id_number)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action != "view":
            return qs.none()
        return restrict_to_visible_persons(qs, user)
