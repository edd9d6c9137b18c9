"""Watchlists, their entries (persons, documents, vehicles) and the hits screening raises.

Every screening source (names, documents, vehicles, faces, fingerprints) raises hits through
watchlists.services.hit_raise, so supervisors adjudicate them in one workflow.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.fields import ValuesJSONField
from core.querysets import RestrictedQuerySet
from core.validators import code_validator, country_code_validator
from watchlists.names.score import DEFAULT_THRESHOLD


class ListKind(models.TextChoices):
    PERSONS = "persons", _("Persons")
    DOCUMENTS = "documents", _("Travel documents")
    VEHICLES = "vehicles", _("Vehicles")
    MIXED = "mixed", _("Mixed")


class HitAction(models.TextChoices):
    """What the officer must do on a hit, most serious first."""

    ARREST = "arrest", _("Arrest")
    REFUSE = "refuse", _("Refuse entry or exit")
    REFER = "refer", _("Refer to secondary inspection")
    NOTIFY = "notify", _("Notify the owning agency")
    MONITOR = "monitor", _("Monitor (let pass, record)")


ACTION_SEVERITY = {
    HitAction.ARREST: 0, HitAction.REFUSE: 1, HitAction.REFER: 2, HitAction.NOTIFY: 3, HitAction.MONITOR: 4,
}
# Actions that stop an admission while their hit is unresolved (or once it is confirmed).
BLOCKING_ACTIONS = frozenset({HitAction.ARREST, HitAction.REFUSE, HitAction.REFER})


def stricter_action(a: str, b: str) -> str:
    """The more serious of two actions."""
    return a if ACTION_SEVERITY.get(a, 99) <= ACTION_SEVERITY.get(b, 99) else b


class Visibility(models.TextChoices):
    ALL = "all", _("All users and scoped partner agencies")
    AGENCIES = "agencies", _("Only the owning agency and the agencies listed")


def visible_watchlists_q(user, prefix: str = "") -> Q:
    """A Q on Watchlist (or on a model reaching it through `prefix`) for lists `user` may see."""
    if user.role == Role.ADMIN:
        return Q()
    agency_id = user.agency_id
    q = Q(**{f"{prefix}visibility": Visibility.ALL})
    if agency_id:
        q |= Q(**{f"{prefix}owner_agency_id": agency_id}) | Q(**{f"{prefix}shared_with": agency_id})
    return q


class Availability(models.TextChoices):
    AVAILABLE = "available", _("Available")
    IMPORTING = "importing", _("Being imported")
    BROKEN = "broken", _("Broken")


class Watchlist(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ListKind.choices, default=ListKind.PERSONS)
    owner_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="watchlists")
    visibility = models.CharField(_("visibility"), max_length=20, choices=Visibility.choices, default=Visibility.ALL)
    shared_with = models.ManyToManyField(
        "accounts.Agency", blank=True, related_name="shared_watchlists", verbose_name=_("shared with agencies")
    )
    action = models.CharField(_("action on a hit"), max_length=20, choices=HitAction.choices, default=HitAction.REFER)
    refusal_reason = models.CharField(
        _("reason code of a refusal"), max_length=16, blank=True, validators=[code_validator],
        help_text=_("The refusal reason recorded when a confirmed hit on this list refuses the traveler "
                    "(a code of the reason list, e.g. R5)."),
    )
    default_threshold = models.FloatField(
        _("default match threshold"), default=DEFAULT_THRESHOLD,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    availability = models.CharField(
        _("availability"), max_length=20, choices=Availability.choices, default=Availability.AVAILABLE,
        help_text=_("Screening skips a list that is being imported or broken, and says so."),
    )
    availability_note = models.CharField(_("availability note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("watchlist")
        verbose_name_plural = _("watchlists")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if action == "view":
            return qs.filter(visible_watchlists_q(user)).distinct()
        if user.role == Role.ADMIN:
            return qs
        # Supervisors, and partner agencies' API clients (whose token must also hold
        # watchlists:write), change the lists their agency owns.
        if user.role in (Role.SUPERVISOR, Role.PARTNER) and user.agency_id:
            return qs.filter(owner_agency_id=user.agency_id)
        return qs.none()


class _EntryBase(models.Model):
    watchlist = models.ForeignKey(Watchlist, on_delete=models.PROTECT, related_name="%(class)ss")
    external_id = models.CharField(
        _("external id"), max_length=100, blank=True,
        help_text=_("The id in the source list; imports match on it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    remarks = models.TextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        lists = Watchlist.objects.restrict(user, action)
        return qs.filter(watchlist__in=lists)


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNSPECIFIED = "X", _("Unspecified")


class PersonEntry(_EntryBase):
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(
        _("month of birth"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    birth_day = models.PositiveSmallIntegerField(
        _("day of birth"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    place_of_birth = models.CharField(_("place of birth"), max_length=200, blank=True)
    nationalities = models.JSONField(_("nationalities"), default=list, blank=True)
    document_numbers = models.JSONField(_("document numbers"), default=list, blank=True)
    photo = models.ImageField(_("photo"), upload_to="watchlists/photos/", null=True, blank=True)

    class Meta:
        verbose_name = _("person entry")
        verbose_name_plural = _("person entries")
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "external_id"], condition=~Q(external_id=""),
                name="person_entry_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        primary = self.names.filter(is_primary=True).first()
        return primary.full_name if primary else f"person entry {self.pk}"


class NameScript(models.TextChoices):
    LATIN = "latin", _("Latin")
    ARABIC = "arabic", _("Arabic script")
    OTHER = "other", _("Other")


class PersonEntryName(models.Model):
    entry = models.ForeignKey(PersonEntry, on_delete=models.CASCADE, related_name="names")
    full_name = models.CharField(_("name"), max_length=300)
    normalized = models.CharField(
        _("normalised name"), max_length=300, blank=True, db_index=True, editable=False,
        help_text=_("NFKC, case-folded, without punctuation or Latin diacritics (for searching the list)."),
    )
    script = models.CharField(_("script"), max_length=10, choices=NameScript.choices, default=NameScript.LATIN)
    is_primary = models.BooleanField(_("primary name"), default=False)
    is_weak_alias = models.BooleanField(
        _("weak alias"), default=False, help_text=_("A low-quality alias (nickname, partial name).")
    )

    class Meta:
        verbose_name = _("name")
        verbose_name_plural = _("names")

    def __str__(self) -> str:
        return self.full_name


class DocumentStatus(models.TextChoices):
    STOLEN = "stolen", _("Stolen")
    LOST = "lost", _("Lost")
    REVOKED = "revoked", _("Revoked")
    INVALID = "invalid", _("Invalid")
    STOLEN_BLANK = "stolen_blank", _("Stolen blank")


class DocumentEntry(_EntryBase):
    number = models.CharField(_("document number"), max_length=40)
    number_normalized = models.CharField(max_length=40, db_index=True, editable=False)
    document_type = models.CharField(_("document type"), max_length=2, blank=True)
    issuing_state = models.CharField(_("issuing state"), max_length=3, validators=[country_code_validator])
    status = models.CharField(_("status"), max_length=20, choices=DocumentStatus.choices)
    reported_on = models.DateField(_("date reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("document entry")
        verbose_name_plural = _("document entries")
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "external_id"], condition=~Q(external_id=""),
                name="document_entry_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuing_state} {self.number}"


class VehicleEntry(_EntryBase):
    plate = models.CharField(_("plate"), max_length=20)
    plate_normalized = models.CharField(max_length=20, db_index=True, editable=False)
    country = models.CharField(_("country"), max_length=3, blank=True, validators=[country_code_validator])
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    colour = models.CharField(_("colour"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("vehicle entry")
        verbose_name_plural = _("vehicle entries")
        constraints = [
            models.UniqueConstraint(
                fields=["watchlist", "external_id"], condition=~Q(external_id=""),
                name="vehicle_entry_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.plate}"


class HitSource(models.TextChoices):
    NAME = "name", _("Name")
    DOCUMENT = "document", _("Travel document")
    VEHICLE = "vehicle", _("Vehicle")
    FACE = "face", _("Face")
    FINGERPRINT = "fingerprint", _("Fingerprint")


class HitStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class DismissReason(models.TextChoices):
    DIFFERENT_PERSON = "different_person", _("Different person (false match)")
    DIFFERENT_DOB = "different_dob", _("Date of birth rules it out")
    DIFFERENT_NATIONALITY = "different_nationality", _("Nationality rules it out")
    POOR_BIOMETRIC = "poor_biometric", _("Biometric sample too poor")
    ENTRY_OUTDATED = "entry_outdated", _("Watchlist entry outdated")
    DUPLICATE = "duplicate", _("Duplicate of another hit")
    OTHER = "other", _("Other (explain in the note)")


class Hit(models.Model):
    """A possible match raised by screening. Starts pending; a supervisor confirms or dismisses."""

    source = models.CharField(_("source"), max_length=20, choices=HitSource.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=HitStatus.choices, default=HitStatus.PENDING, db_index=True
    )
    score = models.FloatField(_("score"), validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    threshold = models.FloatField(_("threshold"))
    action = models.CharField(_("action"), max_length=20, choices=HitAction.choices)
    watchlist = models.ForeignKey(Watchlist, null=True, blank=True, on_delete=models.PROTECT, related_name="hits")
    person_entry = models.ForeignKey(PersonEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="hits")
    document_entry = models.ForeignKey(DocumentEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="hits")
    vehicle_entry = models.ForeignKey(VehicleEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="hits")
    matched_person_id = models.BigIntegerField(
        _("matched traveler"), null=True, blank=True, db_index=True,
        help_text=_("Another traveler record this one matched (same face or fingers under another identity)."),
    )
    inspection_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    person_id = models.BigIntegerField(_("screened traveler"), null=True, blank=True, db_index=True)
    post = models.ForeignKey("core.BorderPost", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    query = ValuesJSONField(_("what was screened"), default=dict, blank=True)
    matched_name = models.CharField(_("matched name"), max_length=300, blank=True)
    explanation = ValuesJSONField(_("explanation"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    dismiss_reason = models.CharField(_("reason"), max_length=30, choices=DismissReason.choices, blank=True)
    adjudication_note = models.TextField(_("note"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hit")
        verbose_name_plural = _("hits")
        indexes = [models.Index(fields=["watchlist", "status"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} hit {self.pk} ({self.status})"

    @property
    def entry(self):
        return self.person_entry or self.document_entry or self.vehicle_entry

    @property
    def severity(self) -> int:
        return ACTION_SEVERITY.get(self.action, len(ACTION_SEVERITY))

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        """Hits from lists the user may see (person-to-person matches have no list), at the
        posts the user may see; only supervisors and administrators adjudicate from the queue, and
        officers (staff too) resolve hits on the spot at an inspection of their post ("resolve")."""
        if action not in ("view", "adjudicate", "resolve"):
            return qs.none()
        if action == "adjudicate" and user.role not in (Role.SUPERVISOR, Role.ADMIN):
            return qs.none()
        if action == "resolve" and user.role not in (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN):
            return qs.none()
        if user.role != Role.ADMIN:
            qs = qs.filter(Q(watchlist__isnull=True) | Q(watchlist__in=Watchlist.objects.restrict(user, "view")))
        allowed = post_ids(user)
        if allowed is not None:
            qs = qs.filter(post_id__in=allowed)
        return qs


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV (documented columns)")
    UN_XML = "un_xml", _("UN Security Council Consolidated List (XML)")
    FTM = "ftm", _("FollowTheMoney entities (JSON lines)")


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview (awaiting confirmation)")
    PENDING = "pending", _("Pending")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed (nothing was changed)")


class ImportJob(models.Model):
    """One import of a file into a watchlist: all or nothing, with a report."""

    watchlist = models.ForeignKey(Watchlist, on_delete=models.PROTECT, related_name="imports")
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    file = models.FileField(_("file"), upload_to="watchlists/imports/")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    deactivate_missing = models.BooleanField(
        _("deactivate entries missing from the file"), default=False,
        help_text=_("A full list replaces the previous one: entries it no longer holds are deactivated."),
    )
    status = models.CharField(_("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    preview = models.JSONField(
        _("preview"), default=dict, blank=True,
        help_text=_("What the import would add, change and deactivate, computed from the file before anything "
                    "is written; a confirmed import applies exactly this or nothing."),
    )
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"import {self.pk} of {self.watchlist.code} ({self.status})"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return qs.filter(watchlist__in=Watchlist.objects.restrict(user, "view" if action == "view" else "change"))
