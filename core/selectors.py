"""Reads of core: border posts and booths, as the caller may see them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Booth, BorderPost


def post_by_code(*, user, code: str | None, field: str = "post", action: str = "view") -> BorderPost:
    """The active border post `code` names among those `user` may act on (`action`: "view", or
    "inspect" where inspections are opened); codes are compared upper-cased. A ValidationError on
    `field` otherwise, the same for a post that does not exist and one the user may not use."""
    code = (code or "").strip().upper()
    post = (BorderPost.objects.restrict(user, action).filter(code=code, is_active=True).first()
            if code else None)
    if post is None:
        raise ValidationError({field: [_("Unknown border post %(code)s, or not one of yours.") % {"code": code or "—"}]})
    return post


def booth_by_code(*, post: BorderPost, code: str | None, field: str = "booth") -> Booth:
    """The active booth `code` names at `post`; a ValidationError on `field` otherwise."""
    code = (code or "").strip().upper()
    booth = Booth.objects.filter(post=post, code=code, is_active=True).select_related("post").first() if code else None
    if booth is None:
        raise ValidationError({field: [_("No booth %(booth)s at %(post)s.") % {"booth": code or "—", "post": post.code}]})
    return booth
