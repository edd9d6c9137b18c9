"""The name index over every person (deduplication's demographic shortlist), kept fresh from the database.

The same design as the watchlists' per-list index (``watchlists.search``): one
:class:`watchlists.names.index.PersonIndex` per process, built from the database on first use, then
refreshed incrementally at most every ``BMIS_PERSON_INDEX_REFRESH_SECONDS`` (1 s) from what changed
since the previous refresh minus an overlap (``WATCHLISTS_INDEX_OVERLAP_SECONDS``, 5 s): persons
saved since (``Person.updated_at``), identities recorded since (``PersonIdentity.recorded_at``) and
merges made or undone since (``PersonMerge``). A changed person is re-read whole.

Entries: one per identity a person was known under
(``PersonIdentity``: the name as given, its Latin form, and the date of birth with its precision), so
a person registered as ``محمد صالح`` born 1990 and crossing later as ``MOHAMMED SALEH`` born
1990-03-02 is found by either; a person with no identity recorded (none is expected since the
identities migration) by its own name and date of birth. A person merged into another (``merged_into``) is not indexed: its
identities now belong to the survivor.

Approximate dates of birth: an exact, month or year date is given to the name scorer as it is (its
evidence weighs a year-only date as such); an *estimated age* becomes a window of birth years
(``recorded year − age ± BMIS_DEDUPE_AGE_WINDOW``, 5 years): it is not given to the scorer (an
estimate is not a date), and a candidate whose known birth year falls outside the window is dropped.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from watchlists.names.index import PersonIndex
from watchlists.names.score import Person as NamePerson
from watchlists.search import dob_string

logger = logging.getLogger(__name__)

# A lower bar than screening's 0.87: the shortlist feeds the fusion, which weighs the score.
SHORTLIST_THRESHOLD = 0.70


def _setting(name: str, default):
    return getattr(settings, name, default)


@dataclass(frozen=True)
class BirthWindow:
    """Birth years a name entry admits: ``lo..hi`` (None: unknown). Only a window from an
    estimated age rules a candidate out; two stated dates are weighed by the name scorer."""

    lo: int | None = None
    hi: int | None = None
    estimated: bool = False

    def overlaps(self, other: BirthWindow) -> bool:
        if self.lo is None or other.lo is None or not (self.estimated or other.estimated):
            return True
        return self.lo <= other.hi and other.lo <= self.hi


@dataclass(frozen=True)
class NameHit:
    person_id: int
    score: float
    explanation: dict


def _identity_dob(identity) -> tuple[str | None, BirthWindow]:
    """(date of birth for the scorer, window of birth years) of one identity or person."""
    precision = getattr(identity, "birth_precision", "") or ""
    year = identity.birth_year
    window = _setting("BMIS_DEDUPE_AGE_WINDOW", 5)
    if precision == "estimated" or (year is None and getattr(identity, "estimated_age", None) is not None):
        age = getattr(identity, "estimated_age", None)
        when = getattr(identity, "recorded_at", None) or timezone.now()
        if year is None and age is not None:
            year = when.year - int(age)
        if year is None:
            return None, BirthWindow()
        return None, BirthWindow(year - window, year + window, estimated=True)
    if year is None:
        return None, BirthWindow()
    month = identity.birth_month if precision in ("", "exact", "month") else None
    day = identity.birth_day if precision in ("", "exact") else None
    return dob_string(year, month, day if month else None), BirthWindow(year, year)


def _names(obj) -> list[str]:
    out = []
    latin = f"{obj.secondary_identifier} {obj.primary_identifier}".strip()
    if latin:
        out.append(latin)
    original = (getattr(obj, "name_original", "") or "").strip()
    if original and original not in out:
        out.append(original)
    return out


def _sex(value) -> str | None:
    return value if value in ("M", "F") else None


def _nationality(value) -> tuple[str, ...]:
    return (value,) if value and value not in ("XXX", "XXA", "XXB", "XXC") else ()


def person_entries(person, identities) -> list[tuple[NamePerson, BirthWindow]]:
    """The index entries of one person: its own row and each of its identities."""
    out = []
    dob, window = _identity_dob(person)
    names = _names(person)
    if names and not identities:  # the identities hold the person's names as given, with their precision
        out.append((NamePerson(names, dob, _nationality(person.nationality), _sex(person.sex),
                               entry_id=f"p{person.pk}"), window))
    for ident in identities:
        names = _names(ident)
        if not names:
            continue
        dob, window = _identity_dob(ident)
        out.append((NamePerson(names, dob, _nationality(ident.nationality), _sex(ident.sex),
                               entry_id=f"i{ident.pk}"), window))
    return out


def query_entries(person, identities) -> list[tuple[NamePerson, BirthWindow]]:
    """What to search for a person: each distinct identity (names, birth) of it."""
    return person_entries(person, identities)


class PersonNameIndex:
    """Process-wide; use :func:`person_index`."""

    def __init__(self):
        self._lock = threading.RLock()
        self._index: PersonIndex | None = None
        self._entries: dict[int, list[str]] = {}  # person id -> its entry ids
        self._owner: dict[str, int] = {}  # entry id -> person id
        self._windows: dict[str, BirthWindow] = {}
        self._synced_at = None
        self._last_refresh = 0.0

    def clear(self) -> None:
        with self._lock:
            self._index = None
            self._entries.clear()
            self._owner.clear()
            self._windows.clear()
            self._synced_at = None
            self._last_refresh = 0.0

    def __len__(self) -> int:
        return len(self._entries)

    # -- loading ------------------------------------------------------------------------------
    @staticmethod
    def _load(person_ids=None):
        """(person, [identities]) of live persons (all, or these), identities in one query."""
        from travelers.models import Person, PersonIdentity

        qs = Person.objects.filter(merged_into__isnull=True)
        if person_ids is not None:
            qs = qs.filter(pk__in=list(person_ids))
        last = 0
        while True:
            chunk = list(qs.filter(pk__gt=last).order_by("pk")[:20_000])
            if not chunk:
                return
            idents: dict[int, list] = {}
            for ident in PersonIdentity.objects.filter(person_id__in=[p.pk for p in chunk]).order_by("pk"):
                idents.setdefault(ident.person_id, []).append(ident)
            for p in chunk:
                yield p, idents.get(p.pk, [])
            last = chunk[-1].pk
            if len(chunk) < 20_000:
                return

    def _put(self, person, identities) -> list[NamePerson]:
        """Replace one person's entries (the caller holds the lock); returns the new entries."""
        self._drop(person.pk)
        entries = person_entries(person, identities)
        ids = []
        for np_, window in entries:
            self._owner[np_.entry_id] = person.pk
            self._windows[np_.entry_id] = window
            ids.append(np_.entry_id)
        self._entries[person.pk] = ids
        return [e for e, _ in entries]

    def _drop(self, person_id: int) -> None:
        for entry_id in self._entries.pop(person_id, []):
            if self._index is not None:
                self._index.remove(entry_id)
            self._owner.pop(entry_id, None)
            self._windows.pop(entry_id, None)

    def build(self) -> None:
        with self._lock:
            synced_at = timezone.now()
            self._index = PersonIndex()
            self._entries.clear()
            self._owner.clear()
            self._windows.clear()
            batch = []
            for person, identities in self._load():
                batch.extend(self._put(person, identities))
            self._index.bulk_load(batch)
            self._synced_at = synced_at
            self._last_refresh = time.monotonic()

    def touch(self, person_ids) -> None:
        """Re-read these persons now (after a registration, a merge or an undo, in this process)."""
        person_ids = {int(p) for p in person_ids if p}
        if not person_ids:
            return
        with self._lock:
            if self._index is None:
                return  # built from the database at the next search
            seen = set()
            for person, identities in self._load(person_ids):
                seen.add(person.pk)
                for e in self._put(person, identities):
                    self._index.add(e)
            for gone in person_ids - seen:
                self._drop(gone)

    def refresh(self, force: bool = False) -> None:
        """Build on first use, then apply what changed since the previous refresh."""
        from travelers.models import Person, PersonIdentity, PersonMerge

        if self._index is None:
            self.build()
            return
        now_mono = time.monotonic()
        if not force and now_mono - self._last_refresh < _setting("BMIS_PERSON_INDEX_REFRESH_SECONDS", 1.0):
            return
        with self._lock:
            self._last_refresh = now_mono
            now = timezone.now()
            since = self._synced_at - timedelta(seconds=_setting("WATCHLISTS_INDEX_OVERLAP_SECONDS", 5))
            changed = set(Person.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
            changed |= set(PersonIdentity.objects.filter(recorded_at__gte=since).values_list("person_id", flat=True))
            for src, tgt in PersonMerge.objects.filter(merged_at__gte=since).values_list("source_id", "target_id"):
                changed |= {src, tgt}
            for src, tgt in PersonMerge.objects.filter(reverted_at__gte=since).values_list("source_id", "target_id"):
                changed |= {src, tgt}
            if len(changed) > _setting("WATCHLISTS_INDEX_REBUILD_AT", 50_000):
                self.build()
                return
            self.touch(changed)
            self._synced_at = now

    # -- search -------------------------------------------------------------------------------
    def search(self, query: list[tuple[NamePerson, BirthWindow]], *, exclude: set[int] = frozenset(),
               threshold: float = SHORTLIST_THRESHOLD, limit: int = 20) -> list[NameHit]:
        """The best name hit per other person (at most ``limit``), best first."""
        self.refresh()
        best: dict[int, NameHit] = {}
        with self._lock:
            index = self._index
            for q, q_window in query:
                for res in index.search(q, threshold=threshold, limit=limit * 2, shortlist=limit * 3):
                    entry_id = res.explanation.get("entry_id")
                    pid = self._owner.get(entry_id)
                    if pid is None or pid in exclude:
                        continue
                    if not q_window.overlaps(self._windows.get(entry_id, BirthWindow())):
                        continue
                    if pid not in best or res.score > best[pid].score:
                        best[pid] = NameHit(pid, float(res.score), res.explanation)
        return sorted(best.values(), key=lambda h: (-h.score, h.person_id))[:limit]


_index = PersonNameIndex()


def person_index() -> PersonNameIndex:
    return _index
