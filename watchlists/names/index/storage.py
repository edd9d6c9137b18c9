"""Storage of the screening index: growable numpy arrays, the postings of readings over rows, and
the per-entry table (ids, active flags, date of birth, gender, nationalities) with the vectorised
evidence it gives. Pure Python and numpy."""

from __future__ import annotations

import numpy as np

from ..score import EVIDENCE, Person

PART_CLASSES = 6
"""Postings are grouped by the number of parts of their row: 1, 2, ... PART_CLASSES or more."""


class Growable:
    """A numpy array that grows by doubling."""

    def __init__(self, dtype, capacity: int = 1024, fill=0):
        self.dtype = dtype
        self.fill = fill
        self.data = np.full(capacity, fill, dtype=dtype)
        self.size = 0

    def reserve(self, n: int) -> None:
        if n > len(self.data):
            cap = max(n, 2 * len(self.data))
            new = np.full(cap, self.fill, dtype=self.dtype)
            new[: self.size] = self.data[: self.size]
            self.data = new

    def append(self, value) -> int:
        self.reserve(self.size + 1)
        self.data[self.size] = value
        self.size += 1
        return self.size - 1

    def extend(self, values) -> None:
        values = np.asarray(values, dtype=self.dtype)
        self.reserve(self.size + len(values))
        self.data[self.size : self.size + len(values)] = values
        self.size += len(values)

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.size]

    def nbytes(self) -> int:
        return self.data.nbytes


class Postings:
    """Rows (one per name of an entry: its entry slot and number of parts) and, for every
    reading, the rows that contain it: a compressed array built in bulk (``ptr``/``rows``, grouped
    by the row's part class) plus small per-reading ``delta`` lists for rows added since."""

    def __init__(self, part_classes: int = PART_CLASSES):
        self.part_classes = part_classes
        self.ptr = np.zeros(1, dtype=np.int64)
        self.rows = np.zeros(0, dtype=np.int32)
        self.delta: dict[int, list[int]] = {}
        self.delta_count = 0
        self.row_slot = Growable(np.int32)
        self.row_nparts = Growable(np.int8)

    @property
    def n_rows(self) -> int:
        return self.row_slot.size

    def new_row(self, slot: int, nparts: int) -> int:
        row = self.row_slot.append(slot)
        self.row_nparts.append(min(nparts, 127))
        return row

    def add_delta(self, vid: int, row: int) -> None:
        self.delta.setdefault(vid, []).append(row)
        self.delta_count += 1

    def compact(self, n_readings: int) -> None:
        """Merge the delta lists into the compressed postings."""
        if not self.delta_count:
            return
        vids = np.fromiter(
            (v for v, rows in self.delta.items() for _ in rows),
            dtype=np.int64,
            count=self.delta_count,
        )
        rows = np.fromiter(
            (r for rs in self.delta.values() for r in rs),
            dtype=np.int32,
            count=self.delta_count,
        )
        self.delta = {}
        self.delta_count = 0
        self.merge(vids, rows, n_readings)

    def merge(self, new_vids: np.ndarray, new_rows: np.ndarray, n_readings: int) -> None:
        """Rebuild the compressed postings: sorted by reading, then by the row's part class
        (see PART_CLASSES), then by row; ``ptr[vid * part_classes + c]`` is where class
        ``c + 1`` of reading ``vid`` starts."""
        nc = self.part_classes
        nv = n_readings
        old_counts = np.diff(self.ptr).reshape(-1, nc).sum(axis=1)
        old_vids = np.repeat(np.arange(len(old_counts), dtype=np.int64), old_counts)
        vids = np.concatenate([old_vids, new_vids])
        rows = np.concatenate([self.rows, new_rows])
        classes = np.clip(self.row_nparts.data[rows], 1, nc).astype(np.int64) - 1
        order = np.lexsort((rows, classes, vids))
        cells = vids[order] * nc + classes[order]
        self.rows = rows[order].astype(np.int32)
        counts = np.bincount(cells, minlength=nv * nc)
        self.ptr = np.zeros(nv * nc + 1, dtype=np.int64)
        np.cumsum(counts, out=self.ptr[1:])

    def merged_readings(self) -> int:
        """How many readings the compressed postings cover (readings added since live in the delta)."""
        return (len(self.ptr) - 1) // self.part_classes

    def reading_counts(self) -> np.ndarray:
        """Compressed postings per reading (all part classes)."""
        return np.diff(self.ptr).reshape(-1, self.part_classes).sum(axis=1)

    def __len__(self) -> int:
        return len(self.rows) + self.delta_count

    def nbytes(self) -> int:
        return self.rows.nbytes + self.ptr.nbytes

    def rows_nbytes(self) -> int:
        return self.row_slot.nbytes() + self.row_nparts.nbytes()


class EntryTable:
    """Per entry slot: the external id, an ``active`` flag, birth year/month/day, gender and up to
    two nationality codes (and the entry's Person when the index keeps them itself)."""

    def __init__(self, keep_persons: bool):
        self.slot_ids: list[object] = []
        self.slot_of: dict[object, int] = {}
        self.active = Growable(np.bool_)
        self.year = Growable(np.int16)
        self.month = Growable(np.int8)
        self.day = Growable(np.int8)
        self.gender = Growable(np.int8)
        self.nat1 = Growable(np.int16, fill=-1)
        self.nat2 = Growable(np.int16, fill=-1)
        self.nat_codes: dict[str, int] = {}
        self.persons: dict[object, Person] | None = {} if keep_persons else None

    def _nat_id(self, code: str) -> int:
        code = code.strip().upper()
        if code not in self.nat_codes:
            self.nat_codes[code] = len(self.nat_codes)
        return self.nat_codes[code]

    def new_slot(self, person: Person) -> int:
        slot = len(self.slot_ids)
        self.slot_ids.append(person.entry_id)
        self.slot_of[person.entry_id] = slot
        dob = person.dob()
        self.active.append(True)
        self.year.append(dob.year if dob else 0)
        self.month.append(dob.month or 0 if dob else 0)
        self.day.append(dob.day or 0 if dob and not dob.year_only else 0)
        g = (person.gender or "").strip().upper()[:1]
        self.gender.append(1 if g == "M" else 2 if g == "F" else 0)
        nats = [c for c in person.nationalities if c][:2]
        self.nat1.append(self._nat_id(nats[0]) if nats else -1)
        self.nat2.append(self._nat_id(nats[1]) if len(nats) > 1 else -1)
        if self.persons is not None:
            self.persons[person.entry_id] = person
        return slot

    def remove(self, entry_id) -> bool:
        """Deactivate an entry; False if it was not indexed."""
        slot = self.slot_of.pop(entry_id, None)
        if slot is None:
            return False
        self.active.data[slot] = False
        if self.persons is not None:
            self.persons.pop(entry_id, None)
        return True

    def __contains__(self, entry_id) -> bool:
        return entry_id in self.slot_of

    def __len__(self) -> int:
        return len(self.slot_of)

    def nbytes(self) -> int:
        return sum(
            g.nbytes() for g in (self.active, self.year, self.month, self.day, self.gender, self.nat1, self.nat2)
        )

    def evidence(self, query: Person, slots: np.ndarray) -> np.ndarray:
        """Vectorised date-of-birth, gender and nationality evidence."""
        ev = np.zeros(len(slots), dtype=np.float32)
        try:
            dob = query.dob()
        except ValueError:
            dob = None
        if dob is not None:
            years = self.year.data[slots].astype(np.int32)
            known = years > 0
            diff = np.abs(years - dob.year)
            ev += np.where(known & (diff == 0), EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
            ev += np.where(known & (diff == 1), EVIDENCE["dob_year_off_by_one"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 2) & (diff <= 3), EVIDENCE["dob_year_off_2_3"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 4) & (diff <= 9), EVIDENCE["dob_year_off_4_9"], 0.0).astype(np.float32)
            ev += np.where(known & (diff >= 10), EVIDENCE["dob_year_off_10_plus"], 0.0).astype(np.float32)
            if dob.full:
                months = self.month.data[slots]
                days = self.day.data[slots]
                exact = known & (diff == 0) & (months == dob.month) & (days == dob.day)
                swapped = known & (diff == 0) & (months == dob.day) & (days == dob.month) & ~exact
                ev += np.where(exact, EVIDENCE["dob_exact"] - EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
                ev += np.where(swapped, EVIDENCE["dob_swapped"] - EVIDENCE["dob_same_year"], 0.0).astype(np.float32)
        g = (query.gender or "").strip().upper()[:1]
        if g in ("M", "F"):
            gv = 1 if g == "M" else 2
            gs = self.gender.data[slots]
            ev += np.where((gs > 0) & (gs != gv), EVIDENCE["gender_differs"], 0.0).astype(np.float32)
        qn = [self.nat_codes.get(c.strip().upper(), -2) for c in query.nationalities if c]
        if qn:
            n1 = self.nat1.data[slots]
            n2 = self.nat2.data[slots]
            shared = np.isin(n1, qn) | np.isin(n2, qn)
            known = n1 >= 0
            ev += np.where(known & shared, EVIDENCE["nationality_shared"], 0.0).astype(np.float32)
            ev += np.where(known & ~shared, EVIDENCE["nationality_differs"], 0.0).astype(np.float32)
        return ev
