"""Statistics an agency can publish: the indicator set as a page and as CSV, XLSX and PDF exports
(suppressed the same way everywhere)."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import Role, role_required
from analytics import exports, selectors
from analytics.forms import StatisticsForm
from analytics.statistics import min_cell, statistics_report
from audit.services import audit_log

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)
FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "pdf": ("application/pdf", "pdf"),
}


@role_required(*SUPERVISORS)
@require_GET
def statistics(request):
    """The indicator set for a period and posts; ``format=csv|xlsx|pdf`` downloads it."""
    fmt = request.GET.get("format", "")
    form = StatisticsForm(request.GET or {}, user=request.user)
    context = {"form": form, "k": min_cell(), "formats": list(FORMATS)}
    if fmt and fmt not in FORMATS:
        form.is_valid()
        form.add_error(None, _("Unknown export format: choose CSV, XLSX or PDF."))
    if not form.is_valid():
        return render(request, "analytics/statistics.html", context, status=400)
    c = form.cleaned_data
    post_ids = form.post_ids_for(selectors.allowed_posts(request.user))
    report = statistics_report(user=request.user, since=c["since"], until=c["until"], post_ids=post_ids)
    query = request.GET.copy()
    query.pop("format", None)
    context.update({"report": report, "query": query.urlencode(),
                    "empty": all(t.grand_total == 0 or t.unavailable for t in report.tables)})
    if fmt:
        content_type, extension = FORMATS[fmt]
        rtl = get_language_bidi()
        try:
            if fmt == "csv":
                body = exports.to_csv(report)
            elif fmt == "xlsx":
                body = exports.to_xlsx(report, rtl=rtl)
            else:
                body = exports.to_pdf(report, rtl=rtl)
        except exports.ExportTooLarge as exc:
            context["export_error"] = str(exc)
            return render(request, "analytics/statistics.html", context, status=400)
        with transaction.atomic():
            audit_log(actor=request.user, action="statistics.export", object_type="analytics.statistics",
                      metadata={"format": fmt, "since": c["since"].isoformat(), "until": c["until"].isoformat(),
                                "posts": post_ids})
        response = HttpResponse(body, content_type=content_type)
        name = f"bmis-statistics-{c['since']:%Y%m%d}-{c['until']:%Y%m%d}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(request, "analytics/statistics.html", context)
