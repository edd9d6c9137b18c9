"""The restricted queryset every read of a user or an agency goes through (NetBox-style):
`Model.objects.restrict(user, action)` is narrowed in the database by the model's
`restrict_policy(cls, queryset, user, action)`, never by filtering in Python after fetching.

Generic: it knows nothing of roles. A policy asks the user object what it needs, through the
methods `accounts.models.User` provides: `post_ids(action)` (the border posts whose data the user
may see, None for every post) and `is_administrator`."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db import models


def is_usable(user) -> bool:
    """An authenticated, active user (anonymous and deactivated users get nothing)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


class RestrictedQuerySet(models.QuerySet):
    """`Model.objects.restrict(user, action)`: the rows `user` may act on, narrowed in SQL.

    A model without a policy cannot be restricted (an error, not an open door); an unusable user
    (anonymous, inactive) gets nothing."""

    def restrict(self, user, action: str = "view"):
        policy = getattr(self.model, "restrict_policy", None)
        if policy is None:
            raise ImproperlyConfigured(f"{self.model.__name__} has no restrict_policy")
        if not is_usable(user):
            return self.none()
        return policy(self, user, action)
