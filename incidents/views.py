"""Supervisor pages: the live border map, the incident list (with per-camera figures) and an
incident's page, where a patrol is dispatched and the outcome recorded."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.permissions import Role, role_required
from core.api.common import error_body
from core.errors import field_errors, form_call
from incidents.filters import IncidentFilter
from incidents.forms import DispatchForm, OutcomeForm
from incidents.models import ContactSource, Incident, IncidentStatus
from incidents.selectors import (
    camera_stats,
    incident_detections,
    incident_positions,
    incidents_visible,
    map_data,
)
from incidents.services import incident_close, incident_contact, incident_dispatch, patrols_for

SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


def _incident_json(incident: Incident) -> dict:
    return {
        "id": incident.pk, "reference": incident.reference, "url": reverse("incidents:detail", args=[incident.pk]),
        "status": incident.status, "status_label": incident.get_status_display(),
        "object_class": incident.object_class, "object_label": incident.get_object_class_display(),
        "max_count": incident.max_count, "detections": incident.detection_count,
        "latitude": incident.latitude, "longitude": incident.longitude,
        "sector": incident.sector.code if incident.sector_id else None, "post": incident.post.code,
        "camera": incident.camera.code, "patrol": incident.patrol.code if incident.patrol_id else None,
        "first_detection_at": incident.first_detection_at.isoformat(),
        "last_detection_at": incident.last_detection_at.isoformat(),
        "outcome": incident.outcome, "outcome_label": incident.get_outcome_display() if incident.outcome else "",
        "persons": incident.persons_count,
    }


PATROL_STATUS_LABELS = {
    "patrolling": gettext_lazy("Patrolling"), "en_route": gettext_lazy("En route"), "on_scene": gettext_lazy("On scene"),
    "returning": gettext_lazy("Returning"), "off_duty": gettext_lazy("Off duty"), "emergency": gettext_lazy("Emergency"),
}


def _map_labels() -> dict:
    """The words the map's script shows (translated here: the script has no catalogue)."""
    return {
        "status": _("Status"), "object": _("Object"), "sector": _("Sector"), "camera": _("Camera"),
        "patrol": _("Patrol"), "last_seen": _("Last seen"), "open": _("Open the incident"),
        "online": _("online"), "offline": _("offline"), "updated": _("Updated"),
        "update_failed": _("The map could not be updated; retrying."), "detections": _("Detections"),
        "borders_failed": _("The border outlines could not be loaded."), "outcome": _("Outcome"),
    }


@role_required(*SUPERVISORS)
def incident_map(request):
    return render(request, "incidents/map.html", {
        "refresh_seconds": settings.INCIDENTS_MAP_REFRESH_SECONDS, "map_labels": _map_labels(),
    })


@role_required(*SUPERVISORS)
def incident_map_data(request):
    """The map's layers as JSON (polled by incidents/static/incidents/incident-map.js); with
    ?incident=<id>, also that incident's detections and its patrol's trail."""
    data = map_data(user=request.user)
    data["incidents"] = [_incident_json(i) for i in data["incidents"]]
    focus = request.GET.get("incident", "")
    if focus:
        if not focus.isdigit():
            return JsonResponse(error_body("invalid", "incident must be an incident id", {"incident": ["not an id"]}),
                                status=400)
        incident = _visible(request, int(focus))
        data["focus"] = {
            "incident": _incident_json(incident),
            "detections": [[d.latitude, d.longitude] for d in incident_detections(incident=incident)
                           if d.latitude is not None],
            "trail": [[p.latitude, p.longitude] for p in incident_positions(incident=incident)],
        }
    for patrol in data["patrols"]:
        patrol["status_label"] = str(PATROL_STATUS_LABELS.get(patrol["status"], patrol["status"]))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@role_required(*SUPERVISORS)
def incident_map_panel(request):
    """The open incidents beside the map (an htmx partial refreshed every few seconds)."""
    open_incidents = incidents_visible(user=request.user).exclude(status=IncidentStatus.CLOSED)[:50]
    return render(request, "incidents/_map_panel.html", {
        "incidents": open_incidents, "refresh_seconds": settings.INCIDENTS_MAP_REFRESH_SECONDS,
    })


@role_required(*SUPERVISORS)
def incident_list(request):
    params = request.GET.copy() if request.GET else {"status": "open"}
    filterset = IncidentFilter(params, queryset=incidents_visible(user=request.user), request=request)
    page = Paginator(filterset.qs if filterset.is_valid() else Incident.objects.none(), 50).get_page(request.GET.get("page"))
    return render(request, "incidents/incident_list.html", {
        "filter": filterset, "page": page, "cameras": camera_stats(user=request.user),
    }, status=400 if filterset.errors else 200)


def _detail(request, incident: Incident, *, dispatch_form=None, outcome_form=None, status=200):
    patrols = patrols_for(incident=incident)
    positions = incident_positions(incident=incident)
    for position in positions:
        position.status_label = PATROL_STATUS_LABELS.get(position.status, position.status)
    return render(request, "incidents/incident_detail.html", {
        "incident": incident,
        "detections": incident_detections(incident=incident),
        "positions": positions, "map_labels": _map_labels(),
        "dispatch_form": dispatch_form or DispatchForm(patrols=patrols, auto_id="dispatch_%s",
                                                       initial={"patrol": incident.patrol_id}),
        "outcome_form": outcome_form or OutcomeForm(auto_id="outcome_%s"),
        "can_dispatch": incident.status in (IncidentStatus.NEW, IncidentStatus.DISPATCHED) and patrols.exists(),
        "can_contact": incident.status == IncidentStatus.DISPATCHED,
        "refresh_seconds": settings.INCIDENTS_MAP_REFRESH_SECONDS,
    }, status=status)


def _visible(request, pk) -> Incident:
    return get_object_or_404(incidents_visible(user=request.user), pk=pk)


@role_required(*SUPERVISORS)
def incident_detail(request, pk):
    return _detail(request, _visible(request, pk))


@role_required(*SUPERVISORS)
def incident_facts(request, pk):
    """The facts of an open incident (an htmx partial refreshed every few seconds: the patrol's
    contact and the outcome appear without reloading the forms)."""
    return render(request, "incidents/_incident_facts.html", {"incident": _visible(request, pk)})


@require_POST
@role_required(*SUPERVISORS)
def incident_dispatch_view(request, pk):
    incident = _visible(request, pk)
    form = DispatchForm(request.POST, patrols=patrols_for(incident=incident), auto_id="dispatch_%s")
    if form.is_valid() and form_call(form, incident_dispatch, actor=request.user, incident=incident,
                                     patrol=form.cleaned_data["patrol"]):
        messages.success(request, _("%(patrol)s dispatched to %(incident)s.")
                         % {"patrol": form.cleaned_data["patrol"].code, "incident": incident.reference})
        return redirect("incidents:detail", pk=incident.pk)
    return _detail(request, incident, dispatch_form=form, status=400)


@require_POST
@role_required(*SUPERVISORS)
def incident_contact_view(request, pk):
    """The supervisor records that the patrol is on scene (heard over the radio)."""
    incident = _visible(request, pk)
    try:
        incident_contact(actor=request.user, incident=incident, at=timezone.now(), source=ContactSource.SUPERVISOR)
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in field_errors(exc).values() for m in ms))
    else:
        messages.success(request, _("Patrol on scene at %(incident)s.") % {"incident": incident.reference})
    return redirect("incidents:detail", pk=incident.pk)


@require_POST
@role_required(*SUPERVISORS)
def incident_outcome_view(request, pk):
    incident = _visible(request, pk)
    form = OutcomeForm(request.POST, auto_id="outcome_%s")
    if form.is_valid() and form_call(form, incident_close, actor=request.user, incident=incident,
                                     outcome=form.cleaned_data["outcome"], persons=form.cleaned_data["persons"],
                                     note=form.cleaned_data["note"]):
        messages.success(request, _("%(incident)s closed.") % {"incident": incident.reference})
        return redirect("incidents:detail", pk=incident.pk)
    return _detail(request, incident, outcome_form=form, status=400)
