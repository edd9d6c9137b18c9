"""The statistics an agency can publish: an indicator set after the EU Entry/Exit System's
(Regulation (EU) 2017/2226, Article 63: entries and exits, refusals of entry by nationality, border
type and reason, overstayers by nationality and border crossing point of entry, travel documents
used) and Frontex's FRAN green-border indicators (detections by sector, apprehensions by sector
and nationality; "detections, not persons").

Every table is suppressed before it leaves this module (analytics.suppression, k from the setting
``BMIS_STATISTICS_MIN_CELL``, default 5): pages, exports and the API publish the same cells.
Movement counts come from the rollups; overstays from the overstays table; document types from the
movements of the period at the chosen posts (an index range on the time, not a scan of all
movements); green-border figures from the sources incidents and registrations register
(core.indicators).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from analytics.exports import Report, ReportTable
from analytics.forms import BORDER_TYPE_OF_KIND, BORDER_TYPES
from analytics.selectors import rollups_for
from analytics.suppression import suppress
from core.indicators import indicator_rows
from core.models import BorderPost

INDICATORS = (
    "entries_exits", "refusals_by_nationality", "refusals_by_border_type", "refusals_by_reason",
    "overstayers_by_nationality", "overstayers_by_entry_point", "document_types",
    "detections_by_sector", "apprehensions_by_sector",
)


def min_cell() -> int:
    return int(getattr(settings, "BMIS_STATISTICS_MIN_CELL", 5))


def _titles() -> dict[str, str]:
    return {
        "entries_exits": _("Entries and exits by border crossing point"),
        "refusals_by_nationality": _("Refusals by nationality"),
        "refusals_by_border_type": _("Refusals by border type"),
        "refusals_by_reason": _("Refusals by reason"),
        "overstayers_by_nationality": _("Overstayers by nationality"),
        "overstayers_by_entry_point": _("Overstayers by border crossing point of entry"),
        "document_types": _("Travel documents used, by type"),
        "detections_by_sector": _("Green border: detections by sector"),
        "apprehensions_by_sector": _("Green border: apprehensions by sector and nationality"),
    }


def _post_labels(ids) -> dict[int, str]:
    bidi = get_language_bidi()
    out = {}
    for p in BorderPost.objects.filter(pk__in=list(ids)).only("code", "name", "name_local"):
        out[p.pk] = f"{p.code} · {p.name_local if bidi and p.name_local else p.name}"
    return out


def _table(key: str, row_header: str, rows: list[str], columns: list[str], grid: dict[tuple[str, str], int],
           *, row_labels: dict | None = None, col_labels: dict | None = None, note: str = "") -> ReportTable:
    cells = [[int(grid.get((r, c), 0)) for c in columns] for r in rows]
    result = suppress(cells, min_cell()) if rows and columns else None
    row_labels, col_labels = row_labels or {}, col_labels or {}
    return ReportTable(
        key=key, title=_titles()[key], row_header=row_header,
        columns=[str(col_labels.get(c, c)) for c in columns], rows=[str(row_labels.get(r, r)) for r in rows],
        cells=result.cells if result else [], row_totals=result.row_totals if result else [],
        col_totals=result.col_totals if result else [0] * len(columns),
        grand_total=result.grand_total if result else 0, note=note,
        all_suppressed=bool(result and result.all_suppressed),
    )


def _count_column() -> tuple[list[str], dict]:
    return ["count"], {"count": _("Count")}


def statistics_report(*, user, since: dt.date, until: dt.date, post_ids: list[int] | None,
                      only: tuple[str, ...] = INDICATORS) -> Report:
    """The indicator set for the period (days included) at the posts (None: every post the reader
    may count), suppressed."""
    from travelers.models import DocumentKind, Movement, MovementDecision, Overstay, ReasonCode

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(since, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    rollups = rollups_for(user).filter(day__gte=since, day__lte=until)
    if post_ids is not None:
        rollups = rollups.filter(post_id__in=post_ids)
    k = min_cell()
    tables: list[ReportTable] = []
    count_cols, count_labels = _count_column()
    directions = ["entry", "exit"]
    direction_labels = {"entry": _("Entries"), "exit": _("Exits")}

    if "entries_exits" in only:
        grid = defaultdict(int)
        for r in (rollups.filter(decision=MovementDecision.ADMITTED).values("post_id", "direction")
                  .annotate(n=Sum("count")).order_by()):
            grid[(r["post_id"], r["direction"])] += r["n"]
        posts = sorted({p for p, _d in grid}, key=lambda p: p)
        labels = _post_labels(posts)
        posts.sort(key=lambda p: labels.get(p, ""))
        tables.append(_table("entries_exits", _("Border crossing point"), posts, directions, grid,
                             row_labels=labels, col_labels=direction_labels,
                             note=_("Travelers admitted; each crossing counts once.")))

    refused = rollups.filter(decision=MovementDecision.REFUSED)
    if "refusals_by_nationality" in only:
        grid = defaultdict(int)
        for r in refused.values("nationality", "direction").annotate(n=Sum("count")).order_by():
            grid[(r["nationality"] or "XXX", r["direction"])] += r["n"]
        rows = sorted({n for n, _d in grid})
        tables.append(_table("refusals_by_nationality", _("Nationality"), rows, directions, grid,
                             col_labels=direction_labels))
    if "refusals_by_border_type" in only:
        kinds = dict(BorderPost.objects.values_list("pk", "kind"))
        grid = defaultdict(int)
        for r in refused.values("post_id").annotate(n=Sum("count")).order_by():
            grid[(BORDER_TYPE_OF_KIND.get(kinds.get(r["post_id"]), "land"), "count")] += r["n"]
        types = [t for t, _l in BORDER_TYPES]
        tables.append(_table("refusals_by_border_type", _("Border type"), types, count_cols, grid,
                             row_labels={t: str(label) for t, label in BORDER_TYPES}, col_labels=count_labels))
    if "refusals_by_reason" in only:
        grid = defaultdict(int)
        for r in refused.values("reason_code").annotate(n=Sum("count")).order_by():
            grid[(r["reason_code"] or "—", "count")] += r["n"]
        rows = sorted({c for c, _x in grid})
        bidi = get_language_bidi()
        labels = {c.code: f"{c.code} · {c.label_ar if bidi and c.label_ar else c.label}"
                  for c in ReasonCode.objects.filter(code__in=rows)}
        labels["—"] = _("No reason recorded")
        tables.append(_table("refusals_by_reason", _("Reason"), rows, count_cols, grid, row_labels=labels,
                             col_labels=count_labels))

    overstays = Overstay.objects.filter(permitted_until__gte=since, permitted_until__lte=until)
    if post_ids is not None:
        overstays = overstays.filter(entry__post_id__in=post_ids)
    if "overstayers_by_nationality" in only:
        grid = defaultdict(int)
        for r in overstays.values("person__nationality").annotate(n=Count("id")).order_by():
            grid[(r["person__nationality"] or "XXX", "count")] += r["n"]
        tables.append(_table("overstayers_by_nationality", _("Nationality"), sorted({n for n, _c in grid}),
                             count_cols, grid, col_labels=count_labels,
                             note=_("Persons whose permitted stay ended in the period without an exit.")))
    if "overstayers_by_entry_point" in only:
        grid = defaultdict(int)
        for r in overstays.values("entry__post_id").annotate(n=Count("id")).order_by():
            grid[(r["entry__post_id"], "count")] += r["n"]
        labels = _post_labels({p for p, _c in grid})
        rows = sorted({p for p, _c in grid}, key=lambda p: labels.get(p, ""))
        tables.append(_table("overstayers_by_entry_point", _("Border crossing point of entry"), rows, count_cols,
                             grid, row_labels=labels, col_labels=count_labels))
    scan_limit = int(getattr(settings, "BMIS_STATISTICS_DOCUMENT_SCAN_MAX", 2_000_000))
    admitted = None
    if "document_types" in only:
        admitted = (rollups.filter(decision=MovementDecision.ADMITTED).aggregate(n=Sum("count"))["n"] or 0)
    if "document_types" in only and admitted > scan_limit:
        # The rollups do not count document types: they are counted from the period's movements,
        # which for a long period at many posts is too many to read for one page.
        t = _table("document_types", _("Document type"), [], [], {})
        t.unavailable = _("Not computed for %(n)s crossings (more than %(limit)s): choose a shorter period or "
                          "fewer posts.") % {"n": admitted, "limit": scan_limit}
        tables.append(t)
    elif "document_types" in only:
        movements = Movement.objects.filter(occurred_at__gte=start, occurred_at__lt=end,
                                            decision=MovementDecision.ADMITTED)
        if post_ids is not None:
            movements = movements.filter(post_id__in=post_ids)
        grid = defaultdict(int)
        for r in movements.values("document__kind", "direction").annotate(n=Count("id")).order_by():
            grid[(r["document__kind"], r["direction"])] += r["n"]
        kinds = [k_ for k_, _l in DocumentKind.choices if any((k_, d) in grid for d in directions)]
        tables.append(_table("document_types", _("Document type"), kinds, directions, grid,
                             row_labels=dict((k_, str(v)) for k_, v in DocumentKind.choices),
                             col_labels=direction_labels))

    if "detections_by_sector" in only:
        rows = indicator_rows("incidents.detections", since=start, until=end, post_ids=post_ids)
        tables.append(_source_table("detections_by_sector", rows, "sector", "object_class", _("Sector"),
                                    note=_("Detections, not persons: one person detected twice counts twice, "
                                           "a group seen together once.")))
    if "apprehensions_by_sector" in only:
        rows = indicator_rows("registrations.apprehensions", since=start, until=end, post_ids=post_ids)
        tables.append(_source_table("apprehensions_by_sector", rows, "nationality", "sector", _("Nationality"),
                                    note=_("Apprehensions, not persons: a person apprehended twice counts twice.")))

    from django.utils.formats import date_format

    return Report(
        title=_("Border statistics"),
        # Dates isolated left to right (U+2066 … U+2069): in an Arabic line "2026-11-01" would
        # otherwise be reordered by the bidirectional algorithm.
        subtitle=_("%(since)s to %(until)s") % {"since": f"\u2066{date_format(since, 'Y-m-d')}\u2069",
                                                "until": f"\u2066{date_format(until, 'Y-m-d')}\u2069"},
        tables=tables,
        footnote=_("x: withheld, fewer than %(k)s, or a cell that would reveal one by subtraction from "
                   "the totals.") % {"k": k},
    )


def _source_table(key: str, rows: list[dict] | None, row_dim: str, col_dim: str, row_header: str,
                  note: str) -> ReportTable:
    if rows is None:
        t = _table(key, row_header, [], [], {})
        t.unavailable = _("Not available: the application that records these figures is not installed.")
        return t
    grid = defaultdict(int)
    for r in rows:
        grid[(r.get(row_dim) or "—", r.get(col_dim) or "—")] += int(r["count"])
    row_values = sorted({a for a, _b in grid})
    col_values = sorted({b for _a, b in grid})
    from devices.models import ObjectClass

    classes = {value: str(label) for value, label in ObjectClass.choices}
    return _table(key, row_header, row_values, col_values, grid, note=note, col_labels=classes)
