"""Hooks for the apps above travelers (registrations, incidents) that hold persons.

* ``register_merge_participant(name, move, restore)``: ``move(source_person_id, target_person_id)``
  re-points the app's rows from the source to the target and returns their ids (stored in
  ``PersonMerge.moved[name]``); ``restore(ids, source_person_id)`` points them back. Both run
  inside person_merge's / person_unmerge's transaction.
* ``register_person_panel(name, provider)``: ``provider(user, person_id)`` returns None or
  ``{"template": "...", "title": "...", **context}``, shown as a panel on the person page.
* ``register_movement_listener(fn)``: ``fn(movement)`` runs inside the transaction that creates
  the Movement (``travelers.services.inspections``), after it is saved: a rollup kept by a
  listener never disagrees with the movements. An exception propagates: the movement (and the
  decision that made it) is not recorded.

Registered at the apps' ``AppConfig.ready()``; registering the same name again replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

RESERVED = {
    "documents", "inspections", "movements", "visas", "overstays", "registry_checks", "identities",
    "hits", "biometrics",
}


@dataclass(frozen=True)
class MergeParticipant:
    name: str
    move: Callable[[int, int], list[int]]
    restore: Callable[[list[int], int], None]


_merge_participants: dict[str, MergeParticipant] = {}
_person_panels: dict[str, Callable] = {}


def register_merge_participant(name: str, move: Callable[[int, int], list[int]],
                               restore: Callable[[list[int], int], None]) -> None:
    if name in RESERVED:
        raise ValueError(f"merge participant name {name!r} is reserved by travelers")
    _merge_participants[name] = MergeParticipant(name, move, restore)


def merge_participants() -> list[MergeParticipant]:
    return list(_merge_participants.values())


def register_person_panel(name: str, provider: Callable) -> None:
    """``provider(user, person_id)`` returns None (no panel) or a dict, available as ``panel`` in
    the panel's template: ``{"title": ..., "items": [{"label", "url", "detail"}], "empty": ...}``
    is rendered by travelers/person_panel.html; ``{"template": "app/_panel.html", ...}`` by your
    own template. The provider restricts what it shows to ``user``."""
    _person_panels[name] = provider


def person_panels() -> list[tuple[str, Callable]]:
    return list(_person_panels.items())


_movement_listeners: list[Callable] = []


def register_movement_listener(fn: Callable) -> None:
    """Call ``fn(movement)`` for every movement recorded (once per function, however often
    registered)."""
    if fn not in _movement_listeners:
        _movement_listeners.append(fn)


def movement_listeners() -> list[Callable]:
    return list(_movement_listeners)


def movement_recorded(movement) -> None:
    """Run the movement listeners (inside the caller's transaction; exceptions propagate)."""
    for fn in list(_movement_listeners):
        fn(movement)


# Risk rules (analytics registers its provider): ``provider(inspection)`` returns
# ``{"score": int, "reasons": [{"rule_id", "version", "weight", "text", "text_ar", "action"}],
# "action": "" | "refer"}``, stored on ``Inspection.risk`` when the inspection is screened
# (travelers.services.inspections). One provider; registering again replaces it.
_risk_provider: list[Callable] = []


def register_risk_provider(fn: Callable) -> None:
    _risk_provider[:] = [fn]


def risk_provider() -> Callable | None:
    return _risk_provider[0] if _risk_provider else None
