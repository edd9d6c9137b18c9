"""Navigation entries contributed by each app.

An app lists its pages in `<app>/nav.py` as `ITEMS = [NavItem(...)]`; the layout shows the
entries whose roles include the user's role, in `order`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.urls import NoReverseMatch, reverse

from core.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: frozenset[str]
    order: int = 100
    description: str = ""


@cache
def _all_items() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for module in app_modules("nav"):
        items.extend(getattr(module, "ITEMS", ()))
    return tuple(sorted(items, key=lambda item: (item.order, str(item.label))))


def nav_items(user) -> list[dict]:
    role = getattr(user, "role", None)
    out = []
    for item in _all_items():
        if role in item.roles:
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                continue
            out.append({"label": item.label, "url": url, "description": item.description})
    return out


def _core_items() -> list[NavItem]:
    from django.utils.translation import gettext_lazy as _

    return [
        NavItem(_("Border posts"), "core:post-list", frozenset({"supervisor", "admin"}), order=800,
                description=_("Posts, booths and their status")),
    ]


ITEMS = _core_items()
