"""Indicator sources: counts that a higher app publishes for the statistics (analytics) without
either importing the other.

Layer-3 apps (incidents, registrations) register a source in their ``AppConfig.ready()``;
analytics reads them by name. A source is ``fn(*, since, until, post_ids) -> rows``: ``since`` and
``until`` are aware datetimes (half-open, ``until`` excluded), ``post_ids`` None for every post or
the ids to count, and each row a dict of dimension values (strings) and ``"count"`` (int).
Sources count what their app records; they do no permission check (the caller passes the posts
the reader may see) and read no personal data beyond the dimensions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

IndicatorSource = Callable[..., list[dict]]

_SOURCES: dict[str, IndicatorSource] = {}


def register_indicator_source(name: str, fn: IndicatorSource) -> None:
    """Register (or replace, idempotent across repeated ``ready()``) the source called ``name``,
    e.g. ``"incidents.detections"``."""
    if not name or "." not in name:
        raise ValueError("an indicator source is named '<app>.<indicator>'")
    _SOURCES[name] = fn


def indicator_sources() -> dict[str, IndicatorSource]:
    return dict(_SOURCES)


def indicator_rows(name: str, *, since: datetime, until: datetime, post_ids: list[int] | None) -> list[dict] | None:
    """The rows of the source ``name``, or None when no app registered it (that app is not
    installed): the statistics then say the indicator is not available."""
    fn = _SOURCES.get(name)
    if fn is None:
        return None
    return fn(since=since, until=until, post_ids=post_ids)
