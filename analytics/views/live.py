"""The live operations page for supervisors and administrators: per post or all the posts they
may see (national for a national remit), its figures refreshed every few seconds by htmx."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import Role, post_ids, role_required
from analytics import live
from analytics.anomalies import anomaly_settings, flow_alert_acknowledge
from analytics.models import FlowAlert
from core.errors import Conflict

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _context(request, scope: live.Scope) -> dict:
    now = timezone.now()
    options = live.live_settings()
    ids = scope.post_ids
    series = live.flow_series(ids, now)
    labels = {"observed": _("Travelers"), "expected": _("Expected"), "low": _("Lower bound"),
              "high": _("Upper bound"), "y": _("Travelers per hour")}
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    current = series[-1]
    return {
        "scope": scope, "now": now, "options": options, "anomaly": anomaly_settings(),
        "flow": live.flow_table(ids, now, options["hours"]),
        "series": series, "current": current,
        "chart": live.flow_chart_svg(series, rtl=get_language_bidi(), labels=labels,
                                     title=_("Last 24 hours")),
        "seconds": live.seconds_per_traveler(ids, now, options["hours"]),
        "staffing": live.booths_staffed(ids, now, options["staffed_minutes"]),
        "inspections": live.inspections_now(request.user, ids, now),
        "hits": live.hits_pending(request.user, ids),
        "devices": live.devices_now(request.user, scope),
        "indicators": live.indicators_today(ids, start_of_day, now),
        "alerts": live.flow_alerts(request.user, ids),
        "national_remit": post_ids(request.user) is None,
        "panel_url": reverse("analytics:live-panel") + (f"?post={scope.post.code}" if scope.post else ""),
    }


def _scope_or_error(request):
    try:
        return live.live_scope(request.user, request.GET.get("post", "")), None
    except live.UnknownPost:
        return None, _("No post you may see has this code.")


@role_required(*SUPERVISORS)
@require_GET
def live_page(request):
    """Live operations: flows, queues, booths, hits, devices, green border, flow alerts."""
    scope, error = _scope_or_error(request)
    if error:
        scope = live.live_scope(request.user)
        return render(request, "analytics/live.html", {"scope": scope, "post_error": error,
                                                       "options": live.live_settings()}, status=400)
    return render(request, "analytics/live.html", _context(request, scope))


@role_required(*SUPERVISORS)
@require_GET
def live_panel(request):
    """The part of the live page that refreshes itself (htmx)."""
    scope, error = _scope_or_error(request)
    if error:
        return render(request, "analytics/_live_error.html", {"post_error": error}, status=400)
    return render(request, "analytics/_live_panel.html", _context(request, scope))


@require_POST
@role_required(*SUPERVISORS)
def flow_alert_ack(request, pk: int):
    """Acknowledge a flow alert (audited), with an optional note."""
    alert = get_object_or_404(FlowAlert.objects.restrict(request.user, "acknowledge").select_related("post"), pk=pk)
    try:
        flow_alert_acknowledge(actor=request.user, alert=alert, note=request.POST.get("note", ""))
        messages.success(request, _("Alert acknowledged."))
    except Conflict as error:
        messages.error(request, error.conflict_message)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    target = reverse("analytics:live")
    post = (request.POST.get("post") or "").strip()
    return redirect(f"{target}?post={post}" if post.isalnum() else target)
