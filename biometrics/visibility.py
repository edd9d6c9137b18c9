"""Who may see which 1:N candidates: one rule for face and fingerprint searches.

A candidate of a search names either a traveler (``person_id``) or a watchlist person entry
(``entry_id`` / ``person_entry_id``). A caller sees, and a search it requested raises hits on:

- a traveler only with the ``persons:read`` scope and only if the traveler is one it may see
  (``Person.objects.restrict(user, "view")``: an officer sees the travelers inspected at their
  posts); a candidate image that names no traveler is shown only to callers who see every traveler;
- a watchlist entry only with the ``watchlists:read`` scope and only on a list it may see
  (``PersonEntry.objects.restrict(user, "view")``: restricted lists of other agencies are hidden).

The rule is applied twice with the same function: when the search runs (candidates kept and hits
raised are those its requester may see) and when a result is read (a reader sees no more than
their own visibility allows). A search without a requester (a system job) is not filtered.

biometrics never imports travelers: the traveler check is a registered lookup
(``register_visible_persons``, installed by ``TravelersConfig.ready``); without it no traveler is
visible (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from accounts.permissions import effective_scopes, post_ids
from core.querysets import is_usable

# (person ids, user) -> the subset the user may see.
VisiblePersons = Callable[[Iterable[int], Any], set]

_visible_persons: VisiblePersons | None = None


def register_visible_persons(lookup: VisiblePersons | None) -> None:
    global _visible_persons
    _visible_persons = lookup


def caller_scopes(user, auth=None) -> frozenset[str]:
    """The scopes a request (``auth`` given) or a stored requester (a partner client acts with its
    client's scopes) acts with."""
    if not is_usable(user):
        return frozenset()
    if auth is None and getattr(user, "role", "") == "partner":
        auth = SimpleNamespace(client=getattr(user, "api_client", None))
    return effective_scopes(user, auth)


@dataclass(frozen=True)
class Visibility:
    user: Any
    persons: bool
    watchlists: bool
    unrestricted: bool = False  # a system job: everything

    def person_ids(self, ids: Iterable[int | None]) -> set[int]:
        wanted = {int(i) for i in ids if i is not None}
        if self.unrestricted:
            return wanted
        if not self.persons or not wanted or _visible_persons is None:
            return set()
        return set(_visible_persons(wanted, self.user))

    def entry_ids(self, ids: Iterable[int | None]) -> set[int]:
        from watchlists.models import PersonEntry

        wanted = {int(i) for i in ids if i is not None}
        if self.unrestricted:
            return wanted
        if not self.watchlists or not wanted:
            return set()
        return set(PersonEntry.objects.restrict(self.user, "view").filter(pk__in=wanted).values_list("pk", flat=True))

    @property
    def anonymous_faces(self) -> bool:
        """Candidate images naming no traveler: only for callers who see every traveler."""
        return self.unrestricted or (self.persons and post_ids(self.user) is None)


def visibility_for(user, auth=None) -> Visibility:
    """The visibility of a caller (``auth``: the request's token, if any); None: a system job."""
    if user is None:
        return Visibility(user=None, persons=True, watchlists=True, unrestricted=True)
    scopes = caller_scopes(user, auth)
    return Visibility(user=user, persons="persons:read" in scopes, watchlists="watchlists:read" in scopes)


def visible_candidates(
    candidates: list[dict], visibility: Visibility, *, person_key: str = "person_id", entry_key: str = "entry_id",
) -> list[dict]:
    """The candidates ``visibility`` allows, in their order (one query per kind)."""
    if visibility.unrestricted:
        return list(candidates)
    entries = visibility.entry_ids(c.get(entry_key) for c in candidates)
    persons = visibility.person_ids(c.get(person_key) for c in candidates if c.get(entry_key) is None)
    out = []
    for c in candidates:
        if c.get(entry_key) is not None:
            keep = c[entry_key] in entries
        elif c.get(person_key) is not None:
            keep = c[person_key] in persons
        else:
            keep = visibility.anonymous_faces
        if keep:
            out.append(c)
    return out
