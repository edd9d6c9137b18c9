from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.permissions import Role, post_ids
from core.querysets import RestrictedQuerySet
from core.validators import code_validator


class AgencyKind(models.TextChoices):
    BORDER = "border", _("Border agency")
    POLICE = "police", _("Police")
    INTELLIGENCE = "intelligence", _("Intelligence")
    IMMIGRATION = "immigration", _("Immigration")
    STATISTICS = "statistics", _("Statistics office")
    OTHER = "other", _("Other")


class Agency(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if user.role == Role.ADMIN:
            return qs
        if action == "view" and user.agency_id:
            return qs.filter(pk=user.agency_id)
        return qs.none()


class BMISUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    posts = models.ManyToManyField(
        "core.BorderPost", blank=True, related_name="assigned_users",
        verbose_name=_("assigned border posts"),
    )
    is_national = models.BooleanField(
        _("national remit"), default=False,
        help_text=_("Supervisors with a national remit see every border post."),
    )

    objects = BMISUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    # What the restricted querysets of the apps below accounts (core) ask a user.
    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN

    def post_ids(self, action: str = "view") -> list[int] | None:
        """Border posts whose data this user may see (None: every post); see permissions.post_ids."""
        return post_ids(self, action)

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if user.role == Role.ADMIN:
            return qs
        if action == "view" and user.role == Role.SUPERVISOR:
            if user.is_national:
                return qs.exclude(role=Role.PARTNER)
            return qs.filter(posts__in=user.posts.all()).distinct()
        if action == "view":
            return qs.filter(pk=user.pk)
        return qs.none()


class ApiClient(models.Model):
    """A partner agency's machine client. It acts as its own user (role partner) and holds
    the explicit scopes of what it may read and write."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(_("name"), max_length=100)
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="api_client")
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["agency__code", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="client_name_unique_per_agency")]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")

    def __str__(self) -> str:
        return f"{self.agency.code}/{self.name}"

    @staticmethod
    def machine_username(agency: Agency, name: str) -> str:
        """The user name of a client's machine user (role partner)."""
        return f"client-{agency.code.lower()}-{slugify(name)}"[:150]

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if user.role == Role.ADMIN:
            return qs
        if action == "view" and user.role == Role.PARTNER:
            return qs.filter(user=user)
        return qs.none()


class ApiToken(models.Model):
    """A bearer token `bmis_<key_id>_<secret>`: only a SHA-256 of the secret is stored."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="tokens")
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.client} token {self.key_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def restrict_policy(cls, qs, user, action: str):
        if user.role == Role.ADMIN:
            return qs
        if action == "view" and user.role == Role.PARTNER:
            return qs.filter(client__user=user)
        return qs.none()
