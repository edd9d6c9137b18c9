from datetime import timedelta

import pytest
from django.utils import timezone

from watchlists.models import PersonEntry
from watchlists.names.score import Person
from watchlists.search import registry
from watchlists.services import person_entry_create

pytestmark = pytest.mark.django_db


def _found(wl, name):
    li = registry().get(wl.pk)
    return [r.explanation["entry_id"] for r in li.index.search(Person([name]), threshold=wl.default_threshold)]


def test_refresh_applies_changes_and_skips_already_applied(wanted):
    reg = registry()
    e1 = person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"], rescreen=False)
    reg.refresh(force=True)
    assert _found(wanted, "Layth Karim") == [e1.pk]
    li = reg.get(wanted.pk)
    assert li.recent.get(e1.pk) is not None  # within the overlap: remembered, not re-applied
    e2 = person_entry_create(actor=None, watchlist=wanted, names=["Sinan Thamer"], rescreen=False)
    reg.refresh(force=True)
    assert _found(wanted, "Sinan Thamir") == [e2.pk]
    assert reg.get(wanted.pk) is li  # updated in place, not rebuilt


def test_a_late_commit_within_the_overlap_is_not_missed(wanted, settings):
    settings.WATCHLISTS_INDEX_OVERLAP_SECONDS = 5
    reg = registry()
    reg.refresh(force=True)
    entry = person_entry_create(actor=None, watchlist=wanted, names=["Harith Adel"], rescreen=False)
    # the row says it was saved 3 s before the last refresh (a transaction that committed late)
    PersonEntry.objects.filter(pk=entry.pk).update(updated_at=reg.get(wanted.pk).synced_at - timedelta(seconds=3))
    reg.refresh(force=True)
    assert _found(wanted, "Harith Adil") == [entry.pk]


def test_deactivation_and_rebuild_threshold(wanted, settings):
    reg = registry()
    entry = person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"], rescreen=False)
    reg.refresh(force=True)
    PersonEntry.objects.filter(pk=entry.pk).update(is_active=False, updated_at=timezone.now())
    reg.refresh(force=True)
    assert _found(wanted, "Laith Kareem") == []
    settings.WATCHLISTS_INDEX_REBUILD_AT = 2
    for n in ("Ali Hassan", "Omar Farouk", "Kawa Ahmed"):
        person_entry_create(actor=None, watchlist=wanted, names=[n], rescreen=False)
    before = reg.get(wanted.pk)
    reg.refresh(force=True)
    assert reg.get(wanted.pk) is not before  # many changes at once: rebuilt aside and swapped in
    assert _found(wanted, "Kawa Ahmad")


def test_a_large_index_is_frozen_out_of_the_garbage_collector(wanted, settings):
    """At WATCHLISTS_INDEX_GC_FREEZE_AT entries and more, the built index's containers are frozen
    (gc.freeze), so full collections no longer walk them; smaller indexes are left alone."""
    import gc

    def walked_by_collections(obj) -> bool:
        return any(o is obj for o in gc.get_objects())

    entry = person_entry_create(actor=None, watchlist=wanted, names=["Laith Kareem"], rescreen=False)
    reg = registry()
    settings.WATCHLISTS_INDEX_GC_FREEZE_AT = 2
    reg.clear()
    reg.refresh(force=True)
    assert walked_by_collections(reg.get(wanted.pk).index._slot_ids)  # one entry: left alone
    settings.WATCHLISTS_INDEX_GC_FREEZE_AT = 1
    reg.clear()
    try:
        reg.refresh(force=True)
        index = reg.get(wanted.pk).index
        assert gc.get_freeze_count() > 0 and not walked_by_collections(index._slot_ids)
        assert _found(wanted, "Layth Karim") == [entry.pk]
    finally:
        gc.unfreeze()
