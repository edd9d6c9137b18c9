"""The incidents API: green-border incidents for supervisors and partner agencies (read), and
the dispatch and outcome operations for supervisors' tokens."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from devices.models import Device
from incidents.api import serializers as s
from incidents.filters import IncidentFilter
from incidents.models import Incident
from incidents.selectors import camera_stats, incidents_visible
from incidents.services import incident_close, incident_dispatch


class IncidentListApi(ListAPIView):
    """Incidents the caller may see, latest activity first; filter with `status` (new,
    dispatched, on_scene, closed or open), `post`, `sector`, `object_class`, `outcome`, `since`."""

    required_scopes = {"GET": ["incidents:read"]}
    serializer_class = s.IncidentSerializer
    filterset_class = IncidentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI schema: no request user
            return Incident.objects.none()
        return incidents_visible(user=self.request.user)

    @extend_schema(tags=["incidents"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class IncidentDetailApi(APIView):
    required_scopes = {"GET": ["incidents:read"]}

    @extend_schema(tags=["incidents"], responses=s.IncidentSerializer)
    def get(self, request, pk):
        """One incident: its detections' summary, patrol, contact and outcome."""
        incident = get_object_or_404(incidents_visible(user=request.user), pk=pk)
        return Response(s.IncidentSerializer(incident).data)


class IncidentDispatchApi(APIView):
    """Dispatch a patrol handset of the incident's post to a new or dispatched incident; audited."""

    required_scopes = {"POST": ["incidents:write"]}

    @extend_schema(tags=["incidents"], request=s.DispatchInput, responses=s.IncidentSerializer)
    def post(self, request, pk):
        incident = get_object_or_404(Incident.objects.restrict(request.user, "change"), pk=pk)
        data = s.DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        patrol = Device.objects.filter(code=data.validated_data["patrol"], post_id=incident.post_id).first()
        if patrol is None:
            raise ValidationError({"patrol": ["no patrol handset of the incident's post has this code"]})
        incident = incident_dispatch(actor=request.user, incident=incident, patrol=patrol)
        return Response(s.IncidentSerializer(incidents_visible(user=request.user).get(pk=incident.pk)).data)


class IncidentOutcomeApi(APIView):
    """Record the outcome and close the incident (persons apprehended need their count); audited."""

    required_scopes = {"POST": ["incidents:write"]}

    @extend_schema(tags=["incidents"], request=s.OutcomeInput, responses=s.IncidentSerializer)
    def post(self, request, pk):
        incident = get_object_or_404(Incident.objects.restrict(request.user, "change"), pk=pk)
        data = s.OutcomeInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        incident = incident_close(actor=request.user, incident=incident, outcome=v["outcome"],
                                  persons=v.get("persons"), note=v.get("note", ""))
        return Response(s.IncidentSerializer(incidents_visible(user=request.user).get(pk=incident.pk)).data)


class CameraStatsApi(APIView):
    required_scopes = {"GET": ["incidents:read"]}

    @extend_schema(tags=["incidents"], responses=s.CameraStatsSerializer(many=True))
    def get(self, request):
        """Per border camera: incidents opened, false-alarm share and time from detection to contact."""
        rows = camera_stats(user=request.user)
        return Response(s.CameraStatsSerializer(rows, many=True).data)
