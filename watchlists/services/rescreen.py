"""Re-screening recent travelers when person entries are added or changed.

Travelers are supplied by the providers registered in :mod:`watchlists.hooks`
(the travelers app registers one); the window is
``WATCHLISTS_RESCREEN_DAYS`` (default 30) days.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.models import BorderPost
from watchlists.hooks import recent_travelers
from watchlists.models import PersonEntry
from watchlists.names.score import Person, parse_dob, score_person
from watchlists.search import persons_from_db
from watchlists.services.hits import hit_raise


def rescreen_recent_travelers(*, entry_ids: list[int], days: int | None = None) -> int:
    """Score every recent traveler against the given entries; raise hits. Returns hits created."""
    days = days if days is not None else getattr(settings, "WATCHLISTS_RESCREEN_DAYS", 30)
    since = timezone.now() - timedelta(days=days)
    entries = {e.pk: e for e in PersonEntry.objects.select_related("watchlist").filter(pk__in=entry_ids, is_active=True)}
    people = [p for p, active, _ in persons_from_db(entry_ids=list(entries)) if active]
    if not people:
        return 0
    created = 0
    posts: dict[int, BorderPost | None] = {}
    for traveler in recent_travelers(since):
        try:
            dob = str(parse_dob(traveler.date_of_birth)) if traveler.date_of_birth else None
        except ValueError:
            dob = None  # an unreadable date of birth is no evidence either way
        names = [n for n in traveler.names if n and n.strip()]
        if not names:
            continue
        query = Person(names, dob, (traveler.nationality,) if traveler.nationality else (),
                       traveler.gender, tuple(traveler.document_numbers or ()))
        for person in people:
            entry = entries[person.entry_id]
            wl = entry.watchlist
            if not wl.is_active:
                continue
            result = score_person(query, person, wl.default_threshold)
            if result.score < wl.default_threshold:
                continue
            if traveler.post_id is not None and traveler.post_id not in posts:
                posts[traveler.post_id] = BorderPost.objects.filter(pk=traveler.post_id).first()
            explanation = {**result.explanation, "entry_id": entry.pk, "rescreened": True}
            _hit, was_created = hit_raise(
                actor=None, source="name", score=min(1.0, result.score), threshold=wl.default_threshold, entry=entry,
                inspection_id=traveler.inspection_id, person_id=traveler.person_id,
                post=posts.get(traveler.post_id), matched_name=result.matched_name, explanation=explanation,
                query={"names": traveler.names, "date_of_birth": traveler.date_of_birth,
                       "nationality": traveler.nationality, "gender": traveler.gender, "rescreen": True},
            )
            created += was_created
    return created
