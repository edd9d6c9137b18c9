"""Registration of irregular migrants: the apprehension (when, where, by which unit, from which
green-border incident), the groups and households apprehended together, one registration per
person (identity as declared, documents, which fingers were taken and why not the others, specific
needs, information given and consent, the civil-registry check) and the case with its audited
transitions.

The person is a travelers.Person created through travelers' identity service; the incident is
held as its id only (incidents is a sibling app: linked by URL, never imported). Biometric images
live in biometrics (enrolled through the ABIS contract as ``person:<id>``)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role
from core.querysets import RestrictedQuerySet
from travelers.models.person import BirthDateMixin, Sex


class GroupKind(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    TRAVEL_GROUP = "travel_group", _("Travel group")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    UNRELATED = "unrelated", _("Unrelated companion")


class BirthPrecision(models.TextChoices):
    EXACT = "exact", _("Exact date")
    MONTH = "month", _("Year and month")
    YEAR = "year", _("Year only")
    ESTIMATED = "estimated", _("Estimated age")


class Consent(models.TextChoices):
    GIVEN = "given", _("Consent given")
    REFUSED = "refused", _("Consent refused")


class FingerMissing(models.TextChoices):
    MISSING = "missing", _("Missing")
    INJURED = "injured", _("Injured")
    REFUSED = "refused", _("Refused")
    AMPUTATED = "amputated", _("Amputated")
    TOO_YOUNG = "too_young", _("Child too young")


# ANSI/NIST finger positions.
FINGER_POSITIONS = {
    1: _("Right thumb"), 2: _("Right index"), 3: _("Right middle"), 4: _("Right ring"), 5: _("Right little"),
    6: _("Left thumb"), 7: _("Left index"), 8: _("Left middle"), 9: _("Left ring"), 10: _("Left little"),
}


class Need(models.TextChoices):
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied child")
    SEPARATED_CHILD = "separated_child", _("Separated child")
    MEDICAL = "medical", _("Medical condition")
    PREGNANCY = "pregnancy", _("Pregnancy")
    DISABILITY = "disability", _("Disability")
    SURVIVOR_VIOLENCE = "survivor_violence", _("Survivor of violence")
    SURVIVOR_TRAFFICKING = "survivor_trafficking", _("Survivor of trafficking")
    ELDERLY = "elderly", _("Elderly person")


class CaseStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    REFERRED = "referred", _("Referred")
    DETAINED = "detained", _("Detained")
    RELEASED = "released", _("Released")
    RETURNED = "returned", _("Returned")
    TRANSFERRED = "transferred", _("Transferred")


class ReferralTo(models.TextChoices):
    ASYLUM = "asylum_authority", _("Asylum authority")
    UNHCR = "unhcr", _("UNHCR")
    IOM_RETURN = "iom_return", _("IOM return programme")


# The case's allowed transitions: from a status, the statuses it may move to. "returned" ends it.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CaseStatus.REGISTERED: (CaseStatus.REFERRED, CaseStatus.DETAINED, CaseStatus.RELEASED, CaseStatus.RETURNED,
                            CaseStatus.TRANSFERRED),
    CaseStatus.REFERRED: (CaseStatus.DETAINED, CaseStatus.RELEASED, CaseStatus.RETURNED, CaseStatus.TRANSFERRED),
    CaseStatus.DETAINED: (CaseStatus.REFERRED, CaseStatus.RELEASED, CaseStatus.RETURNED, CaseStatus.TRANSFERRED),
    CaseStatus.TRANSFERRED: (CaseStatus.REFERRED, CaseStatus.DETAINED, CaseStatus.RELEASED, CaseStatus.RETURNED),
    CaseStatus.RELEASED: (CaseStatus.REFERRED, CaseStatus.DETAINED),
    CaseStatus.RETURNED: (),
}


class DedupeState(models.TextChoices):
    PENDING = "pending", _("Deduplication not started")
    DISPATCHED = "dispatched", _("Deduplication running")
    DONE = "done", _("Deduplication done")
    UNAVAILABLE = "unavailable", _("Deduplication not available")


def _registration_policy(qs, user, action: str, prefix: str):
    """Supervisors and administrators see every registration; everyone else (officers, partner
    clients) those of apprehensions at their posts (every post for a national remit) and those
    they recorded themselves (an apprehension placed by coordinates only)."""
    if action not in ("view", "change"):
        return qs.none()
    if user.role in (Role.SUPERVISOR, Role.ADMIN):
        return qs
    allowed = user.post_ids()
    if allowed is None:
        return qs
    return qs.filter(Q(**{f"{prefix}post_id__in": allowed}) | Q(**{f"{prefix}recorded_by": user}))


class Apprehension(models.Model):
    """Persons apprehended together: when, where (a post or sector, or a position), by which unit."""

    apprehended_at = models.DateTimeField(_("apprehended at"))
    post = models.ForeignKey("core.BorderPost", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="apprehensions", verbose_name=_("post"))
    sector = models.ForeignKey("core.Sector", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="apprehensions", verbose_name=_("sector"))
    latitude = models.FloatField(_("latitude"), null=True, blank=True,
                                 validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitude"), null=True, blank=True,
                                  validators=[MinValueValidator(-180), MaxValueValidator(180)])
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    # The green-border incident (incidents app) by its id: linked by URL, never by import.
    incident_id = models.PositiveIntegerField(_("incident"), null=True, blank=True, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-apprehended_at", "-pk"]
        verbose_name = _("apprehension")
        verbose_name_plural = _("apprehensions")
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False) | Q(latitude__isnull=False, longitude__isnull=False),
                name="apprehension_has_a_place",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"APP-{self.pk}"

    @property
    def incident_url(self) -> str:
        return f"/incidents/{self.incident_id}/" if self.incident_id else ""

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _registration_policy(qs, user, action, "")


class Group(models.Model):
    """A household or travel group of one apprehension; its members are registrations."""

    apprehension = models.ForeignKey(Apprehension, on_delete=models.PROTECT, related_name="groups")
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices, default=GroupKind.HOUSEHOLD)
    note = models.CharField(_("note"), max_length=300, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"GRP-{self.pk}"

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _registration_policy(qs, user, action, "apprehension__")


class Registration(BirthDateMixin):
    """One person registered: the identity as declared, captures, needs, consent and the case."""

    apprehension = models.ForeignKey(Apprehension, on_delete=models.PROTECT, related_name="registrations")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, null=True, blank=True, related_name="members")
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices, blank=True)
    # Set in the same transaction as the row (travelers.services.identity.person_register); it
    # follows merges (registrations.apps registers a merge participant).
    person = models.ForeignKey("travelers.Person", on_delete=models.PROTECT, null=True,
                               related_name="registrations", verbose_name=_("person"))

    # The identity as declared (names as given, in any script).
    primary_identifier = models.CharField(_("surname"), max_length=100)
    secondary_identifier = models.CharField(_("given names"), max_length=100, blank=True)
    name_original = models.CharField(_("name as given"), max_length=200, blank=True)
    birth_precision = models.CharField(_("date of birth"), max_length=10, choices=BirthPrecision.choices, blank=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNSPECIFIED)
    nationality = models.CharField(_("nationality"), max_length=3, default="XXX")
    languages = models.JSONField(_("languages"), default=list, blank=True)
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    national_id_number = models.CharField(_("national ID number"), max_length=20, blank=True)

    # Captures: the images are in biometrics (ABIS reference person:<id>); here what was taken.
    face_taken = models.BooleanField(_("face photo taken"), default=False)
    fingers_taken = models.JSONField(_("fingers taken"), default=list, blank=True)
    fingers_missing = models.JSONField(_("fingers not taken"), default=dict, blank=True)  # {"3": "injured"}

    needs = models.JSONField(_("specific needs"), default=list, blank=True)
    needs_note = models.CharField(_("note on needs"), max_length=500, blank=True)

    information_language = models.CharField(_("information given in"), max_length=40, blank=True)
    leaflet_given = models.BooleanField(_("leaflet given"), default=False)
    consent = models.CharField(_("consent"), max_length=8, choices=Consent.choices)
    consent_refused_reason = models.CharField(_("why consent was refused"), max_length=300, blank=True)

    registry_check = models.ForeignKey("travelers.RegistryCheck", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    dedupe_state = models.CharField(_("deduplication"), max_length=12, choices=DedupeState.choices,
                                    default=DedupeState.PENDING)

    case_status = models.CharField(_("case status"), max_length=12, choices=CaseStatus.choices,
                                   default=CaseStatus.REGISTERED, db_index=True)
    referral_to = models.CharField(_("referred to"), max_length=20, choices=ReferralTo.choices, blank=True)

    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(consent="given") | Q(consent="refused", face_taken=False),
                name="registration_no_biometrics_without_consent",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"REG-{self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.primary_identifier} {self.secondary_identifier}".strip()

    @property
    def birth_display(self) -> str:
        if self.birth_precision == BirthPrecision.ESTIMATED:
            return f"~{self.estimated_age}"
        return self.birth.isoformat()

    @property
    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS.get(self.case_status, ())

    @property
    def registry_status(self) -> str:
        return self.registry_check.status if self.registry_check_id else ""

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        return _registration_policy(qs, user, action, "apprehension__")


class RegistrationDocument(models.Model):
    """A document the person carried: its MRZ as read (parsed by travelers.mrz) and/or a
    photograph of its data page."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="documents")
    mrz = models.TextField(_("MRZ"), blank=True)
    document_code = models.CharField(_("document code"), max_length=2, blank=True)
    number = models.CharField(_("document number"), max_length=35, blank=True)
    issuing_state = models.CharField(_("issuing state"), max_length=3, blank=True)
    national_id_number = models.CharField(_("national ID number"), max_length=20, blank=True)
    parsed = models.JSONField(_("fields read"), default=dict, blank=True)
    page_image = models.FileField(_("photographed page"), upload_to="registrations/documents/%Y/%m/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("registration document")
        verbose_name_plural = _("registration documents")

    def __str__(self) -> str:
        return f"{self.issuing_state} {self.number}".strip() or f"document {self.pk}"


class CaseTransition(models.Model):
    """One change of a case's status, with its reason, actor and time (audited)."""

    registration = models.ForeignKey(Registration, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(_("from"), max_length=12, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=12, choices=CaseStatus.choices)
    referral_to = models.CharField(_("referred to"), max_length=20, choices=ReferralTo.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case transition")
        verbose_name_plural = _("case transitions")

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
