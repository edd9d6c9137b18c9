"""The per-process name index of every person list, kept fresh from the database.

Design (measured in bench/screening.py --backend postgres): the database is
the truth; each web or worker process holds one :class:`PersonIndex` per
person list, built from the database on first use and then refreshed
incrementally from ``PersonEntry.updated_at`` at most every
``WATCHLISTS_INDEX_REFRESH_SECONDS`` (1 s). A refresh re-reads the entries
saved since the previous refresh minus an overlap
(``WATCHLISTS_INDEX_OVERLAP_SECONDS``, 5 s) so that a transaction that
committed a little after it saved is not missed; entries already applied at
that ``updated_at`` are skipped. A transaction that may stay open longer
than the overlap stamps its rows again just before committing (imports do). A burst of changes larger than
``WATCHLISTS_INDEX_REBUILD_AT`` (an import) rebuilds that list's index aside
and swaps it in, so searches never wait for it. Shortlisted entries are
fetched from the database for exact scoring, so the index holds numbers and
the vocabulary, not the names.

Why not keys in a database table: a query touches thousands of postings per
common name part (Mohammed, Ali); fetching them from PostgreSQL per query
costs tens of milliseconds, against under a millisecond from numpy arrays.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from watchlists.models import ListKind, PersonEntry, PersonEntryName, Watchlist
from watchlists.names.index import PersonIndex
from watchlists.names.score import Person

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def dob_string(year, month, day) -> str | None:
    if not year:
        return None
    if not month:
        return f"{year:04d}"
    if not day:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def persons_from_db(entry_ids=None, watchlist_id=None, since=None, chunk: int = 20_000):
    """Yield (Person, is_active, updated_at) for entries, names included, in id order."""
    qs = PersonEntry.objects.all()
    if entry_ids is not None:
        qs = qs.filter(pk__in=list(entry_ids))
    if watchlist_id is not None:
        qs = qs.filter(watchlist_id=watchlist_id)
    if since is not None:
        qs = qs.filter(updated_at__gte=since)
    qs = qs.order_by("pk").values_list(
        "pk", "is_active", "birth_year", "birth_month", "birth_day", "gender", "nationalities",
        "document_numbers", "updated_at",
    )
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last)[:chunk])
        if not rows:
            return
        ids = [r[0] for r in rows]
        names: dict[int, list[str]] = {}
        for entry_id, full_name in (
            PersonEntryName.objects.filter(entry_id__in=ids).order_by("entry_id", "-is_primary", "pk")
            .values_list("entry_id", "full_name")
        ):
            names.setdefault(entry_id, []).append(full_name)
        for pk, active, year, month, day, gender, nats, docs, updated in rows:
            person = Person(
                names.get(pk, []), dob_string(year, month, day), tuple(nats or ()), gender or None,
                tuple(docs or ()), entry_id=pk,
            )
            yield person, active, updated
        last = ids[-1]
        if len(rows) < chunk:
            return


def lookup_persons(entry_ids: list) -> dict:
    """``{entry_id: Person}`` of the active entries among ``entry_ids``, names included, in one
    query (a screening's shortlist: called once per list per screening)."""
    if not entry_ids:
        return {}
    rows = (
        PersonEntryName.objects.filter(entry_id__in=list(entry_ids), entry__is_active=True)
        .order_by("entry_id", "-is_primary", "pk")
        .values_list("entry_id", "full_name", "entry__birth_year", "entry__birth_month", "entry__birth_day",
                     "entry__gender", "entry__nationalities", "entry__document_numbers")
    )
    names: dict[int, list[str]] = {}
    facts: dict[int, tuple] = {}
    for entry_id, full_name, *rest in rows:
        names.setdefault(entry_id, []).append(full_name)
        facts[entry_id] = rest
    out = {}
    for entry_id, (year, month, day, gender, nats, docs) in facts.items():
        out[entry_id] = Person(names[entry_id], dob_string(year, month, day), tuple(nats or ()), gender or None,
                               tuple(docs or ()), entry_id=entry_id)
    return out


@dataclass
class ListIndex:
    watchlist_id: int
    index: PersonIndex
    synced_at: datetime | None = None  # changes saved before this (minus the overlap) are in the index
    recent: dict = field(default_factory=dict)  # entry id -> updated_at already applied, within the overlap
    built_at: float = 0.0


class IndexRegistry:
    """Process-wide; use :func:`registry`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._lists: dict[int, ListIndex] = {}
        self._last_refresh = 0.0
        self._failed: dict[int, str] = {}

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
            self._failed.clear()
            self._last_refresh = 0.0

    def _build(self, watchlist_id: int) -> ListIndex:
        overlap = timedelta(seconds=_setting("WATCHLISTS_INDEX_OVERLAP_SECONDS", 5))
        synced_at = timezone.now()
        index = PersonIndex(name_lookup=lookup_persons)
        recent = {}
        active_people = []
        for person, active, updated in persons_from_db(watchlist_id=watchlist_id):
            if updated >= synced_at - overlap:
                recent[person.entry_id] = updated
            if active:
                active_people.append(person)
        index.bulk_load(active_people)
        del active_people
        if len(index) >= _setting("WATCHLISTS_INDEX_GC_FREEZE_AT", 100_000):
            # Every full collection of the cyclic garbage collector walks the index's containers
            # (the list of a million entry ids) and the similarity caches its build filled
            # (similar-reading lists, alignment caches): 126-170 ms at 1,000,000 entries,
            # measured, and the screening request that triggers one waits for it. They hold no
            # cycles: collect what is garbage now, then freeze the survivors (gc.freeze) so that
            # later collections skip them (17 ms). Frozen objects are still freed by reference
            # counting when a rebuilt index replaces this one.
            gc.collect()
            gc.freeze()
        return ListIndex(watchlist_id, index, synced_at, recent, time.monotonic())

    def _refresh_list(self, li: ListIndex) -> None:
        overlap = timedelta(seconds=_setting("WATCHLISTS_INDEX_OVERLAP_SECONDS", 5))
        rebuild_at = _setting("WATCHLISTS_INDEX_REBUILD_AT", 50_000)
        now = timezone.now()
        since = li.synced_at - overlap
        changed = PersonEntry.objects.filter(watchlist_id=li.watchlist_id, updated_at__gte=since)
        n_changed = changed.count()
        if n_changed == 0:
            li.synced_at = now
            return
        if n_changed - len(li.recent) > rebuild_at:
            fresh = self._build(li.watchlist_id)
            with self._lock:
                self._lists[li.watchlist_id] = fresh
            return
        for person, active, updated in persons_from_db(watchlist_id=li.watchlist_id, since=since):
            if li.recent.get(person.entry_id) == updated:
                continue
            if active:
                li.index.add(person)
            else:
                li.index.remove(person.entry_id)
            li.recent[person.entry_id] = updated
        cutoff = now - overlap
        li.recent = {k: v for k, v in li.recent.items() if v >= cutoff}
        li.synced_at = now
        if li.index.stats()["delta_postings"] > 200_000:
            li.index.compact()

    def refresh(self, force: bool = False) -> None:
        """Bring every person list's index up to date (at most once a second)."""
        now = time.monotonic()
        if not force and now - self._last_refresh < _setting("WATCHLISTS_INDEX_REFRESH_SECONDS", 1.0):
            return
        self._last_refresh = now
        wanted = set(
            Watchlist.objects.filter(is_active=True).exclude(kind__in=[ListKind.DOCUMENTS, ListKind.VEHICLES])
            .values_list("pk", flat=True)
        )
        with self._lock:
            for stale in set(self._lists) - wanted:
                del self._lists[stale]
        for wl_id in wanted:
            try:
                li = self._lists.get(wl_id)
                if li is None:
                    li = self._build(wl_id)
                    with self._lock:
                        self._lists[wl_id] = li
                else:
                    self._refresh_list(li)
                self._failed.pop(wl_id, None)
            except Exception as exc:  # one broken list must not stop screening against the others
                logger.exception("name index of watchlist %s could not be loaded", wl_id)
                self._failed[wl_id] = type(exc).__name__

    def get(self, watchlist_id: int) -> ListIndex | None:
        return self._lists.get(watchlist_id)

    def failure(self, watchlist_id: int) -> str | None:
        return self._failed.get(watchlist_id)

    def stats(self) -> dict:
        return {wl: li.index.stats() for wl, li in self._lists.items()}


_registry = IndexRegistry()


def registry() -> IndexRegistry:
    return _registry
