"""The trends page (charts by day, week or month beside the same period last year, breakdowns,
overstays, hits per list with the false-hit rate) and the records behind each of its numbers."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import Role, role_required
from analytics import selectors
from analytics.charts import ACCENT, PREVIOUS, Chart, Series, render_svg
from analytics.forms import RecordsForm, TrendsForm
from core.models import BorderPost

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
RECORDS_PAGE = 100


def _label(start: dt.date, group: str) -> str:
    """A bucket's label: its first day in the period (month-day), or the month (ISO digits in
    every language)."""
    return start.strftime("%Y-%m") if group == "month" else start.strftime("%m-%d")


@lru_cache(maxsize=8)
def _records_path(prefix: str) -> str:
    return reverse("analytics:records")


def _records_url(params: dict) -> str:
    """The records page with these filters (a page of a year by day links several hundred times:
    the path is resolved once)."""
    path = _records_path(get_script_prefix())
    return path + "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _base_params(form: TrendsForm) -> dict:
    c = form.cleaned_data
    codes = ",".join(BorderPost.objects.filter(pk__in=c.get("post") or []).values_list("code", flat=True))
    return {"post": codes, "border_type": c.get("border_type"), "nationality": c.get("nationality"),
            "direction": c.get("direction"), "transport_mode": c.get("transport_mode"),
            "decision": c.get("decision"), "reason": c.get("reason")}


@role_required(*SUPERVISORS)
@require_GET
def trends(request):
    """Movements over time by day, week or month, with last year's beside them; every number
    links to its records."""
    form = TrendsForm(request.GET or None, user=request.user)
    if request.GET and not form.is_valid():
        return render(request, "analytics/trends.html", {"form": form}, status=400)
    if not request.GET:
        form = TrendsForm({}, user=request.user)
        form.is_valid()
    c = form.cleaned_data
    since, until, group = c["since"], c["until"], c["group"]
    post_ids = form.post_ids_for(selectors.allowed_posts(request.user))
    filters = form.dimension_filters()
    rtl = get_language_bidi()
    series = selectors.trend(user=request.user, since=since, until=until, group=group, post_ids_=post_ids,
                             filters=filters)
    base = _base_params(form)
    # A year by day links 730 times: the common part of the query is encoded once.
    prefix = _records_url({**base, "kind": "movements"})
    rows = []
    for i, start in enumerate(series["starts"]):
        end = selectors.bucket_end(start, group, until)
        first = max(start, since)
        prev_start = series["previous_starts"][i]
        prev_end = selectors.bucket_end(prev_start, group, series["previous_until"]) if prev_start else None
        rows.append({
            "label": _label(first, group), "start": first, "end": end, "count": series["values"][i],
            "previous": series["previous"][i],
            "url": f"{prefix}&since={first.isoformat()}&until={end.isoformat()}",
            "previous_url": (f"{prefix}&since={max(prev_start, series['previous_since']).isoformat()}"
                             f"&until={prev_end.isoformat()}") if prev_start else "",
        })
    figures = format_html_join(
        "\n", '<tr><th scope="row" dir="ltr">{}</th><td><a href="{}">{}</a></td><td>{}</td></tr>',
        ((r["label"], r["url"], r["count"],
          format_html('<a href="{}">{}</a>', r["previous_url"], r["previous"]) if r["previous_url"] else r["previous"])
         for r in rows))
    labels = [r["label"] for r in rows]
    chart = Chart(
        title=_("Travelers processed by %(group)s") % {"group": dict(form.fields["group"].choices)[group].lower()},
        labels=labels, kind="bar" if len(labels) <= 16 else "line",
        series=[Series(_("This period"), series["values"], colour=ACCENT),
                Series(_("Same period last year"), series["previous"], colour=PREVIOUS, dashed=True)],
        y_label=_("Movements"),
        description=_("%(n)s movements from %(since)s to %(until)s; %(p)s in the same period last year.") % {
            "n": series["total"], "since": since.isoformat(), "until": until.isoformat(), "p": series["previous_total"]},
    )
    svg = render_svg(chart, rtl=rtl, chart_id="trend", width=12, height=3.8)

    # Breakdowns (from the rollups) with last year beside, each number linking to its records.
    period = {"since": since.isoformat(), "until": until.isoformat()}
    prev_period = {"since": series["previous_since"].isoformat(), "until": series["previous_until"].isoformat()}
    breakdowns = []
    names = _dimension_names()
    titles = (("post", _("By post")), ("nationality", _("By nationality")),
              ("direction", _("By direction")), ("transport_mode", _("By mode of transport")),
              ("decision", _("By decision")), ("reason_code", _("By refusal reason")))
    shown = [d for d, _t in titles if d == "post" or not filters.get(d)]
    by_dimension = selectors.breakdowns(user=request.user, since=since, until=until, post_ids_=post_ids,
                                        filters=filters, dimensions=shown)
    for dimension, title in titles:
        if dimension not in shown:
            continue
        items = by_dimension[dimension]
        if dimension == "reason_code":
            items = [i for i in items if i["value"]]
        labels_map = names.get(dimension, {})
        if dimension == "post":
            posts = {p.pk: p for p in BorderPost.objects.filter(pk__in=[i["value"] for i in items])}
        for item in items:
            value = item["value"]
            param = {"post": "post", "reason_code": "reason"}.get(dimension, dimension)
            if dimension == "post":
                p = posts.get(value)
                item["label"] = f"{p.code} · {p.name_local if rtl and p.name_local else p.name}" if p else str(value)
                value = p.code if p else ""
            else:
                item["label"] = str(labels_map.get(value, value or "—"))
            item["url"] = _records_url({**base, "kind": "movements", param: value, **period})
            item["previous_url"] = _records_url({**base, "kind": "movements", param: value, **prev_period})
        breakdowns.append({"key": dimension, "title": title, "items": items})
    reasons = next((b for b in breakdowns if b["key"] == "reason_code"), None)
    reason_svg = ""
    if reasons and reasons["items"]:
        reason_svg = render_svg(Chart(
            title=_("Refusals by reason"), labels=[i["label"].split(" · ")[0] for i in reasons["items"]], kind="bar",
            series=[Series(_("This period"), [i["count"] for i in reasons["items"]], colour=ACCENT),
                    Series(_("Same period last year"), [i["previous"] for i in reasons["items"]], colour=PREVIOUS,
                           dashed=True)],
            y_label=_("Refusals")), rtl=rtl, chart_id="reasons", width=12, height=3.2)

    hits = selectors.hits_by_list(user=request.user, since=since, until=until, post_ids_=post_ids)
    for h in hits:
        common = {"kind": "hits", "list": h["code"], "post": base["post"], **period}
        h["url"] = _records_url(common)
        h["confirmed_url"] = _records_url({**common, "status": "confirmed"})
        h["dismissed_url"] = _records_url({**common, "status": "dismissed"})
        h["pending_url"] = _records_url({**common, "status": "pending"})
    overstays = selectors.overstays_by_month(user=request.user, since=since, until=until, post_ids_=post_ids)
    for o in overstays:
        month_end = selectors.bucket_end(o["month"], "month", until)
        o["label"] = date_format(o["month"], "Y-m")
        o["url"] = _records_url({"kind": "overstays", "post": base["post"], "since": max(o["month"], since).isoformat(),
                                 "until": month_end.isoformat()})
    return render(request, "analytics/trends.html", {
        "form": form, "svg": svg, "rows": rows, "figures": figures, "series": series, "since": since, "until": until,
        "breakdowns": breakdowns, "reason_svg": reason_svg, "hits": hits, "overstays": overstays,
        "total_url": _records_url({**base, "kind": "movements", **period}),
        "previous_total_url": _records_url({**base, "kind": "movements", **prev_period}),
    })


def _dimension_names() -> dict[str, dict]:
    from core.models import Direction
    from travelers.models import MovementDecision, ReasonCode, TransportMode

    bidi = get_language_bidi()
    return {
        "direction": dict(Direction.choices), "transport_mode": dict(TransportMode.choices),
        "decision": dict(MovementDecision.choices),
        "reason_code": {r.code: f"{r.code} · {r.label_ar if bidi and r.label_ar else r.label}"
                        for r in ReasonCode.objects.all()},
    }


@role_required(*SUPERVISORS)
@require_GET
def records(request):
    """The records behind a number of the trends page: movements, overstays or hits, through
    the restricted querysets, the page of persons shown audited as one read."""
    from travelers.models import Movement, Overstay
    from travelers.selectors import audit_person_list
    from watchlists.models import Hit

    form = RecordsForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "analytics/records.html", {"form": form}, status=400)
    c = form.cleaned_data
    start, end = form.period()
    post_ids = form.post_ids_for(None) if (c.get("post") or c.get("border_type")) else None
    kind = c["kind"]
    if kind == "movements":
        qs = Movement.objects.restrict(request.user, "view").filter(occurred_at__gte=start, occurred_at__lt=end)
        if post_ids is not None:
            qs = qs.filter(post_id__in=post_ids)
        for name in ("direction", "transport_mode", "decision"):
            if c.get(name):
                qs = qs.filter(**{name: c[name]})
        if c.get("nationality"):
            qs = qs.filter(document__nationality=c["nationality"])
        if c.get("reason"):
            code = c["reason"]
            qs = qs.filter(decision="refused").filter(
                Q(inspection__decision="refer", inspection__secondary__reason_code__code=code)
                | (~Q(inspection__decision="refer") & Q(inspection__reason_code__code=code))
                | Q(inspection__decision="refer", inspection__secondary__reason_code__isnull=True,
                    inspection__reason_code__code=code))
        qs = qs.select_related("post", "person", "document", "inspection").order_by("-occurred_at", "-pk")
    elif kind == "overstays":
        qs = Overstay.objects.restrict(request.user, "view").filter(
            permitted_until__gte=c["since"], permitted_until__lte=c["until"])
        if post_ids is not None:
            qs = qs.filter(entry__post_id__in=post_ids)
        if c.get("nationality"):
            qs = qs.filter(person__nationality=c["nationality"])
        qs = qs.select_related("person", "entry__post").order_by("permitted_until", "pk")
    else:
        qs = Hit.objects.restrict(request.user, "view").filter(created_at__gte=start, created_at__lt=end)
        if post_ids is not None:
            qs = qs.filter(post_id__in=post_ids)
        if c.get("list"):
            qs = qs.filter(watchlist__code=c["list"].upper())
        if c.get("status"):
            qs = qs.filter(status=c["status"])
        qs = qs.select_related("watchlist", "post").order_by("-created_at", "-pk")
    page = Paginator(qs, RECORDS_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    audit_person_list(user=request.user, person_ids=[getattr(r, "person_id", None) for r in shown],
                      purpose=f"analytics records ({kind})")
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "analytics/records.html", {
        "form": form, "kind": kind, "page": page, "records": shown, "query": query.urlencode(),
        "since": c["since"], "until": c["until"],
    })
