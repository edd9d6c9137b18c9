"""Writes for users, agencies, API clients and tokens. Each is audited in its transaction."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import tokens
from accounts.models import Agency, ApiClient, ApiToken, User
from accounts.permissions import Role
from accounts.scopes import validate_scopes
from audit.services import audit_log
from core.models import Booth, BorderPost


class TokenRejected(Exception):
    """The presented token cannot authenticate; `code` is a stable machine-readable reason."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def agency_create(*, actor, code: str, name: str, kind: str) -> Agency:
    agency = Agency(code=code, name=name, kind=kind)
    agency.full_clean()
    with transaction.atomic():
        agency.save()
        audit_log(actor=actor, action="agency.create", obj=agency,
                  changes={"code": [None, code], "name": [None, name], "kind": [None, kind]})
    return agency


def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    role: str,
    agency: Agency | None = None,
    posts: list[BorderPost] | tuple = (),
    is_national: bool = False,
    first_name: str = "",
    last_name: str = "",
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"unknown role {role!r}"})
    user = User(username=username, role=role, agency=agency, is_national=is_national,
                first_name=first_name, last_name=last_name, is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        if posts:
            user.posts.set(posts)
        audit_log(actor=actor, action="user.create", obj=user, changes={
            "username": [None, username], "role": [None, role],
            "agency": [None, agency.code if agency else None],
            "posts": [None, sorted(p.code for p in posts)], "is_national": [None, is_national],
        })
    return user


def user_set_posts(*, actor, user: User, posts: list[BorderPost]) -> None:
    with transaction.atomic():
        before = sorted(user.posts.values_list("code", flat=True))
        user.posts.set(posts)
        after = sorted(p.code for p in posts)
        audit_log(actor=actor, action="user.set_posts", obj=user, changes={"posts": [before, after]})


def api_client_create(
    *, actor, agency: Agency, name: str, scopes: list[str], posts: list[BorderPost] | tuple = ()
) -> ApiClient:
    """A partner client; ``posts``: where it may open inspections (where its agency is allowed)."""
    try:
        cleaned = validate_scopes(scopes)
    except ValueError as exc:
        raise ValidationError({"scopes": str(exc)}) from None
    username = ApiClient.machine_username(agency, name)
    with transaction.atomic():
        user = User(username=username, role=Role.PARTNER, agency=agency)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        if posts:
            user.posts.set(posts)
        client = ApiClient(agency=agency, name=name, user=user, scopes=cleaned)
        client.full_clean()
        client.save()
        audit_log(actor=actor, action="api_client.create", obj=client,
                  changes={"agency": [None, agency.code], "name": [None, name], "scopes": [None, cleaned],
                           "posts": [None, sorted(p.code for p in posts)]})
    return client


def api_client_set_scopes(*, actor, client: ApiClient, scopes: list[str]) -> ApiClient:
    try:
        cleaned = validate_scopes(scopes)
    except ValueError as exc:
        raise ValidationError({"scopes": str(exc)}) from None
    with transaction.atomic():
        before = list(client.scopes)
        client.scopes = cleaned
        client.save(update_fields=["scopes"])
        audit_log(actor=actor, action="api_client.set_scopes", obj=client, changes={"scopes": [before, cleaned]})
    return client


def api_client_set_active(*, actor, client: ApiClient, active: bool) -> ApiClient:
    with transaction.atomic():
        before = client.is_active
        client.is_active = active
        client.save(update_fields=["is_active"])
        audit_log(actor=actor, action="api_client.set_active", obj=client, changes={"is_active": [before, active]})
    return client


def api_token_issue(
    *, actor, client: ApiClient, days: int | None = None, label: str = ""
) -> tuple[ApiToken, str]:
    """Issue a token; returns (token, raw). The raw value is shown once and never stored."""
    days = settings.BMIS_API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 730:
        raise ValidationError({"days": "a token must be valid for 1 to 730 days"})
    raw, key_id, secret_hash = tokens.new_token()
    token = ApiToken(client=client, key_id=key_id, secret_hash=secret_hash, label=label,
                     created_by=actor if getattr(actor, "pk", None) else None,
                     expires_at=timezone.now() + timedelta(days=days))
    with transaction.atomic():
        token.save()
        audit_log(actor=actor, action="api_token.issue", obj=token,
                  metadata={"client": str(client), "key_id": key_id, "expires_at": token.expires_at})
    return token, raw


def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_log(actor=actor, action="api_token.revoke", obj=token, metadata={"key_id": token.key_id})
    return token


def api_token_authenticate(raw: str) -> ApiToken:
    """The token for a presented raw value, or TokenRejected (401) / PermissionError (403)."""
    try:
        key_id, secret = tokens.split_token(raw)
    except tokens.MalformedToken as exc:
        raise TokenRejected("malformed_token", str(exc)) from None
    token = (
        ApiToken.objects.select_related("client__agency", "client__user")
        .filter(key_id=key_id)
        .first()
    )
    if token is None or not tokens.secret_matches(secret, token.secret_hash):
        raise TokenRejected("invalid_token", "the token is not valid")
    if token.revoked_at is not None:
        raise TokenRejected("token_revoked", "the token has been revoked")
    if token.is_expired:
        raise TokenRejected("token_expired", "the token has expired")
    client = token.client
    if not client.agency.is_active:
        raise PermissionError("the agency of this client is suspended")
    if not client.is_active or not client.user.is_active:
        raise PermissionError("this API client is disabled")
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def officer_booths(user: User):
    """Active booths at the user's assigned, active posts (what an officer may sign in to)."""
    return Booth.objects.restrict(user, "view").filter(is_active=True, post__is_active=True).select_related("post")


def login_record(*, user: User, booth: Booth | None, path: str = "", second_factor: str = "") -> None:
    with transaction.atomic():
        audit_log(actor=user, action="auth.login", obj=user,
                  metadata={"booth": str(booth) if booth else None, "path": path,
                            "second_factor": second_factor or None})


def login_failed_record(*, username: str, path: str = "", reason: str = "password") -> None:
    with transaction.atomic():
        audit_log(actor=None, action="auth.login_failed", actor_label=username[:150],
                  metadata={"path": path, "reason": reason})


def login_locked_out_record(*, username: str, path: str = "") -> None:
    with transaction.atomic():
        audit_log(actor=None, action="auth.locked_out", actor_label=username[:150], metadata={"path": path})


def totp_device_for(*, user: User):
    """The user's confirmed TOTP device, or (first sign-in) an unconfirmed one to enrol; audited."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return device
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        with transaction.atomic():
            device = TOTPDevice.objects.create(user=user, name="BMIS", confirmed=False)
            audit_log(actor=user, action="auth.totp_device_create", obj=user, metadata={"device": device.pk})
    return device


def totp_device_confirm(*, user: User, device) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_log(actor=user, action="auth.totp_enrol", obj=user, metadata={"device": device.pk})


def logout_record(*, user: User) -> None:
    with transaction.atomic():
        audit_log(actor=user, action="auth.logout", obj=user)
