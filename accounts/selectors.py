"""Reads of accounts: where the signed-in officer works (the booth chosen at sign-in)."""

from __future__ import annotations

from core.models import Booth, BorderPost

BOOTH_SESSION_KEY = "bmis_booth_id"
BOOTH_LABEL_SESSION_KEY = "bmis_booth_label"


def current_booth_id(request) -> int | None:
    """The booth the officer signed in to (None for supervisors and administrators)."""
    return request.session.get(BOOTH_SESSION_KEY)


def current_booth(request) -> Booth | None:
    """The active booth of this sign-in, if the user may still see it."""
    booth_id = current_booth_id(request)
    if not booth_id:
        return None
    return (Booth.objects.restrict(request.user, "view").filter(pk=booth_id, is_active=True)
            .select_related("post").first())


def current_post(request) -> BorderPost | None:
    """The border post the user works at now: the post of the signed-in booth, or the user's only
    post; None when it cannot be told (several posts and no booth, or a national remit)."""
    booth = current_booth(request)
    if booth is not None:
        return booth.post
    posts = list(BorderPost.objects.restrict(request.user, "view").filter(is_active=True)[:2])
    return posts[0] if len(posts) == 1 and request.user.posts.filter(pk=posts[0].pk).exists() else None
