"""Who may see and do what: roles, scopes and restricted querysets.

Every read a user or an agency makes goes through `Model.objects.restrict(user, action)`
(`core.querysets.RestrictedQuerySet`), narrowed in the database by the model's `restrict_policy`;
the policies ask the user for its posts (`post_ids` here, through `User.post_ids`). Views use `role_required`/`RoleRequiredMixin`; API views use
`ScopedPermission` with a `required_scopes` declaration.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from accounts.scopes import ROLE_SCOPES
from core.querysets import is_usable


class Role(models.TextChoices):
    OFFICER = "officer", _("Officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")
    PARTNER = "partner", _("Partner-agency client")


HUMAN_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
STAFF_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


def effective_scopes(user, auth=None) -> frozenset[str]:
    """The scopes a request acts with: from the role for people, from the client for agencies.

    A partner client acts only through its API token (`auth`), and only while its client and
    agency are active."""
    if not is_usable(user):
        return frozenset()
    if user.role == Role.PARTNER:
        client = getattr(auth, "client", None)
        if client is None or not client.is_active or not client.agency.is_active:
            return frozenset()
        return frozenset(client.scopes)
    return ROLE_SCOPES.get(user.role, frozenset())


def has_scope(user, scope: str, auth=None) -> bool:
    return scope in effective_scopes(user, auth)


def post_ids(user, action: str = "view") -> list[int] | None:
    """Border posts whose data the user may see: None means every post. For "inspect", where the
    user may open inspections: the same for people; a partner client (which sees every post) only
    at the posts its client is assigned to (where its agency is allowed to work)."""
    if action == "inspect" and user.role == Role.PARTNER:
        return list(user.posts.values_list("pk", flat=True))
    if user.role in (Role.ADMIN, Role.PARTNER) or (user.role == Role.SUPERVISOR and user.is_national):
        return None
    return list(user.posts.values_list("pk", flat=True))


def _check_roles(user, roles: Iterable[str]) -> None:
    if not is_usable(user) or user.role not in set(roles):
        raise PermissionDenied(_("Your role does not give access to this page."))


def role_required(*roles: str):
    """Decorator for function views: 403 unless the logged-in user has one of `roles`."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not is_usable(request.user):
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            _check_roles(request.user, roles)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class RoleRequiredMixin:
    """Class-based views: set `allowed_roles`; anonymous users go to the login page, others
    without the role get 403."""

    allowed_roles: Iterable[str] = ()

    def dispatch(self, request, *args, **kwargs):
        if not is_usable(request.user):
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        _check_roles(request.user, self.allowed_roles)
        return super().dispatch(request, *args, **kwargs)


def required_scopes_for(view, method: str) -> frozenset[str] | None:
    """A view declares `required_scopes` as a dict keyed by viewset action or HTTP method
    ("*" for any); None means the view declared nothing (denied)."""
    declared = getattr(view, "required_scopes", None)
    if declared is None:
        return None
    action = getattr(view, "action", None)
    for key in (action, method.upper(), "*"):
        if key and key in declared:
            value = declared[key]
            return frozenset([value] if isinstance(value, str) else value)
    return None


class ScopedPermission(BasePermission):
    """The default API permission: an authenticated, active principal holding every scope the
    view requires for this action. Views that declare no scopes are closed."""

    message = _("You do not have permission to perform this action.")

    def has_permission(self, request, view) -> bool:
        if not is_usable(request.user):
            return False
        required = required_scopes_for(view, request.method)
        if required is None:
            self.message = _("This endpoint declares no scopes and is closed.")
            return False
        missing = sorted(required - effective_scopes(request.user, request.auth))
        if missing:
            self.message = _("Missing scope(s): %(scopes)s.") % {"scopes": ", ".join(missing)}
            return False
        return True
