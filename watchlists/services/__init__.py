"""Writes of the watchlists app. Import from here: `from watchlists.services import hit_raise`."""

from watchlists.services.entries import (
    document_entry_create,
    document_entry_update,
    entry_deactivate,
    person_entry_create,
    person_entry_deactivate,
    person_entry_update,
    vehicle_entry_create,
    vehicle_entry_update,
    watchlist_create,
    watchlist_update,
)
from watchlists.services.hits import (
    hit_adjudicate,
    hit_raise,
    hit_raise_many,
    hit_resolve,
    hits_merge_person,
    hits_move_to_person,
    hits_unmerge_person,
)
from watchlists.services.imports import (
    ImportPreviewChanged,
    import_job_confirm,
    import_job_create,
    import_job_preview,
    import_run,
)
from watchlists.services.rescreen import rescreen_recent_travelers
from watchlists.services.screening import ScreeningOutcome, screen_document, screen_person, screen_vehicle

__all__ = [
    "ImportPreviewChanged",
    "ScreeningOutcome",
    "document_entry_create",
    "document_entry_update",
    "entry_deactivate",
    "hit_adjudicate",
    "hit_resolve",
    "hit_raise",
    "hit_raise_many",
    "hits_merge_person",
    "hits_move_to_person",
    "hits_unmerge_person",
    "import_job_confirm",
    "import_job_create",
    "import_job_preview",
    "import_run",
    "person_entry_create",
    "person_entry_deactivate",
    "person_entry_update",
    "rescreen_recent_travelers",
    "screen_document",
    "screen_person",
    "screen_vehicle",
    "vehicle_entry_create",
    "vehicle_entry_update",
    "watchlist_create",
    "watchlist_update",
]
