"""How other apps plug into watchlists without watchlists importing them.

``travelers`` registers a *recent travelers provider* at start-up (in its
``AppConfig.ready``)::

    from watchlists.hooks import register_recent_travelers_provider
    register_recent_travelers_provider(recent_travelers_for_rescreening)

The provider is called with ``since`` (an aware datetime) and yields
:class:`RecentTraveler` records (or dicts with the same keys) for travelers
inspected since then. When a person entry is added or changed, watchlists
re-screens them in the background and raises hits for new matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class RecentTraveler:
    person_id: int
    names: list[str]
    date_of_birth: str | None = None
    nationality: str | None = None
    gender: str | None = None
    document_numbers: list[str] = field(default_factory=list)
    inspection_id: int | None = None
    post_id: int | None = None


Provider = Callable[[datetime], Iterable[RecentTraveler | dict]]
_providers: list[Provider] = []


def register_recent_travelers_provider(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def unregister_recent_travelers_provider(provider: Provider) -> None:
    if provider in _providers:
        _providers.remove(provider)


_FIELDS = set(RecentTraveler.__dataclass_fields__)


def recent_travelers(since: datetime) -> Iterable[RecentTraveler]:
    """Every traveler the registered providers report (extra keys of a dict are ignored)."""
    for provider in list(_providers):
        for item in provider(since):
            if isinstance(item, RecentTraveler):
                yield item
            else:
                yield RecentTraveler(**{k: v for k, v in item.items() if k in _FIELDS})


# Evidence pages of hits raised by other apps (face and fingerprint hits show both samples side
# by side on a biometrics page): `register_hit_evidence("face", lambda hit: url)`.
EvidenceUrl = Callable[[object], str | None]
_evidence: dict[str, EvidenceUrl] = {}


def register_hit_evidence(source: str, url_for_hit: EvidenceUrl) -> None:
    _evidence[source] = url_for_hit


def hit_evidence_url(hit) -> str | None:
    url_for_hit = _evidence.get(hit.source)
    return url_for_hit(hit) if url_for_hit is not None else None


# The traveler's side of a hit card (the supervisors' hit queue, the hits API): travelers
# registers a provider at start-up. It is called once per page with the user and the page's hits
# (it reads `pk`, `person_id`, `matched_person_id` and `inspection_id`), reads the persons through
# its restricted querysets (one audited read per page) and answers, per hit id, a plain dict:
#
#     {"person": {"id", "url", "names_as_read", "name_readable", "needs_reading", "date_of_birth",
#                 "nationality", "sex", "documents": [{"kind", "number", "issuing_state",
#                 "date_of_expiry", "name_as_read"}]} or None,
#      "matched_person": the same for `matched_person_id` (a person-to-person hit) or None,
#      "inspection": {"id", "url", "status", "status_label", "decision", "decision_label",
#                     "post", "read_at"} or None,
#      "face_url": the traveler's face captured at the inspection, or None}
#
# A hit whose traveler the user may not see gets None for that part (no provider: no traveler side).
HitContextProvider = Callable[..., dict[int, dict]]
_hit_context_providers: list[HitContextProvider] = []


def register_hit_context_provider(provider: HitContextProvider) -> None:
    if provider not in _hit_context_providers:
        _hit_context_providers.append(provider)


def unregister_hit_context_provider(provider: HitContextProvider) -> None:
    if provider in _hit_context_providers:
        _hit_context_providers.remove(provider)


def hit_context(*, user, hits) -> dict[int, dict]:
    """Per hit id, what the registered providers say about its traveler (merged in order)."""
    hits = list(hits)
    merged: dict[int, dict] = {}
    if not hits:
        return merged
    for provider in list(_hit_context_providers):
        for hit_id, ctx in (provider(user=user, hits=hits) or {}).items():
            merged.setdefault(hit_id, {}).update(ctx)
    return merged
